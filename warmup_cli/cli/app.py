"""The one Typer app, its consoles and the error boundary every command shares."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from warmup_cli import __version__
from warmup_cli.errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, WarmupError
from warmup_cli.vocab import ColorMode

app = typer.Typer(
    name="warmup",
    help="Inspect and lint learning-rate warmup schedules exactly as PyTorch runs them.",
    no_args_is_help=True,
    # Plain help: Typer's rich help imports rich.markdown and markdown_it (~0.1 s) on every
    # --help, which alone would break the start-up budget (1.3x `import typer, rich.console`).
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

# Diagnostics go to stderr so that stdout stays a clean table for pipes.
err_console = Console(stderr=True, highlight=False)


def stdout_console(color: ColorMode = ColorMode.AUTO) -> Console:
    """Rich decides 'terminal' from FORCE_COLOR / TTY_COMPATIBLE / isatty; NO_COLOR is honoured."""
    if color is ColorMode.ALWAYS:
        return Console(force_terminal=True, highlight=False)
    if color is ColorMode.NEVER:
        return Console(force_terminal=False, no_color=True, highlight=False)
    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # A table written to a file or pipe is not squeezed into the 80-column fallback.
        console.width = 160
    return console


def report(error: WarmupError) -> None:
    err_console.print(f"[bold red]error:[/] {error.render()}", markup=True, highlight=False,
                      soft_wrap=True)


def fail(error: WarmupError) -> NoReturn:
    report(error)
    raise typer.Exit(error.exit_code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a WarmupError into one message on stderr and its exit code, with no traceback;
    a reader that went away (``| head``) ends the command quietly, as SIGPIPE would."""
    try:
        yield
    except WarmupError as error:
        fail(error)
    except BrokenPipeError:
        _silence_stdout()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"warmup_cli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True,
                     help="Show the version and exit."),
    ] = False,
) -> None:
    """Inspect and lint learning-rate warmup schedules exactly as PyTorch runs them."""


def run() -> None:
    """Entry point: no traceback for Ctrl-C or a closed pipe (``warmup show ... | head``)."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(EXIT_BROKEN_PIPE)


def _silence_stdout() -> None:
    # Python flushes stdout at exit; pointing it at /dev/null stops a second BrokenPipeError.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
