"""Terminal-side helpers shared by the commands: format choice, progress, the plot."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from rich.console import Console

from warmup_cli.vocab import OutputFormat

PROGRESS_THRESHOLD = 200_000  # rows; shorter work finishes before a bar would help


def resolve_format(requested: OutputFormat, console: Console, plot: bool | None = None) -> str:
    """``auto`` is a table (and plot) for a person at a terminal, csv for a pipe; asking for
    the plot (``--plot``) asks for that person's view wherever the output goes."""
    if requested is OutputFormat.AUTO:
        return "table" if console.is_terminal or plot else "csv"
    return requested.value


class Progress:
    """A progress bar on stderr for long work, only when stderr is a terminal."""

    def __init__(self, total: int, console: Console) -> None:
        self.total = total
        self.enabled = total >= PROGRESS_THRESHOLD and console.is_terminal
        self.console = console
        self._bar = None
        self._task = None

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
        if self._bar is not None:
            self._bar.update(self._task, completed=done)


def plot_width(requested: int | None) -> int:
    import shutil

    return requested or min(100, shutil.get_terminal_size((100, 24)).columns)


def draw_plot(console: Console, lines: Sequence[tuple[str, list[int], list[float]]], *,
              title: str, xlabel: str, width: int, height: int, log_y: bool) -> None:
    from warmup_cli.render.plot import render_plot

    text = render_plot(lines, title=title, xlabel=xlabel, width=width, height=height,
                       log_y=log_y, color=console.is_terminal and not console.no_color)
    console.out(text, highlight=False)
