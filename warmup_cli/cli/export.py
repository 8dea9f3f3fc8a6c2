"""``warmup export``: the schedule as PyTorch code or as a JSON description."""


from enum import Enum
from typing import Annotated

import typer

from warmup_cli.cli.app import app, user_errors
from warmup_cli.cli.show import SCHEDULE_HELP


class Target(str, Enum):
    python = "python"
    json = "json"


@app.command("export")
def export_command(
    schedule: Annotated[str, typer.Argument(help=SCHEDULE_HELP, show_default=False)],
    to: Annotated[Target, typer.Option(
        "--to", help="python: a self-contained optimizer + LambdaLR snippet that reproduces "
                     "the series exactly; json: the normalized schedule description.")
    ] = Target.python,
    base: Annotated[list[float] | None, typer.Option(
        "--base", "-b", min=0.0, help="Base LR; repeat for several parameter groups.")] = None,
) -> None:
    """Print the schedule as PyTorch code or as JSON."""
    import json

    from warmup_cli.export import to_json, to_python
    from warmup_cli.source import load_plan

    with user_errors():
        plan = load_plan(schedule, base or ())
        if to is Target.python:
            typer.echo(to_python(plan), nl=False)
        else:
            typer.echo(json.dumps(to_json(plan), indent=2, allow_nan=False))
