"""The factor function over a run, sampled so that long runs stay fast.

The checks read the schedule's factor function directly (the very function LambdaLR would be
given), never torch. Every step is evaluated up to :data:`DENSE_PREFIX` (where stairs and
first-step spikes show); the rest of the run gets :data:`SPARSE_POINTS` evenly spaced steps
plus every milestone, its neighbours and the last step. What happens between two samples is
found by bisection: where the factor first passes 1 or goes negative, and whether a large rise
between two samples is one abrupt jump or a ramp (:meth:`Trace.steepest`).

With a :class:`~warmup_cli.expr.closures.WorkMeter` (lint gives one per file) every evaluation
is charged to it (:func:`metered_factor_fn`), and
:class:`~warmup_cli.expr.closures.WorkExceeded` stops the trace once the file's evaluation
budget is spent.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from warmup_cli.errors import EvaluationError
from warmup_cli.expr.closures import WorkMeter
from warmup_cli.expr.expression import CompiledExpression
from warmup_cli.schedule import FactorFn, Join, Product, Schedule
from warmup_cli.series import checked_call

DENSE_PREFIX = 512
SPARSE_POINTS = 512
# Relative tolerance for "reaches the peak": float ramps such as (t + 1) / W * peak may end
# one ulp short of it.
TOLERANCE = 1e-9
# What one call of a factor function that is not a compiled expression (a framework's formula,
# in Python) is charged: about what it costs next to one operation of a lambda.
OPAQUE_CALL_UNITS = 32


def call_units(schedule: Schedule) -> int:
    """The operations one call of ``schedule``'s factor function runs at most: a join runs one
    of its pieces, a product all of them, a kind its compiled formula."""
    if isinstance(schedule, Join):
        return 1 + max(call_units(piece) for piece in schedule.pieces)
    if isinstance(schedule, Product):
        return 1 + sum(call_units(piece) for piece in schedule.pieces)
    fn = schedule.factor_fn
    if isinstance(fn, CompiledExpression):
        return 1 + sum(isinstance(node, ast.expr) for node in ast.walk(fn.tree))
    return OPAQUE_CALL_UNITS


Pay = Callable[[int], None]
"""Pays a meter for that many calls of a factor function, before they run."""


def _free(calls: int) -> None:
    """What a factor function that charges its meter itself (or has none) pays up front."""


def metered_factor_fn(schedule: Schedule, meter: WorkMeter | None) -> tuple[FactorFn, Pay]:
    """``schedule``'s factor function for a trace charged to ``meter``, and what to pay before
    calling it: a lambda (or a kind's formula) charges the work it really does itself; any
    other schedule is paid :func:`call_units` per call, up front, so that its calls stay a
    C-level loop. Without a meter, the factor function itself, for free."""
    fn = schedule.factor_fn
    if meter is None:
        return fn, _free
    if isinstance(fn, CompiledExpression):
        return fn.metered(meter), _free
    units = call_units(schedule)
    return fn, lambda calls: meter.charge(calls * units)


def _evaluate(fn: FactorFn, steps: Sequence[int], pay: Pay = _free
              ) -> tuple[list[float], EvaluationError | None]:
    """Values up to the first failing step, and that failure."""
    pay(len(steps))
    try:
        # The fast path: a C-level loop, then one check that every value is a finite number
        # (isfinite raises TypeError for anything else).
        values = list(map(fn, steps))
        if all(map(math.isfinite, values)):
            return values, None
    except Exception:  # any failure: the checked loop below names the step
        pass
    values = []
    try:
        for step in steps:
            values.append(checked_call(fn, step))
    except EvaluationError as error:
        return values, error
    return values, None


@dataclass
class Trace:
    fn: FactorFn
    schedule: Schedule
    horizon: int  # steps 0 .. horizon - 1 make up the run
    steps: list[int]  # sorted; steps[:dense_end] == range(dense_end)
    values: list[float]
    dense_end: int
    failure: EvaluationError | None = None
    pay: Pay = _free  # before each further call of ``fn`` (see metered_factor_fn)

    def at(self, step: int) -> float | None:
        """The factor at one step, ``None`` when it fails there."""
        self.pay(1)
        try:
            return checked_call(self.fn, step)
        except EvaluationError:
            return None

    def first_step(self, index: int, predicate: Callable[[float], bool]) -> int:
        """The first step at which ``predicate`` holds, knowing that it holds at sample
        ``index`` and not at the sample before it (bisection in between)."""
        high = self.steps[index]
        if index == 0:
            return high
        low = self.steps[index - 1]
        while high - low > 1:
            middle = (low + high) // 2
            value = self.at(middle)
            if value is not None and predicate(value):
                high = middle
            else:
                low = middle
        return high

    def steepest(self, index: int) -> tuple[int, float, float]:
        """``(step, before, after)``: the single-update rise between samples ``index - 1``
        and ``index`` found by following the steeper half; one big jump in between is found
        exactly, a smooth ramp ends at an unremarkable update."""
        low, high = self.steps[index - 1], self.steps[index]
        low_value, high_value = self.values[index - 1], self.values[index]
        while high - low > 1:
            middle = (low + high) // 2
            value = self.at(middle)
            if value is None:
                break
            if value - low_value >= high_value - value:
                high, high_value = middle, value
            else:
                low, low_value = middle, value
        return high, low_value, high_value


def _sparse_steps(schedule: Schedule, start: int, horizon: int) -> list[int]:
    if start >= horizon:
        return []
    stride = max(1, math.ceil((horizon - start) / SPARSE_POINTS))
    chosen = set(range(start, horizon, stride))
    chosen.add(horizon - 1)
    for mark in schedule.phase_breaks():
        chosen.update(s for s in (mark - 1, mark, mark + 1) if start <= s < horizon)
    return sorted(chosen)


def build_trace(schedule: Schedule, horizon: int, meter: WorkMeter | None = None) -> Trace:
    fn, pay = metered_factor_fn(schedule, meter)
    prefix = min(horizon, DENSE_PREFIX)
    steps = [*range(prefix), *_sparse_steps(schedule, prefix, horizon)]
    values, failure = _evaluate(fn, steps, pay)
    return Trace(fn, schedule, horizon, steps[:len(values)], values,
                 min(prefix, len(values)), failure, pay)


def warmup_target(values: list[float]) -> float:
    """The level that ends the warmup: the peak, or 1 when the factor grows past 1."""
    return min(max(values), 1.0)


def _first_at_least(values: list[float], level: float) -> int:
    threshold = level - TOLERANCE * abs(level)
    return next(i for i, v in enumerate(values) if v >= threshold)


@dataclass(frozen=True)
class Profile:
    """The shape of the warmup, computed once for all checks."""

    peak: float  # the largest factor in the run
    target: float  # min(peak, 1): reaching it ends the warmup
    peak_index: int  # the first sample at the target
    peak_step: int  # the first step at the target: the number of updates spent warming up
    leading_zeros: int  # updates at factor 0 from the first one on


def profile(trace: Trace) -> Profile:
    values = trace.values
    peak = max(values)
    target = warmup_target(values)
    threshold = target - TOLERANCE * abs(target)
    index = _first_at_least(values, target)
    peak_step = trace.first_step(index, lambda v: v >= threshold)
    nonzero = next((i for i, v in enumerate(values) if v != 0), None)
    zeros = trace.horizon if nonzero is None else trace.first_step(nonzero, lambda v: v != 0)
    return Profile(peak, target, index, peak_step, zeros)
