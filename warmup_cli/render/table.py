"""The rich table of ``warmup show``: the rows a Digest kept, with elision rows between.

Every title, header and cell is a ``Text`` with controls escaped: a phase label or a note may
quote a config's text, and rich would read ``[...]`` in a plain string as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.table import Table
from rich.text import Text

from warmup_cli.render.numbers import rounded
from warmup_cli.render.safe_text import plain
from warmup_cli.series import Row


def build_table(rows: Sequence[Row], *, notes: Mapping[int, str], unit: str,
                lr_headers: Sequence[str], title: str | None, digits: int | None,
                update_unit: str | None = None,
                columns: tuple[str, ...] = ("factor", "lrs", "phase")) -> Table:
    """``update_unit`` adds a column with the scheduler update a converted view uses;
    ``columns`` drops factor/phase where they mean nothing (a comparison)."""
    table = Table(title=None if title is None else plain(title), title_justify="left",
                  header_style="bold")
    table.add_column(plain(unit), justify="right")
    if update_unit:
        table.add_column(plain(update_unit), justify="right")
    if "factor" in columns:
        table.add_column("factor", justify="right", overflow="fold")
    for header in lr_headers:
        table.add_column(plain(header), justify="right", overflow="fold")
    if "phase" in columns:
        table.add_column("phase")
    with_notes = bool(notes)
    if with_notes:
        table.add_column("note", style="cyan")
    width = len(table.columns)
    previous: int | None = None
    for row in rows:
        if previous is not None and row.step != previous + 1:
            gap = row.step - previous - 1
            filler: list[Text | str] = [""] * (width - 1)
            filler[-1] = plain(f"⋮ {gap:,} more rows (--all)", style="dim")
            table.add_row("⋮", *filler)
        cells: list[Text | str] = [str(row.step)]
        if update_unit:
            cells.append(str(row.update))
        if "factor" in columns:
            cells.append(rounded(row.factor, digits))
        cells.extend(rounded(lr, digits) for lr in row.lrs)
        if "phase" in columns:
            cells.append(plain(row.phase))
        if with_notes:
            cells.append(plain(notes.get(row.step, "")))
        table.add_row(*cells)
        previous = row.step
    return table
