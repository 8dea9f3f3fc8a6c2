"""Terminal-side helpers shared by the commands: format choice, progress, the plot."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

from warmup_cli.cli.app import err_console, stdout_is_terminal, warn
from warmup_cli.cli.options import PLOT_HEIGHT
from warmup_cli.render.display import Display
from warmup_cli.render.safe_text import plain
from warmup_cli.vocab import NO_FACTS, OutputFormat, RunFacts

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

    from warmup_cli.pipeline import Compared, Shown

PROGRESS_THRESHOLD = 200_000  # rows; shorter work finishes before a bar would help


def resolve_format(requested: OutputFormat, plot: bool | None = None) -> str:
    """``auto`` is a table (and plot) for a person at a terminal, csv for a pipe or file,
    whatever FORCE_COLOR or TTY_COMPATIBLE say; asking for the plot (``--plot``) asks for
    that person's view wherever the output goes."""
    if requested is OutputFormat.AUTO:
        return "table" if stdout_is_terminal() or plot else "csv"
    return requested.value


class Progress:
    """A progress bar on stderr for long work, only when stderr is a terminal."""

    def __init__(self, total: int, console: Console) -> None:
        self.total = total
        self.enabled = total >= PROGRESS_THRESHOLD and console.is_terminal
        self.console = console
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("computing", total=self.total)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int) -> None:
        """Progress callback: ``done`` rows so far."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done)


def plot_width(requested: int | None) -> int:
    import shutil

    return requested or min(100, shutil.get_terminal_size((100, 24)).columns)


def display_for(output: str, *, plot: bool | None, show_all: bool, log_y: bool,
                width: int | None, height: int | None, digits: int | None,
                plot_file: bool = False) -> Display:
    """The table and plot options; the plot comes with the table on a terminal, and
    ``--plot`` with markdown is its Mermaid chart. An option that does nothing in ``output``
    (``--log-y`` in csv, or without the plot) says so on stderr; ``--log-y`` always shapes
    a ``--plot-file`` image."""
    if output == "table":
        drawn = plot if plot is not None else stdout_is_terminal()
    else:
        drawn = output == "markdown" and plot is True
    given = {"--plot": plot is True and output != "markdown", "--log-y": log_y and not plot_file,
             "--plot-width": width is not None, "--plot-height": height is not None,
             "--digits": digits is not None, "--all": show_all}
    if output != "table":
        _note_unused([name for name, on in given.items() if on],
                     f"with --format {output}, which writes every row, exact")
    elif not drawn:
        _note_unused([name for name in ("--log-y", "--plot-width", "--plot-height")
                      if given[name]], "without the plot (add --plot)")
    return Display(show_all=show_all, plot=drawn, log_y=log_y, plot_width=plot_width(width),
                   plot_height=height or PLOT_HEIGHT, digits=digits)


def _note_unused(names: Sequence[str], why: str) -> None:
    if names:
        verb = "does" if len(names) == 1 else "do"
        print_notes([f"{', '.join(names)} {verb} nothing {why}"])


def emit_shown(shown: Shown, console: Console, output: str,
               display: Display, plot_file: Path | None = None) -> None:
    """A machine format on stdout (verified after streaming), else the table and plot; then
    the image ``plot_file`` (its name is checked first: a typo fails before any output)."""
    from warmup_cli.render.image import image_format, shown_chart, write_chart

    if plot_file is not None:
        image_format(plot_file)
    _emit_shown(shown, console, output, display)
    if plot_file is not None:
        write_chart(shown_chart(shown, log_y=display.log_y), plot_file)


def _emit_shown(shown: Shown, console: Console, output: str, display: Display) -> None:
    with Progress(shown.view.count, err_console) as progress:
        if output != "table":
            shown.write(output, sys.stdout, progress.update)
            if output == "markdown" and display.plot:
                from warmup_cli.render.mermaid import mermaid_chart

                sys.stdout.write("\n" + mermaid_chart([shown.plan], shown.view,
                                                      title=shown.plan.source))
            if shown.verified().torch_missing:  # a mismatch fails even after streaming
                warn_unchecked()
            if shown.resume is not None:
                err_console.print(plain(shown.resume.describe()), soft_wrap=True)
            return
        summary = shown.digest(show_all=display.show_all, plot_buckets=display.plot_buckets,
                               progress=progress.update)
    from warmup_cli.render.screen import print_shown

    print_shown(console, shown, summary, display)
    if shown.verified().torch_missing:
        warn_unchecked()


def emit_compared(compared: Compared, console: Console, output: str,
                  display: Display, plot_file: Path | None = None) -> None:
    from warmup_cli.render.image import compared_chart, image_format, write_chart

    if plot_file is not None:
        image_format(plot_file)
    _emit_compared(compared, console, output, display)
    if plot_file is not None:
        write_chart(compared_chart(compared, log_y=display.log_y), plot_file)


def _emit_compared(compared: Compared, console: Console, output: str,
                   display: Display) -> None:
    if output != "table":
        compared.write(output, sys.stdout)
        if output == "markdown" and display.plot:
            from warmup_cli.render.mermaid import mermaid_chart

            sys.stdout.write("\n" + mermaid_chart(
                compared.plans, compared.view,
                title=" vs ".join(plan.source for plan in compared.plans)))
        compared.verified()
        if compared.torch_missing():
            warn_unchecked()
        return
    summary = compared.digest(show_all=display.show_all, plot_buckets=display.plot_buckets)
    from warmup_cli.render.screen import print_compared

    print_compared(console, compared, summary, display)
    if compared.torch_missing():
        warn_unchecked()


def warn_unchecked() -> None:
    """On stderr, so that a pipe gets the series alone and a terminal still hears it."""
    from warmup_cli.verify import TORCH_MISSING

    err_console.print(plain("warning:", style="yellow") + " " + plain(TORCH_MISSING),
                      soft_wrap=True, highlight=False)


def print_findings(argument: str, shown: Shown, run_length: int | None,
                   facts: RunFacts = NO_FACTS) -> None:
    """What lint's schedule rules say about the schedule shown, as warnings on stderr (the
    table's companion; machine formats stay data only). ``run_length`` is the run the user or
    the config states; without one, lint's own horizon is checked and the rules that need a
    real run (WU108, WU109) stay quiet, as in lint."""
    from warmup_cli.lint.shown import shown_findings

    for finding in shown_findings(argument, shown.plan, run_length, facts):
        warn(f"{finding.describe()} (warmup lint --explain {finding.code})")


def print_notes(notes: Sequence[str]) -> None:
    """The notes a resolution left (they quote keys and values of the config: escaped)."""
    for note in notes:
        err_console.print(plain("note:", style="dim") + " " + plain(note), soft_wrap=True,
                          highlight=False)
