"""The framework rules (WU3xx): framework-aware checks the readers in ``warmup_cli.frameworks``
make, since they know keys, defaults and units the factor function no longer shows.

The readers emit them as ``Finding`` values and lint locates them at the key the reader
blames, so none has a check here. Each example is read by the real reader in the tests.
"""

from __future__ import annotations

from warmup_cli.lint.rules.rule import Rule
from warmup_cli.vocab import Code, Severity


def _mmengine_warmup_then_cosine(t_max: int, begin: int) -> str:
    """The MMEngine example of WU306 and WU309: a LinearLR warmup over epochs 0-10, then a
    CosineAnnealingLR from epoch ``begin`` to 100."""
    return ("optim_wrapper = dict(optimizer=dict(type=\"AdamW\", lr=0.001))\n"
            "train_cfg = dict(max_epochs=100)\nparam_scheduler = [\n"
            "    dict(type=\"LinearLR\", start_factor=0.01, by_epoch=True, begin=0, end=10),\n"
            f"    dict(type=\"CosineAnnealingLR\", T_max={t_max}, by_epoch=True, begin={begin}, "
            "end=100),\n]")


FAMILY: tuple[Rule, ...] = (
    Rule(
        Code.WU301, "warmup-longer-than-run", Severity.ERROR,
        "A framework's warmup is at least as long as the run: the LR never reaches its "
        "peak.",
        "Reported by the readers when the warmup the framework will run (HF "
        "warmup_steps/warmup_ratio, DeepSpeed warmup_num_steps, timm/Swin warmup epochs, "
        "detectron2 WARMUP_ITERS, fairseq warmup_updates, litgpt lr_warmup_steps, a "
        "LinearLR warmup, an MMEngine warmup's end) is not shorter than the run length "
        "the same config states (max_steps, total_num_steps, epochs, MAX_ITER, "
        "max_update, max_epochs/max_iters). The finding points at the warmup key and "
        "replaces the generic WU108/WU109 on that schedule (litgpt phi-2 full.yaml: "
        "lr_warmup_steps 200, max_steps 100; DeepSpeed only logs a warning).",
        '{\n  "optimizer": {"type": "AdamW", "params": {"lr": 0.001}},\n'
        '  "scheduler": {"type": "WarmupDecayLR", "params": {\n'
        '    "warmup_min_lr": 1e-6, "warmup_max_lr": 0.001,\n'
        '    "warmup_num_steps": 1000, "total_num_steps": 500}}\n}',
        '{\n  "optimizer": {"type": "AdamW", "params": {"lr": 0.001}},\n'
        '  "scheduler": {"type": "WarmupDecayLR", "params": {\n'
        '    "warmup_min_lr": 1e-6, "warmup_max_lr": 0.001,\n'
        '    "warmup_num_steps": 1000, "total_num_steps": 10000}}\n}',
        example_format="json"),
    Rule(
        Code.WU302, "zero-lr-first-update", Severity.ERROR,
        "The framework runs the first update(s) of the warmup at LR 0.",
        "The framework-aware form of WU101: a warmup that starts from LR 0 as the "
        "framework computes it (timm warmup_lr 0, DeepSpeed warmup_min_lr 0, which holds "
        "for two updates, fairseq warmup_init_lr -1, which becomes 0, detectron2 "
        "WARMUP_FACTOR 0, MMEngine start_factor 0, litgpt's step / warmup, every HF "
        "warmup's factor 0 at step 0). The severity scales with the share of the warmup "
        "lost: error from 25 %, warning from 1 %, else note; HF findings are one level "
        "lower, since a zero first update is how every HF warmup is defined "
        "(transformers#34754). It replaces the generic WU101 on that schedule.",
        "sched: cosine\nlr: 0.001\nepochs: 100\nwarmup_epochs: 5\nwarmup_lr: 0.0",
        "sched: cosine\nlr: 0.001\nepochs: 100\nwarmup_epochs: 5\nwarmup_lr: 1.0e-6",
        scales=True),
    Rule(
        Code.WU303, "warmup-ignored", Severity.WARNING,
        "A warmup is configured but the scheduler never uses it.",
        "HF's get_scheduler builds `constant`, `reduce_lr_on_plateau` and `greedy` "
        "without num_warmup_steps, so warmup_steps/warmup_ratio are silently dropped "
        "(use constant_with_warmup); an empty scheduler key hands the warmup to an "
        "implicit default schedule (axolotl: cosine) the config never names.",
        "lr_scheduler_type: constant\nlearning_rate: 1.0e-4\nwarmup_steps: 100",
        "lr_scheduler_type: constant_with_warmup\nlearning_rate: 1.0e-4\n"
        "warmup_steps: 100"),
    Rule(
        Code.WU304, "peak-disagrees-with-optimizer-lr", Severity.WARNING,
        "The scheduler's peak LR differs from the optimizer's lr, which is then never "
        "used.",
        "DeepSpeed's WarmupLR/WarmupDecayLR (warmup_max_lr, or WarmupDecayLR's default "
        "0.001 when it is not set) and OneCycle (cycle_max_lr) overwrite the optimizer's "
        "lr at every step, so optimizer.params.lr is dead configuration; when the two "
        "disagree, one of them is a mistake (QANet's 1cycle config peaks at 15 times its "
        "optimizer lr).",
        '{\n  "optimizer": {"type": "Adam", "params": {"lr": 0.001}},\n'
        '  "scheduler": {"type": "WarmupLR", "params": {\n'
        '    "warmup_min_lr": 1e-5, "warmup_max_lr": 0.01, "warmup_num_steps": 1000}}\n}',
        '{\n  "optimizer": {"type": "Adam", "params": {"lr": 0.001}},\n'
        '  "scheduler": {"type": "WarmupLR", "params": {\n'
        '    "warmup_min_lr": 1e-5, "warmup_max_lr": 0.001, "warmup_num_steps": 1000}}\n}',
        example_format="json"),
    Rule(
        Code.WU305, "conflicting-run-lengths", Severity.WARNING,
        "Two run lengths are set (steps and epochs); only one of them counts.",
        "HF max_steps overrides num_train_epochs; fairseq stops at whichever of "
        "max_update and max_epoch comes first; MMEngine's loop type picks max_epochs or "
        "max_iters. The other value is dead, and the schedule (warmup_ratio, the decay "
        "length) is sized by the one that wins, which may not be the one the author "
        "reasoned about.",
        "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nnum_train_epochs: 3\n"
        "max_steps: 1000",
        "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nmax_steps: 1000"),
    Rule(
        Code.WU306, "cosine-period-mismatch", Severity.WARNING,
        "A cosine's period does not match the span it runs over.",
        "MMEngine CosineAnnealingLR with T_max != end - begin is cut before it reaches "
        "eta_min (T_max longer) or rises again (T_max shorter); an HF cosine with "
        "num_cycles != 0.5 rises again after half a period or never reaches its floor.",
        _mmengine_warmup_then_cosine(t_max=100, begin=10),
        _mmengine_warmup_then_cosine(t_max=90, begin=10),
        example_format="python"),
    Rule(
        Code.WU307, "decay-never-finishes", Severity.WARNING,
        "The decay is longer than the run: training stops before the LR reaches its "
        "floor.",
        "fairseq tri_stage phases that add up past max_update (wav2vec vox_960h_2: 8000 "
        "+ 0 + 200000 > 200000), a polynomial_decay total_num_update or a cosine "
        "lr_period_updates past the run, an MMEngine decay whose end is after the last "
        "epoch, an HF warmup_stable_decay longer than max_steps.",
        "optimization:\n  max_update: 200000\n  lr: [0.00003]\nlr_scheduler:\n"
        "  _name: tri_stage\n  warmup_steps: 8000\n  hold_steps: 0\n"
        "  decay_steps: 200000\n  final_lr_scale: 0.05",
        "optimization:\n  max_update: 200000\n  lr: [0.00003]\nlr_scheduler:\n"
        "  _name: tri_stage\n  warmup_steps: 8000\n  hold_steps: 0\n"
        "  decay_steps: 192000\n  final_lr_scale: 0.05"),
    Rule(
        Code.WU308, "unresolved-value", Severity.NOTE,
        "A framework schedule cannot be resolved from the config, or a value in it is "
        "one the framework rejects.",
        "Every reason a reader gives for not reproducing a schedule is reported here, located"
        " at the value: a note when the value is only known at launch (DeepSpeed \"auto\", a "
        "run length that depends on the dataset size: set max_steps or pass --horizon or "
        "--updates-per-epoch), lives in a base config that is not at hand (_base_, _BASE_, a "
        "Hydra defaults entry) or in a layered config, is an "
        "expression or interpolation warmup_cli never evaluates, or names a scheduler "
        "warmup_cli does not model; an error when the framework itself would reject the value"
        " (an unknown scheduler name, a parameter the class does not take, a division by "
        "zero, a failed assertion, a base config the framework refuses to merge: a cycle, "
        "duplicate keys among MMEngine bases). A reader that crashes is reported here too, as "
        "an error naming the reader; the rest of the file is still linted.",
        "lr_scheduler_type: cosine_annealing\nlearning_rate: 2.0e-5\nmax_steps: 1000",
        "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nmax_steps: 1000",
        scales=True),
    Rule(
        Code.WU309, "gap-between-phases", Severity.WARNING,
        "A warmup ends before the next scheduler begins: the LR sits at the base LR in "
        "between.",
        "MMEngine param_scheduler entries are placed by begin/end; when the warmup ends "
        "before the next one begins, the LR stays flat at the full base LR for the gap. "
        "A warning when the gap makes the decay late for its own declared period (a "
        "cosine whose T_max is longer than its begin..end, sized as if it began where "
        "the warmup ends: mmyolo yolox, QuadraticWarmupLR ends at epoch 3, the cosine "
        "begins at epoch 5 with T_max 35 over 30 epochs); a note when the decay runs its "
        "period in full, which makes the gap a deliberate hold at the peak (mmyolo "
        "RTMDet holds the LR until epoch 20, then a cosine with T_max 20 to epoch 40).",
        _mmengine_warmup_then_cosine(t_max=90, begin=15),
        _mmengine_warmup_then_cosine(t_max=90, begin=10),
        example_format="python"),
    Rule(
        Code.WU310, "torch-scheduler-rejected", Severity.ERROR,
        "torch raises while building or stepping the configured scheduler.",
        "Lightning CLI configs name real torch.optim.lr_scheduler classes; the reader "
        "builds the class over a one-parameter SGD and steps it, and whatever torch "
        "raises (LinearLR start_factor 0, OneCycleLR stepped past total_steps, an "
        "unknown keyword) would crash training. The finding carries torch's message and "
        "points at the argument it names. This reader imports torch.",
        "optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 0.001\n"
        "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.LinearLR\n  init_args:\n"
        "    start_factor: 0.0\n    total_iters: 5\ntrainer:\n  max_epochs: 20",
        "optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 0.001\n"
        "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.LinearLR\n  init_args:\n"
        "    start_factor: 0.25\n    total_iters: 5\ntrainer:\n  max_epochs: 20"),
)
