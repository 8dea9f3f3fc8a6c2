"""timm ``timm/scheduler/*.py`` (huggingface/pytorch-image-models, timm 1.0.31, the newest PyPI
wheel) and the scheduler classes of microsoft/Swin-Transformer ``lr_scheduler.py`` (commit
055c5065) that run on timm's ``Scheduler`` base class.

Every ``*_get_lr`` is the matching class's ``_get_lr(t)`` for one parameter group, as a pure
function of ``t`` with the same operation order, so its value is timm's LR bit for bit; the
constructor's arguments are taken as given (the classes' asserts are checked by whoever builds
the schedule). :func:`stepped` turns ``_get_lr`` into the LR of update ``k`` the way the
training scripts step the scheduler (``step(epoch + 1)`` / ``step_update(num_updates)``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

LrFn = Callable[[int | float], float]  # a scheduler's _get_lr(t), one parameter group


@dataclass(frozen=True)
class Warmup:
    """The linear warmup every timm scheduler shares (``warmup_t``, ``warmup_lr_init``)."""

    t: int | float
    lr_init: float
    step: float  # (target - warmup_lr_init) / warmup_t, the class's warmup_steps[0]

    def lr(self, t: int | float) -> float:
        return self.lr_init + t * self.step  # every _get_lr: warmup_lr_init + t * s


def make_warmup(t: int | float, lr_init: float, target: float) -> Warmup:
    # Scheduler subclasses' __init__: warmup_steps = [(v - warmup_lr_init) / warmup_t], or
    # [1] without a warmup (then never used)
    return Warmup(t, lr_init, (target - lr_init) / t if t else 1)


@dataclass(frozen=True)
class Cycles:
    """t_initial, cycle_mul, cycle_decay, cycle_limit of cosine/tanh/poly."""

    t_initial: int | float
    mul: float
    decay: float
    limit: int

    def locate(self, t: int | float) -> tuple[int | float, float, float]:
        """(i, t_i, t_curr), CosineLRScheduler._get_lr's cycle arithmetic."""
        i: int | float
        if self.mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.mul), self.mul))
            t_i = self.mul ** i * self.t_initial
            t_curr = t - (1 - self.mul ** i) / (1 - self.mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        return i, t_i, t_curr

    def length(self, warmup_t: int | float, prefix: bool) -> int | float:
        # get_cycle_length(): cycles = max(1, cycle_limit)
        cycles = max(1, self.limit)
        if self.mul == 1.0:
            t = self.t_initial * cycles
        else:
            # timm: int(math.floor(...)); math.floor already returns an int
            t = math.floor(-self.t_initial * (self.mul ** cycles - 1) / (1 - self.mul))
        return t + warmup_t if prefix else t


def _with_warmup(warmup: Warmup, prefix: bool, after: LrFn) -> LrFn:
    """The frame of every _get_lr: the warmup's LR before ``warmup_t``, then ``after(t)``, with
    ``t`` counted from the end of the warmup when ``warmup_prefix`` is set."""
    def get_lr(t: int | float) -> float:
        if t < warmup.t:
            return warmup.lr(t)
        return after(t - warmup.t if prefix else t)

    return get_lr


def cosine_get_lr(base: float, lr_min: float, cycles: Cycles, warmup: Warmup, prefix: bool,
                  k_decay: float) -> LrFn:
    # cosine_lr.py CosineLRScheduler._get_lr
    def after_warmup(t: int | float) -> float:
        i, t_i, t_curr = cycles.locate(t)
        gamma = cycles.decay ** i
        lr_max = base * gamma
        k = k_decay
        if i < cycles.limit:
            return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr ** k
                                                                    / t_i ** k))
        return lr_min

    return _with_warmup(warmup, prefix, after_warmup)


