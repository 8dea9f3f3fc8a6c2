"""Options shared by ``show`` and ``compare``: one definition, so they cannot drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from warmup_cli.vocab import ColorMode, OutputFormat

MAX_COUNT = 10_000_000

Epochs = Annotated[int | None, typer.Option(
    "--epochs", "-n", min=1, max=MAX_COUNT,
    help="Run length in epochs: the schedule is stepped once per epoch [default: the warmup, "
         "what follows, and a margin].")]
Steps = Annotated[int | None, typer.Option(
    "--steps", min=1, max=MAX_COUNT,
    help="Run length in optimizer steps: the schedule is stepped once per step.")]
StepsPerEpoch = Annotated[int | None, typer.Option(
    "--steps-per-epoch", min=1, max=1_000_000,
    help="Show the other unit: an epoch schedule per optimizer step, or a step schedule per "
         "epoch (the LR of each epoch's first step).")]
Format = Annotated[OutputFormat, typer.Option(
    "--format", "-f",
    help="auto: a table and plot on a terminal, csv when piped. csv/tsv/json/jsonl/markdown "
         "write every row with floats that round-trip exactly.")]
ShowAll = Annotated[bool, typer.Option(
    "--all", help="Print every row of the table instead of head, milestones and tail.")]
Plot = Annotated[bool | None, typer.Option(
    "--plot/--no-plot", show_default=False,
    help="Draw the terminal plot [default: with the table on a terminal].")]
LogY = Annotated[bool, typer.Option(
    "--log-y", help="Log-scale LR axis (updates at LR 0 are left out of the plot).")]
PlotWidth = Annotated[int | None, typer.Option(
    "--plot-width", min=20, max=500,
    help="Plot width in characters [default: terminal width, at most 100].")]
PLOT_HEIGHT = 20
PlotHeight = Annotated[int | None, typer.Option(
    "--plot-height", min=5, max=200, show_default=False,
    help=f"Plot height in lines [default: {PLOT_HEIGHT}].")]
Digits = Annotated[int | None, typer.Option(
    "--digits", min=1, max=17,
    help="Round the table to this many significant digits [default: the exact float torch "
         "stores]. Machine formats are always exact.")]
PlotFile = Annotated[Path | None, typer.Option(
    "--plot-file", metavar="PATH", dir_okay=False,
    help="Also draw the plot into an image, SVG or PNG by the file name (needs matplotlib: "
         "pip install 'warmup-cli[plot]'). With --format markdown, --plot adds a Mermaid "
         "chart instead.", show_default=False)]
Color = Annotated[ColorMode, typer.Option(
    "--color", help="Terminal escapes: auto (only on a terminal; NO_COLOR and FORCE_COLOR "
                    "respected), always or never.")]
Pick = Annotated[str | None, typer.Option(
    "--schedule", "-s",
    help="Config files: which schedule to show when the file declares several (a name from "
         "the list the error gives, or part of it).")]
Framework = Annotated[str | None, typer.Option(
    "--framework",
    help="Config files: read with this framework's reader (hf, deepspeed, timm, detectron2, "
         "fairseq, lightning, mmengine) instead of recognising it from its keys.")]
UpdatesPerEpoch = Annotated[int | None, typer.Option(
    "--updates-per-epoch", min=1, max=100_000_000,
    help="Config files: optimizer updates per epoch, for frameworks whose run length or "
         "warmup is counted in epochs (HF num_train_epochs, timm sched_on_updates, MMEngine "
         "convert_to_iter_based).")]
FollowBases = Annotated[bool, typer.Option(
    "--follow-bases",
    help="Config files: follow a base config (MMEngine _base_, detectron2 _BASE_) given as "
         "an absolute or ~ path outside the project (the folder holding .git or "
         "pyproject.toml), or a Hydra defaults entry a symlink leads out of it; without it "
         "such a base is reported as not followed.")]
Assign = Annotated[list[str] | None, typer.Option(
    "--set", metavar="NAME=VALUE",
    help="Training scripts: a value the script only knows when it runs, e.g. "
         "--set args.warmup_steps=200 --set 'len(train_loader)=391' (repeatable; NAME as the "
         "script writes it, VALUE a number, True/False, a string or a list).")]
