"""The tree a config file is read into: located :class:`Node` values inside a :class:`Document`.

Every loader (``yaml_loader``, ``json_loader``, ``toml_loader``, ``python_loader``) builds this
same tree, so readers never care which format a file was written in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

from warmup_cli.configs.numbers import number, number_list
from warmup_cli.vocab import ConfigFormat

Format = ConfigFormat


@dataclass(frozen=True)
class Unresolved:
    """A Python config value that is not a literal, kept as text instead of being evaluated."""

    source: str
    """The source text of the expression, e.g. ``"_base_.lr_start_factor"``."""
    reason: str
    """Why it was not resolved, as a verb phrase, e.g. ``"refers to _base_"``."""


Scalar = str | int | float | bool | None
"""A leaf value of a config file, as the format's own parser gives it."""

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
    source: str | None = None
    """The file this value was written in, when it is not the document's own file: a value a
    config inherits from a base config (``configs.inherit``). ``None``: the document's file."""

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
        return number(self.value)

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
                found = item.as_number()
                if found is None:
                    return None
                numbers.append(found)
            return numbers
        if isinstance(value, str):
            return number_list(value)
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

    def file(self, default: str) -> str:
        """The file this value was written in: :attr:`source`, else ``default`` (the path of
        the document that holds it)."""
        return self.source if self.source is not None else default

    @property
    def location(self) -> tuple[int, int]:
        """Where a finding about this value should point: its key if it has one, else itself."""
        if self.key_line is not None and self.key_column is not None:
            return (self.key_line, self.key_column)
        return (self.line, self.column)

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


def rerooted(node: Node, path: tuple[str | int, ...], source: str | None = None) -> Node:
    """A copy of ``node``'s subtree whose key paths start at ``path``; every copied value keeps
    the place (and file) where it was written, and a value of the document's own file
    (``source`` None) gets ``source``."""
    value = node.value
    copied: NodeValue
    if isinstance(value, dict):
        copied = {k: rerooted(child, (*path, k), source) for k, child in value.items()}
    elif isinstance(value, list):
        copied = [rerooted(child, (*path, i), source) for i, child in enumerate(value)]
    else:
        copied = value
    return Node(copied, node.line, node.column, node.key_line, node.key_column, path,
                node.source if node.source is not None else source)


def empty_root() -> Node:
    """The root of an empty file: an empty mapping at 1:1."""
    return Node({}, 1, 1, None, None, ())


@dataclass(frozen=True)
class Comment:
    """One comment of a config file: where its ``#`` is (1-based, in characters) and its text
    from the ``#`` to the end of the line. JSON has none; YAML and TOML comments are found
    outside every string value; Python's come from :mod:`tokenize`."""

    line: int
    column: int
    text: str


@dataclass(eq=False)
class Document:
    """A loaded config file.

    Compared (and hashed) by identity: two loads of one file are two documents, and lint can
    keep per-document facts in a ``WeakKeyDictionary``.
    """

    path: str
    format: Format
    root: Node
    text: str
    comments: tuple[Comment, ...] = ()
    """Every comment of the file, in order (at most one per line)."""
    inheritance: Inheritance | None = None
    """The base configs merged into :attr:`root` (``configs.inherit``), when it has any."""

    def file_of(self, node: Node) -> str:
        """The file ``node`` was written in (this document's, or a base config's)."""
        return node.file(self.path)

    def document_of(self, path: str) -> Document:
        """The document of ``path``: this one, or a base config it merged (for the comments of
        the file a finding points into); this one when ``path`` is neither."""
        if self.inheritance is not None:
            for base in self.inheritance.files:
                if base.path == path:
                    return base
        return self


@dataclass(frozen=True)
class BaseProblem:
    """A base config that was not merged, or that the framework itself would refuse to merge:
    located in the file that names it (``node.source``)."""

    node: Node
    reason: str
    rejected: bool = False
    """The framework fails on it (a WU308 error), rather than a base not at hand (a note)."""


@dataclass(frozen=True)
class Inheritance:
    """What resolving a config's bases did: ``kind`` ("mmengine" ``_base_``, "hydra" defaults
    list), every base file read (in the order read), the bases that could not be merged, the
    chain for messages, and Hydra's chosen option of each config group."""

    kind: str
    files: tuple[Document, ...] = ()
    problems: tuple[BaseProblem, ...] = ()
    chain: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    declaration: Node | None = None
    """The node that names the bases (``_base_``, ``defaults``) in the document's own file."""
    notes: tuple[str, ...] = ()
    """What the merge assumed, for the user (e.g. a Hydra override with nothing to override)."""
