"""``warmup compare``: several schedules side by side, one LR column and plot line each."""


from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import Command, app, stdout_console, user_errors
from warmup_cli.cli.output import display_for, emit_compared, print_notes, resolve_format
from warmup_cli.vocab import ColorMode, OutputFormat


@app.command("compare", cls=Command)
def compare_command(
    schedules: Annotated[list[str], typer.Argument(
        help="Two or more specs, lambdas or config files; each spec may name its own base= "
             "(--base sets the rest).",
        metavar="SCHEDULE...", show_default=False)],
    epochs: options.Epochs = None,
    steps: options.Steps = None,
    base: Annotated[float | None, typer.Option(
        "--base", "-b", min=0.0,
        help="Base LR for every schedule that does not name its own [default: 1.0].")
    ] = None,
    steps_per_epoch: options.StepsPerEpoch = None,
    pick: options.Pick = None,
    framework: options.Framework = None,
    updates_per_epoch: options.UpdatesPerEpoch = None,
    follow_bases: options.FollowBases = False,
    assign: options.Assign = None,
    fmt: options.Format = OutputFormat.AUTO,
    show_all: options.ShowAll = False,
    plot: options.Plot = None,
    log_y: options.LogY = False,
    width: options.PlotWidth = None,
    plot_height: options.PlotHeight = None,
    digits: options.Digits = None,
    plot_file: options.PlotFile = None,
    color: options.Color = ColorMode.AUTO,
) -> None:
    """Compare schedules: one LR column per schedule and one plot with a line each."""
    from warmup_cli.pipeline import CompareRequest, RunLength, compare
    from warmup_cli.resolve import Selection

    with user_errors():
        compared = compare(CompareRequest(
            tuple(schedules), RunLength(epochs, steps), () if base is None else (base,),
            Selection(pick, framework, follow_bases, tuple(assign or ())),
            updates_per_epoch=updates_per_epoch,
            steps_per_epoch=steps_per_epoch))
        print_notes([note for item in compared.resolved for note in item.notes])
        console = stdout_console(color)
        output = resolve_format(fmt, plot)
        emit_compared(compared, console, output, display_for(
            output, plot=plot, show_all=show_all, log_y=log_y, width=width,
            height=plot_height, digits=digits, plot_file=plot_file is not None), plot_file)
