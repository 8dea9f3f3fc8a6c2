"""The rich table of ``warmup show`` and ``compare``: the rows a Digest kept, with elision rows
between, fitted to the terminal.

A number is never wrapped: when the table is too wide, the note column wraps at its words
first, then moves under the table (``epoch 3: end of warmup; peak``), and only then are the
numbers rounded (``--digits``-style, fewer digits each time) until the table fits; a caption
says so. Every title, header and cell is a ``Text`` with controls escaped: a phase label or a
note may quote a config's text, and rich would read ``[...]`` in a plain string as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rich.table import Table
from rich.text import Text

from warmup_cli.render.fit import ColumnText, apply_widths, fit_widths
from warmup_cli.render.numbers import rounded
from warmup_cli.render.safe_text import escape_controls, plain
from warmup_cli.series import Row

# Significant digits tried, in turn, when the exact floats do not fit the terminal.
ROUNDING = (12, 9, 7, 5, 4, 3)


@dataclass(frozen=True)
class Layout:
    """What the table shows: its columns and how its numbers are written."""

    unit: str
    lr_headers: Sequence[str]
    update_unit: str | None = None
    columns: tuple[str, ...] = ("factor", "lrs", "phase")
    digits: int | None = None


@dataclass
class FittedTable:
    """The table, the notes that moved under it, and the digits it had to round to (None:
    the numbers are as exact as asked)."""

    table: Table
    notes_below: list[str] = field(default_factory=list)
    rounded_to: int | None = None
    width: int | None = None

    def caption(self) -> str | None:
        if self.rounded_to is None:
            return None
        return (f"numbers rounded to {self.rounded_to} significant digits to fit "
                f"{self.width} columns: widen the terminal, or use --format csv, for the "
                "exact values")


def build_table(rows: Sequence[Row], *, notes: Mapping[int, str], unit: str,
                lr_headers: Sequence[str], title: str | None, digits: int | None,
                update_unit: str | None = None,
                columns: tuple[str, ...] = ("factor", "lrs", "phase")) -> Table:
    """The whole table at its natural width (``update_unit`` adds a column with the scheduler
    update a converted view uses; ``columns`` drops factor/phase where they mean nothing)."""
    layout = Layout(unit, lr_headers, update_unit, columns, digits)
    table = _table(rows, notes, layout, digits)
    if title is not None:
        table.title, table.title_justify = plain(title), "left"
    return table


def fitted_table(rows: Sequence[Row], notes: Mapping[int, str], layout: Layout,
                 width: int) -> FittedTable:
    """The table at most ``width`` wide with no number or word split, if any layout does it:
    the notes in a column, then under the table, then the numbers rounded further and further.
    When none fits, the narrowest (rich squeezes it)."""
    attempts: list[tuple[int | None, bool]] = [(layout.digits, True)] if notes else []
    attempts.append((layout.digits, False))
    attempts += [(d, False) for d in ROUNDING if layout.digits is None or d < layout.digits]
    for digits, inline in attempts:
        shown_notes = notes if inline else {}
        widths = fit_widths(_column_texts(rows, shown_notes, layout, digits), width)
        if widths is not None or (digits, inline) == attempts[-1]:
            table = _table(rows, shown_notes, layout, digits)
            if widths is not None:
                apply_widths(table, widths)
            below = [] if inline else [f"{layout.unit} {step}: {escape_controls(note)}"
                                       for step, note in sorted(notes.items())]
            return FittedTable(table, below, None if digits == layout.digits else digits,
                               width)
    raise AssertionError("unreachable: the last attempt always returns")


def _filler(gap: int) -> str:
    return f"⋮ {gap:,} more rows (--all)"


def _headers(notes: Mapping[int, str], layout: Layout) -> list[tuple[str, bool]]:
    """(header, may wrap) of every column, in order."""
    headers = [(layout.unit, False)]
    if layout.update_unit:
        headers.append((layout.update_unit, False))
    if "factor" in layout.columns:
        headers.append(("factor", False))
    headers += [(header, False) for header in layout.lr_headers]
    if "phase" in layout.columns:
        headers.append(("phase", True))
    if notes:
        headers.append(("note", True))
    return headers


def _cells(rows: Sequence[Row], notes: Mapping[int, str], layout: Layout,
           digits: int | None) -> list[list[str]]:
    """Every row's cells as plain text (before escaping), elision rows included."""
    headers = _headers(notes, layout)
    wraps = [wrap for _, wrap in headers]
    out: list[list[str]] = []
    previous: int | None = None
    for row in rows:
        if previous is not None and row.step != previous + 1:
            filler = ["⋮"] + [""] * (len(headers) - 1)
            if wraps[-1]:  # the count goes where words may wrap; beside numbers only ⋮
                filler[-1] = _filler(row.step - previous - 1)
            out.append(filler)
        cells = [str(row.step)]
        if layout.update_unit:
            cells.append(str(row.update))
        if "factor" in layout.columns:
            cells.append(rounded(row.factor, digits))
        cells.extend(rounded(lr, digits) for lr in row.lrs)
        if "phase" in layout.columns:
            cells.append(escape_controls(row.phase))
        if notes:
            cells.append(escape_controls(notes.get(row.step, "")))
        out.append(cells)
        previous = row.step
    return out


def _column_texts(rows: Sequence[Row], notes: Mapping[int, str], layout: Layout,
                  digits: int | None) -> list[ColumnText]:
    headers = _headers(notes, layout)
    body = _cells(rows, notes, layout, digits)
    return [ColumnText([header, *(cells[index] for cells in body)], wrap)
            for index, (header, wrap) in enumerate(headers)]


def _table(rows: Sequence[Row], notes: Mapping[int, str], layout: Layout,
           digits: int | None) -> Table:
    table = Table(header_style="bold")
    headers = _headers(notes, layout)
    for header, wrap in headers:
        if header == "note" and notes:
            table.add_column("note", style="cyan")
        elif wrap:
            table.add_column(plain(header))
        else:
            table.add_column(plain(header), justify="right")
    filler_style = "dim"
    for cells in _cells(rows, notes, layout, digits):
        if cells[0] == "⋮":
            table.add_row(*(Text(cell, style=filler_style) for cell in cells))
        else:
            table.add_row(*(Text(cell) for cell in cells))
    return table
