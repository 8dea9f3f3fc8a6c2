"""What a person at a terminal sees for ``show`` and ``compare``: the titled table, the
verification line and the plot, built from the pipeline's outcome.

Titles and headers quote the schedule's source (a lambda, a file name): they are plain text
with controls escaped (``safe_text``), never rich markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console

from warmup_cli.render.display import Display
from warmup_cli.render.fit import unpadded
from warmup_cli.render.safe_text import escape_controls, plain
from warmup_cli.render.table import Layout, fitted_table
from warmup_cli.verify import LAMBDALR

if TYPE_CHECKING:
    from warmup_cli.digest import Digest
    from warmup_cli.pipeline import Compared, Shown
    from warmup_cli.schedule import Plan
    from warmup_cli.series import Row, View


def lr_headers(plan: Plan) -> list[str]:
    return ["lr"] if len(plan.base_lrs) == 1 else \
        [f"lr[{group}]" for group in range(len(plan.base_lrs))]


def show_title(plan: Plan, view: View) -> str:
    return (f"{plan.source}  ·  base lr {', '.join(map(repr, plan.base_lrs))}  ·  "
            f"{view.count:,} {view.row_unit}s")


def compare_headers(plans: Sequence[Plan]) -> list[str]:
    """Short headers (``lr_0``); :func:`compare_legend` says which schedule each one is."""
    return [f"lr_{index}" for index in range(len(plans))]


def compare_legend(plans: Sequence[Plan]) -> list[str]:
    return [f"lr_{index}: {plan.source}" for index, plan in enumerate(plans)]


def compare_title(plans: Sequence[Plan], view: View) -> str:
    return f"{len(plans)} schedules, {view.count:,} {view.row_unit}s"


def _update_unit(view: View) -> str | None:
    return view.unit if view.steps_per_epoch else None


def print_prose(console: Console, text: str, style: str = "") -> None:
    """One paragraph of ours or the user's, wrapped at spaces to the terminal's width (a file
    name or spec is split only when it is longer than a whole line), never padded: no line
    ends in the space it was broken at."""
    for line in plain(text, style=style).wrap(console, console.width, overflow="fold"):
        line.rstrip()
        console.print(line, soft_wrap=True)


def print_fitted(console: Console, rows: Sequence[Row], notes: Mapping[int, str],
                 layout: Layout) -> None:
    fitted = fitted_table(rows, notes, layout, console.width)
    console.print(fitted.table)
    for line in fitted.notes_below:
        print_prose(console, line, style="cyan")
    caption = fitted.caption()
    if caption is not None:
        print_prose(console, caption, style="dim")


def print_shown(console: Console, shown: Shown, summary: Digest, display: Display) -> None:
    plan, view = shown.plan, shown.view
    headers = lr_headers(plan)
    print_prose(console, show_title(plan, view))
    print_fitted(console, summary.table_rows(), summary.notes(), Layout(
        view.row_unit, headers, _update_unit(view), digits=display.digits))
    verification = shown.verified()
    if not verification.torch_missing:  # the command warns on stderr instead
        print_prose(console, verification.describe(), style="dim")
    if shown.resume is not None:
        print_prose(console, shown.resume.describe())
    if display.plot and summary.envelope is not None:
        lines = [(header, *summary.envelope.points(group))
                 for group, header in enumerate(headers)]
        draw_plot(console, lines, title=plan.source, xlabel=view.row_unit, display=display)


def print_compared(console: Console, compared: Compared, summary: Digest,
                   display: Display) -> None:
    plans, view = compared.plans, compared.view
    print_prose(console, compare_title(plans, view))
    for line in compare_legend(plans):
        print_prose(console, line)
    print_fitted(console, summary.table_rows(), summary.notes(), Layout(
        view.row_unit, compare_headers(plans), _update_unit(view), columns=("lrs",),
        digits=display.digits))
    for line in compared_checks(compared):
        print_prose(console, line, style="dim")
    if display.plot and summary.envelope is not None:
        lines = [(f"lr_{index}", *summary.envelope.points(index)) for index in range(len(plans))]
        draw_plot(console, lines, title=" vs ".join(plan.source for plan in plans),
                  xlabel=view.row_unit, display=display)


def compared_checks(compared: Compared) -> list[str]:
    """The check lines of ``compare``: one total when every column was checked against
    LambdaLR alone, else what each column was checked against, a line each."""
    # A column torch could not check is warned about on stderr by the command instead.
    checks = [check for check in compared.verified() if not check.torch_missing]
    if not checks:
        return []
    if all(c.against == LAMBDALR and not c.source for c in checks):
        return [f"{sum(c.checked for c in checks):,} updates checked against {LAMBDALR}"]
    return [f"lr_{index}: {check.describe()}" for index, check in enumerate(checks)]


def draw_plot(console: Console, lines: Sequence[tuple[str, list[int], list[float]]], *,
              title: str, xlabel: str, display: Display) -> None:
    """The title (wrapped, centred over the plot), the canvas, and a legend under it when
    there are several lines; or why a log axis has nothing to show."""
    from rich.text import Text

    from warmup_cli.render.plot import line_style, render_plot

    color = console.is_terminal and not console.no_color
    plot = render_plot(lines, xlabel=escape_controls(xlabel), width=display.plot_width,
                       height=display.plot_height, log_y=display.log_y, color=color)
    width = min(display.plot_width, console.width)
    for line in plain(title).wrap(console, width, justify="center", overflow="fold"):
        line.rstrip()
        console.print(line, soft_wrap=True)
    if plot.text is None:
        print_prose(console, plot.empty_reason or "", style="dim")
        return
    console.out(unpadded(plot.text), highlight=False)  # plotext pads its label lines
    if len(lines) > 1:
        legend = Text()
        for index, (label, _, _) in enumerate(lines):
            colour, marker = line_style(index, color)
            swatch = "━━" if colour is not None else ("⠉⠉" if marker == "braille" else marker * 2)
            legend.append(swatch, style=f"color({colour})" if colour is not None else "")
            legend.append(f" {escape_controls(label)}   ")
        legend.rstrip()
        console.print(legend, soft_wrap=True)
