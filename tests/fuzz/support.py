"""What every fuzz test shares: the contract, the CPU budget, the CLI runner, the run length,
and the one documented list of known failures.

The contract (issue 14): for every input, warmup_cli gives a result or one of its own errors
(:class:`~warmup_cli.errors.WarmupError` and subclasses; lint gives diagnostics and never
raises) within the budget. Anything else fails the test, unless it matches an entry of
:data:`KNOWN_ISSUES` (see there).
"""

from __future__ import annotations

import functools
import os
import signal
import struct
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import event, settings
from typer.testing import CliRunner, Result

from warmup_cli.cli import app

PACKAGE = Path(__file__).resolve().parents[2] / "warmup_cli"

#: Issue 14's target: every input is handled in under 2 s of CPU. Enforced per operation with
#: a profiling timer (see :func:`cpu_budget`) so that the test says *where* the time went;
#: the hypothesis deadline (tests/conftest.py) is only the outer wall-clock net above this.
CPU_BUDGET_SECONDS = 2.0


# --- budget -------------------------------------------------------------------------------


class BudgetExceeded(BaseException):
    """An operation used more than its CPU budget. A BaseException, like KeyboardInterrupt, so
    that no ``except Exception`` in warmup_cli turns it into a finding or an EvaluationError.
    ``where`` is the deepest warmup_cli frame that was running when the time ran out."""

    def __init__(self, where: str | None) -> None:
        super().__init__(f"more than {CPU_BUDGET_SECONDS} s of CPU, in {where}")
        self.where = where


_FIRED: list[BudgetExceeded] = []
_REFIRE_SECONDS = 0.5  # long enough that unwinding after the first signal is never hit


def _interrupt(signum: int, frame: FrameType | None) -> None:
    error = BudgetExceeded(project_frame(traceback.extract_stack(frame)))
    _FIRED.append(error)
    raise error


