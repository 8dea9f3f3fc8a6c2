"""Read YAML, JSON, TOML and Python config files into a tree of located :class:`Node` objects.

The files come from strangers, so reading them is bounded and never runs their code:

* YAML is composed with PyYAML's safe loader (the libyaml one when available) and the tree is
  built from the composed node graph; scalars get SafeLoader's YAML 1.1 meaning (so ``2e-05``
  stays a ``str``; :meth:`Node.as_number` reads it; ``yes``/``on`` are bools). Keys keep their
  text (``on:`` is the key ``"on"``). Timestamps, ``!!binary`` and custom tags (``!ENV ...``)
  keep their text. Aliases and ``<<`` merge keys are expanded while building, with a cap on
  the total number of nodes, so "billion laughs" files fail fast; an expanded alias keeps the
  positions where its anchor was written (the key that uses it keeps its own position).
  Duplicate keys: the last one wins. Multi-document files: the first non-empty document.
* JSON values come from :func:`json.loads`; positions from a small scanner over the same text.
* TOML values come from :func:`tomllib.loads`; positions from a scanner that tracks table
  headers, arrays of tables, dotted/quoted keys, inline tables and arrays. Dates and times
  become ISO strings.
* Python is read with :func:`ast.parse` only (never imported or executed): module-level
  ``NAME = ...`` (and annotated) assignments become the keys of the root mapping; literals
  convert (tuples become lists); ``dict(k=v)`` gives a mapping and ``Class(k=v)`` or
  detectron2's ``L(Class)(k=v)`` a mapping with an extra first key ``"type"`` holding the
  dotted callee name (an explicit ``type=`` keyword wins); constant arithmetic is folded with
  bounded work; a name assigned earlier at module level resolves to a copy of its value whose
  root sits at the place of use. Everything else becomes an :class:`Unresolved` value that
  keeps its source text and a reason, and so does a name assigned inside a module-level
  ``if``/``for``/``try``/``with`` block.

Every problem ends as a :class:`~warmup_cli.errors.ConfigError` whose message starts with
``path:line:column:`` when the place is known; no traceback escapes :func:`load_document`.
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import io
import json
import os
import re
import stat
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union, cast

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from warmup_cli.errors import ConfigError
from warmup_cli.expr import (
    BINOP_SYMBOLS,
    MAX_INT_BITS,
    BoundError,
    checked_mul,
    checked_pow,
    dotted_name,
)

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the tomli backport has the same API, if installed
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

Format = Literal["yaml", "json", "toml", "python"]

MAX_BYTES = 5 * 1024 * 1024
"""Files larger than this are refused (5 MB, with MB = 2**20 bytes)."""
MAX_DEPTH = 64
"""Deepest allowed nesting of mappings/sequences (the root is level 0)."""
MAX_NODES = 200_000
"""Most nodes one document may produce, counting every expansion of a YAML alias."""
BINARY_SNIFF = 8192
"""A NUL byte within this many leading bytes marks the file as binary."""

# Python constant folding refuses integer results of more than MAX_INT_BITS bits (the bound
# of the expression sandbox, checked before computing with the sandbox's own checks), string
# concatenations longer than MAX_STR_FOLD and arithmetic nested deeper than MAX_EXPR_DEPTH.
MAX_STR_FOLD = 100_000
MAX_EXPR_DEPTH = 100
MAX_SOURCE = 1000  # Unresolved.source is cut to this many characters
_BOUNDED_MUL = checked_mul()  # the sandbox's a * b and a ** b: BoundError past MAX_INT_BITS
_BOUNDED_POW = checked_pow()

SUFFIX_FORMATS: dict[str, Format] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".py": "python",
}
FORMATS: tuple[Format, ...] = ("yaml", "json", "toml", "python")


# --------------------------------------------------------------------------------------------
# Public data types


@dataclass(frozen=True)
class Unresolved:
    """A Python config value that is not a literal, kept as text instead of being evaluated."""

    source: str
    """The source text of the expression, e.g. ``"_base_.lr_start_factor"``."""
    reason: str
    """Why it was not resolved, as a verb phrase, e.g. ``"refers to _base_"``."""


NodeValue = Union["dict[str, Node]", "list[Node]", str, int, float, bool, None, Unresolved]
"""What a :class:`Node` holds: a mapping, a sequence, a scalar or an unevaluated expression."""


@dataclass(slots=True, repr=False)
class Node:
    """One value of a config file, with its place in the file and in the tree.

    ``value`` is a ``dict[str, Node]`` for mappings, a ``list[Node]`` for sequences, the Python
    value for scalars (``int``, ``float``, ``str``, ``bool`` or ``None``) and an
    :class:`Unresolved` for Python expressions that were not evaluated. Lines and columns are
    1-based; columns count characters, not bytes. The typed accessors (``as_mapping``,
    ``as_sequence``, ``as_str``, ``as_number``...) answer ``None`` for a value of another type,
    so readers never cast.
    """

    value: NodeValue
    line: int
    column: int
    key_line: int | None = None
    key_column: int | None = None
    path: tuple[str | int, ...] = ()

    def get(self, key: str) -> Node | None:
        """The child under ``key`` when this node is a mapping, else ``None``."""
        value = self.value
        return value.get(key) if isinstance(value, dict) else None

    def as_mapping(self) -> dict[str, Node] | None:
        value = self.value
        return value if isinstance(value, dict) else None

    def as_sequence(self) -> list[Node] | None:
        value = self.value
        return value if isinstance(value, list) else None

    def as_str(self) -> str | None:
        value = self.value
        return value if isinstance(value, str) else None

    def as_bool(self) -> bool | None:
        value = self.value
        return value if isinstance(value, bool) else None

    def as_unresolved(self) -> Unresolved | None:
        value = self.value
        return value if isinstance(value, Unresolved) else None

    def as_number(self) -> float | int | None:
        """The value as a number, or ``None``.

        Accepts ints and floats (never bools), and strings that are numbers in YAML 1.2, JSON or
        Python syntax, such as ``"2e-05"`` or ``"1e-4"``, which PyYAML's YAML 1.1 resolver
        leaves as strings. ``inf``/``nan`` spelled as strings are not numbers here.
        """
        return _number(self.value)

    def as_number_list(self) -> list[float | int] | None:
        """The value as a list of numbers, or ``None``.

        Accepts real sequences whose items all pass :meth:`as_number`, and strings holding a
        parenthesized or bracketed list of numbers, such as detectron2's ``STEPS: (60000, 80000)``
        which YAML reads as the string ``"(60000, 80000)"``.
        """
        value = self.value
        if isinstance(value, list):
            numbers: list[float | int] = []
            for item in value:
                number = item.as_number()
                if number is None:
                    return None
                numbers.append(number)
            return numbers
        if isinstance(value, str):
            return _number_list(value)
        return None

    def walk(self) -> Iterator[Node]:
        """Every node of this subtree, in pre-order (this node first, children in order)."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            value = node.value
            if isinstance(value, dict):
                stack.extend(reversed(list(value.values())))
            elif isinstance(value, list):
                stack.extend(reversed(value))

    @property
    def location(self) -> tuple[int, int]:
        """Where a finding about this value should point: its key if it has one, else itself."""
        if self.key_line is not None and self.key_column is not None:
            return (self.key_line, self.key_column)
        return (self.line, self.column)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, list)

    def to_python(self) -> object:
        """The plain Python value of this subtree (dicts, lists, scalars, Unresolved)."""
        value = self.value
        if isinstance(value, dict):
            return {k: v.to_python() for k, v in value.items()}
        if isinstance(value, list):
            return [v.to_python() for v in value]
        return value

    def __repr__(self) -> str:
        value = self.value
        if isinstance(value, dict):
            shown = f"<mapping of {len(value)}>"
        elif isinstance(value, list):
            shown = f"<sequence of {len(value)}>"
        else:
            shown = repr(value)
        return f"Node({shown}, path={self.path!r}, at={self.line}:{self.column})"


