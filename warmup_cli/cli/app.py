"""The one Typer app, its consoles and the error boundary every command shares."""

from __future__ import annotations

import dataclasses
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperCommand

from warmup_cli import __version__
from warmup_cli.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ConfigError,
    WarmupError,
)
from warmup_cli.render.safe_text import escape_controls
from warmup_cli.vocab import ColorMode

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

app = typer.Typer(
    name="warmup",
    help="Inspect and lint learning-rate warmup schedules exactly as PyTorch runs them.",
    no_args_is_help=True,
    # Plain help: Typer's rich help imports rich.markdown and markdown_it (~0.1 s) on every
    # --help, which alone would break the start-up budget (1.3x `import typer, rich.console`).
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},  # inherited by every command
)

class Command(TyperCommand):
    """A command whose usage line names its arguments as the help does: ``SCHEDULE``, not
    Typer's ``{SCHEDULE}`` for a required one (``@app.command(cls=Command)``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
                for piece in super().collect_usage_pieces(ctx)]


# Diagnostics go to stderr so that stdout stays a clean table for pipes.
err_console = Console(stderr=True, highlight=False)


class _StdoutConsole(Console):
    def on_broken_pipe(self) -> None:
        # rich exits with 1 here, the code lint uses for findings: a reader that went away
        # (`warmup kinds | head -1`) ends the command as SIGPIPE would, with 141.
        self.quiet = True
        _silence_stdout()
        raise SystemExit(EXIT_BROKEN_PIPE)


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal: what ``--format auto`` and the default plot go by.

    Not rich's ``is_terminal``, which FORCE_COLOR and TTY_COMPATIBLE (and ``--color``) set:
    those choose colours, never the format (``FORCE_COLOR=1 warmup show ... > lr.csv`` is csv).
    """
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # no stdout, or a closed one
        return False


def stdout_console(color: ColorMode = ColorMode.AUTO) -> Console:
    """Colour as rich decides it (FORCE_COLOR / TTY_COMPATIBLE / isatty, NO_COLOR honoured)
    unless ``--color`` says; the width is the terminal's, or 160 for a file or pipe."""
    # A table written to a file or pipe is not squeezed into rich's 80-column fallback.
    width = None if stdout_is_terminal() or "COLUMNS" in os.environ else 160
    if color is ColorMode.ALWAYS:
        return _StdoutConsole(force_terminal=True, highlight=False, width=width)
    if color is ColorMode.NEVER:
        return _StdoutConsole(force_terminal=False, no_color=True, highlight=False,
                              width=width)
    return _StdoutConsole(highlight=False, width=width)


def report(error: WarmupError) -> None:
    err_console.print(Text.assemble(("error:", "bold red"), " ", escaped(error).render()),
                      highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """``warning: message`` on stderr (the message may quote a path: escaped, not markup)."""
    err_console.print(Text.assemble(("warning:", "bold yellow"), " ", escape_controls(message)),
                      highlight=False, soft_wrap=True)


def escaped(error: WarmupError) -> WarmupError:
    """``error`` with the texts it quotes (a key, a value, a file name, the source line)
    escaped onto one printable line each, the caret moved to where its character went."""
    changes: dict[str, Any] = {
        "message": escape_controls(error.message),
        "hint": None if error.hint is None else escape_controls(error.hint),
    }
    if isinstance(error, ConfigError) and error.path is not None:
        changes["path"] = escape_controls(error.path)
    source, column = error.source, error.column
    # render() quotes one-line sources only
    if source is not None and "\n" not in source and escape_controls(source) != source:
        changes["source"] = escape_controls(source)
        # a ConfigError with a place has a 1-based file column, any other a 0-based offset
        first = 1 if isinstance(error, ConfigError) and error.where is not None else 0
        if column is not None and column >= first:
            changes["column"] = len(escape_controls(source[:column - first])) + first
    return dataclasses.replace(error, **changes)


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


class StdoutFile(io.FileIO):
    """File descriptor 1 under the TextIOWrapper that :func:`run` makes ``sys.stdout``.

    A failed write (a full disk, a descriptor opened read-only) becomes a user error wherever
    it happens, in a command, in rich or click, or in the last flush; ``problem`` remembers it
    in case something swallowed it. A reader that went away (BrokenPipeError) is left to the
    handlers that end the command quietly.
    """

    problem: WarmupError | None = None
    broken = False  # a write met a reader that went away (click then exits 1: we say 141)
    discarding = False  # set once the failure is reported: the flush at exit writes nowhere

    def write(self, data: ReadableBuffer, /) -> int:
        size = memoryview(data).nbytes
        if self.discarding or not size:
            return size  # click probes streams with b"", which /dev/full refuses too
        try:
            return super().write(data)
        except BrokenPipeError:
            self.broken = True
            raise
        except OSError as error:
            self.problem = WarmupError(f"cannot write the output: {error.strerror or error}")
            raise self.problem from None


def guard_stdout() -> StdoutFile | None:
    """Put a :class:`StdoutFile` under ``sys.stdout``, keeping its encoding and buffering."""
    stdout = sys.stdout
    buffer = getattr(stdout, "buffer", None)
    unbuffered = isinstance(buffer, io.FileIO)  # python -u / PYTHONUNBUFFERED: no buffer layer
    raw = buffer if unbuffered else getattr(buffer, "raw", None)
    if not isinstance(raw, io.FileIO):
        return None  # a test's capture, or a Windows console (a raw class of its own)
    stdout.flush()
    guarded = StdoutFile(raw.fileno(), "wb", closefd=False)
    sys.stdout = io.TextIOWrapper(
        guarded if unbuffered else io.BufferedWriter(guarded),
        encoding=stdout.encoding, errors=stdout.errors,
        line_buffering=bool(stdout.line_buffering),
        write_through=getattr(stdout, "write_through", False))
    return guarded


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
    """Entry point: no traceback for Ctrl-C or a closed pipe (``warmup show ... | head``),
    and one line for a stdout that is closed (``>&-``) or cannot take the output."""
    if sys.stdout is None:  # Python's stdout when descriptor 1 was closed at start
        report(WarmupError("cannot write the output: stdout is closed"))
        sys.exit(EXIT_USAGE)
    stdout_file = guard_stdout()
    try:
        try:
            app()  # ends with SystemExit: click's standalone mode
        except SystemExit as done:
            _finish_output(stdout_file, done)
            raise
    except WarmupError as error:  # stdout failed outside a command's user_errors()
        report(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    finally:
        if stdout_file is not None and stdout_file.problem is not None:
            stdout_file.discarding = True


def _finish_output(stdout_file: StdoutFile | None, done: SystemExit) -> None:
    """Write the last of the output here, where a failure is reported, not at exit; a failed
    write that something swallowed still fails a command that would have succeeded, and a
    reader that went away ends any command with 141 (click's own handler exits 1, the code
    lint uses for findings, for ``--help`` and ``typer.echo``)."""
    if stdout_file is not None and stdout_file.broken:
        raise BrokenPipeError
    if stdout_file is None or stdout_file.problem is None:
        sys.stdout.flush()
    elif done.code in (0, None):
        raise stdout_file.problem


def _silence_stdout() -> None:
    # Python flushes stdout at exit; pointing it at /dev/null stops a second BrokenPipeError.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
