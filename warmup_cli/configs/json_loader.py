"""JSON files into a located tree: values from :func:`json.loads`, positions from a small
scanner over the same (already validated) text. JSON has no comments."""

from __future__ import annotations

import json
import re

from warmup_cli.configs.text import (
    BREAKS_DEFAULT,
    LIMITS,
    Budget,
    Limits,
    Lines,
    config_error,
)
from warmup_cli.configs.tree import Comment, Node, NodeValue

_JSON_WS = re.compile(r"[ \t\n\r]*")
# Unrolled ("normal* (special normal*)*"): a long string is one run of a character class, where
# the alternation form would keep a backtracking frame per character (700 MB for 5 MB).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_ATOM = re.compile(r"[^,\]}\s]+")

# A position tree: (start index, dict of key -> (key index, child) | list of children | None)
_JPos = tuple[int, "dict[str, tuple[int, _JPos]] | list[_JPos] | None"]


def load_json(
    name: str, text: str, limits: Limits = LIMITS
) -> tuple[Node, tuple[Comment, ...]]:
    """The tree of ``text``; the comments are always none."""
    lines = Lines(text, BREAKS_DEFAULT)
    budget = Budget(name, lines, limits)
    try:
        value = json.loads(text)
    except RecursionError:
        _JsonScanner(text, budget).value(0)  # raises a located "nesting deeper than" error
        raise
    except json.JSONDecodeError as e:
        raise config_error(
            name, f"invalid JSON: {e.msg}", e.lineno, e.colno, lines.line_text(e.lineno)
        ) from None
    except ValueError as e:  # e.g. integers with more than 4300 digits
        raise config_error(name, f"invalid JSON: {e}") from None
    positions = _JsonScanner(text, budget).value(0)
    return _build(value, positions, (), 0, None, budget), ()


class _JsonScanner:
    """Finds where each value of an already-validated JSON text starts.

    Values are counted as they are found, in the order the tree is built, so a file with too
    many is refused at the same value before its position tree grows any further."""

    def __init__(self, text: str, budget: Budget) -> None:
        self.text = text
        self.i = 0
        self.budget = budget
        self.count = 0

    def _ws(self) -> int:
        m = _JSON_WS.match(self.text, self.i)
        self.i = m.end() if m else self.i
        return self.i

    def value(self, depth: int) -> _JPos:
        text = self.text
        start = self._ws()
        self.count += 1
        if self.count > self.budget.limits.max_nodes:
            raise self.budget.too_many(*self.budget.lines.at(start))
        if depth > self.budget.limits.max_depth:
            raise self.budget.too_deep(*self.budget.lines.at(start))
        c = text[start] if start < len(text) else ""
        if c == "{":
            return self._object(start, depth)
        if c == "[":
            return self._array(start, depth)
        m = _JSON_STRING.match(text, start) if c == '"' else _JSON_ATOM.match(text, start)
        self.i = m.end() if m else start + 1
        return (start, None)

    def _object(self, start: int, depth: int) -> _JPos:
        text = self.text
        self.i = start + 1
        keys: dict[str, tuple[int, _JPos]] = {}
        if text.startswith("}", self._ws()):
            self.i += 1
            return (start, keys)
        while True:
            kstart = self._ws()
            m = _JSON_STRING.match(text, kstart)
            if m is None:
                return (start, keys)
            raw = m.group()
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            self.i = m.end()
            if text.startswith(":", self._ws()):
                self.i += 1
            keys[key] = (kstart, self.value(depth + 1))
            j = self._ws()
            self.i = j + 1
            if not text.startswith(",", j):
                return (start, keys)

    def _array(self, start: int, depth: int) -> _JPos:
        text = self.text
        self.i = start + 1
        items: list[_JPos] = []
        if text.startswith("]", self._ws()):
            self.i += 1
            return (start, items)
        while True:
            items.append(self.value(depth + 1))
            j = self._ws()
            self.i = j + 1
            if not text.startswith(",", j):
                return (start, items)


def _build(
    value: object,
    pos: _JPos,
    path: tuple[str | int, ...],
    depth: int,
    key_index: int | None,
    budget: Budget,
) -> Node:
    lines = budget.lines
    line, column = lines.at(pos[0])
    budget.take(depth, line, column)
    key_line, key_column = lines.at(key_index) if key_index is not None else (None, None)
    children = pos[1]
    built: NodeValue
    if isinstance(value, dict):
        keyed = children if isinstance(children, dict) else {}
        built = {}
        for k, v in value.items():
            kpos, vpos = keyed.get(k, (pos[0], (pos[0], None)))
            built[k] = _build(v, vpos, (*path, k), depth + 1, kpos, budget)
    elif isinstance(value, list):
        listed = children if isinstance(children, list) else []
        built = [
            _build(
                v,
                listed[i] if i < len(listed) else (pos[0], None),
                (*path, i),
                depth + 1,
                None,
                budget,
            )
            for i, v in enumerate(value)
        ]
    else:
        built = _scalar(value)
    return Node(built, line, column, key_line, key_column, path)


def _scalar(value: object) -> NodeValue:
    # json.loads gives only these scalar types.
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"json.loads gave a {type(value).__name__}")