@contextmanager
def cpu_budget(seconds: float = CPU_BUDGET_SECONDS) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` inside the code under test once it has used ``seconds`` of
    process CPU time (ITIMER_PROF: user + system), saying where the time went. Pure-Python
    loops are interrupted; one long C call only when it returns. A signal that lands where
    Python cannot raise it (a gc callback swallows it) comes again every half second of CPU
    until one gets through, and is raised here after the operation at the latest."""
    _FIRED.clear()
    previous = signal.signal(signal.SIGPROF, _interrupt)
    signal.setitimer(signal.ITIMER_PROF, seconds, _REFIRE_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
    if _FIRED:
        raise _FIRED[0]


# --- known issues -------------------------------------------------------------------------


def project_frame(frames: traceback.StackSummary) -> str | None:
    """``warmup_cli/path/module.py:function`` of the deepest warmup_cli frame of ``frames``."""
    found = None
    for frame in frames:
        path = Path(frame.filename).resolve()
        if path.is_relative_to(PACKAGE):
            found = f"{path.relative_to(PACKAGE.parent).as_posix()}:{frame.name}"
    return found


def innermost_project_frame(error: BaseException) -> str | None:
    """Where ``error`` was raised inside warmup_cli (for a budget: where the time ran out)."""
    if isinstance(error, BudgetExceeded):
        return error.where
    return project_frame(traceback.extract_tb(error.__traceback__))


@dataclass(frozen=True)
class KnownIssue:
    """A failure the fuzz tests find today whose fix is on another branch.

    It matches an exception of type ``exception`` whose deepest warmup_cli frame is in
    ``raised_in`` (``warmup_cli/series.py`` or ``warmup_cli/series.py:checked_call``) and whose
    text contains ``message``, or a violated output property named in ``checks`` whose detail
    contains ``detail``. ``reproduce``
    is the minimal reproducer: it must still fail in exactly this way (tests/fuzz/
    test_fuzz_known_issues.py checks that), so an entry cannot outlive its bug.
    """

    label: str
    reference: str  # where in issue 14, and which helper fixes it
    reproduce: Callable[[Path], None]
    exception: type[BaseException] | None = None
    raised_in: str | None = None
    message: str = ""
    checks: tuple[str, ...] = ()
    detail: str = ""

    def matches_exception(self, error: BaseException) -> bool:
        if self.exception is None or not isinstance(error, self.exception):
            return False
        if self.message not in str(error):
            return False
        where = innermost_project_frame(error) or ""
        return self.raised_in is None or where == self.raised_in or \
            where.startswith(f"{self.raised_in}:")

    def matches_violation(self, check: str, detail: str) -> bool:
        return check in self.checks and self.detail in detail


_STRICT: list[bool] = [False]


@contextmanager
def strict() -> Iterator[None]:
    """Nothing is a known issue in here (to check that a reproducer still reproduces)."""
    _STRICT.append(True)
    try:
        yield
    finally:
        _STRICT.pop()


def known_exception(error: BaseException) -> KnownIssue | None:
    from tests.fuzz.known_issues import KNOWN_ISSUES

    if _STRICT[-1]:
        return None
    return next((issue for issue in KNOWN_ISSUES if issue.matches_exception(error)), None)


def known_violation(check: str, detail: str) -> KnownIssue | None:
    from tests.fuzz.known_issues import KNOWN_ISSUES

    if _STRICT[-1]:
        return None
    return next((issue for issue in KNOWN_ISSUES if issue.matches_violation(check, detail)),
                None)


def tolerated(error: BaseException) -> bool:
    """True (and counted in hypothesis' statistics) for a known issue; False otherwise."""
    issue = known_exception(error)
    if issue is None:
        return False
    event(f"known issue: {issue.label}")
    return True


def violation(check: str, detail: str) -> None:
    """A broken output property: an AssertionError unless it is a known issue."""
    issue = known_violation(check, detail)
    if issue is not None:
        event(f"known issue: {issue.label}")
        return
    raise AssertionError(f"{check}: {detail}")


def describe(error: BaseException) -> str:
    where = innermost_project_frame(error)
    return f"{type(error).__name__}: {error} (raised in {where})"


# --- the CLI ------------------------------------------------------------------------------

_RUNNER = CliRunner()
#: Exit codes a command may end with: success, lint findings, a user mistake. 3 (internal
#: error), 1 from an uncaught exception (click's code for it) and anything else are bugs.
ALLOWED_EXITS = frozenset({0, 1, 2})


@dataclass(frozen=True)
class Run:
    """One in-process ``warmup ...`` run; ``failed`` holds an exception the CLI let escape."""

    exit_code: int
    stdout: str
    stderr: str
    failed: BaseException | None

    @property
    def known_failure(self) -> bool:
        return self.failed is not None and tolerated(self.failed)


@contextmanager
def inside(directory: Path | None) -> Iterator[None]:
    """Run with ``directory`` as the working directory (relative file names, as users type)."""
    previous = Path.cwd()
    try:
        if directory is not None:
            os.chdir(directory)
        yield
    finally:
        os.chdir(previous)


def invoke(args: Sequence[str], *, cwd: Path | None = None) -> Run:
    """``warmup ARGS`` in this process (as tests/test_cli_*.py do), under the CPU budget."""
    try:
        with inside(cwd), cpu_budget():
            result: Result = _RUNNER.invoke(app, list(args), catch_exceptions=True)
    except BudgetExceeded as error:  # a BaseException: click's runner lets it through
        return Run(-1, "", "", error)
    failed = result.exception
    if isinstance(failed, SystemExit):
        failed = None
    if failed is not None and result.exc_info is not None:
        failed = failed.with_traceback(result.exc_info[2])
    return Run(result.exit_code, result.stdout, result.stderr, failed)


def check_run(run: Run, args: Sequence[str], allowed: frozenset[int] = ALLOWED_EXITS, *,
              says_why: bool = True) -> bool:
    """The contract of one CLI run: an allowed exit code, no traceback, and (``says_why``)
    a message on stderr with exit code 2; lint reports unreadable input as WU001 findings on
    stdout instead. False when a known issue ended the run (skip further checks)."""
    if run.failed is not None:
        if run.known_failure:
            return False
        raise AssertionError(f"warmup {list(args)!r} raised {describe(run.failed)}") \
            from run.failed
    assert run.exit_code in allowed, (args, run.exit_code, run.stderr)
    assert "Traceback" not in run.stderr, (args, run.stderr)
    if run.exit_code == 2 and says_why:
        assert run.stderr.strip(), (args, "exit 2 without a message on stderr")
    return True


def squeeze(text: str) -> str:
    """``text`` without whitespace: rich wraps titles and messages wherever it likes."""
    return "".join(text.split())


def check_echoed(source: str, table: str) -> None:
    """The table's title echoes the schedule's source as written: markup (``[bold]x[/]``) and
    emoji codes (``:thumbs_up:``) in it are shown, not applied. Short printable texts only
    (a long title is cut by the table's width)."""
    if len(source) < 60 and source.isprintable() and squeeze(source) not in squeeze(table):
        violation("markup-applied", f"the title does not show {source!r}: {table[:200]!r}")


# --- running one operation under the contract ---------------------------------------------


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None  # a WarmupError (or what ``allowed`` admits)
    known: bool = False  # a known issue ended the operation: the caller stops checking


def guarded(operation: Callable[[], Any], allowed: tuple[type[BaseException], ...]) -> Outcome:
    """Run ``operation`` under the CPU budget: its value, an ``allowed`` error, or a known
    issue; anything else fails the test with where it was raised."""
    try:
        with cpu_budget():
            return Outcome(value=operation())
    except allowed as error:
        return Outcome(error=error)
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        if tolerated(error):
            return Outcome(known=True)
        raise AssertionError(describe(error)) from error


# --- how long `make fuzz` runs ----------------------------------------------------------------

_TARGETS: list[Callable[[], None]] = []


def fuzz_target(test: Callable[[], None]) -> Callable[[], None]:
    """Register a ``@given`` function run by :func:`run_fuzz`, so that `make fuzz` can split
    its wall-clock time between all of them (modules are collected before any test runs)."""
    _TARGETS.append(test)
    return test


@functools.cache
def warm_up() -> None:
    """Pay the one-time costs before any budget runs: importing torch, its first optimizer
    (which imports torch._dynamo: seconds) and the framework readers."""
    from warmup_cli.lint.runner import lint
    from warmup_cli.lint.settings import Settings

    invoke(["show", "linear:2", "-n", "2", "--format", "table"])
    lightning = PACKAGE.parent / "tests" / "fixtures" / "frameworks" / "lightning"
    lint([str(path) for path in sorted(lightning.glob("*.yaml"))], Settings())


def run_fuzz(test: Callable[[], None]) -> None:
    """Run a ``@given`` function once (profile "ci": its few derandomized examples) or, under
    the "fuzz" profile, again and again with fresh seeds until its share of
    ``WARMUP_FUZZ_SECONDS`` (the Makefile passes 600) is used up."""
    warm_up()
    total = float(os.environ.get("WARMUP_FUZZ_SECONDS", "0"))
    if settings().derandomize or total <= 0:
        test()
        return
    stop = time.monotonic() + total / max(1, len(_TARGETS))
    while time.monotonic() < stop:
        test()


def same_factor(ours: object, theirs: object) -> bool:
    """The same value bit for bit (type included: 1 is not 1.0, -0.0 is not 0.0)."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, float) and isinstance(theirs, float):
        return struct.pack("<d", ours) == struct.pack("<d", theirs)
    return ours == theirs
