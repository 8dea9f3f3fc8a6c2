"""``warmup check``: a real run's logged LR against the schedule it was meant to follow."""

from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import app, stdout_console, user_errors
from warmup_cli.cli.show import SCHEDULE_HELP
from warmup_cli.errors import EXIT_FINDINGS, WarmupError
from warmup_cli.render.safe_text import plain


@app.command("check")
def check_command(
    schedule: Annotated[str, typer.Argument(help=SCHEDULE_HELP, show_default=False)],
    log: Annotated[str, typer.Option(
        "--log", help="The run's log (CSV, TSV, JSONL, a TensorBoard or W&B CSV export, HF "
                      "trainer_state.json) with a step column and the LR.")],
    lr_column: Annotated[list[str] | None, typer.Option(
        "--lr-column", help="The LR column; repeat for several parameter groups [default: the "
                            "first column named like lr, learning_rate or lr-<name>].")] = None,
    rtol: Annotated[float, typer.Option(
        "--rtol", min=0.0, help="Relative tolerance [default: 0, exact; a float32 logger "
                                "needs 1e-7].")] = 0.0,
    base: Annotated[list[float] | None, typer.Option(
        "--base", "-b", min=0.0,
        help="Base LR; repeat for several parameter groups. Wins over the source's.")] = None,
    metrics: Annotated[str | None, typer.Option(
        "--metrics", help="A plateau schedule: the metric series it is stepped with (as "
                          "warmup show --metrics).")] = None,
    metric: Annotated[str | None, typer.Option(
        "--metric", help="The metric's column in --metrics.")] = None,
    metric_every: Annotated[int | None, typer.Option(
        "--metric-every", min=1, max=options.MAX_COUNT,
        help="Updates between two validations [default: once per epoch].")] = None,
    epochs: options.Epochs = None,
    steps: options.Steps = None,
    pick: options.Pick = None,
    framework: options.Framework = None,
    updates_per_epoch: options.UpdatesPerEpoch = None,
    follow_bases: options.FollowBases = False,
) -> None:
    """Compare the LR a run logged with the schedule; exit 1 when they differ."""
    from warmup_cli.pipeline import RunLength
    from warmup_cli.plateau.show import MetricsRequest
    from warmup_cli.resolve import Selection
    from warmup_cli.runlog.compare import CheckRequest, check, describe

    with user_errors():
        if metrics is None and (metric is not None or metric_every is not None):
            raise WarmupError("--metric and --metric-every need --metrics FILE")
        result = check(CheckRequest(
            schedule, log, tuple(lr_column or ()), rtol, tuple(base or ()),
            RunLength(epochs, steps), Selection(pick, framework, follow_bases),
            updates_per_epoch,
            None if metrics is None else MetricsRequest(metrics, metric, metric_every)))
        console = stdout_console()
        for line in describe(result):
            console.print(plain(line), soft_wrap=True, highlight=False)
    if not result.matches:
        raise typer.Exit(EXIT_FINDINGS)
