"""Reading a config file's text with bounds, and saying where in it something went wrong.

The files come from strangers: a file is refused when it is larger than :data:`MAX_BYTES`,
binary (a NUL byte early on), UTF-16 or not UTF-8; when it has more tokens than its parser
may see (:func:`check_tokens`, before the parser runs); and a tree deeper than
:data:`MAX_DEPTH` or with more than :data:`MAX_NODES` values is refused while it is built
(:class:`Budget`). :class:`Limits` gathers every budget, lint's included.
Every refusal is a :class:`~warmup_cli.errors.ConfigError` with ``path`` and, when known,
``line`` and ``column`` (1-based, in characters), made by :func:`config_error`.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import os
import re
import stat
import sys
from dataclasses import dataclass

from warmup_cli.configs import reads
from warmup_cli.configs.tree import Comment
from warmup_cli.errors import ConfigError

MAX_BYTES = 5 * 1024 * 1024
"""Files larger than this are refused (5 MB, with MB = 2**20 bytes)."""
MAX_DEPTH = 64
"""Deepest allowed nesting of mappings/sequences (the root is level 0)."""
MAX_NODES = 200_000
"""Most nodes one document may produce, counting every expansion of a YAML alias."""
MAX_TOKENS = 400_000
"""Most tokens (see :func:`count_tokens`) a YAML or TOML file may have: checked before
its parser runs, which would otherwise build a node per token (PyYAML's composer needs about
300 bytes and 2 µs per token, tomllib 1 µs)."""
MAX_PYTHON_TOKENS = 200_000
"""Most tokens a Python config may have: :func:`ast.parse` needs up to 1 KB of memory per
token before a single node can be counted."""
MAX_ALIASES = 10_000
"""Most YAML alias references one document may expand, counting those met inside expanded
copies (a file of a few hundred bytes can name one anchor 100,000 times)."""
MAX_SCHEDULES = 256
"""Most schedule texts (lambdas, specs, refused ``${eval:...}`` bodies) read from one file."""
MAX_EVALUATION_WORK = 20_000_000
"""Most evaluation work lint spends on the schedules of one file, in units of one operation of
a lambda (plus one per 64-bit word of an integer result) or, for a schedule that is not a
lambda, its operation count per call (see ``warmup_cli.lint.trace``)."""
BINARY_SNIFF = 8192
"""A NUL byte within this many leading bytes marks the file as binary."""
MAX_SHOWN_LINE = 200
"""A line longer than this is not quoted under an error message."""


@dataclass(frozen=True)
class Limits:
    """Every budget a config file is held to, in one place (the README's "Security" section
    lists them). Tests and embedders pass smaller ones; :data:`LIMITS` are the defaults."""

    max_bytes: int = MAX_BYTES
    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES
    max_tokens: int = MAX_TOKENS
    max_python_tokens: int = MAX_PYTHON_TOKENS
    max_aliases: int = MAX_ALIASES
    max_schedules: int = MAX_SCHEDULES
    max_evaluation_work: int = MAX_EVALUATION_WORK


LIMITS = Limits()

BREAKS_DEFAULT = re.compile(r"\r\n|\r|\n")
BREAKS_YAML = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML 1.1 also breaks at NEL, LS, PS
_LINE_END = "\r\n\x85\u2028\u2029"


class Lines:
    """Maps character offsets to 1-based (line, column)."""

    def __init__(self, text: str, breaks: re.Pattern[str] = BREAKS_DEFAULT) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in breaks.finditer(text)]

    def at(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def end(self, line: int) -> int:
        """The offset just past ``line`` (its line break included)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self.starts):
            return ""
        return self.text[self.starts[line - 1] : self.end(line)].rstrip(_LINE_END)

    def comment(self, index: int) -> Comment:
        """The comment whose ``#`` is at ``index``: from there to the end of its line."""
        line, column = self.at(index)
        return Comment(line, column, self.text[index : self.end(line)].rstrip(_LINE_END))


def config_error(
    path: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    line_text: str | None = None,
    hint: str | None = None,
) -> ConfigError:
    """A located ConfigError; ``line_text`` (the text of ``line``) is quoted under the message
    with a caret at ``column`` unless it is too long to be useful."""
    source = None
    if line_text is not None and column is not None and len(line_text) <= MAX_SHOWN_LINE:
        source = line_text.replace("\t", " ")  # one column per character under the caret
    return ConfigError(
        message,
        source=source,
        column=None if line is None else column or 1,
        hint=hint,
        path=path,
        line=line,
    )


class Budget:
    """Counts nodes and checks depth while a tree is built, against ``limits``."""

    def __init__(self, path: str, lines: Lines, limits: Limits = LIMITS) -> None:
        self.path = path
        self.lines = lines
        self.limits = limits
        self.count = 0

    def fail(self, message: str, line: int, column: int) -> ConfigError:
        return config_error(self.path, message, line, column, self.lines.line_text(line))

    def take(self, depth: int, line: int, column: int) -> None:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise self.too_many(line, column)
        if depth > self.limits.max_depth:
            raise self.too_deep(line, column)

    def too_many(self, line: int, column: int) -> ConfigError:
        return self.fail(
            f"more than {self.limits.max_nodes:,} values (the node budget); the file is too big "
            "or expands aliases exponentially (a 'billion laughs' file?)",
            line,
            column,
        )

    def too_deep(self, line: int, column: int) -> ConfigError:
        return self.fail(f"nesting deeper than {self.limits.max_depth} levels", line, column)

    def too_many_aliases(self, line: int, column: int) -> ConfigError:
        return self.fail(
            f"more than {self.limits.max_aliases:,} YAML alias references to expand (the "
            "alias budget); an anchor is repeated far more than a config needs",
            line,
            column,
        )


