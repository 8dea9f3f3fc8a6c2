"""TOML files into a located tree: values from :func:`tomllib.loads`, positions (and the
comments) from a scanner over the same text, run first.

The scanner tracks table headers, arrays of tables, dotted/quoted keys, inline tables and
arrays. Dates and times become ISO strings. It is linear in the text: a dotted key or header
of more parts than the depth budget is refused at the first part too many (its value would
be nested too deeply anyway), so no path it builds is longer than that budget, and the
positions it records are counted against the node budget as they are found.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import tomllib

from warmup_cli.configs.text import (
    BREAKS_DEFAULT,
    LIMITS,
    Budget,
    Limits,
    Lines,
    config_error,
)
from warmup_cli.configs.tree import Comment, Node, NodeValue
from warmup_cli.errors import ConfigError

_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Unrolled, as in json_loader: no backtracking frame per character of a long string.
_TOML_BASIC = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_TOML_LITERAL = re.compile(r"'[^'\n]*'")
_TOML_ATOM = re.compile(r"[^,\]}#\r\n]+")
_TOML_LOCATION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")

_Path = tuple[str | int, ...]
_Positions = dict[_Path, tuple[int | None, int]]  # path -> (key index or None, value index)
# The scanner runs before tomllib, so on text tomllib may refuse; surprised, it stops there.
_SCAN_SURPRISES = (IndexError, ValueError, tomllib.TOMLDecodeError)


def load_toml(
    name: str, text: str, limits: Limits = LIMITS
) -> tuple[Node, tuple[Comment, ...]]:
    """The tree of ``text`` and its comments."""
    lines = Lines(text, BREAKS_DEFAULT)
    budget = Budget(name, lines, limits)
    scanner = _TomlScanner(text, budget)
    # The scanner runs first: tomllib needs time and memory quadratic in the parts of a dotted
    # key (a 20 KB one costs it 400 MB), and the scanner refuses keys deeper than the depth
    # budget, and files with more values than the node budget, in time linear in the text.
    # On a scanner surprise (text tomllib will refuse), positions stay partial; values fall
    # back to their table's position.
    with contextlib.suppress(*_SCAN_SURPRISES):
        scanner.run()
    try:
        value = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _decode_error(name, str(e), lines) from None
    except ValueError as e:
        raise config_error(name, f"invalid TOML: {e}") from None
    root = _build(value, (), 0, scanner.positions, budget)
    return root, _comments(lines, scanner.comments)


def _decode_error(name: str, message: str, lines: Lines) -> ConfigError:
    """tomllib puts the place at the end of its message: "... (at line 2, column 5)"."""
    m = _TOML_LOCATION.search(message)
    problem = message[: m.start()] if m else message
    if m is None:
        return config_error(name, f"invalid TOML: {problem}")
    if m.group(1):
        line, column = int(m.group(1)), int(m.group(2))
    else:
        line, column = lines.at(len(lines.text))
    return config_error(name, f"invalid TOML: {problem}", line, column, lines.line_text(line))


def _comments(lines: Lines, indices: list[int]) -> tuple[Comment, ...]:
    """The comments whose ``#`` the scanner saw, the first one of each line."""
    first: dict[int, int] = {}
    for index in indices:
        first.setdefault(lines.at(index)[0], index)
    return tuple(lines.comment(first[line]) for line in sorted(first))


