"""Helpers for the output tests (tests/test_output_*.py): run ``warmup`` on a terminal of a
given width (a pseudo-terminal), into a pipe, or into a pipe whose reader is gone."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# What an environment may set that changes how a terminal or colour is detected.
TERMINAL_VARIABLES = ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES",
                      "CLICOLOR_FORCE", "TERM")


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str

    @property
    def plain(self) -> str:
        """stdout without escape sequences."""
        return ANSI.sub("", self.stdout)


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_VARIABLES}
    env.update({"PYTHONIOENCODING": "utf-8", "TERM": "xterm-256color",
                "PYTHONPATH": str(ROOT)})
    env.update(extra or {})
    return env


def command(*args: str, prog: str | None = None) -> list[str]:
    """``python -m warmup_cli ARGS``, or the installed console script ``prog`` (shell
    completion keys its variable, ``_WARMUP_COMPLETE``, on the program's name)."""
    if prog is not None:
        return [str(Path(sys.executable).parent / prog), *args]
    return [sys.executable, "-m", "warmup_cli", *args]


def on_terminal(*args: str, columns: int = 80, env: Mapping[str, str] | None = None,
                cwd: Path | None = None) -> Ran:
    """``warmup ARGS`` with stdout on a pseudo-terminal of ``columns`` columns (stderr piped,
    as a terminal user redirecting it would see it)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen(command(*args), stdin=follower, stdout=follower,
                               stderr=subprocess.PIPE, env=environment(env), cwd=cwd or ROOT)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    # the terminal turns "\n" into "\r\n"
    return Ran(process.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), stderr)


def in_pipe(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
            prog: str | None = None) -> Ran:
    done = subprocess.run(command(*args, prog=prog), capture_output=True, env=environment(env),
                          cwd=cwd or ROOT, timeout=120)
    return Ran(done.returncode, done.stdout.decode(), done.stderr.decode())


def reader_gone(*args: str, cwd: Path | None = None) -> Ran:
    """``warmup ARGS`` writing into a pipe whose read end is already closed."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(command(*args), stdout=write_end, stderr=subprocess.PIPE,
                              env=environment(), cwd=cwd or ROOT, timeout=120)
    finally:
        os.close(write_end)
    return Ran(done.returncode, "", done.stderr.decode())
