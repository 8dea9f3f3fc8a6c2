"""The parameter order of what a training script calls: torch's scheduler classes, the lr
defaults of its optimizers, transformers' schedule factories (the tests compare each table
with ``inspect.signature`` of the real thing), and ``get_scheduler``'s names."""

from __future__ import annotations

# torch/optim/lr_scheduler.py (torch 2.13): each class's parameters in order (the tests compare
# this table with inspect.signature of the real classes).
TORCH_SIGNATURES: dict[str, tuple[str, ...]] = {
    "LambdaLR": ("optimizer", "lr_lambda", "last_epoch"),
    "MultiplicativeLR": ("optimizer", "lr_lambda", "last_epoch"),
    "StepLR": ("optimizer", "step_size", "gamma", "last_epoch"),
    "MultiStepLR": ("optimizer", "milestones", "gamma", "last_epoch"),
    "ConstantLR": ("optimizer", "factor", "total_iters", "last_epoch"),
    "LinearLR": ("optimizer", "start_factor", "end_factor", "total_iters", "last_epoch"),
    "ExponentialLR": ("optimizer", "gamma", "last_epoch"),
    "SequentialLR": ("optimizer", "schedulers", "milestones", "last_epoch"),
    "PolynomialLR": ("optimizer", "total_iters", "power", "last_epoch"),
    "CosineAnnealingLR": ("optimizer", "T_max", "eta_min", "last_epoch"),
    "ChainedScheduler": ("schedulers", "optimizer"),
    "ReduceLROnPlateau": ("optimizer", "mode", "factor", "patience", "threshold",
                          "threshold_mode", "cooldown", "min_lr", "eps"),
    "CyclicLR": ("optimizer", "base_lr", "max_lr", "step_size_up", "step_size_down", "mode",
                 "gamma", "scale_fn", "scale_mode", "cycle_momentum", "base_momentum",
                 "max_momentum", "last_epoch"),
    "CosineAnnealingWarmRestarts": ("optimizer", "T_0", "T_mult", "eta_min", "last_epoch"),
    "OneCycleLR": ("optimizer", "max_lr", "total_steps", "epochs", "steps_per_epoch",
                   "pct_start", "anneal_strategy", "cycle_momentum", "base_momentum",
                   "max_momentum", "div_factor", "final_div_factor", "three_phase",
                   "last_epoch"),
}
# torch/optim/*.py (torch 2.13): the lr default of each optimizer (checked by the tests).
OPTIMIZER_LR_DEFAULTS: dict[str, float] = {
    "SGD": 0.001, "Adam": 0.001, "AdamW": 0.001, "RMSprop": 0.01, "Adagrad": 0.01,
    "Adadelta": 1.0, "Adamax": 0.002, "NAdam": 0.002, "RAdam": 0.001, "ASGD": 0.01,
    "Rprop": 0.01, "LBFGS": 1, "SparseAdam": 0.001, "Adafactor": 0.01, "Muon": 0.001,
}
# transformers/optimization.py (5.24): each factory's parameters in order.
HF_SIGNATURES: dict[str, tuple[str, ...]] = {
    "get_scheduler": ("name", "optimizer", "num_warmup_steps", "num_training_steps",
                      "scheduler_specific_kwargs"),
    "get_constant_schedule": ("optimizer", "last_epoch"),
    "get_constant_schedule_with_warmup": ("optimizer", "num_warmup_steps", "last_epoch"),
    "get_linear_schedule_with_warmup": ("optimizer", "num_warmup_steps", "num_training_steps",
                                        "last_epoch"),
    "get_cosine_schedule_with_warmup": ("optimizer", "num_warmup_steps", "num_training_steps",
                                        "num_cycles", "last_epoch"),
    "get_cosine_with_hard_restarts_schedule_with_warmup": (
        "optimizer", "num_warmup_steps", "num_training_steps", "num_cycles", "last_epoch"),
    "get_polynomial_decay_schedule_with_warmup": (
        "optimizer", "num_warmup_steps", "num_training_steps", "lr_end", "power", "last_epoch"),
    "get_inverse_sqrt_schedule": ("optimizer", "num_warmup_steps", "timescale", "last_epoch"),
}
# get_scheduler's names → the factory it calls (SchedulerType values).
HF_NAMES = {
    "linear": "get_linear_schedule_with_warmup", "cosine": "get_cosine_schedule_with_warmup",
    "cosine_with_restarts": "get_cosine_with_hard_restarts_schedule_with_warmup",
    "polynomial": "get_polynomial_decay_schedule_with_warmup",
    "constant": "get_constant_schedule",
    "constant_with_warmup": "get_constant_schedule_with_warmup",
    "inverse_sqrt": "get_inverse_sqrt_schedule",
}