# --------------------------------------------------------------------------------------------
# Counting tokens before a parser runs

# A word (identifier, number, the letters of a string) or a run of one punctuation mark, up
# to 256 long. Counted over the whole text, comments and strings included: a cheap bound on
# the parser's tokens. A run counts once so that a line of "#####" is one token; where such a
# run is many real tokens ("[[[[", "----"), it nests, and the depth budget stops it. (The
# bound on the run keeps the regex engine's memory flat: an unbounded repeat of a
# backreference keeps a frame per character, 440 MB for a 5 MB run.)
_TOKEN = re.compile(r"\w+|([^\w\s])\1{0,255}")


def count_tokens(text: str) -> int:
    """Words and runs of one punctuation mark in ``text``, in one C-level pass (about 70 ms
    per MB)."""
    if len(text) <= 1:
        return len(text.strip())
    return _TOKEN.subn("", text)[1]


def check_tokens(name: str, text: str, limit: int, what: str) -> None:
    """Refuse ``text`` before it is parsed when it has more than ``limit`` tokens, at the
    first token past the budget; ``what`` names the budget (e.g. "the token budget of YAML,
    JSON and TOML files")."""
    if len(text) <= limit or count_tokens(text) <= limit:
        return  # every token is at least one character
    past = next(itertools.islice(_TOKEN.finditer(text), limit, None))
    lines = Lines(text)
    line, column = lines.at(past.start())
    raise config_error(
        name,
        f"more than {limit:,} tokens ({what}); the file is too big to parse safely",
        line,
        column,
        lines.line_text(line),
    )


# --------------------------------------------------------------------------------------------
# Reading and checking the text


def read_text(name: str, max_bytes: int = MAX_BYTES) -> str:
    """The text of the file ``name``, refused when it is not a small UTF-8 text file. What it
    saw is noted for lint's cache (:func:`read_outcome`, ``configs/reads.py``)."""
    try:
        data = read_bytes(name, max_bytes)
    except ConfigError as error:
        reads.note(f"read:{max_bytes}", name, "refused: " + error.message)
        raise
    reads.note(f"read:{max_bytes}", name, content_hash(data))
    return _decode(name, data)


def read_outcome(name: str, max_bytes: int = MAX_BYTES) -> str:
    """What :func:`read_text` notes for ``name`` now: the hash of its bytes, or the refusal."""
    try:
        return content_hash(read_bytes(name, max_bytes))
    except ConfigError as error:
        return "refused: " + error.message


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def read_bytes(name: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file ``name``, at most ``max_bytes`` of them (else refused)."""
    try:
        st = os.stat(name)
        if stat.S_ISDIR(st.st_mode):
            raise config_error(name, "cannot read: Is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise config_error(name, "cannot read: not a regular file")
        if st.st_size > max_bytes:
            raise config_error(name, _size_message(st.st_size, max_bytes))
        with open(name, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise config_error(name, f"cannot read: {e.strerror or e}") from None
    if len(data) > max_bytes:
        raise config_error(name, _size_message(max(len(data), st.st_size), max_bytes))
    return data


def read_stdin(name: str, max_bytes: int = MAX_BYTES) -> str:
    """Standard input as the text of the config ``name`` (``warmup lint -``), held to the
    limits of a file: never more than ``max_bytes + 1`` bytes are read."""
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise config_error(name, f"standard input is more than the limit of "
                                 f"{max_bytes / 2**20:g} MB")
    return _decode(name, data)


def check_text(name: str, text: str, max_bytes: int = MAX_BYTES) -> str:
    """``text`` given in place of a file's contents, held to the same limits as a file."""
    if len(text) > max_bytes:  # at least one byte per character
        raise config_error(
            name, _size_message(len(text.encode("utf-8", "surrogatepass")), max_bytes)
        )
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:  # lone surrogates
        line, column = Lines(text).at(e.start)
        raise config_error(
            name, "text is not valid Unicode (a lone surrogate)", line, column
        ) from None
    if size > max_bytes:
        raise config_error(name, _size_message(size, max_bytes))
    nul = text.find("\x00", 0, BINARY_SNIFF)
    if nul >= 0:
        raise config_error(
            name, f"binary file (NUL character at offset {nul}); expected a text config file"
        )
    return text.removeprefix("\ufeff")


def _size_message(size: int, limit: int) -> str:
    mb = size / 2**20
    shown = f"{mb:.1f}"
    if float(shown) <= limit / 2**20:  # 5.0 MB would read as within the limit
        shown = f"{mb:.3f}"
    return f"file is {shown} MB; the limit is {limit / 2**20:g} MB"


def _decode(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise config_error(name, "file is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\x00", 0, BINARY_SNIFF)
    if nul >= 0:
        raise config_error(
            name, f"binary file (NUL byte at offset {nul}); expected a text config file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8", "replace")) + 1
        raise config_error(
            name,
            f"file is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start} is "
            "invalid); save it as UTF-8",
            line,
            column,
        ) from None
    return text.removeprefix("\ufeff")