@dataclass
class Document:
    """A loaded config file."""

    path: str
    format: Format
    root: Node
    text: str
    suppressions: dict[int, frozenset[str] | None]
    """Line -> codes suppressed on that line by ``# warmup: noqa[: CODES]`` (None = all)."""


def suppressed(doc: Document, line: int, code: str) -> bool:
    """Whether a finding ``code`` reported on ``line`` is silenced by a noqa comment there."""
    if line not in doc.suppressions:
        return False
    codes = doc.suppressions[line]
    return codes is None or code.upper() in codes


# --------------------------------------------------------------------------------------------
# Numbers in strings

_DEC = r"[0-9](?:_?[0-9])*"
_INT_RE = re.compile(rf"[-+]?{_DEC}")
_FLOAT_RE = re.compile(rf"[-+]?(?:{_DEC}(?:\.(?:{_DEC})?)?|\.{_DEC})(?:[eE][-+]?{_DEC})?")
_RADIX_RE = re.compile(
    r"[-+]?0(?:[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|[oO][0-7](?:_?[0-7])*|[bB][01](?:_?[01])*)"
)
_LIST_RE = re.compile(r"\s*(?:\((?P<p>.*)\)|\[(?P<b>.*)\])\s*", re.DOTALL)


def _number(value: object) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return _parse_number(value)
    return None


def _parse_number(text: str) -> float | int | None:
    s = text.strip()
    if not s or len(s) > 100:
        return None
    try:
        if _INT_RE.fullmatch(s):
            return int(s)
        if _RADIX_RE.fullmatch(s):
            return int(s, 0)
        if _FLOAT_RE.fullmatch(s):
            return float(s)
    except ValueError:
        return None
    return None


def _number_list(text: str) -> list[float | int] | None:
    if len(text) > 100_000:
        return None
    m = _LIST_RE.fullmatch(text)
    if m is None:
        return None
    inner = m.group("p") if m.group("p") is not None else m.group("b")
    parts = inner.split(",")
    if parts and not parts[-1].strip():
        parts.pop()  # "(60000,)" and "()"
    numbers: list[float | int] = []
    for part in parts:
        n = _parse_number(part)
        if n is None:
            return None
        numbers.append(n)
    return numbers


# --------------------------------------------------------------------------------------------
# Shared helpers: positions, errors, budget

