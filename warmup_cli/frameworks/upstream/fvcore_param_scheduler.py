"""fvcore's ParamSchedulers: ``fvcore/common/param_scheduler.py`` (fvcore 0.1.5.post20221221,
the release tools/golden/detectron2_golden.py runs as is), transcribed class by class.

A ParamScheduler maps training progress ``where`` in [0, 1) to a value; here each one is a
function of ``where`` with fvcore's operation order and its ``WHERE_EPSILON``, so the values are
fvcore's bit for bit. What a constructor raises is raised as ``Rejected`` with fvcore's message
(what ``__call__`` raises stays a ``RuntimeError``, as in fvcore). detectron2 builds its LR
schedules from these (``warmup_cli.frameworks.detectron2``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# ParamScheduler.WHERE_EPSILON: "to be used for comparisons with where"
WHERE_EPSILON = 1e-6

WhereFn = Callable[[float], float]


class Rejected(ValueError):
    """fvcore (or detectron2, building on it) would raise while building the scheduler; the
    message is theirs."""


def scaled_index(where: float, length: int | float) -> int:
    """``int((where + WHERE_EPSILON) * length)``: MultiStepParamScheduler's ``epoch_num`` (length
    ``num_updates``) and StepParamScheduler's index (length ``len(values)``)."""
    return int((where + WHERE_EPSILON) * length)


def constant(value: float) -> WhereFn:
    def fn(where: float) -> float:  # ConstantParamScheduler.__call__
        if where >= 1.0:
            raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
        return value

    return fn


def linear(start: float, end: float) -> WhereFn:
    # LinearParamScheduler.__call__: self._end_value * where + self._start_value * (1 - where)
    return lambda where: end * where + start * (1 - where)


def cosine(start: float, end: float) -> WhereFn:
    # CosineParamScheduler.__call__: end + 0.5 * (start - end) * (1 + cos(pi * where))
    return lambda where: end + 0.5 * (start - end) * (1 + math.cos(math.pi * where))


def exponential(start: float, decay: float) -> WhereFn:
    # ExponentialParamScheduler.__call__: start * (decay ** where)
    return lambda where: start * (decay**where)


def polynomial_decay(base: float, power: float) -> WhereFn:
    # PolynomialDecayParamScheduler.__call__: base * (1 - where) ** power
    return lambda where: base * (1 - where) ** power


@dataclass(frozen=True)
class MultiStep:
    """MultiStepParamScheduler once built: ``values[i]`` runs from ``milestones[i - 1]`` up to
    ``milestones[i]`` (excluded), counted in ``num_updates``-ths of the run."""

    values: tuple[float, ...]
    milestones: tuple[int, ...]
    num_updates: int

    def __call__(self, where: float) -> float:  # MultiStepParamScheduler.__call__
        if where > 1.0:
            raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
        epoch_num = scaled_index(where, self.num_updates)
        return self.values[bisect.bisect_right(self.milestones, epoch_num)]


def multistep(values: Sequence[float], num_updates: int | None = None,
              milestones: Sequence[int] | None = None) -> MultiStep:
    """MultiStepParamScheduler.__init__: without milestones, ``num_updates`` is split evenly;
    without num_updates, the last milestone is the end of the last range."""
    if num_updates is None and milestones is None:
        raise Rejected("num_updates and milestones cannot both be None")
    if milestones is None:
        assert num_updates is not None
        # default equispaced drop_epochs behaviour
        milestones = []
        step_width = math.ceil(num_updates / float(len(values)))
        for idx in range(len(values) - 1):
            milestones.append(step_width * (idx + 1))
    elif len(milestones) != len(values) - int(num_updates is not None):
        raise Rejected("MultiStep scheduler requires a list of "
                       f"{len(values) - int(num_updates is not None)} miletones")
    milestones = list(milestones)
    if num_updates is None:
        num_updates, milestones = milestones[-1], milestones[:-1]
    if num_updates < len(values):
        raise Rejected("Total num_updates must be greater than length of param schedule")
    start_epoch = 0
    for milestone in milestones:
        if milestone >= num_updates:
            raise Rejected("Milestone must be smaller than total number of updates: "
                           f"num_updates={num_updates}, milestone={milestone}")
        if start_epoch >= milestone:
            raise Rejected("Milestone must be smaller than start epoch: "
                           f"start_epoch={start_epoch}, milestone={milestone}")
        start_epoch = milestone
    return MultiStep(tuple(values), tuple(milestones), num_updates)


