"""Text → what it is: the one place that decides whether a command-line or config text is a
lambda, a spec, a bare expression, or the name of a file, and parses schedule texts.

``classify`` answers for every command (``show``, ``compare``, ``export``, ``lint``) and for
the generic config extractor; each command then says which kinds it takes. ``parse_text``
never raises for a bad schedule: it returns a :class:`ParseError` holding the located error,
which ``resolve`` raises and lint reports as a finding.
"""

from __future__ import annotations

import ast
import errno
import os
import re
import stat
from dataclasses import dataclass
from enum import StrEnum

from warmup_cli.errors import ExpressionError, SpecError, WarmupError
from warmup_cli.expr import CompiledExpression, compile_expression, is_lambda_text
from warmup_cli.kinds import lookup
from warmup_cli.schedule import FunctionSchedule, Schedule
from warmup_cli.spec import parse_spec
from warmup_cli.vocab import CONFIG_SUFFIXES

MAX_PATH_TEXT = 4096  # longer texts are never file names (and stat() would refuse them)
_LEADING_WORD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_\-]*)")
_PATH_CHARACTERS = frozenset("/\\*?[")


class TextKind(StrEnum):
    LAMBDA = "lambda"  # lambda epoch: min(1, (epoch + 1) / 4)
    SPEC = "spec"  # linear:500 > cosine:9500, base=3e-4
    EXPRESSION = "expression"  # min(1, (e + 1) / 4): a bare expression over the step
    NAME = "name"  # a lone identifier: the identity expression, or a missing directory
    FILE = "file"  # an existing file: a config
    DIRECTORY = "directory"  # an existing directory
    PATH = "path"  # meant as a path (a config suffix, a separator, a glob) but not a file
    SPECIAL = "special"  # exists but is no config: a named pipe, a device, a link loop, ...

    @property
    def is_schedule(self) -> bool:
        """A text that is itself a schedule (not the name of a file that holds some)."""
        return self in _SCHEDULE_KINDS


_SCHEDULE_KINDS = frozenset({TextKind.LAMBDA, TextKind.SPEC, TextKind.EXPRESSION,
                             TextKind.NAME})


def looks_like_spec(text: str) -> bool:
    """A spec starts with a kind name (or a parenthesis); anything else is an expression."""
    stripped = text.lstrip()
    if stripped.startswith("("):
        stripped = stripped[1:]
    match = _LEADING_WORD.match(stripped)
    return match is not None and lookup(match.group(1).lower()) is not None


def schedule_kind(text: str) -> TextKind:
    """What a schedule text is, from its characters alone (no file system)."""
    stripped = text.strip()
    if is_lambda_text(stripped):
        return TextKind.LAMBDA
    if looks_like_spec(stripped):
        return TextKind.SPEC
    if stripped.isidentifier():
        return TextKind.NAME
    return TextKind.EXPRESSION


def classify(text: str) -> TextKind:
    """What a command-line argument is: a file or directory that exists, a schedule text, or a
    path that does not exist (``missing.yaml``, ``configs/x.yaml``, ``*.yaml``)."""
    kind = schedule_kind(text)
    if kind is TextKind.LAMBDA:
        return kind
    if _is_file(text):
        return TextKind.FILE
    if _is_dir(text):
        return TextKind.DIRECTORY
    if special_path(text) is not None:
        return TextKind.SPECIAL
    if text.strip().lower().endswith(CONFIG_SUFFIXES):
        return TextKind.PATH
    if kind is TextKind.EXPRESSION and _looks_like_path(text):
        return TextKind.PATH
    return kind


def _fits_a_path(text: str) -> bool:
    return bool(text) and "\n" not in text and "\0" not in text and len(text) < MAX_PATH_TEXT


def _is_file(text: str) -> bool:
    try:
        return _fits_a_path(text) and os.path.isfile(text)
    except (OSError, ValueError):
        return False


def _is_dir(text: str) -> bool:
    try:
        return _fits_a_path(text) and os.path.isdir(text)
    except (OSError, ValueError):
        return False


