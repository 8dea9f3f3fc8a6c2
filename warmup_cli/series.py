"""Series: the LR of every update, computed from a plan without torch.

``base * f(step)`` is exactly what LambdaLR stores in ``param_group["lr"]`` (see
``torch_adapter``); this module is the fast path and the reference the adapter is checked
against.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from warmup_cli.errors import EvaluationError, WarmupError
from warmup_cli.schedule import Milestone, Plan, Schedule

DEFAULT_HORIZON = 20


@dataclass(frozen=True)
class Row:
    step: int
    factor: float
    lrs: tuple[float, ...]
    phase: str


def checked_factor(schedule: Schedule, step: int) -> float:
    """``schedule(step)``, with any failure turned into an EvaluationError at that step."""
    try:
        value = schedule(step)
    except WarmupError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        raise EvaluationError(
            f"the schedule failed at step {step}: {type(exc).__name__}: {exc}", step=step
        ) from None
    if isinstance(value, bool | int | float) and math.isfinite(value):
        return value
    raise EvaluationError(f"the schedule returned {value!r} at step {step}, not a finite number",
                          step=step)


def rows(plan: Plan, count: int, start: int = 0) -> Iterator[Row]:
    schedule = plan.schedule
    bases = plan.base_lrs
    for step in range(start, start + count):
        factor = checked_factor(schedule, step)
        try:
            lrs = tuple(base * factor for base in bases)
        except OverflowError:
            raise EvaluationError(f"the factor at step {step} is too large to become a float LR",
                                  step=step) from None
        yield Row(step, factor, lrs, schedule.phase_at(step))


def default_horizon(schedule: Schedule) -> int:
    """Enough updates to see the warmup and what follows it."""
    marks = [m.step for m in schedule.milestones()]
    for length in (schedule.length, schedule.warmup_length):
        if length:
            marks.append(length)
    last = max(marks, default=0)
    if last == 0:
        return DEFAULT_HORIZON
    return max(10, last + max(2, last // 4))


def milestones(plan: Plan, table: list[Row]) -> list[Milestone]:
    """The schedule's own milestones, the end of warmup and the peak, within ``table``."""
    if not table:
        return []
    first, last = table[0].step, table[-1].step
    found = list(plan.schedule.milestones())
    warmup = plan.schedule.warmup_length
    if warmup:
        found.append(Milestone(warmup - 1, "end of warmup"))
    peak = max(table, key=lambda row: row.factor)
    found.append(Milestone(peak.step, "peak"))
    unique: dict[int, str] = {}
    for mark in sorted(found, key=lambda m: m.step):
        if first <= mark.step <= last:
            unique[mark.step] = f"{unique[mark.step]}; {mark.what}" if mark.step in unique \
                else mark.what
    return [Milestone(step, what) for step, what in unique.items()]
