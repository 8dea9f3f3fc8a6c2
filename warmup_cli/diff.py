"""``warmup diff OLD NEW``: what changed between two schedules, for a pull-request review.

Both sides take the commands' one road (``pipeline.compare``, so units are checked and both
series are verified as ``compare`` verifies them), over the longer of the two runs. A side
may be a file at a git revision (``HEAD~1:configs/train.yaml``), read with ``git cat-file``
(no shell, bounded output) and resolved from its text under its own name.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from warmup_cli.configs.text import MAX_BYTES, check_text
from warmup_cli.errors import EXIT_FINDINGS, EXIT_OK, WarmupError
from warmup_cli.pipeline import Compared, CompareRequest, RunLength, compare, compare_rows
from warmup_cli.resolve import NO_SELECTION, Resolved, Selection
from warmup_cli.vocab import CONFIG_SUFFIXES

GIT_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Side:
    """One schedule's landmarks, over its own run length (first parameter group)."""

    source: str
    spec: str
    base_lrs: tuple[float, ...]
    length: int | None  # updates in its run, when the source states it (a config)
    warmup: int | None  # None when the schedule cannot tell (a lambda)
    peak_lr: float
    peak_at: int  # the first row reaching the peak
    final_lr: float  # the LR of its last update


@dataclass(frozen=True)
class Change:
    row: int
    old: float
    new: float

    @property
    def relative(self) -> float:
        """``|new - old| / |old|``; infinite from an LR of 0."""
        if self.old == self.new:
            return 0.0
        return math.inf if self.old == 0 else abs(self.new - self.old) / abs(self.old)


@dataclass(frozen=True)
class ScheduleDiff:
    old: Side
    new: Side
    unit: str  # what a row counts
    rows: int  # rows compared: the longer run
    first_difference: Change | None
    largest: Change | None  # the largest relative change (the first row of it)
    notes: tuple[str, ...] = field(default=())

    @property
    def identical(self) -> bool:
        return self.first_difference is None and not self.changes()

    def changes(self) -> list[tuple[str, object, object]]:
        """The landmarks that differ, as ``(what, old, new)``. A landmark one side cannot
        tell (a lambda's warmup, a spec's run length) is no change: the series says."""
        pairs: list[tuple[str, object, object]] = [
            ("warmup", self.old.warmup, self.new.warmup),
            ("peak lr", self.old.peak_lr, self.new.peak_lr),
            ("peak at", self.old.peak_at, self.new.peak_at),
            ("final lr", self.old.final_lr, self.new.final_lr),
            ("length", self.old.length, self.new.length),
            ("base lrs", self.old.base_lrs, self.new.base_lrs),
        ]
        return [(what, a, b) for what, a, b in pairs
                if a != b and a is not None and b is not None]

    def exit_code(self, fail_on_change: bool = True) -> int:
        """1 when the schedules differ (as diff(1) exits), unless told not to fail."""
        return EXIT_FINDINGS if fail_on_change and not self.identical else EXIT_OK


@dataclass(frozen=True)
class DiffRequest:
    old: str  # a spec, a lambda, a config file or REV:path
    new: str
    run: RunLength = field(default_factory=RunLength)
    base_lrs: tuple[float, ...] = ()  # for the schedules whose source names none
    selection: Selection = NO_SELECTION
    updates_per_epoch: int | None = None


def revision_file(argument: str) -> tuple[str, str] | None:
    """``(path, text)`` of a ``REV:path`` argument naming a config at a git revision, else
    None. Only a path with a config suffix counts, so a spec (``linear:4``) never does."""
    revision, sep, path = argument.partition(":")
    if not sep or not revision or not path.lower().endswith(CONFIG_SUFFIXES):
        return None
    if revision.startswith("-"):  # never an option of git's
        raise WarmupError(f"{argument!r} is not a revision:path",
                          hint="name a revision such as HEAD~1:configs/train.yaml")
    try:
        done = subprocess.run(["git", "cat-file", "blob", f"{revision}:{path}"],
                              capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise WarmupError(f"cannot read {argument}: git is not installed",
                          hint="install git, or give the file itself") from None
    except subprocess.TimeoutExpired:
        raise WarmupError(f"cannot read {argument}: git took more than "
                          f"{GIT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise WarmupError(f"cannot read {argument}: {reason[0] if reason else 'git failed'}",
                          hint="git paths are relative to the repository root (use "
                               "REV:./path for one relative to this folder)")
    if len(done.stdout) > MAX_BYTES:
        raise WarmupError(f"{argument} is larger than the limit of {MAX_BYTES // 2**20} MB")
    text = done.stdout.decode("utf-8", "replace")
    return path, check_text(argument, text)


def diff(request: DiffRequest) -> ScheduleDiff:
    sides = [revision_file(argument) for argument in (request.old, request.new)]
    arguments = tuple(side[0] if side else argument
                      for side, argument in zip(sides, (request.old, request.new), strict=True))
    texts = tuple(side[1] if side else None for side in sides)
    compared = compare(CompareRequest(arguments, request.run, request.base_lrs,
                                      request.selection,
                                      updates_per_epoch=request.updates_per_epoch,
                                      texts=texts))
    compared.verified()  # the numbers diffed are the numbers torch computes (or it says so)
    shown = (request.old, request.new)
    return _diff(compared, shown)


def _diff(compared: Compared, shown: Sequence[str]) -> ScheduleDiff:
    landmarks = [_Landmarks(item.horizon) for item in compared.resolved]
    first: Change | None = None
    largest: Change | None = None
    rows = 0
    for row in compare_rows(compared.plans, compared.view):
        rows += 1
        for index, marks in enumerate(landmarks):
            marks.add(row.update, row.step, row.lrs[index])
        change = Change(row.step, row.lrs[0], row.lrs[1])
        if change.old != change.new:
            first = first or change
            if largest is None or change.relative > largest.relative:
                largest = change
    old, new = (marks.side(item, name) for marks, item, name
                in zip(landmarks, compared.resolved, shown, strict=True))
    notes = tuple(note for item in compared.resolved for note in item.notes)
    return ScheduleDiff(old, new, str(compared.view.row_unit), rows, first, largest, notes)


class _Landmarks:
    """Peak and final LR over the side's own run (its stated length, else every row)."""

    def __init__(self, length: int | None) -> None:
        self.length = length
        self.peak: tuple[float, int] | None = None
        self.final = math.nan

    def add(self, update: int, row: int, lr: float) -> None:
        if self.length is not None and update >= self.length:
            return
        if self.peak is None or lr > self.peak[0]:
            self.peak = (lr, row)
        self.final = lr

    def side(self, item: Resolved, name: str) -> Side:
        peak_lr, peak_at = self.peak if self.peak is not None else (math.nan, 0)
        plan = item.plan
        return Side(name, plan.schedule.to_spec(), plan.base_lrs, self.length,
                    plan.schedule.warmup_length, peak_lr, peak_at, self.final)

