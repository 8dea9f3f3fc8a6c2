"""MMEngine's chainable LR schedulers, and the order its runner steps them, in pure Python.

Transcribes mmengine/optim/scheduler/param_scheduler.py (mmengine 0.10.7: ``_ParamScheduler``
and the ``*ParamScheduler`` classes behind lr_scheduler.py's LinearLR, ConstantLR, ...),
mmdet/engine/schedulers/quadratic_warmup.py (``QuadraticWarmupParamScheduler``, mmdet 3.3.0) and
the stepping order of mmengine/hooks/param_scheduler_hook.py (``ParamSchedulerHook``).

MMEngine's schedulers are *chainable*: each ``_get_value`` multiplies (or, for
QuadraticWarmupLR, adds to) the LR currently in the optimizer, and every scheduler steps on its
own counter inside ``[begin, end)``. :class:`Simulation` reproduces that recursion step by step,
in the runner's order:

* every scheduler is built in list order and steps once when built (``_ParamScheduler.__init__``
  ends with ``self.step()``), so the LR of the first update already includes LinearLR's
  ``start_factor``;
* after every training iteration ``ParamSchedulerHook.after_train_iter`` steps the iteration
  based schedulers, in list order, and after every epoch ``after_train_epoch`` steps the epoch
  based ones.

A :class:`Scheduler` holds one scheduler's class name, keyword arguments (the names of the
classes' ``__init__``) and span; building one runs the checks MMEngine's ``__init__`` makes
(:class:`InvalidScheduler` carries MMEngine's message).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

INF = int(1e9)  # mmengine/optim/scheduler/param_scheduler.py: INF
SIMULATION_CAP = 2_000_000  # most steps simulated; past it a still-active schedule fails

Num = float | int
ParamValue = Num | list[Num] | None
Params = Mapping[str, ParamValue]
"""A scheduler's keyword arguments (``None``: not given)."""

ValueFn = Callable[[int, float], float]
"""A scheduler's chainable ``_get_value``: (its ``last_step`` k, the LR in the optimizer) -> LR."""

# Parameters build_iter_from_epoch multiplies by the epoch length, per scheduler.
_SCALED = {"StepLR": ("step_size",), "MultiStepLR": ("milestones",),
           "CosineAnnealingLR": ("T_max",), "CosineRestartLR": ("periods",)}
# The classes' required arguments (a TypeError upstream when missing).
_REQUIRED = {"MultiStepLR": "milestones", "StepLR": "step_size", "ExponentialLR": "gamma",
             "CosineRestartLR": "periods"}
# The factors LinearLR and ConstantLR check are in [0, 1], and the ValueError they raise.
_FACTORS = {"LinearLR": (("start_factor", "Starting"), ("end_factor", "Ending")),
            "ConstantLR": (("factor", "Constant"),)}


def number_param(params: Params, key: str) -> Num:
    """A number argument that has a default, or that the checks of :class:`Scheduler` made sure
    of."""
    value = params[key]
    assert isinstance(value, int | float), key
    return value


def optional_param(params: Params, key: str) -> Num | None:
    value = params.get(key)
    return value if isinstance(value, int | float) else None


def list_param(params: Params, key: str) -> list[Num]:
    value = params[key]
    assert isinstance(value, list), key  # a default, or checked by Scheduler
    return value


class InvalidScheduler(ValueError):
    """What MMEngine raises while building a scheduler with these arguments."""


