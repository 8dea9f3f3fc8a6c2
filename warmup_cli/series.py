"""Series: the LR of every update, computed from a plan without torch.

For a spec or a lambda, ``base * f(step)`` is exactly what LambdaLR stores in
``param_group["lr"]`` (see ``torch_adapter``); a framework plan with its own LR function
(``Plan.lr_fn``) gives the LR as the framework computes it, and its factor column is
``lr / base``. This module is the fast path and the reference the adapter is checked against.
Rows are produced lazily, so a 10-million-update series never sits in memory.
"""

from __future__ import annotations

import bisect
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from warmup_cli.errors import EvaluationError, WarmupError
from warmup_cli.schedule import Milestone, Plan, Schedule
from warmup_cli.vocab import Unit

DEFAULT_HORIZON = 20


class Row(NamedTuple):
    """A NamedTuple, not a dataclass: the bulk path builds millions of them."""

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
    unit: Unit = Unit.EPOCH
    start: int = 0
    steps_per_epoch: int | None = None

    @property
    def row_unit(self) -> Unit:
        if self.steps_per_epoch is None:
            return self.unit
        return Unit.STEP if self.unit is Unit.EPOCH else Unit.EPOCH

    def update_of(self, index: int) -> int:
        if self.steps_per_epoch is None:
            return index
        if self.unit is Unit.EPOCH:
            return index // self.steps_per_epoch
        return index * self.steps_per_epoch

    def updates(self) -> range | list[int]:
        """The distinct scheduler updates the rows use, in order."""
        first, last = self.update_of(self.start), self.update_of(self.start + self.count - 1)
        if self.steps_per_epoch is not None and self.unit.per_update:
            return range(first, last + 1, self.steps_per_epoch)
        return range(first, last + 1)


def checked_factor(schedule: Schedule, step: int) -> float:
    """``schedule(step)``, with any failure turned into an EvaluationError at that step."""
    return checked_call(schedule.factor_fn, step)


def checked_call(fn: Callable[[int], float], step: int) -> float:
    try:
        value = fn(step)
    except WarmupError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        raise EvaluationError(
            f"the schedule failed at step {step}: {type(exc).__name__}: {exc}", step=step
        ) from None
    if isinstance(value, bool | int | float):
        if isinstance(value, int) and not _fits_a_float(value):
            # isfinite() itself raises OverflowError here: the LR, base * factor, would too.
            raise EvaluationError(
                f"the schedule returned an integer of {value.bit_length():,} bits at step "
                f"{step}, too large to become a float LR (floats end near 1.8e308)", step=step)
        if math.isfinite(value):
            return value
    raise EvaluationError(f"the schedule returned {value!r} at step {step}, not a finite number",
                          step=step)


def _fits_a_float(value: int) -> bool:
    """Whether ``float(value)`` is a number (it raises OverflowError past ``sys.float_info.max``,
    an int of 1,024 bits or more, or one that rounds up to 2 ** 1024)."""
    if value.bit_length() <= sys.float_info.max_exp - 1:
        return True
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _lrs(fn: Callable[[int], float], bases: tuple[float, ...], update: int
         ) -> tuple[float, tuple[float, ...]]:
    factor = checked_call(fn, update)
    try:
        return factor, tuple([base * factor for base in bases])
    except OverflowError:
        raise EvaluationError(f"the factor at step {update} is too large to become a float LR",
                              step=update) from None


def lrs_at(plan: Plan, update: int) -> tuple[float, ...]:
    """``(factor, *lrs)`` of one update: the framework's own LR (``plan.lr_fn``) and
    ``lr / base``, else LambdaLR's ``base * f(update)``."""
    if plan.lr_fns is not None:
        lrs = [checked_call(lr_fn, update) for lr_fn in plan.lr_fns]
        return (checked_call(plan.schedule.factor_fn, update), *lrs)
    factor, products = _lrs(plan.schedule.factor_fn, plan.base_lrs, update)
    return (factor, *products)


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive rows as columns: the bulk path works a chunk at a time so that the
    per-row work is C-level ``map``/``zip``/``writerows`` instead of Python statements."""

    steps: range
    updates: Sequence[int]
    factors: list[float]
    lrs: list[list[float]]  # one column per parameter group
    phases: list[str]


CHUNK_ROWS = 8192


def chunks(plan: Plan, view: View, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
    if plan.lr_fns is not None:
        yield from _lr_chunks(plan, plan.lr_fns, view, size)
        return
    schedule = plan.schedule
    fn, bases = schedule.factor_fn, plan.base_lrs
    breaks = schedule.phase_breaks()
    end = view.start + view.count
    for low in range(view.start, end, size):
        steps = range(low, min(low + size, end))
        updates: Sequence[int] = steps if view.steps_per_epoch is None \
            else [view.update_of(i) for i in steps]
        try:
            factors = list(map(fn, updates))
            valid = all(map(math.isfinite, factors))
        except WarmupError:
            raise
        except Exception:
            valid = False
        if not valid:  # find the first bad update and raise the located error
            for update in updates:
                _lrs(fn, bases, update)
        try:
            lrs = [[base * factor for factor in factors] for base in bases]
        except OverflowError:
            for update in updates:
                _lrs(fn, bases, update)
            raise
        yield Chunk(steps, updates, factors, lrs, _phase_column(schedule, breaks, updates))


def _lr_chunks(plan: Plan, lr_fns: Sequence[Callable[[int], float]], view: View, size: int
               ) -> Iterator[Chunk]:
    """The chunks of a plan that computes its LRs as the framework does: each group's LR
    column is its ``lr_fn`` itself, the factor column the first group's ``lr / base``."""
    schedule, base = plan.schedule, plan.base_lrs[0]
    breaks = schedule.phase_breaks()
    end = view.start + view.count
    for low in range(view.start, end, size):
        steps = range(low, min(low + size, end))
        updates: Sequence[int] = steps if view.steps_per_epoch is None \
            else [view.update_of(i) for i in steps]
        try:
            columns = [list(map(lr_fn, updates)) for lr_fn in lr_fns]
            valid = all(all(map(math.isfinite, column)) for column in columns)
            # what schedule.factor_fn computes (schedule.factor_of), without a second lr_fn call
            lrs = columns[0]
            factors = [lr / base for lr in lrs] if base != 0 and valid else lrs
        except WarmupError:
            raise
        except Exception:
            valid = False
        if not valid:  # find the first bad update and raise the located error
            for update in updates:
                lrs_at(plan, update)
        yield Chunk(steps, updates, factors, columns,
                    _phase_column(schedule, breaks, updates))


def _phase_column(schedule: Schedule, breaks: Sequence[int], updates: Sequence[int]
                  ) -> list[str]:
    """The phase of each update, asking the schedule once per run between phase breaks."""
    column: list[str] = []
    position, count = 0, len(updates)
    while position < count:
        update = updates[position]
        phase = schedule.phase_at(update)
        index = bisect.bisect_right(breaks, update)
        if index < len(breaks):
            stop = bisect.bisect_left(updates, breaks[index], lo=position)
        else:
            stop = count
        column.extend([phase] * (stop - position))
        position = stop
    return column


def rows_of(stream: Iterable[Chunk]) -> Iterator[Row]:
    for chunk in stream:
        yield from map(Row, chunk.steps, chunk.factors, zip(*chunk.lrs, strict=True),
                       chunk.phases, chunk.updates)


def rows(plan: Plan, view: View) -> Iterator[Row]:
    """Every row of the view, lazily."""
    return rows_of(chunks(plan, view))


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
