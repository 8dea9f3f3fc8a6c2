"""``warmup export``: the schedule as PyTorch code or as a JSON description."""


from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import Command, app, user_errors
from warmup_cli.cli.show import SCHEDULE_HELP
from warmup_cli.vocab import ExportFormat


@app.command("export", cls=Command)
def export_command(
    schedule: Annotated[str, typer.Argument(help=SCHEDULE_HELP, metavar="SCHEDULE",
                                            show_default=False)],
    to: Annotated[ExportFormat, typer.Option(
        "--to", help="python: a self-contained optimizer + LambdaLR snippet that reproduces "
                     "the series exactly; json: the normalized schedule description.")
    ] = ExportFormat.PYTHON,
    base: Annotated[list[float] | None, typer.Option(
        "--base", "-b", min=0.0, help="Base LR; repeat for several parameter groups.")] = None,
    epochs: options.Epochs = None,
    steps: options.Steps = None,
    pick: options.Pick = None,
    framework: options.Framework = None,
    updates_per_epoch: options.UpdatesPerEpoch = None,
    follow_bases: options.FollowBases = False,
    assign: options.Assign = None,
) -> None:
    """Print the schedule as PyTorch code or as JSON."""
    from warmup_cli.export import export
    from warmup_cli.pipeline import RunLength
    from warmup_cli.resolve import Selection

    with user_errors():
        typer.echo(export(schedule, to, RunLength(epochs, steps), tuple(base or ()),
                          Selection(pick, framework, follow_bases, tuple(assign or ())),
                          updates_per_epoch), nl=False)