_SPECIAL_MODES = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_path(text: str) -> str | None:
    """What ``text`` names when it is there but is neither a regular file nor a directory
    ("a named pipe", "a symbolic link loop", ...), else None. Only ``stat`` is used: opening
    a named pipe would block until someone writes to it, and ``/dev/zero`` never ends."""
    if not _fits_a_path(text):
        return None
    try:
        mode = os.stat(text).st_mode
    except ValueError:
        return None
    except OSError as error:
        return _unreachable(text, error)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((what for test, what in _SPECIAL_MODES if test(mode)), "not a regular file")


def _unreachable(text: str, error: OSError) -> str | None:
    if error.errno == errno.ELOOP:
        return "a symbolic link loop"
    if error.errno == errno.EACCES:
        return "a path that cannot be looked at (permission denied)"
    try:
        if os.path.islink(text):
            return f"a broken symbolic link (to {os.readlink(text)})"
    except (OSError, ValueError):
        pass
    return None


def _looks_like_path(text: str) -> bool:
    """Separators and glob characters also occur in expressions (``e / 4``, ``2 * e``): only a
    text with them that is not a valid expression is taken for a path."""
    if not _PATH_CHARACTERS & set(text):
        return False
    try:
        compile_expression(text.strip())
    except WarmupError:
        return True
    return False


@dataclass(frozen=True)
class ParsedText:
    """A schedule text and the schedule it declares."""

    text: str
    kind: TextKind
    schedule: Schedule
    base_lrs: tuple[float, ...] = ()  # the base LRs the text names itself (base= in a spec)
    expression: CompiledExpression | None = None  # for lambdas and expressions

    @property
    def names_base(self) -> bool:
        return bool(self.base_lrs)


@dataclass(frozen=True)
class ParseError:
    """A schedule text that does not parse, with the located error."""

    text: str
    kind: TextKind
    error: SpecError | ExpressionError


def parse_text(text: str, kind: TextKind | None = None) -> ParsedText | ParseError:
    """The schedule ``text`` declares. Without ``kind`` the text says what it is (a spec that
    fails but reads as an expression, such as ``step / 4``, is one); with ``kind`` (``LAMBDA``
    or ``SPEC``) it is parsed only as that, as the config extractor does for a value under a
    schedule key. Never raises for bad text."""
    strict = kind is not None
    kind = kind or schedule_kind(text)
    try:
        if kind is TextKind.SPEC:
            return _spec(text, fallback=not strict)
        return _expression(text, kind)
    except (SpecError, ExpressionError) as error:
        return ParseError(text, kind, error)


def _expression(text: str, kind: TextKind) -> ParsedText:
    try:
        compiled = compile_expression(text)
    except ExpressionError as expression_error:
        if kind is TextKind.EXPRESSION and (":" in text or "=" in text):
            # Meant as a spec with a mistyped kind: the spec error suggests the kind.
            try:
                parse_spec(text)
            except SpecError as spec_error:
                raise spec_error from None
        raise expression_error from None
    schedule = FunctionSchedule(fn=compiled, label="lambda", spec=compiled.source,
                                extra={"param": compiled.param})
    return ParsedText(text, kind, schedule, expression=compiled)


def _spec(text: str, *, fallback: bool) -> ParsedText:
    try:
        parsed = parse_spec(text)
    except SpecError:
        # `step / 4` or `exp(-t / 5)` start with a kind's name but are expressions over a step
        # variable; a lone word (`cosine`) is a spec missing its arguments.
        if fallback and ":" not in text:
            as_expression = _expression_or_none(text)
            if as_expression is not None:
                return as_expression
        raise
    return ParsedText(text, TextKind.SPEC, parsed.schedule, parsed.base_lrs or ())


def _expression_or_none(text: str) -> ParsedText | None:
    try:
        parsed = _expression(text, TextKind.EXPRESSION)
    except WarmupError:
        return None
    assert parsed.expression is not None
    return None if isinstance(parsed.expression.tree, ast.Name) else parsed


def parse_schedule_text(text: str) -> ParsedText:
    """:func:`parse_text` for a command line: a bad text raises its located error."""
    parsed = parse_text(text)
    if isinstance(parsed, ParseError):
        raise parsed.error
    return parsed
