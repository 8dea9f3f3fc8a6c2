"""Legacy mmcv 1.x LR updater hooks as pure functions of the iteration.

Transcribes mmcv/runner/hooks/lr_updater.py (mmcv 1.x): ``LrUpdaterHook.get_warmup_lr``,
``StepLrUpdaterHook.get_lr`` and ``CosineAnnealingLrUpdaterHook.get_lr`` with
``annealing_cos``. The hooks set the LR before every iteration from the runner's progress:
``runner.epoch`` when the policy is ``by_epoch``, else ``runner.iter``; here ``per`` is the
number of iterations one unit of progress spans (the epoch length, or 1), so that every
function takes the iteration.
"""

from __future__ import annotations

import math

from warmup_cli.schedule import FactorFn

Num = float | int

WARMUPS = ("constant", "linear", "exp")  # LrUpdaterHook.__init__ raises ValueError otherwise


def cosine_annealing_lr(base: float, per: int, target: Num, max_progress: int) -> FactorFn:
    """CosineAnnealingLrUpdaterHook.get_lr: annealing_cos(base, target, progress / max),
    where annealing_cos(start, end, f) = end + 0.5 * (start - end) * (cos(pi * f) + 1)."""
    return lambda iteration: target + 0.5 * (base - target) * (
        math.cos(math.pi * (iteration // per / max_progress)) + 1)


def step_lr(base: float, per: int, steps: Num | list[Num], gamma: Num,
            min_lr: Num | None) -> FactorFn:
    """StepLrUpdaterHook.get_lr: gamma once per ``step`` epochs (or per milestone passed),
    floored at min_lr."""
    def lr(iteration: int) -> float:
        progress = iteration // per
        if isinstance(steps, list):
            exp = next((i for i, s in enumerate(steps) if progress < s), len(steps))
        else:
            exp = progress // int(steps)
        decay: float = gamma**exp  # an int power of an int gamma stays exact, as upstream
        value = base * decay
        return max(value, min_lr) if min_lr is not None else value
    return lr


def warmup_lr(regular: FactorFn, kind: str | None, iters: int, ratio: Num) -> FactorFn:
    """LrUpdaterHook.get_warmup_lr over the policy's LR for the first ``iters`` iterations
    (``kind`` None: no warmup)."""
    def lr(iteration: int) -> float:
        value = regular(iteration)
        if kind is None or iteration >= iters:
            return value
        if kind == "constant":
            return value * ratio
        if kind == "linear":
            return value * (1 - (1 - iteration / iters) * (1 - ratio))
        exp: float = ratio ** (1 - iteration / iters)
        return value * exp
    return lr
