"""The rich table of ``warmup show``: head, milestones and tail, with elision rows."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from warmup_cli.render.numbers import rounded
from warmup_cli.schedule import Milestone
from warmup_cli.series import Row

HEAD_ROWS = 8
TAIL_ROWS = 4
CONTEXT = 1  # rows shown on each side of a milestone
FULL_TABLE_LIMIT = 40  # tables up to this many rows are never elided


def visible_indices(count: int, marks: Sequence[int], show_all: bool) -> list[int]:
    """Which rows of a ``count``-row table to print, in order."""
    if show_all or count <= FULL_TABLE_LIMIT:
        return list(range(count))
    keep = set(range(min(HEAD_ROWS, count))) | set(range(max(0, count - TAIL_ROWS), count))
    for mark in marks:
        keep.update(i for i in range(mark - CONTEXT, mark + CONTEXT + 1) if 0 <= i < count)
    return sorted(keep)


def build_table(rows: Sequence[Row], *, unit: str, groups: int, milestones: list[Milestone],
                show_all: bool, title: str | None, digits: int | None) -> Table:
    first = rows[0].step if rows else 0
    notes = {m.step - first: m.what for m in milestones}
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column(unit, justify="right")
    table.add_column("factor", justify="right")
    for group in range(groups):
        table.add_column("lr" if groups == 1 else f"lr[{group}]", justify="right")
    table.add_column("phase")
    table.add_column("note", style="cyan")
    previous = -1
    for index in visible_indices(len(rows), list(notes), show_all):
        if index != previous + 1:
            skipped = index - previous - 1
            table.add_row("⋮", "", *[""] * groups, f"[dim]{skipped} rows not shown (--all)[/]", "")
        row = rows[index]
        table.add_row(str(row.step), rounded(row.factor, digits),
                      *(rounded(lr, digits) for lr in row.lrs), row.phase, notes.get(index, ""))
        previous = index
    return table
