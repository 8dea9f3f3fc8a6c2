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
from warmup_cli.cli.plateau import MetricsOptions, emit_plateau
from warmup_cli.errors import WarmupError
from warmup_cli.vocab import ColorMode, OutputFormat, RunFacts

SCHEDULE_HELP = (
    "A schedule spec such as 'linear:4,base=0.1' or 'linear:500 > cosine:9500', a lambda "
    "such as 'lambda epoch: min((epoch + 1) / 4, 1)' (run 'warmup kinds' for the spec kinds), "
    "a training config file (HF, DeepSpeed, timm, detectron2, fairseq, Lightning, MMEngine), "
    "or a PyTorch training script (.py, read statically, never run)."
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
    assign: options.Assign = None,
    resume_from: Annotated[int | None, typer.Option(
        "--resume-from", min=0, max=options.MAX_COUNT,
        help="Show the updates a job resumed at update K gets (LambdaLR rebuilt with "
             "last_epoch and initial_lr), and whether they match the uninterrupted run.")
    ] = None,
    metrics: Annotated[str | None, typer.Option(
        "--metrics", help="A plateau schedule: the validation metric's log (CSV, TSV, JSONL, a "
                          "TensorBoard or W&B CSV export) to step ReduceLROnPlateau with.")
    ] = None,
    metric: Annotated[str | None, typer.Option(
        "--metric", help="The metric's column in --metrics [default: its only value column].")
    ] = None,
    metric_every: Annotated[int | None, typer.Option(
        "--metric-every", min=1, max=options.MAX_COUNT,
        help="Updates between two validations [default: once per epoch].")] = None,
    fmt: options.Format = OutputFormat.AUTO,
    show_all: options.ShowAll = False,
    plot: options.Plot = None,
    log_y: options.LogY = False,
    width: options.PlotWidth = None,
    plot_height: options.PlotHeight = None,
    digits: options.Digits = None,
    plot_file: options.PlotFile = None,
    color: options.Color = ColorMode.AUTO,
    stdin_filename: Annotated[str | None, typer.Option(
        "--stdin-filename", metavar="NAME",
        help="With SCHEDULE '-': standard input holds the config file NAME (its suffix picks "
             "the format) [default: standard input holds a spec or a lambda].",
        show_default=False)] = None,
) -> None:
    """Show the LR of every update as torch's LambdaLR applies it: a table and a plot."""
    from warmup_cli.pipeline import RunLength, ShowRequest, show
    from warmup_cli.resolve import Selection

    with user_errors():
        argument, text = stdin_argument(schedule, stdin_filename)
        request = ShowRequest(
            argument, RunLength(epochs, steps), tuple(base or ()),
            Selection(pick, framework, follow_bases, tuple(assign or ())),
            updates_per_epoch=updates_per_epoch, steps_per_epoch=steps_per_epoch,
            resume_from=resume_from, text=text)
        console = stdout_console(color)
        output = resolve_format(fmt, plot)
        display = display_for(output, plot=plot, show_all=show_all, log_y=log_y, width=width,
                              height=plot_height, digits=digits,
                              plot_file=plot_file is not None)
        if metrics is not None or metric is not None or metric_every is not None:
            emit_plateau(request, MetricsOptions(metrics, metric, metric_every), console,
                         output, display)
            return
        shown = show(request)
        print_notes(shown.resolved.notes)
        emit_shown(shown, console, output, display, plot_file)
        if output == "table":
            print_findings(argument, shown, epochs or steps or shown.resolved.horizon,
                           RunFacts(updates_per_epoch=updates_per_epoch,
                                    follow_bases=follow_bases,
                                    assignments=tuple(assign or ())))


def stdin_argument(schedule: str, stdin_filename: str | None) -> tuple[str, str | None]:
    """``(argument, config text)``: SCHEDULE ``-`` reads standard input, bounded like a file:
    a config named ``--stdin-filename``, else the text of a spec or lambda."""
    if schedule != "-":
        if stdin_filename is not None:
            raise WarmupError("--stdin-filename applies when SCHEDULE is -",
                              hint="give - to read the config from standard input")
        return schedule, None
    from warmup_cli.configs.text import read_stdin

    text = read_stdin(stdin_filename or "stdin")
    if stdin_filename is not None:
        return stdin_filename, text
    if not text.strip():
        raise WarmupError("standard input is empty",
                          hint="pipe a spec, a lambda or (with --stdin-filename) a config")
    return text.strip(), None