_BREAKS_DEFAULT = re.compile(r"\r\n|\r|\n")
_BREAKS_YAML = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class _Lines:
    """Maps character offsets to 1-based (line, column)."""

    def __init__(self, text: str, breaks: re.Pattern[str] = _BREAKS_DEFAULT) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in breaks.finditer(text)]

    def at(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n\x85\u2028\u2029")


def _error(
    path: str,
    message: str,
    line: int | None = None,
    column: int | None = None,
    line_text: str | None = None,
    hint: str | None = None,
) -> ConfigError:
    where = path if line is None else f"{path}:{line}:{column or 1}"
    source = None
    caret = None
    if line_text is not None and column is not None and len(line_text) <= 200:
        source = line_text.replace("\t", " ")
        caret = column - 1
    return ConfigError(f"{where}: {message}", source=source, column=caret, hint=hint)


class _Budget:
    """Counts nodes and checks depth while a tree is built."""

    def __init__(self, path: str, lines: _Lines) -> None:
        self.path = path
        self.lines = lines
        self.count = 0

    def fail(self, message: str, line: int, column: int) -> ConfigError:
        return _error(self.path, message, line, column, self.lines.line_text(line))

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


def _empty_root() -> Node:
    return Node({}, 1, 1, None, None, ())


# --------------------------------------------------------------------------------------------
# Entry point


def load_document(
    path: str | Path, *, text: str | None = None, format: str | None = None
) -> Document:
    """Read and parse one config file.

    ``text`` gives the contents instead of reading ``path`` (which then only names the file in
    messages and picks the format); ``format`` (``"yaml"``, ``"json"``, ``"toml"`` or
    ``"python"``) overrides the choice by file suffix.

    Multi-document YAML: the first non-empty document is used and the others are ignored (not
    parsed further). An empty (or whitespace-only) file gives an empty mapping as its root.

    Raises :class:`ConfigError` (exit code 2) for unreadable, oversized, binary, non-UTF-8,
    invalid, too deeply nested or too large files, with ``path:line:column`` where known.
    """
    name = str(path)
    fmt = _choose_format(name, format)
    text = _read_text(name) if text is None else _check_text(name, text)
    try:
        if not text.strip():
            root = _empty_root()
            if fmt == "json":
                return Document(name, fmt, root, text, {})
            return Document(name, fmt, root, text, _suppressions(fmt, text, None))
        if fmt == "yaml":
            root, spans = _load_yaml(name, text)
            return Document(name, fmt, root, text, _suppressions(fmt, text, spans))
        if fmt == "json":
            return Document(name, fmt, _load_json(name, text), text, {})
        if fmt == "toml":
            root, comments = _load_toml(name, text)
            return Document(name, fmt, root, text, _suppressions(fmt, text, comments))
        root = _load_python(name, text)
        return Document(name, fmt, root, text, _suppressions(fmt, text, None))
    except RecursionError:
        raise _error(
            name, f"nested too deeply for the parser (the limit is {MAX_DEPTH} levels)"
        ) from None
    except MemoryError:
        raise _error(name, "file needs too much memory to read") from None


def _choose_format(name: str, format: str | None) -> Format:
    if format is not None:
        fmt = format.lower()
        if fmt == "yml":
            fmt = "yaml"
        if fmt not in FORMATS:
            raise _error(
                name, f"unknown config format {format!r}; expected one of {', '.join(FORMATS)}"
            )
        return cast(Format, fmt)
    suffix = os.path.splitext(name)[1].lower()
    fmt2 = SUFFIX_FORMATS.get(suffix)
    if fmt2 is None:
        shown = repr(suffix) if suffix else "(no suffix)"
        raise _error(
            name,
            f"unsupported file type {shown}; expected one of {', '.join(SUFFIX_FORMATS)}",
        )
    return fmt2


def _size_message(size: int) -> str:
    mb = size / 2**20
    shown = f"{mb:.1f}"
    if float(shown) <= MAX_BYTES / 2**20:
        shown = f"{mb:.3f}"
    return f"file is {shown} MB; the limit is {MAX_BYTES // 2**20} MB"


def _read_text(name: str) -> str:
    try:
        st = os.stat(name)
        if stat.S_ISDIR(st.st_mode):
            raise _error(name, "cannot read: Is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise _error(name, "cannot read: not a regular file")
        if st.st_size > MAX_BYTES:
            raise _error(name, _size_message(st.st_size))
        with open(name, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise _error(name, f"cannot read: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise _error(name, _size_message(max(len(data), st.st_size)))
    return _decode(name, data)


def _decode(name: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(name, "file is UTF-16 text; save it as UTF-8")
    nul = data.find(b"\x00", 0, BINARY_SNIFF)
    if nul >= 0:
        raise _error(name, f"binary file (NUL byte at offset {nul}); expected a text config file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        line_start = data.rfind(b"\n", 0, e.start) + 1
        column = len(data[line_start : e.start].decode("utf-8", "replace")) + 1
        raise _error(
            name,
            f"file is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start} is "
            "invalid); save it as UTF-8",
            line,
            column,
        ) from None
    return text.removeprefix("\ufeff")


def _check_text(name: str, text: str) -> str:
    if len(text) > MAX_BYTES:  # at least one byte per character
        raise _error(name, _size_message(len(text.encode("utf-8", "surrogatepass"))))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:  # lone surrogates
        line, column = _Lines(text).at(e.start)
        raise _error(name, "text is not valid Unicode (a lone surrogate)", line, column) from None
    if size > MAX_BYTES:
        raise _error(name, _size_message(size))
    nul = text.find("\x00", 0, BINARY_SNIFF)
    if nul >= 0:
        raise _error(
            name, f"binary file (NUL character at offset {nul}); expected a text config file"
        )
    return text.removeprefix("\ufeff")


# --------------------------------------------------------------------------------------------
# YAML

_YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _TAG + "merge"
_NULL_TAG = _TAG + "null"
_CONSTRUCTED_TAGS = {_TAG + t for t in ("null", "bool", "int", "float")}


def _load_yaml(name: str, text: str) -> tuple[Node, list[tuple[int, int]]]:
    """Build the tree of the first non-empty document; also return the scalar spans."""
    lines = _Lines(text, _BREAKS_YAML)
    try:
        loader = _YAML_LOADER(text)
        try:
            composed = None
            while loader.check_node():
                candidate = loader.get_node()
                if not _yaml_empty(candidate):
                    composed = candidate
                    break
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        message = f"invalid YAML: {e.problem or e.context or 'cannot parse'}"
        if e.context and e.problem and e.context_mark is not None:
            cm = e.context_mark
            message += f" ({e.context} at line {cm.line + 1}, column {cm.column + 1})"
        if mark is None:
            raise _error(name, message) from None
        raise _error(
            name, message, mark.line + 1, mark.column + 1, lines.line_text(mark.line + 1)
        ) from None
    except yaml.reader.ReaderError as e:
        line, column = lines.at(e.position)
        char = e.character if isinstance(e.character, str) else chr(e.character)
        raise _error(
            name, f"invalid YAML: {e.reason} ({char!r})", line, column, lines.line_text(line)
        ) from None
    except yaml.YAMLError as e:
        raise _error(name, f"invalid YAML: {e}") from None
    if composed is None:
        return _empty_root(), []
    builder = _YamlBuilder(name, lines, spans=_NOQA_HINT.search(text) is not None)
    if "&" in text:  # without anchors there are no aliases to expand
        builder.precheck(composed)
    root = builder.build(composed, (), 0, None)
    return root, builder.scalar_spans()


def _yaml_empty(node: yaml.Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


class _YamlBuilder:
    def __init__(self, name: str, lines: _Lines, spans: bool) -> None:
        self.budget = _Budget(name, lines)
        self.ctor = SafeConstructor()
        self.want_spans = spans  # only needed to find noqa comments
        self.spans: dict[int, tuple[int, int]] = {}  # id(scalar) -> (start, end) char indices
        self.work = 0

    def precheck(self, root: yaml.Node) -> None:
        """Fail fast when aliases would expand the tree past MAX_NODES.

        The composed graph shares aliased nodes, so its expanded size is computed in time
        linear in the graph; the error points at the smallest node that is too big (for a
        "billion laughs" file, the anchor whose copies explode)."""
        sizes: dict[int, int] = {}
        active: set[int] = set()

        def size(ynode: yaml.Node, depth: int) -> int:
            known = sizes.get(id(ynode))
            if known is not None:
                return known
            if depth > MAX_DEPTH or id(ynode) in active:
                return 1  # the builder reports the nesting (or recursive alias) itself
            active.add(id(ynode))
            total = 1
            if isinstance(ynode, SequenceNode):
                for child in ynode.value:
                    total = min(total + size(child, depth + 1), MAX_NODES + 1)
            elif isinstance(ynode, MappingNode):
                for _, child in ynode.value:
                    total = min(total + size(child, depth + 1), MAX_NODES + 1)
            active.discard(id(ynode))
            sizes[id(ynode)] = total
            return total

        if size(root, 0) <= MAX_NODES:
            return
        culprit = root
        while True:
            children = (
                culprit.value
                if isinstance(culprit, SequenceNode)
                else [v for _, v in culprit.value]
                if isinstance(culprit, MappingNode)
                else []
            )
            bigger = next((c for c in children if sizes.get(id(c), 0) > MAX_NODES), None)
            if bigger is None:
                break
            culprit = bigger
        mark = culprit.start_mark
        raise self.budget.too_many(mark.line + 1, mark.column + 1)

    def scalar_spans(self) -> list[tuple[int, int]]:
        return sorted(self.spans.values())

    def build(
        self,
        ynode: yaml.Node,
        path: tuple[str | int, ...],
        depth: int,
        key: yaml.Node | None,
    ) -> Node:
        mark = ynode.start_mark
        line, column = mark.line + 1, mark.column + 1
        self.budget.take(depth, line, column)
        key_line = key_column = None
        if key is not None:
            key_line, key_column = key.start_mark.line + 1, key.start_mark.column + 1
        if isinstance(ynode, ScalarNode):
            self._span(ynode)
            return Node(self._scalar(ynode), line, column, key_line, key_column, path)
        if isinstance(ynode, SequenceNode):
            items: list[Node] = []
            node = Node(items, line, column, key_line, key_column, path)
            for i, child in enumerate(ynode.value):
                items.append(self.build(child, (*path, i), depth + 1, None))
            return node
        if isinstance(ynode, MappingNode):
            mapping: dict[str, Node] = {}
            node = Node(mapping, line, column, key_line, key_column, path)
            for knode, vnode in self._pairs(ynode, depth, set()):
                k = self._key(knode)
                mapping[k] = self.build(vnode, (*path, k), depth + 1, knode)
            return node
        raise self.budget.fail("invalid YAML: unknown node kind", line, column)

    def _span(self, ynode: ScalarNode) -> None:
        if self.want_spans:
            self.spans[id(ynode)] = (ynode.start_mark.index, ynode.end_mark.index)

    def _scalar(self, ynode: ScalarNode) -> object:
        if ynode.tag not in _CONSTRUCTED_TAGS:
            # str, timestamps, binary and unknown (custom) tags keep their text.
            return ynode.value
        try:
            return self.ctor.yaml_constructors[ynode.tag](self.ctor, ynode)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            mark = ynode.start_mark
            raise self.budget.fail(
                f"invalid YAML: cannot read {ynode.value!r} as {ynode.tag.removeprefix(_TAG)}",
                mark.line + 1,
                mark.column + 1,
            ) from None

    def _key(self, knode: yaml.Node) -> str:
        if isinstance(knode, ScalarNode):
            self._span(knode)
            return str(knode.value)
        mark = knode.start_mark
        raise self.budget.fail(
            "unsupported YAML key: a mapping key must be a plain value, not a collection",
            mark.line + 1,
            mark.column + 1,
        )

    def _pairs(
        self, mnode: MappingNode, depth: int, active: set[int]
    ) -> list[tuple[yaml.Node, yaml.Node]]:
        """Key/value pairs with ``<<`` merge keys flattened as PyYAML does (explicit keys win)."""
        mark = mnode.start_mark
        if id(mnode) in active or depth > MAX_DEPTH:
            raise self.budget.fail(
                "invalid YAML: recursive merge key", mark.line + 1, mark.column + 1
            )
        active = active | {id(mnode)}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for knode, vnode in mnode.value:
            self.work += 1
            if self.work > 2 * MAX_NODES:
                raise self.budget.too_many(mark.line + 1, mark.column + 1)
            if knode.tag == _MERGE_TAG:
                self._span(knode)
                if isinstance(vnode, MappingNode):
                    merged.extend(self._pairs(vnode, depth + 1, active))
                elif isinstance(vnode, SequenceNode):
                    subs: list[list[tuple[yaml.Node, yaml.Node]]] = []
                    for sub in vnode.value:
                        if not isinstance(sub, MappingNode):
                            m = sub.start_mark
                            raise self.budget.fail(
                                "invalid YAML: a merge key needs mappings", m.line + 1, m.column + 1
                            )
                        subs.append(self._pairs(sub, depth + 1, active))
                    for pairs in reversed(subs):
                        merged.extend(pairs)
                else:
                    m = vnode.start_mark
                    raise self.budget.fail(
                        "invalid YAML: a merge key needs a mapping", m.line + 1, m.column + 1
                    )
            else:
                explicit.append((knode, vnode))
        return merged + explicit if merged else explicit


# --------------------------------------------------------------------------------------------
# JSON

_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_ATOM = re.compile(r"[^,\]}\s]+")

# A position tree: (start index, dict of key -> (key index, child) | list of children | None)
_JPos = tuple[int, "dict[str, tuple[int, _JPos]] | list[_JPos] | None"]


def _load_json(name: str, text: str) -> Node:
    lines = _Lines(text, _BREAKS_DEFAULT)
    budget = _Budget(name, lines)
    try:
        value = json.loads(text)
    except RecursionError:
        _JsonScanner(text, budget).value(0)  # raises a located "nesting deeper than" error
        raise
    except json.JSONDecodeError as e:
        raise _error(
            name, f"invalid JSON: {e.msg}", e.lineno, e.colno, lines.line_text(e.lineno)
        ) from None
    except ValueError as e:  # e.g. integers with more than 4300 digits
        raise _error(name, f"invalid JSON: {e}") from None
    positions = _JsonScanner(text, budget).value(0)
    return _build_json(value, positions, (), 0, None, budget)


class _JsonScanner:
    """Finds where each value of an already-validated JSON text starts."""

    def __init__(self, text: str, budget: _Budget) -> None:
        self.text = text
        self.i = 0
        self.budget = budget

    def _ws(self) -> int:
        m = _JSON_WS.match(self.text, self.i)
        self.i = m.end() if m else self.i
        return self.i

    def value(self, depth: int) -> _JPos:
        text = self.text
        start = self._ws()
        if depth > MAX_DEPTH:
            raise self.budget.too_deep(*self.budget.lines.at(start))
        c = text[start] if start < len(text) else ""
        if c == "{":
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
        if c == "[":
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
        m = _JSON_STRING.match(text, start) if c == '"' else _JSON_ATOM.match(text, start)
        self.i = m.end() if m else start + 1
        return (start, None)


def _build_json(
    value: object,
    pos: _JPos,
    path: tuple[str | int, ...],
    depth: int,
    key_index: int | None,
    budget: _Budget,
) -> Node:
    lines = budget.lines
    line, column = lines.at(pos[0])
    budget.take(depth, line, column)
    key_line, key_column = lines.at(key_index) if key_index is not None else (None, None)
    children = pos[1]
    if isinstance(value, dict):
        mapping: dict[str, Node] = {}
        keyed = children if isinstance(children, dict) else {}
        for k, v in value.items():
            kpos, vpos = keyed.get(k, (pos[0], (pos[0], None)))
            mapping[k] = _build_json(v, vpos, (*path, k), depth + 1, kpos, budget)
        return Node(mapping, line, column, key_line, key_column, path)
    if isinstance(value, list):
        listed = children if isinstance(children, list) else []
        items = [
            _build_json(
                v,
                listed[i] if i < len(listed) else (pos[0], None),
                (*path, i),
                depth + 1,
                None,
                budget,
            )
            for i, v in enumerate(value)
        ]
        return Node(items, line, column, key_line, key_column, path)
    return Node(value, line, column, key_line, key_column, path)


# --------------------------------------------------------------------------------------------
# TOML

_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_BASIC = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_TOML_LITERAL = re.compile(r"'[^'\n]*'")
_TOML_ATOM = re.compile(r"[^,\]}#\r\n]+")
_TOML_LOCATION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def _load_toml(name: str, text: str) -> tuple[Node, list[int]]:
    if tomllib is None:
        raise _error(name, "reading TOML needs Python 3.11 or later (or the tomli package)")
    lines = _Lines(text, _BREAKS_DEFAULT)
    budget = _Budget(name, lines)
    scanner = _TomlScanner(text, budget)
    try:
        value = tomllib.loads(text)
    except RecursionError:
        with contextlib.suppress(IndexError, ValueError, tomllib.TOMLDecodeError):
            scanner.run()  # raises a located "nesting deeper than" error
        raise
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        m = _TOML_LOCATION.search(message)
        problem = message[: m.start()] if m else message
        if m and m.group(1):
            line, column = int(m.group(1)), int(m.group(2))
        elif m:
            line, column = lines.at(len(text))
        else:
            raise _error(name, f"invalid TOML: {problem}") from None
        raise _error(
            name, f"invalid TOML: {problem}", line, column, lines.line_text(line)
        ) from None
    except ValueError as e:
        raise _error(name, f"invalid TOML: {e}") from None
    # On a scanner surprise, positions stay partial; values fall back to their table's position.
    with contextlib.suppress(IndexError, ValueError, tomllib.TOMLDecodeError):
        scanner.run()
    root = _build_toml(value, (), 0, scanner.positions, budget)
    return root, scanner.comments


class _TomlScanner:
    """Records where keys and values of an already-validated TOML text start.

    ``positions`` maps a concrete path (array-of-tables elements included as indices) to
    ``(key index or None, value index)``; ``comments`` lists the indices of comment ``#``s.
    """

    def __init__(self, text: str, budget: _Budget) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.budget = budget
        self.positions: dict[tuple[str | int, ...], tuple[int | None, int]] = {}
        self.comments: list[int] = []
        self.aot: dict[tuple[str | int, ...], int] = {}

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
        table: tuple[str | int, ...] = ()
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
        keys: list[tuple[str, int]] = []
        text = self.text
        while True:
            self._skip(newlines=False)
            start = self.i
            c = text[start] if start < self.n else ""
            if c == '"':
                m = _TOML_BASIC.match(text, start)
                if m is None:
                    return keys
                raw = m.group()
                key = tomllib.loads(f"k = {raw}")["k"] if "\\" in raw else raw[1:-1]
            elif c == "'":
                m = _TOML_LITERAL.match(text, start)
                if m is None:
                    return keys
                key = m.group()[1:-1]
            else:
                m = _TOML_BARE_KEY.match(text, start)
                if m is None:
                    return keys
                key = m.group()
            keys.append((key, start))
            self.i = m.end()
            self._skip(newlines=False)
            if text.startswith(".", self.i):
                self.i += 1
                continue
            return keys

    def _resolve(self, names: list[str]) -> tuple[str | int, ...]:
        concrete: tuple[str | int, ...] = ()
        for name in names:
            concrete = (*concrete, name)
            if concrete in self.aot:
                concrete = (*concrete, self.aot[concrete])
        return concrete

    def _header(self, array: bool) -> tuple[str | int, ...]:
        bracket = self.i
        self.i += 2 if array else 1
        keys = self._keys()
        self._skip(newlines=False)
        self.i += 2 if array else 1  # "]]" or "]"
        if not keys:
            return ()
        names = [k for k, _ in keys]
        prefix = self._resolve(names[:-1])
        for j in range(len(keys) - 1):  # implicitly created parent tables
            p = self._resolve(names[: j + 1])
            self.positions.setdefault(p, (keys[j][1], keys[j][1]))
        last_key = keys[-1][1]
        here = (*prefix, names[-1])
        if array:
            index = self.aot.get(here, -1) + 1
            self.aot[here] = index
            self.positions.setdefault(here, (last_key, bracket))
            element = (*here, index)
            self.positions[element] = (None, bracket)
            return element
        here = self._resolve(names)
        self.positions[here] = (last_key, bracket)
        return here

    def _keyval(self, table: tuple[str | int, ...]) -> None:
        keys = self._keys()
        if not keys:
            return
        self._skip(newlines=False)
        if self.text.startswith("=", self.i):
            self.i += 1
        self._skip(newlines=False)
        for j in range(len(keys) - 1):
            self.positions.setdefault(
                (*table, *(k for k, _ in keys[: j + 1])), (keys[j][1], keys[j][1])
            )
        path = (*table, *(k for k, _ in keys))
        self.positions[path] = (keys[-1][1], self.i)
        self._value(path)

    def _value(self, path: tuple[str | int, ...]) -> None:
        text = self.text
        start = self.i
        if len(path) > MAX_DEPTH:
            raise self.budget.too_deep(*self.budget.lines.at(start))
        c = text[start] if start < self.n else ""
        if c in "\"'":
            self._string()
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self._skip(newlines=True)
                if self.i >= self.n or text.startswith("]", self.i):
                    self.i += 1
                    return
                element = (*path, index)
                self.positions[element] = (None, self.i)
                before = self.i
                self._value(element)
                index += 1
                self._skip(newlines=True)
                if text.startswith(",", self.i) or self.i == before:
                    self.i += 1
        elif c == "{":
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
        else:
            m = _TOML_ATOM.match(text, start)
            self.i = m.end() if m else start + 1

    def _string(self) -> None:
        text, start = self.text, self.i
        for quote in ('"""', "'''"):
            if text.startswith(quote, start):
                j = start + 3
                while j < self.n:
                    if quote == '"""' and text[j] == "\\":
                        j += 2
                    elif text.startswith(quote, j):
                        end = j + 3
                        while end < self.n and text[end] == quote[0] and end - j < 5:
                            end += 1
                        self.i = end
                        return
                    else:
                        j += 1
                self.i = self.n
                return
        pattern = _TOML_BASIC if text[start] == '"' else _TOML_LITERAL
        m = pattern.match(text, start)
        self.i = m.end() if m else start + 1


def _build_toml(
    value: object,
    path: tuple[str | int, ...],
    depth: int,
    positions: dict[tuple[str | int, ...], tuple[int | None, int]],
    budget: _Budget,
) -> Node:
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
    if isinstance(value, dict):
        mapping = {
            str(k): _build_toml(v, (*path, str(k)), depth + 1, positions, budget)
            for k, v in value.items()
        }
        return Node(mapping, line, column, key_line, key_column, path)
    if isinstance(value, list):
        items = [
            _build_toml(v, (*path, i), depth + 1, positions, budget) for i, v in enumerate(value)
        ]
        return Node(items, line, column, key_line, key_column, path)
    if not isinstance(value, str | int | float | bool):
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return Node(value, line, column, key_line, key_column, path)


# --------------------------------------------------------------------------------------------
# Python


class _Cannot(Exception):
    """An expression cannot be resolved statically; ``base`` is the root cause."""

    def __init__(self, reason: str, base: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.base = base or reason


@dataclass(frozen=True)
class _Marker:
    """A module-level name bound to something that is not a value (import, def, class)."""

    what: str  # "is imported", "is a function defined in this file", ...


_IMPORTED = _Marker("is imported")
_FUNCTION = _Marker("is a function defined in this file")
_CLASS = _Marker("is a class defined in this file")
_LAZY_CALLS = {"L", "LazyCall"}
_SCALAR_TYPES = (int, float, str, bool, type(None))
_BLOCKS: dict[type, str] = {
    ast.If: "an `if`",
    ast.For: "a `for`",
    ast.AsyncFor: "a `for`",
    ast.While: "a `while`",
    ast.Try: "a `try`",
    ast.With: "a `with`",
    ast.AsyncWith: "a `with`",
    ast.Match: "a `match`",
}
if hasattr(ast, "TryStar"):
    _BLOCKS[ast.TryStar] = "a `try`"

Pos = tuple[int, int]


def _load_python(name: str, text: str) -> Node:
    lines = _Lines(text, _BREAKS_DEFAULT)
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": not our business
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=name)
    except SyntaxError as e:
        message = f"invalid Python: {e.msg}"
        if e.lineno is None:
            raise _error(name, message) from None
        line_text = lines.line_text(e.lineno)
        raise _error(name, message, e.lineno, e.offset or 1, line_text) from None
    except ValueError as e:
        raise _error(name, f"invalid Python: {e}") from None
    return _PyBuilder(name, text, lines).module(tree)


def _root_name(e: ast.expr) -> str | None:
    while isinstance(e, ast.Attribute | ast.Subscript | ast.Call):
        e = e.func if isinstance(e, ast.Call) else e.value
    return e.id if isinstance(e, ast.Name) else None


class _PyBuilder:
    def __init__(self, name: str, text: str, lines: _Lines) -> None:
        self.budget = _Budget(name, lines)
        self.lines = lines
        self.text = text
        self.env: dict[str, Node | _Marker] = {}
        self.bases: dict[int, str] = {}  # id(Unresolved) -> root cause
        self._raw: dict[int, bytes] = {}

    # positions -----------------------------------------------------------------------------

    def _bytes(self, line: int) -> bytes:
        raw = self._raw.get(line)
        if raw is None:
            raw = self.lines.line_text(line).encode("utf-8", "surrogatepass")
            self._raw[line] = raw
        return raw

    def _col(self, line: int, offset: int) -> int:
        text = self.lines.line_text(line)
        if text.isascii():
            return offset + 1
        return len(self._bytes(line)[:offset].decode("utf-8", "replace")) + 1

    def pos(self, e: ast.AST) -> Pos:
        line = getattr(e, "lineno", 1)
        return line, self._col(line, getattr(e, "col_offset", 0))

    def segment(self, e: ast.AST) -> str:
        start, end = getattr(e, "lineno", None), getattr(e, "end_lineno", None)
        c0, c1 = getattr(e, "col_offset", None), getattr(e, "end_col_offset", None)
        if start is None or end is None or c0 is None or c1 is None:
            return ""
        if start == end:
            raw = self._bytes(start)[c0:c1]
        else:
            end = min(end, start + 50)  # enough for the cut below
            chunks = [self._bytes(start)[c0:]]
            chunks.extend(self._bytes(n) for n in range(start + 1, end))
            chunks.append(self._bytes(end)[:c1] if end == e.end_lineno else self._bytes(end))
            raw = b"\n".join(chunks)
        source = raw.decode("utf-8", "replace")
        if len(source) > MAX_SOURCE:
            source = source[: MAX_SOURCE - 3] + "..."
        return source

    # nodes ---------------------------------------------------------------------------------

    def node(
        self, value: object, at: Pos, path: tuple[str | int, ...], depth: int, key: Pos | None
    ) -> Node:
        self.budget.take(depth, *at)
        if key is None:
            return Node(value, at[0], at[1], None, None, path)
        return Node(value, at[0], at[1], key[0], key[1], path)

    def unresolved(
        self,
        source: str,
        cannot: _Cannot,
        at: Pos,
        path: tuple[str | int, ...],
        depth: int,
        key: Pos | None,
    ) -> Node:
        u = Unresolved(source, cannot.reason)
        self.bases[id(u)] = cannot.base
        return self.node(u, at, path, depth, key)

    # module --------------------------------------------------------------------------------

    def module(self, tree: ast.Module) -> Node:
        root = _empty_root()
        self.budget.take(0, 1, 1)
        mapping = cast("dict[str, Node]", root.value)
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    self._assign(mapping, target, stmt.value)
            elif isinstance(stmt, ast.AnnAssign):
                if stmt.value is not None:
                    self._assign(mapping, stmt.target, stmt.value)
            elif isinstance(stmt, ast.AugAssign):
                self._augassign(mapping, stmt)
            elif isinstance(stmt, ast.Import | ast.ImportFrom):
                self._import(stmt)
            elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self._forget(mapping, stmt.name, _FUNCTION)
            elif isinstance(stmt, ast.ClassDef):
                self._forget(mapping, stmt.name, _CLASS)
            elif isinstance(stmt, ast.Delete):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        mapping.pop(target.id, None)
                        self.env.pop(target.id, None)
            elif type(stmt) in _BLOCKS:
                self._block(mapping, stmt, _BLOCKS[type(stmt)])
        return root

    def _import(self, stmt: ast.Import | ast.ImportFrom) -> None:
        for alias in stmt.names:
            if alias.name == "*":
                continue
            bound = alias.asname or alias.name.split(".")[0]
            self.env[bound] = _IMPORTED

    def _forget(self, mapping: dict[str, Node], name: str, marker: _Marker) -> None:
        mapping.pop(name, None)
        self.env[name] = marker

    def _bind(self, mapping: dict[str, Node], name: str, node: Node) -> None:
        mapping[name] = node
        self.env[name] = node

    def _assign(self, mapping: dict[str, Node], target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self._bind(mapping, target.id, self.value(value, (target.id,), 1, self.pos(target)))
            return
        if not isinstance(target, ast.Tuple | ast.List):
            return  # attribute/subscript targets such as `_base_.x[1].y = ...` change nothing here
        names = target.elts
        if (
            isinstance(value, ast.Tuple | ast.List)
            and len(value.elts) == len(names)
            and not any(isinstance(x, ast.Starred) for x in (*names, *value.elts))
        ):
            for sub_target, sub_value in zip(names, value.elts, strict=True):
                self._assign(mapping, sub_target, sub_value)
            return
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                cannot = _Cannot("is assigned by unpacking a value that is not evaluated")
                node = self.unresolved(
                    self.segment(value), cannot, self.pos(value), (sub.id,), 1, self.pos(sub)
                )
                self._bind(mapping, sub.id, node)

    def _augassign(self, mapping: dict[str, Node], stmt: ast.AugAssign) -> None:
        if not isinstance(stmt.target, ast.Name):
            return
        name = stmt.target.id
        key = self.pos(stmt.target)
        try:
            left = self._scalar(stmt.target, 0)
            right = self._scalar(stmt.value, 0)
            result = self._fold(stmt.op, left, right)
            node = self.node(result, self.pos(stmt.value), (name,), 1, key)
        except _Cannot as c:
            node = self.unresolved(self.segment(stmt), c, self.pos(stmt.value), (name,), 1, key)
        self._bind(mapping, name, node)

    def _block(self, mapping: dict[str, Node], stmt: ast.stmt, kind: str) -> None:
        """Names assigned inside a module-level block depend on how the block runs."""
        stack: list[ast.AST] = [stmt]
        seen: set[str] = set()
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._import(node)
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self._forget(
                    mapping, node.name, _CLASS if isinstance(node, ast.ClassDef) else _FUNCTION
                )
                continue
            if isinstance(node, ast.Lambda | ast.comprehension):
                continue
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Store)
                and node.id not in seen
            ):
                seen.add(node.id)
                cannot = _Cannot(f"is assigned inside {kind} block (line {stmt.lineno})")
                self._bind(
                    mapping,
                    node.id,
                    self.unresolved(node.id, cannot, self.pos(node), (node.id,), 1, self.pos(node)),
                )
            stack.extend(reversed(list(ast.iter_child_nodes(node))))

    # values --------------------------------------------------------------------------------

    def value(self, e: ast.expr, path: tuple[str | int, ...], depth: int, key: Pos | None) -> Node:
        """A Node for ``e``; whatever cannot be resolved becomes an Unresolved node."""
        try:
            return self._build(e, path, depth, key)
        except _Cannot as c:
            return self.unresolved(self.segment(e), c, self.pos(e), path, depth, key)

    def _build(self, e: ast.expr, path: tuple[str | int, ...], depth: int, key: Pos | None) -> Node:
        at = self.pos(e)
        if isinstance(e, ast.Dict):
            for k in e.keys:
                if k is None:
                    raise _Cannot("uses ** unpacking")
                if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                    raise _Cannot("has a key that is not a string literal")
            mapping: dict[str, Node] = {}
            node = self.node(mapping, at, path, depth, key)
            for k, v in zip(e.keys, e.values, strict=True):
                name = cast(str, cast(ast.Constant, k).value)
                mapping[name] = self.value(v, (*path, name), depth + 1, self.pos(cast(ast.AST, k)))
            return node
        if isinstance(e, ast.List | ast.Tuple):
            if any(isinstance(x, ast.Starred) for x in e.elts):
                raise _Cannot("unpacks with *")
            items: list[Node] = []
            node = self.node(items, at, path, depth, key)
            for i, x in enumerate(e.elts):
                items.append(self.value(x, (*path, i), depth + 1, None))
            return node
        if isinstance(e, ast.Call):
            return self._call(e, path, depth, key)
        if isinstance(e, ast.Name):
            return self._name(e, path, depth, key)
        if isinstance(e, ast.IfExp):
            return self._build(self._branch(e, 0), path, depth, key)
        return self.node(self._scalar(e, 0), at, path, depth, key)

    def _lookup(self, name: str) -> Node:
        bound = self.env.get(name)
        if bound is None:
            raise _Cannot(f"refers to {name}, which is not defined earlier in this file")
        if isinstance(bound, _Marker):
            raise _Cannot(f"refers to {name}, which {bound.what}")
        if isinstance(bound.value, Unresolved):
            base = self.bases.get(id(bound.value), bound.value.reason)
            raise _Cannot(f"refers to {name}, which {base}", base)
        return bound

    def _name(self, e: ast.Name, path: tuple[str | int, ...], depth: int, key: Pos | None) -> Node:
        return self._copy(self._lookup(e.id), path, depth, self.pos(e), key)

    def _copy(
        self, src: Node, path: tuple[str | int, ...], depth: int, at: Pos, key: Pos | None
    ) -> Node:
        """``src`` re-rooted at ``path``: the copy's root sits at ``at`` (the place of use);
        its descendants keep the positions where they were written."""
        value = src.value
        if isinstance(value, dict):
            mapping: dict[str, Node] = {}
            node = self.node(mapping, at, path, depth, key)
            for k, child in cast("dict[str, Node]", value).items():
                mapping[k] = self._copy(
                    child, (*path, k), depth + 1, (child.line, child.column), _key_of(child)
                )
            return node
        if isinstance(value, list):
            items: list[Node] = []
            node = self.node(items, at, path, depth, key)
            for i, child in enumerate(cast("list[Node]", value)):
                items.append(
                    self._copy(child, (*path, i), depth + 1, (child.line, child.column), None)
                )
            return node
        return self.node(value, at, path, depth, key)

    def _call(self, e: ast.Call, path: tuple[str | int, ...], depth: int, key: Pos | None) -> Node:
        func = e.func
        type_name: str | None
        type_at = self.pos(func)
        if (
            isinstance(func, ast.Call)
            and (dotted_name(func.func) or "").split(".")[-1] in _LAZY_CALLS
            and len(func.args) == 1
            and not func.keywords
        ):
            type_name = dotted_name(func.args[0])  # detectron2's L(SomeClass)(k=v)
            if type_name is None:
                raise _Cannot("lazily calls something that is not a plain name")
            type_at = self.pos(func.args[0])
            callee = type_name
        else:
            callee_name = dotted_name(func)
            if callee_name is None:
                raise _Cannot("calls a computed function")
            callee = callee_name
            head = callee.split(".")[0]
            bound = self.env.get(head)
            if bound is _FUNCTION:
                raise _Cannot(f"calls {callee}(), a function defined in this file")
            type_name = None if callee == "dict" and bound is None else callee
        if e.args:
            raise _Cannot(f"calls {callee}() with positional arguments")
        if any(kw.arg is None for kw in e.keywords):
            raise _Cannot("uses ** unpacking")
        mapping: dict[str, Node] = {}
        node = self.node(mapping, self.pos(e), path, depth, key)
        if type_name is not None:
            mapping["type"] = self.node(type_name, type_at, (*path, "type"), depth + 1, None)
        for kw in e.keywords:
            name = cast(str, kw.arg)
            mapping[name] = self.value(kw.value, (*path, name), depth + 1, self.pos(kw))
        return node

    def _branch(self, e: ast.IfExp, depth: int) -> ast.expr:
        try:
            test = self._scalar(e.test, depth + 1)
        except _Cannot:
            raise _Cannot("depends on a runtime condition") from None
        return e.body if test else e.orelse

    def _scalar(self, e: ast.expr, depth: int) -> object:
        """The value of a scalar expression, folding constant arithmetic, or raise _Cannot."""
        if depth > MAX_EXPR_DEPTH:
            raise _Cannot("is nested too deeply to evaluate")
        if isinstance(e, ast.Constant):
            if isinstance(e.value, _SCALAR_TYPES):
                return e.value
            kind = {bytes: "a bytes literal", complex: "a complex number"}.get(
                type(e.value), "not a plain value"
            )
            raise _Cannot(f"is {kind}")
        if isinstance(e, ast.Name):
            value = self._lookup(e.id).value
            if isinstance(value, dict | list):
                raise _Cannot(f"does arithmetic on {e.id}, which is not a single value")
            return value
        if isinstance(e, ast.UnaryOp):
            operand = self._scalar(e.operand, depth + 1)
            if isinstance(e.op, ast.USub | ast.UAdd) and _is_number(operand):
                n = cast("int | float", operand)
                return -n if isinstance(e.op, ast.USub) else +n
            if isinstance(e.op, ast.Not):
                raise _Cannot("is a boolean expression")
            raise _Cannot("applies a unary operator to something that is not a number")
        if isinstance(e, ast.BinOp):
            left = self._scalar(e.left, depth + 1)
            right = self._scalar(e.right, depth + 1)
            return self._fold(e.op, left, right)
        if isinstance(e, ast.IfExp):
            return self._scalar(self._branch(e, depth), depth + 1)
        raise _Cannot(_reason(e))

    def _fold(self, op: ast.operator, left: object, right: object) -> object:
        symbol = BINOP_SYMBOLS.get(type(op), type(op).__name__)
        if isinstance(left, str) and isinstance(right, str) and isinstance(op, ast.Add):
            if len(left) + len(right) > MAX_STR_FOLD:
                raise _Cannot("builds a string that is too long")
            return left + right
        if not (_is_number(left) and _is_number(right)):
            raise _Cannot(f"applies {symbol} to something that is not a number")
        a, b = cast("int | float", left), cast("int | float", right)
        try:
            if isinstance(op, ast.Add):
                result: object = a + b
            elif isinstance(op, ast.Sub):
                result = a - b
            elif isinstance(op, ast.Mult):
                result = _BOUNDED_MUL(a, b)
            elif isinstance(op, ast.Div):
                result = a / b
            elif isinstance(op, ast.FloorDiv):
                result = a // b
            elif isinstance(op, ast.Mod):
                result = a % b
            elif isinstance(op, ast.Pow):
                result = _power(a, b)
            else:
                raise _Cannot(f"uses the {symbol} operator")
        except ZeroDivisionError:
            raise _Cannot("divides by zero") from None
        except (OverflowError, BoundError):
            raise _Cannot("is too large to evaluate") from None
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            raise _Cannot("is too large to evaluate")
        return result


def _key_of(node: Node) -> Pos | None:
    if node.key_line is None or node.key_column is None:
        return None
    return (node.key_line, node.key_column)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _power(a: int | float, b: int | float) -> object:
    if isinstance(b, int) and b.bit_length() > 64:
        raise _Cannot("raises to a huge power")
    result = _BOUNDED_POW(a, b)
    if isinstance(result, complex):
        raise _Cannot("gives a complex number")
    return result


def _reason(e: ast.expr) -> str:
    if isinstance(e, ast.Attribute):
        root = _root_name(e)
        return f"refers to {root}" if root else "is an attribute of a computed value"
    if isinstance(e, ast.IfExp):
        return "depends on a runtime condition"
    if isinstance(e, ast.Lambda):
        return "is a lambda"
    if isinstance(e, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return "is a comprehension"
    if isinstance(e, ast.JoinedStr):
        return "is an f-string"
    if isinstance(e, ast.Compare):
        return "is a comparison"
    if isinstance(e, ast.BoolOp):
        return "is a boolean expression"
    if isinstance(e, ast.Subscript):
        root = _root_name(e)
        return f"is a subscript of {root}" if root else "is a subscript"
    if isinstance(e, ast.Set):
        return "is a set"
    if isinstance(e, ast.Starred):
        return "unpacks with *"
    if isinstance(e, ast.NamedExpr):
        return "is an assignment expression"
    if isinstance(e, ast.Call):
        callee = dotted_name(e.func)
        return f"calls {callee}()" if callee else "calls a computed function"
    if isinstance(e, ast.Dict | ast.List | ast.Tuple):
        return "does arithmetic on a collection"
    return f"is a {type(e).__name__} expression, which is not evaluated"


# --------------------------------------------------------------------------------------------
# Suppression comments

_NOQA = re.compile(
    r"#\s*warmup\s*:\s*noqa\b(?P<colon>\s*:\s*(?P<codes>[A-Za-z]{2}\d{3}(?:[\s,]+[A-Za-z]{2}\d{3})*)"
    r"|\s*:)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z]{2}\d{3}")
_NOQA_HINT = re.compile(r"warmup\s*:\s*noqa", re.IGNORECASE)


def _parse_noqa(comment: str) -> tuple[bool, frozenset[str] | None]:
    """(found, codes) for the noqa directives in one comment; codes None means all codes.

    ``# warmup: noqa:`` followed by no valid code is ignored rather than read as "all"."""
    found = False
    codes: set[str] = set()
    for m in _NOQA.finditer(comment):
        if m.group("colon") is None:
            return True, None
        if m.group("codes"):
            found = True
            codes.update(c.upper() for c in _CODE.findall(m.group("codes")))
    return found, frozenset(codes) if found else None


def _add(result: dict[int, frozenset[str] | None], line: int, codes: frozenset[str] | None) -> None:
    if codes is None or (line in result and result[line] is None):
        result[line] = None
        return
    previous = result.get(line)
    result[line] = codes | previous if previous else codes


def _suppressions(
    fmt: Format, text: str, extra: list[tuple[int, int]] | list[int] | None
) -> dict[int, frozenset[str] | None]:
    result: dict[int, frozenset[str] | None] = {}
    if fmt == "json" or not _NOQA_HINT.search(text):
        return result
    if fmt == "python":
        for line, comment in _python_comments(text):
            found, codes = _parse_noqa(comment)
            if found:
                _add(result, line, codes)
        return result
    breaks = _BREAKS_YAML if fmt == "yaml" else _BREAKS_DEFAULT
    lines = _Lines(text, breaks)
    spans = cast("list[tuple[int, int]]", extra or []) if fmt == "yaml" else []
    starts = [s for s, _ in spans]
    by_line: dict[int, int] = {}
    if fmt == "toml":
        for index in cast("list[int]", extra or []):
            by_line.setdefault(lines.at(index)[0], index)

    def comment_start(line: int) -> int | None:
        if fmt == "yaml":
            return _yaml_comment_start(lines, line, spans, starts)
        return by_line.get(line)

    done: set[int] = set()
    for m in _NOQA.finditer(text):
        line, _ = lines.at(m.start())
        if line in done:
            continue
        start = comment_start(line)
        if start is None or start > m.start():
            continue
        done.add(line)
        end = lines.starts[line] if line < len(lines.starts) else len(text)
        found, codes = _parse_noqa(text[start:end])
        if found:
            _add(result, line, codes)
    return result


def _yaml_comment_start(
    lines: _Lines, line: int, spans: list[tuple[int, int]], starts: list[int]
) -> int | None:
    """Index of the ``#`` that starts a comment on ``line``: at the start of the line or after
    whitespace, and not inside any scalar (quoted strings, block scalars)."""
    text = lines.text
    begin = lines.starts[line - 1]
    end = lines.starts[line] if line < len(lines.starts) else len(text)
    i = text.find("#", begin, end)
    while i >= 0:
        if i == begin or text[i - 1] in " \t":
            k = bisect.bisect_right(starts, i) - 1
            if k < 0 or not (spans[k][0] <= i < spans[k][1]):
                return i
        i = text.find("#", i + 1, end)
    return None


def _python_comments(text: str) -> list[tuple[int, str]]:
    comments: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments.append((tok.start[0], tok.string))
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments
