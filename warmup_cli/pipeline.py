"""``show`` and ``compare`` as library calls: a request in, an outcome out (argument → plan
→ view → verified series). The outcome streams a machine format or digests the series for the
table and plot; the CLI only builds the request and renders the outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from warmup_cli.digest import Digest, Envelope
from warmup_cli.errors import WarmupError
from warmup_cli.parse import TextKind, classify
from warmup_cli.plateau.model import refuse_plateau
from warmup_cli.render import formats
from warmup_cli.resolve import NO_SELECTION, Resolved, Selection, resolve
from warmup_cli.schedule import Plan
from warmup_cli.series import (
    Chunk,
    Row,
    View,
    checked_factor,
    chunks,
    default_horizon,
    rows_of,
    schedule_milestones,
)
from warmup_cli.vocab import RunFacts, Unit

if TYPE_CHECKING:
    from warmup_cli.verify import PendingVerification, ResumeCheck, Verification

T = TypeVar("T")

MAX_UPDATES = 10_000_000
MAX_ROWS = 100_000_000
MAX_TABLE_ROWS = 100_000  # --all builds a terminal table in memory; machine formats stream


def build_view(plan: Plan, *, count: int | None, unit: Unit, steps_per_epoch: int | None,
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
    if unit is Unit.EPOCH:  # one row per optimizer step, each using its epoch's factor
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
    stream = _reporting(before_writing(chunks(plan, view), _chunk_rows), progress)
    if fmt in ("csv", "tsv"):
        formats.write_series_chunks(stream, out, columns, delimiter="," if fmt == "csv" else "\t",
                                    with_update=update_unit is not None)
        return
    if fmt in ("json", "jsonl"):
        _write_json(fmt, formats.series_batches(stream, update_unit is not None), out, columns,
                    metadata(plan, view))
        return
    formats.write(fmt, rows_of(stream), out, columns, formats.series_cells(bool(update_unit)),
                  metadata(plan, view))


def _write_json(fmt: str, batches: Iterator[formats.Batch], out: TextIO, columns: list[str],
                meta: dict[str, Any]) -> None:
    if fmt == "json":
        formats.write_json_batches(batches, out, columns, meta)
    else:
        formats.write_jsonl_batches(batches, out, columns)


def before_writing(stream: Iterator[T], size: Callable[[T], int]) -> Iterator[T]:
    """``stream`` with its first batch computed now, before a writer puts out its header: a
    schedule that fails in the first batch (most fail at step 0) leaves the output empty. A
    failure in a later batch, after rows were written, says in its hint that the output is
    incomplete (``size`` counts the rows of a batch)."""
    first = next(stream, None)
    return _noting_incomplete(first, stream, size)


def _noting_incomplete(first: T | None, stream: Iterator[T], size: Callable[[T], int]
                       ) -> Iterator[T]:
    if first is None:
        return
    yield first
    written = size(first)
    try:
        for batch in stream:
            yield batch
            written += size(batch)
    except WarmupError as error:
        note = (f"the output is incomplete: {written:,} rows were written before this "
                "failure")
        error.hint = f"{error.hint}; {note}" if error.hint else note
        raise


def _chunk_rows(chunk: Chunk) -> int:
    return len(chunk.steps)


def _group_rows(group: tuple[Chunk, ...]) -> int:
    return len(group[0].steps)


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
        elif view.unit is Unit.EPOCH:
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
    result.consume(rows_of(_reporting(chunks(plan, view), progress)))
    result.rising = result.peak_is_last and _rises_after(plan, result.tail[-1])
    return result


def _rises_after(plan: Plan, last: Row) -> bool:
    """Whether the factor grows at the update after ``last``: then the largest factor shown
    is no peak, the run just ends before one."""
    try:
        return checked_factor(plan.schedule, last.update + 1) > last.factor
    except WarmupError:  # failing one step past the run is not this view's concern
        return False


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
    return _rows_of_groups(zip(*(chunks(plan, view) for plan in plans), strict=True))


def _rows_of_groups(groups: Iterator[tuple[Chunk, ...]]) -> Iterator[Row]:
    for group in groups:
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
    groups = before_writing(zip(*(chunks(plan, view) for plan in plans), strict=True),
                            _group_rows)
    if fmt in ("json", "jsonl"):
        _write_json(fmt, _group_batches(groups), out, columns, meta)
        return
    formats.write(fmt, _rows_of_groups(groups), out, columns, lambda row: (row.step, *row.lrs),
                  meta)


def _group_batches(groups: Iterator[tuple[Chunk, ...]]) -> Iterator[formats.Batch]:
    """compare's columns (the step, each schedule's first-group LR), a chunk at a time."""
    for group in groups:
        yield [group[0].steps, *(chunk.lrs[0] for chunk in group)]


# --- requests and outcomes --------------------------------------------------------------------

@dataclass(frozen=True)
class RunLength:
    """``--epochs N`` or ``--steps N`` (at most one): what a spec or lambda counts, and how
    long the run is."""

    epochs: int | None = None
    steps: int | None = None

    def __post_init__(self) -> None:
        if self.epochs is not None and self.steps is not None:
            raise WarmupError("give --epochs or --steps, not both")

    @property
    def count(self) -> int | None:
        return self.epochs or self.steps

    @property
    def unit(self) -> Unit | None:
        return Unit.STEP if self.steps is not None else None


@dataclass(frozen=True)
class ShowRequest:
    argument: str  # a spec, a lambda or a config file
    run: RunLength = RunLength()
    base_lrs: tuple[float, ...] = ()  # win over what the source names
    selection: Selection = NO_SELECTION
    updates_per_epoch: int | None = None  # for configs that count epochs
    steps_per_epoch: int | None = None  # show the other unit
    resume_from: int | None = None
    text: str | None = None  # the contents of the config ``argument`` names (standard input)


@dataclass
class Shown:
    """A resolved, verified-in-the-background series, ready to be written or digested."""

    resolved: Resolved
    view: View
    pending: PendingVerification
    resume: ResumeCheck | None = None

    @property
    def plan(self) -> Plan:
        return self.resolved.plan

    def write(self, fmt: str, out: TextIO, progress: Callable[[int], None] | None = None
              ) -> None:
        write_series(self.plan, self.view, fmt, out, progress)

    def digest(self, *, show_all: bool, plot_buckets: int | None,
               progress: Callable[[int], None] | None = None) -> Digest:
        return digest(self.plan, self.view, show_all=show_all, plot_buckets=plot_buckets,
                      progress=progress)

    def verified(self) -> Verification:
        """Waits for the check (torch's LambdaLR, or the real class); a mismatch raises (even
        after streaming)."""
        return self.pending.result()


def _facts(run: RunLength, updates_per_epoch: int | None) -> RunFacts:
    return RunFacts(total_steps=run.count, updates_per_epoch=updates_per_epoch)


def show(request: ShowRequest) -> Shown:
    from warmup_cli.verify import PendingVerification, check_resume, torch_available

    resolved = resolve(request.argument, _facts(request.run, request.updates_per_epoch),
                       base_lrs=request.base_lrs, unit=request.run.unit,
                       selection=request.selection, text=request.text)
    plan = resolved.plan
    refuse_plateau(plan.schedule, request.argument)
    view = build_view(plan, count=request.run.count or resolved.horizon, unit=plan.unit,
                      steps_per_epoch=request.steps_per_epoch, resume_from=request.resume_from)
    if request.resume_from and not torch_available():
        raise WarmupError("--resume-from rebuilds a real LambdaLR, and torch is not installed",
                          hint="pip install 'warmup-cli[torch]'")
    resume = check_resume(plan, view.update_of(view.start), view.count) \
        if request.resume_from else None
    return Shown(resolved, view, PendingVerification(plan, view), resume)


@dataclass(frozen=True)
class CompareRequest:
    arguments: tuple[str, ...]
    run: RunLength = RunLength()
    base_lrs: tuple[float, ...] = ()  # for the schedules whose source names none
    selection: Selection = NO_SELECTION  # applies to the config files among the arguments
    updates_per_epoch: int | None = None
    steps_per_epoch: int | None = None
    # Per argument: the contents of the config it names, when they do not come from disk (a
    # file at a git revision in `warmup diff`); None reads the argument as usual.
    texts: tuple[str | None, ...] = ()


@dataclass
class Compared:
    resolved: list[Resolved]
    view: View
    pending: list[PendingVerification] = field(default_factory=list)

    @property
    def plans(self) -> list[Plan]:
        return [item.plan for item in self.resolved]

    def write(self, fmt: str, out: TextIO) -> None:
        write_comparison(self.plans, self.view, fmt, out)

    def digest(self, *, show_all: bool, plot_buckets: int | None) -> Digest:
        return digest_comparison(self.plans, self.view, show_all=show_all,
                                 plot_buckets=plot_buckets)

    def verified(self) -> list[Verification]:
        """What each schedule was checked against, in column order; a mismatch raises."""
        return [check.result() for check in self.pending]

    def torch_missing(self) -> bool:
        return any(check.result().torch_missing for check in self.pending)


def compare(request: CompareRequest) -> Compared:
    from warmup_cli.verify import PendingVerification

    if len(request.arguments) < 2:
        raise WarmupError("compare needs at least two schedules",
                          hint="use 'warmup show' for one schedule")
    texts = request.texts or (None,) * len(request.arguments)
    kinds = [TextKind.FILE if text is not None else classify(argument)
             for argument, text in zip(request.arguments, texts, strict=True)]
    if (request.selection.schedule or request.selection.framework) \
            and TextKind.FILE not in kinds:
        raise WarmupError("--schedule and --framework apply to config files only",
                          hint="none of the schedules is a file")
    facts = _facts(request.run, request.updates_per_epoch)
    resolved = [resolve(argument, facts, default_base_lrs=request.base_lrs,
                        unit=request.run.unit,
                        selection=request.selection if kind is TextKind.FILE else NO_SELECTION,
                        text=text)
                for argument, kind, text in zip(request.arguments, kinds, texts, strict=True)]
    plans = [item.plan for item in resolved]
    for plan, argument in zip(plans, request.arguments, strict=True):
        refuse_plateau(plan.schedule, argument)
    _check_units(plans)
    count = request.run.count or max(
        item.horizon or default_horizon(item.plan.schedule) for item in resolved)
    view = build_view(plans[0], count=count, unit=plans[0].unit,
                      steps_per_epoch=request.steps_per_epoch, resume_from=None)
    return Compared(resolved, view, PendingVerification.together(plans, view))


def _check_units(plans: Sequence[Plan]) -> None:
    """Rows line up only when every schedule is stepped as often (per epoch or per update)."""
    per_update = {plan.unit.per_update for plan in plans}
    if len(per_update) > 1:
        units = ", ".join(f"{plan.source}: {plan.unit}" for plan in plans)
        raise WarmupError(f"the schedules are stepped in different units ({units})",
                          hint="add --steps N so that specs and lambdas count optimizer steps "
                               "like the configs")