def tanh_get_lr(base: float, lr_min: float, cycles: Cycles, warmup_t: int | float,
                warmup_lr_init: float, prefix: bool, lb: float = -7., ub: float = 3.
                ) -> tuple[LrFn, Warmup]:
    # tanh_lr.py TanhLRScheduler._get_lr; the warmup climbs to base with warmup_prefix, else
    # to the tanh value at warmup_t (__init__: t_v = base_values if prefix else _get_lr(W))
    def after_warmup(t: int | float) -> float:
        if prefix:
            t = t - warmup_t
        i, t_i, t_curr = cycles.locate(t)
        if i < cycles.limit:
            gamma = cycles.decay ** i
            lr_max = base * gamma
            tr = t_curr / t_i
            return lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(lb * (1. - tr) + ub * tr))
        return lr_min

    target = base if prefix or not warmup_t else after_warmup(warmup_t)
    warmup = make_warmup(warmup_t, warmup_lr_init, target)
    return _with_warmup(warmup, False, after_warmup), warmup


def poly_get_lr(base: float, lr_min: float, cycles: Cycles, warmup: Warmup, prefix: bool,
                power: float, k_decay: float) -> LrFn:
    # poly_lr.py PolyLRScheduler._get_lr
    def after_warmup(t: int | float) -> float:
        i, t_i, t_curr = cycles.locate(t)
        gamma = cycles.decay ** i
        lr_max = base * gamma
        k = k_decay
        if i < cycles.limit:
            lr: float = lr_min + (lr_max - lr_min) * (1 - t_curr ** k / t_i ** k) ** power
            return lr
        return lr_min

    return _with_warmup(warmup, prefix, after_warmup)


def step_get_lr(base: float, decay_t: float, decay_rate: float, warmup: Warmup,
                prefix: bool) -> LrFn:
    # step_lr.py StepLRScheduler._get_lr (timm 0.4.12 had no warmup_prefix: prefix=False)
    return _with_warmup(warmup, prefix, lambda t: base * (decay_rate ** (t // decay_t)))


def multistep_get_lr(base: float, milestones: Sequence[int | float], decay_rate: float,
                     warmup: Warmup, prefix: bool, offset: int = 1) -> LrFn:
    # multistep_lr.py MultiStepLRScheduler._get_lr: bisect_right(decay_t, t + 1) in timm
    # 1.0.31 (offset 1); Swin's own MultiStepLRScheduler uses bisect_right(milestones, t)
    # without a prefix (offset 0).
    return _with_warmup(warmup, prefix, lambda t: base * (
        decay_rate ** bisect.bisect_right(milestones, t + offset)))


def swin_linear_get_lr(base: float, t_initial: int, lr_min_rate: float, warmup: Warmup) -> LrFn:
    # Swin-Transformer lr_scheduler.py LinearLRScheduler._get_lr (t always counted from the
    # end of the warmup)
    total_t = t_initial - warmup.t
    return _with_warmup(warmup, True,
                        lambda t: base - ((base - base * lr_min_rate) * (t / total_t)))


def plateau_get_lr(base: float, warmup: Warmup) -> LrFn:
    # plateau_lr.py PlateauLRScheduler.step: epoch <= warmup_t gets warmup_lr_init + epoch * s,
    # later epochs keep the LR until ReduceLROnPlateau lowers it (metric-driven, not modelled)
    def get_lr(t: int | float) -> float:
        if not warmup.t:
            return base
        return warmup.lr(min(t, warmup.t))

    return get_lr


def stepped(get_lr: LrFn, initial: float, lag: int = 0) -> Callable[[int], float]:
    """The LR of update ``k``: the constructor's LR at 0, ``_get_lr(k - lag)`` after (timm
    sets ``param_group["lr"]`` to ``_get_lr``'s value itself: no factor, no base). ``lag`` is
    0 for timm's train.py (it steps before the next update) and 1 for Swin (it steps with the
    index of the update just done)."""
    def lr(k: int) -> float:
        return initial if k == 0 else get_lr(k - lag)

    return lr