class _TomlScanner:
    """Records where keys and values of a TOML text start (tomllib validates the text after).

    ``positions`` maps a concrete path (array-of-tables elements included as indices) to
    ``(key index or None, value index)``; ``comments`` lists the indices of comment ``#``s.
    """

    def __init__(self, text: str, budget: Budget) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.budget = budget
        self.positions: _Positions = {}
        self.comments: list[int] = []
        self.aot: dict[_Path, int] = {}

    def _skip(self, newlines: bool) -> None:
        text, n = self.text, self.n
        while self.i < n:
            c = text[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#":
                self.comments.append(self.i)
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
            else:
                return

    def run(self) -> None:
        table: _Path = ()
        while True:
            self._skip(newlines=True)
            if self.i >= self.n:
                return
            before = self.i
            if self.text.startswith("[[", self.i):
                table = self._header(array=True)
            elif self.text.startswith("[", self.i):
                table = self._header(array=False)
            else:
                self._keyval(table)
            if self.i == before:
                self.i += 1  # never loop on something unexpected

    def _keys(self) -> list[tuple[str, int]]:
        """A dotted key: each part with the index where it starts. A key of more parts than
        the depth budget is refused at the first part too many."""
        keys: list[tuple[str, int]] = []
        while True:
            self._skip(newlines=False)
            start = self.i
            found = self._key(start)
            if found is None:
                return keys
            if len(keys) >= self.budget.limits.max_depth:
                raise self.budget.too_deep(*self.budget.lines.at(start))
            keys.append((found[0], start))
            self.i = found[1]
            self._skip(newlines=False)
            if self.text.startswith(".", self.i):
                self.i += 1
                continue
            return keys

    def _key(self, start: int) -> tuple[str, int] | None:
        """One key part at ``start`` (bare, "basic" or 'literal') and where it ends."""
        text = self.text
        c = text[start] if start < self.n else ""
        if c == '"':
            m = _TOML_BASIC.match(text, start)
            if m is None:
                return None
            raw = m.group()
            key: str = tomllib.loads(f"k = {raw}")["k"] if "\\" in raw else raw[1:-1]
            return key, m.end()
        m = _TOML_LITERAL.match(text, start) if c == "'" else _TOML_BARE_KEY.match(text, start)
        if m is None:
            return None
        return (m.group()[1:-1] if c == "'" else m.group()), m.end()

    def _record(self, path: _Path, key: int | None, value: int, *, replace: bool) -> None:
        """Note where ``path`` starts (keeping an earlier note unless ``replace``). Every
        path noted is a node of the tree, so more of them than the node budget refuse it."""
        if replace or path not in self.positions:
            self.positions[path] = (key, value)
            if len(self.positions) >= self.budget.limits.max_nodes:  # the root is one more
                raise self.budget.too_many(*self.budget.lines.at(value))

    def _prefixes(self, names: list[str]) -> list[_Path]:
        """The concrete path of every prefix of a header's ``names``, in one pass: an array
        of tables on the way stands for its latest element."""
        concrete: _Path = ()
        paths: list[_Path] = []
        for name in names:
            concrete = (*concrete, name)
            if concrete in self.aot:
                concrete = (*concrete, self.aot[concrete])
            paths.append(concrete)
        return paths

    def _header(self, array: bool) -> _Path:
        bracket = self.i
        self.i += 2 if array else 1
        keys = self._keys()
        self._skip(newlines=False)
        self.i += 2 if array else 1  # "]]" or "]"
        if not keys:
            return ()
        names = [k for k, _ in keys]
        prefixes = self._prefixes(names)
        for (_, start), p in zip(keys[:-1], prefixes, strict=False):  # implicit parent tables
            self._record(p, start, start, replace=False)
        last_key = keys[-1][1]
        here = (*(prefixes[-2] if len(prefixes) > 1 else ()), names[-1])
        if array:
            index = self.aot.get(here, -1) + 1
            self.aot[here] = index
            self._record(here, last_key, bracket, replace=False)
            element = (*here, index)
            self._record(element, None, bracket, replace=True)
            return element
        self._record(prefixes[-1], last_key, bracket, replace=True)
        return prefixes[-1]

    def _keyval(self, table: _Path) -> None:
        keys = self._keys()
        if not keys:
            return
        self._skip(newlines=False)
        if self.text.startswith("=", self.i):
            self.i += 1
        self._skip(newlines=False)
        path = table
        for name, start in keys[:-1]:
            path = (*path, name)
            self._record(path, start, start, replace=False)
        path = (*path, keys[-1][0])
        self._record(path, keys[-1][1], self.i, replace=True)
        self._value(path)

    def _value(self, path: _Path) -> None:
        start = self.i
        if len(path) > self.budget.limits.max_depth:
            raise self.budget.too_deep(*self.budget.lines.at(start))
        c = self.text[start] if start < self.n else ""
        if c in "\"'":
            self._string()
        elif c == "[":
            self._array(path)
        elif c == "{":
            self._inline_table(path)
        else:
            m = _TOML_ATOM.match(self.text, start)
            self.i = m.end() if m else start + 1

    def _array(self, path: _Path) -> None:
        text = self.text
        self.i += 1
        index = 0
        while True:
            self._skip(newlines=True)
            if self.i >= self.n or text.startswith("]", self.i):
                self.i += 1
                return
            element = (*path, index)
            self._record(element, None, self.i, replace=True)
            before = self.i
            self._value(element)
            index += 1
            self._skip(newlines=True)
            if text.startswith(",", self.i) or self.i == before:
                self.i += 1

    def _inline_table(self, path: _Path) -> None:
        text = self.text
        self.i += 1
        while True:
            self._skip(newlines=True)
            if self.i >= self.n or text.startswith("}", self.i):
                self.i += 1
                return
            before = self.i
            self._keyval(path)
            self._skip(newlines=True)
            if text.startswith(",", self.i) or self.i == before:
                self.i += 1

    def _string(self) -> None:
        text, start = self.text, self.i
        for quote in ('"""', "'''"):
            if text.startswith(quote, start):
                self.i = self._multiline_end(quote, start + 3)
                return
        pattern = _TOML_BASIC if text[start] == '"' else _TOML_LITERAL
        m = pattern.match(text, start)
        self.i = m.end() if m else start + 1

    def _multiline_end(self, quote: str, j: int) -> int:
        """Where a multi-line string whose body starts at ``j`` ends; up to two quote
        characters right before the closing three belong to the string (``'''b''''``)."""
        text = self.text
        while j < self.n:
            if quote == '"""' and text[j] == "\\":
                j += 2
            elif text.startswith(quote, j):
                end = j + 3
                while end < self.n and text[end] == quote[0] and end - j < 5:
                    end += 1
                return end
            else:
                j += 1
        return self.n


def _build(value: object, path: _Path, depth: int, positions: _Positions, budget: Budget) -> Node:
    lines = budget.lines
    found = positions.get(path)
    if found is None and path:
        ancestor = path[:-1]
        while ancestor and ancestor not in positions:
            ancestor = ancestor[:-1]
        found = (None, positions[ancestor][1]) if ancestor else (None, 0)
    key_index, value_index = found if found is not None else (None, 0)
    line, column = lines.at(value_index) if path else (1, 1)
    budget.take(depth, line, column)
    key_line, key_column = lines.at(key_index) if key_index is not None else (None, None)
    built: NodeValue
    if isinstance(value, dict):
        built = {
            str(k): _build(v, (*path, str(k)), depth + 1, positions, budget)
            for k, v in value.items()
        }
    elif isinstance(value, list):
        built = [_build(v, (*path, i), depth + 1, positions, budget) for i, v in enumerate(value)]
    else:
        built = _scalar(value)
    return Node(built, line, column, key_line, key_column, path)


def _scalar(value: object) -> NodeValue:
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date too
        return value.isoformat()
    return str(value)
