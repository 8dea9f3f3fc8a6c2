"""litgpt's fine-tuning LR schedule: Lightning-AI/litgpt ``litgpt/finetune/full.py`` (at
26857050), a call of torch's own classes (computed by :mod:`.torch_chainable`)."""

from __future__ import annotations

from warmup_cli.frameworks.upstream.torch_lr_scheduler import SchedulerCall


def get_lr_scheduler(warmup_steps: int, max_steps: int) -> SchedulerCall:
    """get_lr_scheduler: ``SequentialLR([LambdaLR(lambda step: step / warmup_steps),
    CosineAnnealingLR(T_max=max_steps - warmup_steps)], milestones=[warmup_steps])``, stepped
    once per optimizer step."""
    return SchedulerCall("SequentialLR", {"milestones": [warmup_steps]}, (
        SchedulerCall("LambdaLR", {"lr_lambda": lambda step: step / warmup_steps}),
        SchedulerCall("CosineAnnealingLR", {"T_max": max_steps - warmup_steps})))
