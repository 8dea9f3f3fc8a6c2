"""``warmup show``: the LR of every update, as a real LambdaLR applies it."""


import sys
from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import app, err_console, stdout_console, user_errors
from warmup_cli.cli.output import Progress, draw_plot, plot_width, resolve_format
from warmup_cli.errors import WarmupError
from warmup_cli.vocab import ColorMode, OutputFormat

SCHEDULE_HELP = (
    "A schedule spec such as 'linear:4,base=0.1' or 'linear:500 > cosine:9500', a lambda "
    "such as 'lambda epoch: min((epoch + 1) / 4, 1)' (run 'warmup kinds' for the spec kinds), "
    "or a training config file (HF, DeepSpeed, timm, detectron2, fairseq, Lightning, MMEngine)."
)


@app.command("show")
def show_command(
    schedule: Annotated[str, typer.Argument(help=SCHEDULE_HELP, show_default=False)],
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
    plot_height: options.PlotHeight = 20,
    digits: options.Digits = None,
    color: options.Color = ColorMode.AUTO,
) -> None:
    """Show the LR of every update as torch's LambdaLR applies it: a table and a plot."""
    from warmup_cli import pipeline
    from warmup_cli.source import resolve
    from warmup_cli.verify import PendingVerification, check_resume

    with user_errors():
        if epochs is not None and steps is not None:
            raise WarmupError("give --epochs or --steps, not both")
        resolved = resolve(schedule, base or (), "step" if steps is not None else None,
                           schedule=pick, framework=framework, total_steps=epochs or steps,
                           updates_per_epoch=updates_per_epoch)
        plan = resolved.plan
        for note in resolved.notes:
            err_console.print(f"[dim]note:[/] {note}", soft_wrap=True, highlight=False)
        view = pipeline.build_view(plan, count=epochs or steps or resolved.horizon,
                                   unit=plan.unit, steps_per_epoch=steps_per_epoch,
                                   resume_from=resume_from)
        console = stdout_console(color)
        output = resolve_format(fmt, console, plot)
        pending = PendingVerification(plan, view)
        resume = check_resume(plan, view.update_of(view.start), view.count) \
            if resume_from else None
        with Progress(view.count, err_console) as progress:
            if output != "table":
                pipeline.write_series(plan, view, output, sys.stdout, progress.update)
                pending.result()  # a mismatch fails the command even after streaming
                if resume is not None:
                    err_console.print(resume.describe(), soft_wrap=True)
                return
            with_plot = plot if plot is not None else console.is_terminal
            chart_width = plot_width(width)
            summary = pipeline.digest(plan, view, show_all=show_all,
                                     plot_buckets=chart_width - 10 if with_plot else None,
                                     progress=progress.update)
        from warmup_cli.render.table import build_table

        title = (f"{plan.source}  ·  base lr {', '.join(map(repr, plan.base_lrs))}  ·  "
                 f"{view.count:,} {view.row_unit}s")
        headers = ["lr"] if len(plan.base_lrs) == 1 else \
            [f"lr[{g}]" for g in range(len(plan.base_lrs))]
        console.print(build_table(summary.table_rows(), notes=summary.notes(),
                                  unit=view.row_unit, lr_headers=headers, title=title,
                                  digits=digits,
                                  update_unit=view.unit if view.steps_per_epoch else None))
        console.print(f"[dim]{pending.result().describe()}[/]", soft_wrap=True)
        if resume is not None:
            console.print(resume.describe(), soft_wrap=True)
        if with_plot and summary.envelope is not None:
            lines = [(header, *summary.envelope.points(g)) for g, header in enumerate(headers)]
            draw_plot(console, lines, title=plan.source, xlabel=view.row_unit, width=chart_width,
                      height=plot_height, log_y=log_y)


