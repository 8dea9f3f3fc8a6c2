"""``warmup show SCHEDULE --metrics FILE``: a plateau schedule stepped with its metric series."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console

from warmup_cli.cli.output import print_notes
from warmup_cli.errors import WarmupError
from warmup_cli.render.display import Display

if TYPE_CHECKING:
    from warmup_cli.pipeline import ShowRequest


@dataclass(frozen=True)
class MetricsOptions:
    path: str | None
    name: str | None
    every: int | None


def emit_plateau(request: ShowRequest, options: MetricsOptions, console: Console, output: str,
                 display: Display) -> None:
    from warmup_cli.plateau.show import MetricsRequest, describe, show_plateau, write_run

    if options.path is None:
        raise WarmupError("--metric and --metric-every need --metrics FILE",
                          hint="name the metrics log: --metrics val.csv --metric val_loss")
    run = show_plateau(request, MetricsRequest(options.path, options.name, options.every))
    print_notes(run.notes)
    if output != "table":
        write_run(run, output, sys.stdout)
        return
    from warmup_cli.render.plateau import print_plateau

    print_plateau(console, run, display, describe(run))
