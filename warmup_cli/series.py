"""Series: the LR of every update, computed from a plan without torch.

``base * f(step)`` is exactly what LambdaLR stores in ``param_group["lr"]`` (see
``torch_adapter``); this module is the fast path and the reference the adapter is checked
against. Rows are produced lazily, so a 10-million-update series never sits in memory.
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
    step: int  # the row's index in the view's unit
    factor: float
    lrs: tuple[float, ...]
    phase: str
    update: int  # the scheduler step this row uses (differs from ``step`` in a converted view)


@dataclass(frozen=True)
class View:
    """Which scheduler updates the rows show.

    ``unit`` is what the schedule counts (what ``scheduler.step()`` is called for). With
    ``steps_per_epoch`` the rows switch to the other unit: an epoch schedule seen per
    optimizer step (each step of epoch e uses f(e)), or a step schedule seen per epoch (each
    epoch shows the LR of its first step, f(e * steps_per_epoch)).
    """

    count: int
    unit: str = "epoch"
    start: int = 0
    steps_per_epoch: int | None = None

    @property
    def row_unit(self) -> str:
        if self.steps_per_epoch is None:
            return self.unit
        return "step" if self.unit == "epoch" else "epoch"

    def update_of(self, index: int) -> int:
        if self.steps_per_epoch is None:
            return index
        if self.unit == "epoch":
            return index // self.steps_per_epoch
        return index * self.steps_per_epoch

    def updates(self) -> range | list[int]:
        """The distinct scheduler updates the rows use, in order."""
        first, last = self.update_of(self.start), self.update_of(self.start + self.count - 1)
        if self.steps_per_epoch is not None and self.unit == "step":
            return range(first, last + 1, self.steps_per_epoch)
        return range(first, last + 1)


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


def lrs_at(plan: Plan, update: int) -> tuple[float, float, ...]:
    """``(factor, *lrs)`` of one update, as LambdaLR computes them: ``base * f(update)``."""
    factor = checked_factor(plan.schedule, update)
    try:
        return (factor, *(base * factor for base in plan.base_lrs))
    except OverflowError:
        raise EvaluationError(f"the factor at step {update} is too large to become a float LR",
                              step=update) from None


def rows(plan: Plan, view: View) -> Iterator[Row]:
    schedule = plan.schedule
    last_update = -1
    values: tuple[float, ...] = ()
    phase = ""
    for index in range(view.start, view.start + view.count):
        update = view.update_of(index)
        if update != last_update:  # a per-step view of an epoch schedule repeats updates
            values = lrs_at(plan, update)
            phase = schedule.phase_at(update)
            last_update = update
        yield Row(index, values[0], values[1:], phase, update)


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


def schedule_milestones(plan: Plan) -> list[Milestone]:
    """The schedule's own milestones and the end of its warmup, by update, merged per step."""
    found = list(plan.schedule.milestones())
    warmup = plan.schedule.warmup_length
    if warmup:
        found.append(Milestone(warmup - 1, "end of warmup"))
    merged: dict[int, str] = {}
    for mark in sorted(found, key=lambda m: m.step):
        merged[mark.step] = f"{merged[mark.step]}; {mark.what}" if mark.step in merged \
            else mark.what
    return [Milestone(step, what) for step, what in merged.items()]
