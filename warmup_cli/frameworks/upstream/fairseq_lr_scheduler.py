"""fairseq's LR schedulers: facebookresearch/fairseq ``fairseq/optim/lr_scheduler/*.py``
(fairseq 0.12.2 unless said; the 2020 cosine scheduler is the Hydra-2020 layout's).

A schedule maps ``num_updates`` to the LR ``step_update(num_updates)`` sets (the trainer calls
``step_update(0)`` when it builds the optimizer and ``step_update(n)`` after update n, so update
n runs at it). Each builder takes the scheduler's config values with fairseq's dataclass
defaults already applied, makes the checks fairseq's ``__init__`` makes (raising
:class:`Rejected`) and derives what ``__init__`` derives; the schedule is then a frozen object
called with the update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# The file each schedule transcribes (fairseq 0.12.2 unless said), for ``show``'s "checked" line.
# (each class's step_update)
CITES = {
    "inverse_sqrt": "fairseq/optim/lr_scheduler/inverse_square_root_schedule.py",
    "cosine": "fairseq/optim/lr_scheduler/cosine_lr_scheduler.py",
    "polynomial_decay": "fairseq/optim/lr_scheduler/polynomial_decay_schedule.py",
    "tri_stage": "fairseq/optim/lr_scheduler/tri_stage_lr_scheduler.py",
}
CITES_2020 = "fairseq/optim/lr_scheduler/cosine_lr_scheduler.py (Hydra-2020 layout)"


class Rejected(ValueError):
    """fairseq itself refuses the arguments (an assertion or a division by zero in the
    scheduler's ``__init__``); ``key`` is the config key it is about, None when it is several."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class InverseSqrt:
    """InverseSquareRootSchedule.step_update (inverse_square_root_schedule.py)."""

    warmup_updates: int
    warmup_init_lr: float  # with fairseq's -1 resolved
    lr_step: float
    decay_factor: float

    def __call__(self, num_updates: int) -> float:
        if num_updates < self.warmup_updates:
            return self.warmup_init_lr + num_updates * self.lr_step
        return float(self.decay_factor * num_updates**-0.5)


def inverse_sqrt(lr: float, warmup_updates: int, warmup_init_lr: float) -> InverseSqrt:
    """InverseSquareRootSchedule.__init__: ``lr`` is ``cfg.lr[0]`` (warmup_end_lr)."""
    if warmup_init_lr < 0:
        # "cfg.warmup_init_lr = 0 if cfg.warmup_updates > 0 else warmup_end_lr"
        warmup_init_lr = 0 if warmup_updates > 0 else lr
    if warmup_updates == 0:
        raise Rejected("warmup_updates", "fairseq's inverse_sqrt divides by warmup_updates, "
                       "so 0 raises ZeroDivisionError")
    return InverseSqrt(warmup_updates, warmup_init_lr,
                       (lr - warmup_init_lr) / warmup_updates,  # self.lr_step
                       lr * warmup_updates**0.5)  # self.decay_factor


@dataclass(frozen=True)
class Cosine:
    """CosineLRSchedule.step_update (cosine_lr_scheduler.py); the 2020 CosineSchedule steps
    the same way."""

    warmup_updates: int
    warmup_init_lr: float  # with fairseq's -1 resolved
    max_lr: float  # the peak
    min_lr: float  # the floor
    t_mult: float
    period: float  # with lr_period_updates <= 0 resolved
    lr_shrink: float
    lr_step: float

    def __call__(self, num_updates: int) -> float:
        warmup, period, t_mult = self.warmup_updates, self.period, self.t_mult
        if num_updates < warmup:
            return self.warmup_init_lr + num_updates * self.lr_step
        curr_updates = num_updates - warmup
        if t_mult != 1:
            i = math.floor(math.log(1 - curr_updates / period * (1 - t_mult), t_mult))
            t_i = t_mult**i * period
            t_curr = curr_updates - (1 - t_mult**i) / (1 - t_mult) * period
        else:
            i = math.floor(curr_updates / period)
            t_i = period
            t_curr = curr_updates - (period * i)
        shrink = self.lr_shrink**i
        low = self.min_lr * shrink
        high = self.max_lr * shrink
        return low + 0.5 * (high - low) * (1 + math.cos(math.pi * t_curr / t_i))


def cosine(lr: float, min_lr: float, *, warmup_updates: int, warmup_init_lr: float,
           t_mult: float, lr_period_updates: float, lr_shrink: float,
           max_update: float | None) -> Cosine:
    """fairseq 0.12's CosineLRSchedule.__init__: ``lr`` is the peak, ``min_lr`` the floor and
    warmup_init_lr -1 means min_lr. ``max_update`` None: the run has no update limit."""
    return _cosine(lr, min_lr, "min_lr", warmup_updates, warmup_init_lr, t_mult,
                   lr_period_updates, lr_shrink, max_update)


def cosine_2020(max_lr: float, lr: float, *, warmup_updates: int, warmup_init_lr: float,
                t_mult: float, lr_period_updates: float, lr_shrink: float,
                max_update: float | None) -> Cosine:
    """The 2020 CosineSchedule.__init__ (its config has max_lr): ``max_lr`` is the peak, ``lr``
    the floor and warmup_init_lr -1 means lr."""
    return _cosine(max_lr, lr, "max_lr", warmup_updates, warmup_init_lr, t_mult,
                   lr_period_updates, lr_shrink, max_update)


def _cosine(peak: float, floor: float, blame: str, warmup_updates: int, warmup_init_lr: float,
            t_mult: float, period: float, lr_shrink: float,
            max_update: float | None) -> Cosine:
    if not peak > floor:
        raise Rejected(blame, f"fairseq asserts max_lr > min_lr (peak {peak:g}, floor "
                       f"{floor:g})")
    if warmup_init_lr < 0:
        warmup_init_lr = floor
    if period <= 0:
        if max_update is None:
            raise Rejected("lr_period_updates", "fairseq asserts max_update > 0 when "
                           "lr_period_updates <= 0 ('Either --max_update or "
                           "--lr-period-updates must be set')")
        period = max_update - warmup_updates
    lr_step = (peak - warmup_init_lr) / warmup_updates if warmup_updates > 0 else 1
    return Cosine(warmup_updates, warmup_init_lr, peak, floor, t_mult, period, lr_shrink,
                  lr_step)


@dataclass(frozen=True)
class PolynomialDecay:
    """PolynomialDecayLRSchedule.step_update (polynomial_decay_schedule.py)."""

    lr: float
    warmup_updates: int
    total_num_update: float
    end_learning_rate: float
    power: float

    def __call__(self, num_updates: int) -> float:
        warmup, total = self.warmup_updates, self.total_num_update
        lr, end = self.lr, self.end_learning_rate
        if warmup > 0 and num_updates <= warmup:
            warmup_factor = num_updates / float(warmup)
            return warmup_factor * lr
        if num_updates >= total:
            return end
        lr_range = lr - end
        pct_remaining = 1 - (num_updates - warmup) / (total - warmup)
        decayed: float = pct_remaining ** (self.power)  # float ** float is typed Any
        return lr_range * decayed + end


def polynomial_decay(lr: float, warmup_updates: int, total_num_update: float,
                     end_learning_rate: float, power: float) -> PolynomialDecay:
    """PolynomialDecayLRSchedule.__init__ (total_num_update defaults to max_update)."""
    if not total_num_update > 0:
        raise Rejected("total_num_update", "fairseq asserts total_num_update > 0 (it defaults "
                       "to max_update)")
    return PolynomialDecay(lr, warmup_updates, total_num_update, end_learning_rate, power)


@dataclass(frozen=True)
class TriStage:
    """TriStageLRSchedule.step_update (tri_stage_lr_scheduler.py): ``_decide_stage`` and the
    stage's LR in one."""

    peak_lr: float
    init_lr: float
    final_lr: float
    warmup_steps: int
    hold_steps: int
    decay_steps: int
    warmup_rate: float
    decay_factor: float

    def __call__(self, num_updates: int) -> float:
        if num_updates < self.warmup_steps:
            return self.init_lr + self.warmup_rate * num_updates
        offset = self.warmup_steps
        if num_updates < offset + self.hold_steps:
            return self.peak_lr
        offset += self.hold_steps
        if num_updates <= offset + self.decay_steps:
            return self.peak_lr * math.exp(-self.decay_factor * (num_updates - offset))
        return self.final_lr


def tri_stage(lr: float, init_lr_scale: float, final_lr_scale: float, warmup_steps: int,
              hold_steps: int, decay_steps: int) -> TriStage:
    """TriStageLRSchedule.__init__ with the three step counts (see :func:`tri_stage_steps` for
    phase_ratio)."""
    if warmup_steps + hold_steps + decay_steps <= 0:
        raise Rejected(None, "fairseq asserts warmup_steps + hold_steps + decay_steps > 0 "
                       "('please specify steps or phase_ratio')")
    if decay_steps == 0:
        raise Rejected("decay_steps", "fairseq divides by decay_steps, so 0 raises "
                       "ZeroDivisionError")
    if final_lr_scale <= 0:
        raise Rejected("final_lr_scale", "fairseq takes log(final_lr_scale), which fails for "
                       f"{final_lr_scale:g}")
    init_lr = init_lr_scale * lr
    final_lr = final_lr_scale * lr
    warmup_rate = (lr - init_lr) / warmup_steps if warmup_steps != 0 else 0
    decay_factor = -math.log(final_lr_scale) / decay_steps
    return TriStage(lr, init_lr, final_lr, warmup_steps, hold_steps, decay_steps, warmup_rate,
                    decay_factor)


def tri_stage_steps(phase_ratio: Sequence[float], max_update: float) -> list[int]:
    """TriStageLRSchedule.__init__ with phase_ratio: warmup, hold and decay steps as shares of
    max_update."""
    if len(phase_ratio) != 3 or sum(phase_ratio) != 1:
        raise Rejected("phase_ratio", "fairseq asserts three phase ratios that add up to 1 "
                       f"(got {phase_ratio})")
    return [int(max_update * ratio) for ratio in phase_ratio]
