"""``warmup show``: the LR of every update, as a real LambdaLR applies it."""

from __future__ import annotations

import shutil
from typing import Annotated

import typer

from warmup_cli.cli.app import ColorMode, app, stdout_console, user_errors
from warmup_cli.errors import WarmupError

SCHEDULE_HELP = (
    "A schedule spec such as 'linear:4,base=0.1' or 'linear:500 > cosine:9500', or a lambda "
    "such as 'lambda epoch: min((epoch + 1) / 4, 1)' (run 'warmup kinds' for the spec kinds)."
)
MAX_TABLE_STEPS = 1_000_000


@app.command("show")
def show_command(
    schedule: Annotated[str, typer.Argument(help=SCHEDULE_HELP, show_default=False)],
    epochs: Annotated[int | None, typer.Option("--epochs", "-n", min=1, max=MAX_TABLE_STEPS,
                      help="Number of epochs (updates) to show [default: the warmup, what "
                           "follows, and a margin].")] = None,
    steps: Annotated[int | None, typer.Option("--steps", min=1, max=MAX_TABLE_STEPS,
                     help="Like --epochs, but label the updates as optimizer steps.")] = None,
    base: Annotated[list[float] | None, typer.Option("--base", "-b", min=0.0,
                    help="Base LR; repeat for several parameter groups. Wins over base= in "
                         "the spec [default: 1.0].")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Print every row of the table "
                                           "instead of head, milestones and tail.")] = False,
    plot: Annotated[bool | None, typer.Option("--plot/--no-plot",
                    help="Draw the terminal plot [default: on a terminal only].",
                    show_default=False)] = None,
    log_y: Annotated[bool, typer.Option("--log-y", help="Log-scale LR axis (zero LRs are "
                                        "left out of the plot).")] = False,
    plot_width: Annotated[int | None, typer.Option("--plot-width", min=20, max=500,
                          help="Plot width in characters [default: terminal width, "
                               "at most 100].")] = None,
    plot_height: Annotated[int, typer.Option("--plot-height", min=5, max=200,
                                             help="Plot height in lines.")] = 20,
    digits: Annotated[int | None, typer.Option("--digits", min=1, max=17,
                      help="Round the table to this many significant digits [default: the "
                           "exact float, as torch stores it].")] = None,
    color: Annotated[ColorMode, typer.Option("--color", help="Colour and other terminal "
                     "escapes: auto (terminal only; NO_COLOR/FORCE_COLOR respected), always "
                     "or never.")] = ColorMode.auto,
) -> None:
    """Show the LR of every update as torch's LambdaLR applies it: a table and a plot."""
    from warmup_cli import series
    from warmup_cli.source import load_plan
    from warmup_cli.verify import lambdalr_rows

    with user_errors():
        if epochs is not None and steps is not None:
            raise WarmupError("give --epochs or --steps, not both")
        unit = "step" if steps is not None else "epoch"
        plan = load_plan(schedule, base or (), unit=unit)
        count = epochs or steps or series.default_horizon(plan.schedule)
        table_rows = lambdalr_rows(plan, count)
        console = stdout_console(color)
        marks = series.milestones(plan, table_rows)
        title = (f"{plan.source}  ·  base lr {', '.join(map(repr, plan.base_lrs))}  ·  "
                 f"LambdaLR, {count} {unit}s")
        from warmup_cli.render.table import build_table

        console.print(build_table(table_rows, unit=unit, groups=len(plan.base_lrs),
                                  milestones=marks, show_all=show_all, title=title,
                                  digits=digits))
        if plot if plot is not None else console.is_terminal:
            from warmup_cli.render.plot import render_plot

            width = plot_width or min(100, shutil.get_terminal_size((100, 24)).columns)
            xs = [row.step for row in table_rows]
            lines = [(f"lr[{g}]", [row.lrs[g] for row in table_rows])
                     for g in range(len(plan.base_lrs))]
            text = render_plot(xs, lines, title=plan.source, xlabel=unit, width=width,
                               height=plot_height, log_y=log_y,
                               color=console.is_terminal and not console.no_color)
            console.out(text, highlight=False)
