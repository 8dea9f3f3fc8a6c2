"""``warmup compare``: several schedules side by side, one LR column and plot line each."""


import sys
from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import app, stdout_console, user_errors
from warmup_cli.cli.output import draw_plot, plot_width, resolve_format
from warmup_cli.errors import WarmupError
from warmup_cli.vocab import ColorMode, OutputFormat


@app.command("compare")
def compare_command(
    schedules: Annotated[list[str], typer.Argument(
        help="Two or more specs or lambdas, each with its own base= (or --base for all).",
        show_default=False)],
    epochs: options.Epochs = None,
    steps: options.Steps = None,
    base: Annotated[float | None, typer.Option(
        "--base", "-b", min=0.0,
        help="Base LR for every schedule that does not name its own [default: 1.0].")
    ] = None,
    steps_per_epoch: options.StepsPerEpoch = None,
    fmt: options.Format = OutputFormat.AUTO,
    show_all: options.ShowAll = False,
    plot: options.Plot = None,
    log_y: options.LogY = False,
    width: options.PlotWidth = None,
    plot_height: options.PlotHeight = 20,
    digits: options.Digits = None,
    color: options.Color = ColorMode.AUTO,
) -> None:
    """Compare schedules: one LR column per schedule and one plot with a line each."""
    from warmup_cli import pipeline, series
    from warmup_cli.source import load_plan
    from warmup_cli.verify import PendingVerification

    with user_errors():
        if len(schedules) < 2:
            raise WarmupError("compare needs at least two schedules",
                              hint="use 'warmup show' for one schedule")
        if epochs is not None and steps is not None:
            raise WarmupError("give --epochs or --steps, not both")
        unit = "step" if steps is not None else "epoch"
        plans = [load_plan(text, unit=unit) for text in schedules]
        if base is not None:
            plans = [plan if "base=" in plan.source else
                     load_plan(plan.source, (base,), unit=unit) for plan in plans]
        count = epochs or steps or max(series.default_horizon(p.schedule) for p in plans)
        view = pipeline.build_view(plans[0], count=count, unit=unit,
                                  steps_per_epoch=steps_per_epoch, resume_from=None)
        pending = [PendingVerification(plan, view) for plan in plans]
        console = stdout_console(color)
        output = resolve_format(fmt, console, plot)
        if output != "table":
            pipeline.write_comparison(plans, view, output, sys.stdout)
            for check in pending:
                check.result()
            return
        with_plot = plot if plot is not None else console.is_terminal
        chart_width = plot_width(width)
        summary = pipeline.digest_comparison(plans, view, show_all=show_all,
                                            plot_buckets=chart_width - 10 if with_plot else None)
        from warmup_cli.render.table import build_table

        headers = [f"lr_{i}: {plan.source}" for i, plan in enumerate(plans)]
        table = build_table(summary.table_rows(), notes=summary.notes(), unit=view.row_unit,
                            lr_headers=headers, title=f"{len(plans)} schedules, "
                            f"{view.count:,} {view.row_unit}s", digits=digits,
                            update_unit=view.unit if view.steps_per_epoch else None,
                            columns=("lrs",))
        console.print(table)
        checked = sum(check.result().checked for check in pending)
        console.print(f"[dim]{checked:,} updates checked against torch's LambdaLR[/]",
                      soft_wrap=True)
        if with_plot and summary.envelope is not None:
            lines = [(f"lr_{i}", *summary.envelope.points(i)) for i in range(len(plans))]
            draw_plot(console, lines, title=" vs ".join(schedules), xlabel=view.row_unit,
                      width=chart_width, height=plot_height, log_y=log_y)
