"""``show`` and ``compare`` as library calls: build the view, verify it, stream it out
(text → schedule → series → output)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from warmup_cli.digest import Digest, Envelope
from warmup_cli.errors import WarmupError
from warmup_cli.render import formats
from warmup_cli.schedule import Plan
from warmup_cli.series import (
    Chunk,
    Row,
    View,
    chunks,
    default_horizon,
    rows_of,
    schedule_milestones,
)

MAX_UPDATES = 10_000_000
MAX_ROWS = 100_000_000
MAX_TABLE_ROWS = 100_000  # --all builds a terminal table in memory; machine formats stream


def build_view(plan: Plan, *, count: int | None, unit: str, steps_per_epoch: int | None,
               resume_from: int | None) -> View:
    """``count`` is the run length in the schedule's own unit (what scheduler.step() counts)."""
    updates = count or default_horizon(plan.schedule)
    start = resume_from or 0
    if start >= updates and count is not None:
        raise WarmupError(f"--resume-from {start} is past the end of the run ({updates} {unit}s)",
                          hint="resume from an update inside the run, or raise --epochs/--steps")
    if count is None:
        updates = max(updates, start + updates)
    if updates > MAX_UPDATES:
        raise WarmupError(f"{updates:,} {unit}s is more than the limit of {MAX_UPDATES:,}")
    if steps_per_epoch is None:
        return View(count=updates - start, unit=unit, start=start)
    if unit == "epoch":  # one row per optimizer step, each using its epoch's factor
        first, total = start * steps_per_epoch, updates * steps_per_epoch
    else:  # one row per epoch, showing the LR of its first step
        first, total = math.ceil(start / steps_per_epoch), math.ceil(updates / steps_per_epoch)
    if total > MAX_ROWS:
        raise WarmupError(f"{total:,} rows is more than the limit of {MAX_ROWS:,}")
    return View(count=total - first, unit=unit, start=first, steps_per_epoch=steps_per_epoch)


def lr_labels(plan: Plan) -> list[str]:
    return [str(i) for i in range(len(plan.base_lrs))]


def metadata(plan: Plan, view: View) -> dict[str, Any]:
    return {
        "schedule": plan.schedule.to_spec(),
        "source": plan.source,
        "base_lrs": list(plan.base_lrs),
        "unit": view.unit,
        "row_unit": view.row_unit,
        "steps_per_epoch": view.steps_per_epoch,
        "start": view.start,
        "length": view.count,
        "warmup": plan.schedule.warmup_length,
    }


def write_series(plan: Plan, view: View, fmt: str, out: TextIO,
                 progress: Callable[[int], None] | None = None) -> None:
    """Stream the view in a machine format; memory does not grow with its length."""
    update_unit = view.unit if view.steps_per_epoch is not None else None
    columns = formats.series_columns(view.row_unit, lr_labels(plan), update_unit)
    stream = _reporting(chunks(plan, view), progress)
    if fmt in ("csv", "tsv"):
        formats.write_series_chunks(stream, out, columns, delimiter="," if fmt == "csv" else "\t",
                                    with_update=update_unit is not None)
        return
    formats.write(fmt, rows_of(stream), out, columns, formats.series_cells(bool(update_unit)),
                  metadata(plan, view))


def _reporting(stream: Iterator[Chunk], progress: Callable[[int], None] | None
               ) -> Iterator[Chunk]:
    done = 0
    for chunk in stream:
        yield chunk
        done += len(chunk.steps)
        if progress is not None:
            progress(done)


def _check_table_size(view: View, show_all: bool) -> None:
    if show_all and view.count > MAX_TABLE_ROWS:
        raise WarmupError(f"--all would print a table of {view.count:,} rows (the limit is "
                          f"{MAX_TABLE_ROWS:,})",
                          hint="use --format csv (or tsv, jsonl) for every row of a long run")


def row_marks(plan: Plan, view: View) -> dict[int, str]:
    """Milestones by row index of the view (the first row using each milestone update)."""
    marks: dict[int, str] = {}
    first, last = view.start, view.start + view.count - 1
    for mark in schedule_milestones(plan):
        if view.steps_per_epoch is None:
            index = mark.step
        elif view.unit == "epoch":
            index = mark.step * view.steps_per_epoch
        else:
            index = math.ceil(mark.step / view.steps_per_epoch)
        if first <= index <= last:
            marks[index] = mark.what
    return marks


def digest(plan: Plan, view: View, *, show_all: bool, plot_buckets: int | None,
           progress: Callable[[int], None] | None = None) -> Digest:
    _check_table_size(view, show_all)
    envelope = (Envelope(view.start, view.count, plot_buckets, len(plan.base_lrs))
                if plot_buckets else None)
    result = Digest(marks=row_marks(plan, view), count=view.count, show_all=show_all,
                    envelope=envelope)
    return result.consume(rows_of(_reporting(chunks(plan, view), progress)))


def digest_comparison(plans: Sequence[Plan], view: View, *, show_all: bool,
                      plot_buckets: int | None) -> Digest:
    _check_table_size(view, show_all)
    marks: dict[int, str] = {}
    for index, plan in enumerate(plans):
        for step, what in row_marks(plan, view).items():
            note = f"lr_{index}: {what}"
            marks[step] = f"{marks[step]}; {note}" if step in marks else note
    envelope = Envelope(view.start, view.count, plot_buckets, len(plans)) if plot_buckets \
        else None
    result = Digest(marks=marks, count=view.count, show_all=show_all, envelope=envelope,
                    track_peak=False)
    return result.consume(compare_rows(plans, view))


def compare_rows(plans: Sequence[Plan], view: View) -> Iterator[Row]:
    """Rows whose ``lrs`` hold each plan's first-group LR, in the order given."""
    for group in zip(*(chunks(plan, view) for plan in plans), strict=True):
        first = group[0]
        columns = [chunk.lrs[0] for chunk in group]
        yield from map(Row, first.steps, first.factors, zip(*columns, strict=True),
                       [""] * len(first.steps), first.updates)


def write_comparison(plans: Sequence[Plan], view: View, fmt: str, out: TextIO) -> None:
    columns = [view.row_unit, *(f"lr_{i}" for i in range(len(plans)))]
    meta = {
        "schedules": [{"column": f"lr_{i}", "schedule": plan.schedule.to_spec(),
                       "source": plan.source, "base_lr": plan.base_lrs[0]}
                      for i, plan in enumerate(plans)],
        "unit": view.unit, "row_unit": view.row_unit, "start": view.start, "length": view.count,
    }
    formats.write(fmt, compare_rows(plans, view), out, columns,
                  lambda row: (row.step, *row.lrs), meta)
