"""``warmup show``: the LR of every update, as a real LambdaLR applies it."""


from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import Command, app, stdout_console, user_errors
from warmup_cli.cli.output import (
    display_for,
    emit_shown,
    print_findings,
    print_notes,
    resolve_format,
)
from warmup_cli.vocab import ColorMode, OutputFormat, RunFacts

SCHEDULE_HELP = (
    "A schedule spec such as 'linear:4,base=0.1' or 'linear:500 > cosine:9500', a lambda "
    "such as 'lambda epoch: min((epoch + 1) / 4, 1)' (run 'warmup kinds' for the spec kinds), "
    "or a training config file (HF, DeepSpeed, timm, detectron2, fairseq, Lightning, MMEngine)."
)


@app.command("show", cls=Command)
def show_command(
    schedule: Annotated[str, typer.Argument(help=SCHEDULE_HELP, metavar="SCHEDULE",
                                            show_default=False)],
    epochs: options.Epochs = None,
    steps: options.Steps = None,
    base: Annotated[list[float] | None, typer.Option(
        "--base", "-b", min=0.0,
        help="Base LR; repeat for several parameter groups. Wins over base= in the spec "
             "[default: 1.0].")] = None,
    steps_per_epoch: options.StepsPerEpoch = None,
    pick: options.Pick = None,
    framework: options.Framework = None,
    updates_per_epoch: options.UpdatesPerEpoch = None,
    follow_bases: options.FollowBases = False,
    resume_from: Annotated[int | None, typer.Option(
        "--resume-from", min=0, max=options.MAX_COUNT,
        help="Show the updates a job resumed at update K gets (LambdaLR rebuilt with "
             "last_epoch and initial_lr), and whether they match the uninterrupted run.")
    ] = None,
    fmt: options.Format = OutputFormat.AUTO,
    show_all: options.ShowAll = False,
    plot: options.Plot = None,
    log_y: options.LogY = False,
    width: options.PlotWidth = None,
    plot_height: options.PlotHeight = None,
    digits: options.Digits = None,
    color: options.Color = ColorMode.AUTO,
) -> None:
    """Show the LR of every update as torch's LambdaLR applies it: a table and a plot."""
    from warmup_cli.pipeline import RunLength, ShowRequest, show
    from warmup_cli.resolve import Selection

    with user_errors():
        shown = show(ShowRequest(
            schedule, RunLength(epochs, steps), tuple(base or ()),
            Selection(pick, framework, follow_bases),
            updates_per_epoch=updates_per_epoch, steps_per_epoch=steps_per_epoch,
            resume_from=resume_from))
        print_notes(shown.resolved.notes)
        console = stdout_console(color)
        output = resolve_format(fmt, plot)
        emit_shown(shown, console, output, display_for(
            output, plot=plot, show_all=show_all, log_y=log_y, width=width,
            height=plot_height, digits=digits))
        if output == "table":
            print_findings(schedule, shown, epochs or steps or shown.resolved.horizon,
                           RunFacts(updates_per_epoch=updates_per_epoch,
                                    follow_bases=follow_bases))
