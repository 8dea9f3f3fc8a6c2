"""What a person at a terminal sees for ``show`` and ``compare``: the titled table, the
verification line and the plot, built from the pipeline's outcome.

Titles and headers quote the schedule's source (a lambda, a file name): they are plain text
with controls escaped (``safe_text``), never rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console

from warmup_cli.render.display import Display
from warmup_cli.render.safe_text import escape_controls, plain
from warmup_cli.render.table import build_table
from warmup_cli.verify import LAMBDALR

if TYPE_CHECKING:
    from warmup_cli.digest import Digest
    from warmup_cli.pipeline import Compared, Shown
    from warmup_cli.schedule import Plan
    from warmup_cli.series import View


def lr_headers(plan: Plan) -> list[str]:
    return ["lr"] if len(plan.base_lrs) == 1 else \
        [f"lr[{group}]" for group in range(len(plan.base_lrs))]


def show_title(plan: Plan, view: View) -> str:
    return (f"{plan.source}  ·  base lr {', '.join(map(repr, plan.base_lrs))}  ·  "
            f"{view.count:,} {view.row_unit}s")


def compare_headers(plans: Sequence[Plan]) -> list[str]:
    return [f"lr_{index}: {plan.source}" for index, plan in enumerate(plans)]


def compare_title(plans: Sequence[Plan], view: View) -> str:
    return f"{len(plans)} schedules, {view.count:,} {view.row_unit}s"


def _update_unit(view: View) -> str | None:
    return view.unit if view.steps_per_epoch else None


def print_shown(console: Console, shown: Shown, summary: Digest, display: Display) -> None:
    plan, view = shown.plan, shown.view
    headers = lr_headers(plan)
    console.print(build_table(summary.table_rows(), notes=summary.notes(), unit=view.row_unit,
                              lr_headers=headers, title=show_title(plan, view),
                              digits=display.digits, update_unit=_update_unit(view)))
    verification = shown.verified()
    if not verification.torch_missing:  # the command warns on stderr instead
        console.print(plain(verification.describe(), style="dim"), soft_wrap=True)
    if shown.resume is not None:
        console.print(plain(shown.resume.describe()), soft_wrap=True)
    if display.plot and summary.envelope is not None:
        lines = [(header, *summary.envelope.points(group))
                 for group, header in enumerate(headers)]
        draw_plot(console, lines, title=plan.source, xlabel=view.row_unit, display=display)


def print_compared(console: Console, compared: Compared, summary: Digest,
                   display: Display) -> None:
    plans, view = compared.plans, compared.view
    console.print(build_table(summary.table_rows(), notes=summary.notes(), unit=view.row_unit,
                              lr_headers=compare_headers(plans),
                              title=compare_title(plans, view), digits=display.digits,
                              update_unit=_update_unit(view), columns=("lrs",)))
    for line in compared_checks(compared):
        console.print(plain(line, style="dim"), soft_wrap=True)
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
    from warmup_cli.render.plot import render_plot

    text = render_plot(lines, title=escape_controls(title), xlabel=escape_controls(xlabel),
                       width=display.plot_width,
                       height=display.plot_height, log_y=display.log_y,
                       color=console.is_terminal and not console.no_color)
    console.out(text, highlight=False)
