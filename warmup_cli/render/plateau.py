"""The terminal view of a plateau run: the LR of each update beside the metric, the
scheduler's best value and its bad-validation count, each reduction marked, then the plot.

A long run keeps its first and last rows and the rows around every reduction (``--all`` for
every row), as the table of ``show`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from warmup_cli.digest import Envelope
from warmup_cli.render.display import Display
from warmup_cli.render.numbers import rounded
from warmup_cli.render.safe_text import plain
from warmup_cli.render.screen import draw_plot, lr_headers

if TYPE_CHECKING:
    from warmup_cli.plateau.run import PlateauRow, PlateauRun

HEAD = TAIL = 5
AROUND = 2  # rows kept on each side of a reduction
SHORT = 40  # a run this short is shown whole


def kept_rows(run: PlateauRun, show_all: bool) -> list[PlateauRow]:
    rows = run.rows
    if show_all or len(rows) <= SHORT:
        return list(rows)
    keep = set(range(HEAD)) | set(range(len(rows) - TAIL, len(rows)))
    for step in (*run.reductions, run.part.start):
        keep.update(range(max(step - AROUND, 0), min(step + AROUND + 1, len(rows))))
    return [rows[index] for index in sorted(keep)]


def _number(value: float | None, digits: int | None) -> str:
    return "" if value is None else rounded(value, digits)


def build_plateau_table(run: PlateauRun, rows: Sequence[PlateauRow], digits: int | None
                        ) -> Table:
    plan = run.plan
    title = (f"{plan.source}  ·  base lr {', '.join(map(repr, plan.base_lrs))}  ·  "
             f"{len(run.rows):,} {plan.unit}s")
    table = Table(title=plain(title), title_justify="left", header_style="bold")
    table.add_column(plain(str(plan.unit)), justify="right")
    for header in lr_headers(plan):
        table.add_column(plain(header), justify="right", overflow="fold")
    for header in (run.metric_name, "best", "bad"):
        table.add_column(plain(header), justify="right", overflow="fold")
    table.add_column("phase")
    table.add_column("note", style="cyan")
    previous: int | None = None
    for row in rows:
        if previous is not None and row.step != previous + 1:
            filler: list[Text | str] = [""] * (len(table.columns) - 1)
            filler[-1] = plain(f"⋮ {row.step - previous - 1:,} more rows (--all)", style="dim")
            table.add_row("⋮", *filler)
        table.add_row(str(row.step), *(rounded(lr, digits) for lr in row.lrs),
                      _number(row.metric, digits), _number(row.best, digits),
                      "" if row.bad is None else str(row.bad), plain(row.phase),
                      plain(row.note))
        previous = row.step
    return table


def print_plateau(console: Console, run: PlateauRun, display: Display, verdict: str) -> None:
    console.print(build_plateau_table(run, kept_rows(run, display.show_all), display.digits))
    console.print(plain(verdict, style="dim"), soft_wrap=True)
    buckets = display.plot_buckets
    if not buckets:
        return
    envelope = Envelope(0, len(run.rows), buckets, len(run.plan.base_lrs))
    for row in run.rows:
        envelope.add(row.step, row.lrs)
    lines = [(header, *envelope.points(group))
             for group, header in enumerate(lr_headers(run.plan))]
    draw_plot(console, lines, title=run.plan.source, xlabel=str(run.plan.unit), display=display)
