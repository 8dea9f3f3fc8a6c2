"""Reading a config file's text with bounds, and saying where in it something went wrong.

The files come from strangers: a file is refused when it is larger than :data:`MAX_BYTES`,
binary (a NUL byte early on), UTF-16 or not UTF-8; a tree deeper than :data:`MAX_DEPTH` or
with more than :data:`MAX_NODES` values is refused while it is built (:class:`Budget`).
Every refusal is a :class:`~warmup_cli.errors.ConfigError` with ``path`` and, when known,
``line`` and ``column`` (1-based, in characters), made by :func:`config_error`.
"""

from __future__ import annotations

import bisect
import os
import re
import stat

from warmup_cli.configs.tree import Comment
from warmup_cli.errors import ConfigError

MAX_BYTES = 5 * 1024 * 1024
"""Files larger than this are refused (5 MB, with MB = 2**20 bytes)."""
MAX_DEPTH = 64
"""Deepest allowed nesting of mappings/sequences (the root is level 0)."""
MAX_NODES = 200_000
"""Most nodes one document may produce, counting every expansion of a YAML alias."""
BINARY_SNIFF = 8192
"""A NUL byte within this many leading bytes marks the file as binary."""
MAX_SHOWN_LINE = 200
"""A line longer than this is not quoted under an error message."""

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
    """Counts nodes and checks depth while a tree is built."""

    def __init__(self, path: str, lines: Lines) -> None:
        self.path = path
        self.lines = lines
        self.count = 0

    def fail(self, message: str, line: int, column: int) -> ConfigError:
        return config_error(self.path, message, line, column, self.lines.line_text(line))

    def take(self, depth: int, line: int, column: int) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.too_many(line, column)
        if depth > MAX_DEPTH:
            raise self.too_deep(line, column)

    def too_many(self, line: int, column: int) -> ConfigError:
        return self.fail(
            f"more than {MAX_NODES:,} values; the file is too big or expands aliases "
            "exponentially (a 'billion laughs' file?)",
            line,
            column,
        )

    def too_deep(self, line: int, column: int) -> ConfigError:
        return self.fail(f"nesting deeper than {MAX_DEPTH} levels", line, column)


# --------------------------------------------------------------------------------------------
# Reading and checking the text


def read_text(name: str) -> str:
    """The text of the file ``name``, refused when it is not a small UTF-8 text file."""
    try:
        st = os.stat(name)
        if stat.S_ISDIR(st.st_mode):
            raise config_error(name, "cannot read: Is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise config_error(name, "cannot read: not a regular file")
        if st.st_size > MAX_BYTES:
            raise config_error(name, _size_message(st.st_size))
        with open(name, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise config_error(name, f"cannot read: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise config_error(name, _size_message(max(len(data), st.st_size)))
    return _decode(name, data)


def check_text(name: str, text: str) -> str:
    """``text`` given in place of a file's contents, held to the same limits as a file."""
    if len(text) > MAX_BYTES:  # at least one byte per character
        raise config_error(name, _size_message(len(text.encode("utf-8", "surrogatepass"))))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:  # lone surrogates
        line, column = Lines(text).at(e.start)
        raise config_error(
            name, "text is not valid Unicode (a lone surrogate)", line, column
        ) from None
    if size > MAX_BYTES:
        raise config_error(name, _size_message(size))
    nul = text.find("\x00", 0, BINARY_SNIFF)
    if nul >= 0:
        raise config_error(
            name, f"binary file (NUL character at offset {nul}); expected a text config file"
        )
    return text.removeprefix("\ufeff")


def _size_message(size: int) -> str:
    mb = size / 2**20
    shown = f"{mb:.1f}"
    if float(shown) <= MAX_BYTES / 2**20:  # 5.0 MB would read as within the limit
        shown = f"{mb:.3f}"
    return f"file is {shown} MB; the limit is {MAX_BYTES // 2**20} MB"


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
