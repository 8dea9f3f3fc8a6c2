"""``warmup check``: the LR a real run logged against the schedule warmup_cli computes for it.

A logged row at step s is the LR update s trained with, which is what the scheduler holds after
s ``scheduler.step()`` calls: ``base * f(s)`` for LambdaLR (the value ``warmup show`` prints and
checks against torch). The default tolerance is none: a log written with ``repr`` (or JSON)
round-trips every double; a float32 logger needs ``rtol`` of about 1e-7. When the log differs,
:mod:`warmup_cli.runlog.shapes` names the shape of the difference if one explains every row.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from warmup_cli.errors import WarmupError
from warmup_cli.pipeline import RunLength
from warmup_cli.plateau.model import contains_plateau, refuse_plateau
from warmup_cli.plateau.show import MetricsRequest
from warmup_cli.resolve import NO_SELECTION, Selection, resolve
from warmup_cli.runlog.columns import LoggedLR, read_logged_lr
from warmup_cli.runlog.shapes import Shape, recognise
from warmup_cli.schedule import Plan
from warmup_cli.series import lrs_at
from warmup_cli.vocab import RunFacts


@dataclass(frozen=True)
class CheckRequest:
    argument: str  # a spec, a lambda or a config file
    log: str  # --log
    lr_columns: tuple[str, ...] = ()  # --lr-column, one per parameter group
    rtol: float = 0.0
    base_lrs: tuple[float, ...] = ()
    run: RunLength = field(default_factory=RunLength)
    selection: Selection = NO_SELECTION
    updates_per_epoch: int | None = None
    metrics: MetricsRequest | None = None  # a plateau schedule's metric series


@dataclass(frozen=True)
class Difference:
    step: int
    line: int
    column: str
    logged: float
    expected: float
    relative: float


@dataclass(frozen=True)
class CheckResult:
    plan: Plan
    logged: LoggedLR
    rtol: float
    differing: int
    first: Difference | None
    largest: Difference | None
    shape: Shape | None
    scale: float | None  # the log is the schedule times this (a different base LR)

    @property
    def matches(self) -> bool:
        return self.differing == 0


def relative(logged: float, expected: float) -> float:
    if logged == expected:
        return 0.0
    if expected == 0 or not math.isfinite(expected) or not math.isfinite(logged):
        return math.inf
    return abs(logged - expected) / abs(expected)


def closeness(rtol: float) -> Callable[[float, float], bool]:
    if rtol == 0:
        return lambda a, b: a == b
    return lambda a, b: a == b or relative(a, b) <= rtol


def check(request: CheckRequest) -> CheckResult:
    if not (request.rtol >= 0 and math.isfinite(request.rtol)):
        raise WarmupError("--rtol must be a finite number >= 0")
    facts = RunFacts(total_steps=request.run.count, updates_per_epoch=request.updates_per_epoch)
    plan = resolve(request.argument, facts, base_lrs=request.base_lrs, unit=request.run.unit,
                   selection=request.selection).plan
    expected_at = _expected(plan) if request.metrics is None else \
        _plateau_expected(plan, request)
    logged = read_logged_lr(request.log, request.lr_columns)
    groups = len(plan.base_lrs)
    if len(logged.columns) != groups:
        raise WarmupError(
            f"the log has {len(logged.columns)} LR column{'s' * (len(logged.columns) != 1)} "
            f"({', '.join(logged.columns)}) but the schedule has {groups} parameter "
            f"group{'s' * (groups != 1)}",
            hint="give one --lr-column per parameter group and one --base per group")
    return _compare(plan, logged, request.rtol, expected_at)


Expected = Callable[[int], tuple[float, ...] | None]


def _expected(plan: Plan) -> Expected:
    refuse_plateau(plan.schedule, plan.source)

    def at(step: int) -> tuple[float, ...] | None:
        try:
            return lrs_at(plan, step)[1:]
        except WarmupError:
            return None
    return at


def _plateau_expected(plan: Plan, request: CheckRequest) -> Expected:
    """The LRs of a plateau schedule's run, stepped with its metric series (``--metrics``)."""
    from warmup_cli.plateau.run import run_plateau
    from warmup_cli.plateau.show import metric_every
    from warmup_cli.runlog.columns import read_metric

    metrics = request.metrics
    assert metrics is not None
    every = metric_every(plan.unit, metrics, request.updates_per_epoch)
    run = run_plateau(plan, read_metric(metrics.path, metrics.name), every=every)
    table = [row.lrs for row in run.rows]
    return lambda step: table[step] if 0 <= step < len(table) else None


