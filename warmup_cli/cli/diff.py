"""``warmup diff OLD NEW``: what changed between two schedules (exit 1 when they differ)."""


from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import app, user_errors
from warmup_cli.cli.output import print_notes
from warmup_cli.vocab import DiffFormat

SIDE_HELP = ("A spec, a lambda, a config file, or a config at a git revision "
             "(HEAD~1:configs/train.yaml).")


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help=SIDE_HELP, metavar="OLD", show_default=False)],
    new: Annotated[str, typer.Argument(help=SIDE_HELP, metavar="NEW", show_default=False)],
    epochs: options.Epochs = None,
    steps: options.Steps = None,
    base: Annotated[float | None, typer.Option(
        "--base", "-b", min=0.0,
        help="Base LR for a side that does not name its own [default: 1.0].")] = None,
    pick: options.Pick = None,
    framework: options.Framework = None,
    updates_per_epoch: options.UpdatesPerEpoch = None,
    follow_bases: options.FollowBases = False,
    assign: options.Assign = None,
    fmt: Annotated[DiffFormat, typer.Option(
        "--format", "-f", help="text, json, or markdown for a pull-request comment.")
    ] = DiffFormat.TEXT,
    fail_on_change: Annotated[bool, typer.Option(
        "--fail-on-change/--no-fail-on-change",
        help="Exit 1 when the schedules differ, as diff(1) does; --no-fail-on-change exits 0 "
             "(a comment job that must not fail).")] = True,
) -> None:
    """Compare two schedules: warmup, peak LR and where, final LR, length, and the largest
    relative change, update by update (exit 0 same, 1 different, 2 bad input)."""
    from warmup_cli.diff import DiffRequest, diff
    from warmup_cli.pipeline import RunLength
    from warmup_cli.render.diff import diff_json, diff_markdown, diff_text
    from warmup_cli.resolve import Selection

    writers = {DiffFormat.TEXT: diff_text, DiffFormat.JSON: diff_json,
               DiffFormat.MARKDOWN: diff_markdown}
    with user_errors():
        result = diff(DiffRequest(old, new, RunLength(epochs, steps),
                                  () if base is None else (base,),
                                  Selection(pick, framework, follow_bases,
                                            tuple(assign or ())),
                                  updates_per_epoch=updates_per_epoch))
        print_notes(result.notes)
        typer.echo(writers[fmt](result), nl=False)
    raise typer.Exit(result.exit_code(fail_on_change))