@dataclass(frozen=True)
class Scheduler:
    """One built scheduler: its class, its arguments, and ``[begin, end)`` in the steps it
    counts. ``per_epoch``: stepped after each epoch while the timeline counts iterations
    (an epoch-based scheduler that was not converted to iterations)."""

    kind: str
    params: Params
    begin: int
    end: int
    per_epoch: bool = False

    def __post_init__(self) -> None:
        problem = construction_error(self.kind, self.params, self.begin, self.end)
        if problem is not None:
            raise InvalidScheduler(problem)

    def span(self, iters_per_epoch: int | None) -> tuple[int, int]:
        """The timeline steps it acts on: an epoch-stepped scheduler's step k covers epoch k."""
        if self.per_epoch and iters_per_epoch:
            return self.begin * iters_per_epoch, min(self.end, INF // iters_per_epoch) * \
                iters_per_epoch
        return self.begin, self.end


def build_iter_from_epoch(kind: str, params: Params, begin: Num, end: Num,
                          epoch_length: int) -> Scheduler:
    """``_ParamScheduler.build_iter_from_epoch`` (and each class's override): begin/end, and
    the period-like parameters, times the epoch length; an ``end`` of INF stays INF."""
    scaled = dict(params)
    for key in _SCALED.get(kind, ()):
        value = scaled.get(key)
        if isinstance(value, list):
            scaled[key] = [v * epoch_length for v in value]
        elif value is not None:
            scaled[key] = value * epoch_length
    return Scheduler(kind, scaled, int(begin * epoch_length),
                     int(end * epoch_length) if end != INF else INF)


def _factor_problem(kind: str, params: Params) -> str | None:
    for key, which in _FACTORS.get(kind, ()):
        if number_param(params, key) > 1.0 or number_param(params, key) < 0:
            return f"{which} multiplicative factor should between 0 and 1."
    return None


def construction_error(kind: str, p: Params, begin: int, end: int) -> str | None:
    """The ValueError MMEngine raises while building the scheduler, if any
    (``_ParamScheduler.__init__``, LinearParamScheduler, ConstantParamScheduler,
    CosineAnnealingParamScheduler, CosineRestartParamScheduler, QuadraticWarmupParamScheduler)."""
    if end <= begin:
        return f"end should be larger than begin, but got begin={begin}, end={end}"
    factor = _factor_problem(kind, p)
    if factor is not None:
        return factor
    if kind == "QuadraticWarmupLR" and end >= INF:
        return "``end`` must be less than infinity"
    needed = _REQUIRED.get(kind)
    if needed is not None and p.get(needed) is None:
        return f"{kind} needs {needed}"
    no_eta_min, no_ratio = p.get("eta_min") is None, p.get("eta_min_ratio") is None
    if kind in ("CosineAnnealingLR", "CosineRestartLR") and not no_eta_min and not no_ratio:
        return "Either `eta_min` or `eta_min_ratio should be specified"
    if kind == "CosineRestartLR":
        if no_eta_min == no_ratio:
            return "CosineRestartLR needs exactly one of eta_min and eta_min_ratio"
        if len(list_param(p, "periods")) != len(list_param(p, "restart_weights")):
            return "periods and restart_weights should have the same length."
    return None


# --- the chained recursion ------------------------------------------------------------------


def get_value(scheduler: Scheduler, base: float) -> ValueFn:
    """The ``_get_value`` of MMEngine's ``{kind}`` (LinearParamScheduler,
    ConstantParamScheduler, ...; QuadraticWarmupParamScheduler), built with this scheduler's
    parameters and span over an optimizer whose initial LR is ``base``."""
    kind, p, begin, end = scheduler.kind, scheduler.params, scheduler.begin, scheduler.end
    if kind == "CosineAnnealingLR":
        return _cosine_value(p, begin, end, base)
    if kind == "CosineRestartLR":
        return _restart_value(p, base)
    total = end - begin - 1  # total_iters of LinearLR, ConstantLR and PolyLR
    if kind == "LinearLR":
        start, stop = number_param(p, "start_factor"), number_param(p, "end_factor")
        return lambda k, lr: lr * start if k == 0 else \
            lr * (1. + (stop - start) / (total * start + (k - 1) * (stop - start)))
    if kind == "ConstantLR":
        factor = number_param(p, "factor")
        # upstream: "last_step > total_iters or last_step != total_iters" leaves lr as it is
        return lambda k, lr: lr * factor if k == 0 else lr if k != total else lr * (1.0 / factor)
    if kind == "MultiStepLR":
        milestones, gamma = Counter(list_param(p, "milestones")), number_param(p, "gamma")
        return lambda k, lr: lr * gamma ** milestones[k] if k in milestones else lr
    if kind == "StepLR":
        step_size, gamma = number_param(p, "step_size"), number_param(p, "gamma")
        return lambda k, lr: lr if k == 0 or k % step_size != 0 else lr * gamma
    if kind == "ExponentialLR":
        gamma = number_param(p, "gamma")
        return lambda k, lr: lr if k == 0 else lr * gamma
    if kind == "PolyLR":
        eta_min, power = number_param(p, "eta_min"), number_param(p, "power")
        return lambda k, lr: lr if k == 0 else \
            (lr - eta_min) * (1 - 1 / (total - k + 1)) ** power + eta_min
    assert kind == "QuadraticWarmupLR", kind
    iters = end - begin  # its total_iters
    return lambda k, lr: base * (2 * k + 1) / iters**2 if k == 0 else \
        lr + base * (2 * k + 1) / iters**2


def _eta_min(p: Params, base: float) -> float:
    """``eta_min``, or ``base * eta_min_ratio`` (both cosine schedulers); 0. when neither."""
    ratio, eta_min = optional_param(p, "eta_min_ratio"), optional_param(p, "eta_min")
    if ratio is not None:
        return base * ratio
    return 0.0 if eta_min is None else eta_min


def _cosine_value(p: Params, begin: int, end: int, base: float) -> ValueFn:
    """CosineAnnealingParamScheduler._get_value."""
    t_max = optional_param(p, "T_max") or (end - begin)  # "self.T_max = T_max or (end - begin)"
    eta_min = _eta_min(p, base)

    def value(k: int, lr: float) -> float:
        if k == 0:
            return lr
        if (k - 1 - t_max) % (2 * t_max) == 0:
            return lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        return ((1 + math.cos(math.pi * k / t_max)) /
                (1 + math.cos(math.pi * (k - 1) / t_max)) * (lr - eta_min) + eta_min)
    return value


def _restart_value(p: Params, base: float) -> ValueFn:
    """CosineRestartParamScheduler._get_value (with its get_position_from_periods)."""
    periods, weights = list_param(p, "periods"), list_param(p, "restart_weights")
    cumulative = [sum(periods[0:i + 1]) for i in range(len(periods))]
    eta_min = _eta_min(p, base)

    def value(k: int, lr: float) -> float:
        idx = next((i for i, c in enumerate(cumulative) if k < c), None)
        if idx is None:
            return lr
        step = k - (0 if idx == 0 else cumulative[idx - 1])
        if step == 0:
            return base * weights[idx]  # eta_max
        period = periods[idx]
        return ((1 + math.cos(math.pi * step / period)) /
                (1 + math.cos(math.pi * (step - 1) / period)) * (lr - eta_min) + eta_min)
    return value


# --- the runner's order ---------------------------------------------------------------------


@dataclass
class _Stepper:
    """``_ParamScheduler.step``: counts every step and changes the value only inside
    ``[begin, end)``."""

    begin: int
    end: int
    get_value: ValueFn
    last_step: int = -1
    global_step: int = -1

    def step(self, lr: float) -> float:
        self.global_step += 1
        if self.begin <= self.global_step < self.end:
            self.last_step += 1
            return self.get_value(self.last_step, lr)
        return lr


class Simulation:
    """The LR of every timeline step, produced lazily by stepping the schedulers like the
    runner. ``iters_per_epoch`` is None on an epoch timeline (nothing is ``per_epoch`` there)."""

    def __init__(self, schedulers: Sequence[Scheduler], base: float,
                 iters_per_epoch: int | None) -> None:
        self.schedulers = schedulers
        self.ipe = iters_per_epoch
        self.steppers = [_Stepper(s.begin, s.end, get_value(s, base)) for s in schedulers]
        lr = base
        for stepper in self.steppers:  # each constructor calls self.step() once
            lr = stepper.step(lr)
        self.lrs = [lr]
        # the last timeline step at which any scheduler still changes the LR
        self.last_end = max((min(s.end, INF) * (iters_per_epoch or 1) if s.per_epoch
                             else s.end for s in schedulers), default=0)

    def _advance(self) -> None:
        index = len(self.lrs) - 1  # the unit that just finished
        lr = self.lrs[-1]
        for scheduler, stepper in zip(self.schedulers, self.steppers, strict=True):
            if not scheduler.per_epoch:  # ParamSchedulerHook.after_train_iter
                lr = stepper.step(lr)
        if self.ipe is not None and (index + 1) % self.ipe == 0:
            for scheduler, stepper in zip(self.schedulers, self.steppers, strict=True):
                if scheduler.per_epoch:  # ParamSchedulerHook.after_train_epoch
                    lr = stepper.step(lr)
        self.lrs.append(lr)

    def lr(self, step: int) -> float:
        if step < 0:
            step = 0
        if step >= len(self.lrs) and step > self.last_end + 1 and \
                len(self.lrs) > self.last_end + 1:
            return self.lrs[-1]  # every scheduler has ended: the LR no longer changes
        if step >= SIMULATION_CAP:
            raise ValueError(f"step {step} is past the {SIMULATION_CAP} steps warmup_cli "
                             "simulates for an MMEngine schedule")
        while len(self.lrs) <= step:
            self._advance()
        return self.lrs[step]