def _compare(plan: Plan, logged: LoggedLR, rtol: float, expected_at: Expected
             ) -> CheckResult:
    close = closeness(rtol)
    first = largest = None
    differing = 0
    for step, values, line in zip(logged.steps, logged.lrs, logged.lines, strict=True):
        expected = expected_at(step)
        if expected is None:
            raise WarmupError(f"the schedule cannot be evaluated at logged step {step:,} "
                              f"({logged.path}:{line})",
                              hint="a plateau run is as long as its metric series"
                              if contains_plateau(plan.schedule) else None)
        bad = [(column, value, want) for column, value, want
               in zip(logged.columns, values, expected, strict=True) if not close(value, want)]
        if not bad:
            continue
        differing += 1
        for column, value, want in bad:
            difference = Difference(step, line, column, value, want, relative(value, want))
            first = first or difference
            if largest is None or difference.relative > largest.relative:
                largest = difference
    shape = scale = None
    if first is not None:
        first_bad = logged.steps.index(first.step)

        def group0(step: int) -> float:
            value = expected_at(step)
            return math.nan if value is None else value[0]

        shape = recognise(logged.steps, [v[0] for v in logged.lrs], group0, close, first_bad)
        scale = _scale(logged, group0, close) if shape is None else None
    return CheckResult(plan, logged, rtol, differing, first, largest, shape, scale)


def _scale(logged: LoggedLR, lr: Callable[[int], float], close: Callable[[float, float], bool]
           ) -> float | None:
    """The base LR the log was run with, when the log is the schedule times one constant."""
    pairs = [(value[0], lr(step)) for step, value in zip(logged.steps, logged.lrs, strict=True)]
    nonzero = [(a, b) for a, b in pairs if b != 0]
    if len(nonzero) < 2:
        return None
    ratio = nonzero[0][0] / nonzero[0][1]
    return ratio if all(close(a, b * ratio) for a, b in pairs) else None


def describe(result: CheckResult) -> list[str]:
    logged = result.logged
    count = len(logged.steps)
    where = f"{logged.path} ({', '.join(logged.columns)}, {count:,} logged steps)"
    tolerance = "exactly" if result.rtol == 0 else f"within rtol {result.rtol!r}"
    if result.matches:
        return [f"{where}: every logged LR matches {result.plan.source} {tolerance}"]
    lines = [f"{where}: {result.differing:,} of {count:,} logged steps differ from "
             f"{result.plan.source} (compared {tolerance})"]
    first, largest = result.first, result.largest
    assert first is not None and largest is not None
    lines.append(f"first difference at step {first.step:,} ({logged.path}:{first.line}, "
                 f"{first.column}): logged {first.logged!r}, schedule {first.expected!r}")
    lines.append(f"largest relative difference {largest.relative:.3g} at step "
                 f"{largest.step:,} ({largest.column}): logged {largest.logged!r}, schedule "
                 f"{largest.expected!r}")
    if result.shape is not None:
        lines.append(f"shape: {result.shape.text}")
    elif result.scale is not None:
        lines.append(f"shape: the log is the schedule times {result.scale!r}: the run used "
                     f"another base LR (pass --base {result.scale!r} if it is the intended "
                     "one)")
    else:
        lines.append("shape: none of the known shapes (shifted, restarted, stretched, "
                     "compressed, held flat) explains every row")
    return lines