def step(num_updates: float, values: Sequence[float]) -> WhereFn:
    """StepParamScheduler: ``values`` split evenly over the run."""
    if num_updates <= 0:
        raise Rejected("Number of updates must be larger than 0")
    if len(values) == 0:
        raise Rejected("Step scheduler requires a list of at least one param value")
    table = list(values)
    return lambda where: table[scaled_index(where, len(table))]  # __call__


def step_with_fixed_gamma(base_value: float, num_decays: int, gamma: float,
                          num_updates: int) -> WhereFn:
    """StepWithFixedGammaParamScheduler: ``num_decays + 1`` equal ranges, each value the
    previous one times gamma (repeated products, not ``gamma**i``)."""
    for k in (base_value, gamma):
        if not (isinstance(k, int | float) and k > 0):
            raise Rejected("base_value and gamma must be positive numbers")
    for k in (num_decays, num_updates):
        if not (isinstance(k, int) and k > 0):
            raise Rejected("num_decays and num_updates must be positive integers")
    values = [base_value]
    for _ in range(num_decays):
        values.append(values[-1] * gamma)
    return step(num_updates, values)


@dataclass(frozen=True)
class Composite:
    """CompositeParamScheduler once built, with the index of the piece in use exposed (phases)."""

    schedulers: tuple[WhereFn, ...]
    lengths: tuple[float, ...]
    scaling: tuple[str, ...]

    def index(self, where: float) -> tuple[int, float]:
        """The piece running at ``where`` and the progress at its end (the __call__ loop)."""
        i = 0
        running_total = self.lengths[i]
        while (where + WHERE_EPSILON) > running_total and i < len(self.schedulers) - 1:
            i += 1
            running_total += self.lengths[i]
        return i, running_total

    def __call__(self, where: float) -> float:  # CompositeParamScheduler.__call__
        i, running_total = self.index(where)
        scheduler_where = where
        if self.scaling[i] == "rescaled":
            scheduler_start = running_total - self.lengths[i]
            scheduler_where = (where - scheduler_start) / self.lengths[i]
        return self.schedulers[i](scheduler_where)


def composite(schedulers: Sequence[WhereFn], lengths: Sequence[float],
              interval_scaling: Sequence[str]) -> Composite:
    """CompositeParamScheduler.__init__: the last length absorbs the rounding of the sum."""
    if len(schedulers) != len(lengths):
        raise Rejected("Schedulers and lengths must be same length")
    if abs(sum(lengths) - 1.0) >= 1e-3:
        raise Rejected("The sum of all values in lengths must be 1")
    fixed = list(lengths)
    if sum(fixed) != 1.0:
        fixed[-1] = 1.0 - sum(fixed[:-1])
    return Composite(tuple(schedulers), tuple(fixed), tuple(interval_scaling))


# The ParamSchedulers whose constructor takes numbers only, as a LazyConfig writes them
# (L(Class)(...)): class name -> (function, constructor parameters in order, short name).
BY_CLASS: dict[str, tuple[Callable[..., WhereFn], tuple[str, ...], str]] = {
    "CosineParamScheduler": (cosine, ("start_value", "end_value"), "cosine"),
    "LinearParamScheduler": (linear, ("start_value", "end_value"), "linear"),
    "ConstantParamScheduler": (constant, ("value",), "constant"),
    "ExponentialParamScheduler": (exponential, ("start_value", "decay"), "exponential"),
    "PolynomialDecayParamScheduler": (polynomial_decay, ("base_value", "power"),
                                      "polynomial decay"),
}
