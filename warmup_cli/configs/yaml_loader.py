"""YAML files into a located tree, with PyYAML's safe loader and bounded alias expansion.

The file is composed with PyYAML's safe loader (the libyaml one when available) and the tree
is built from the composed node graph; scalars get SafeLoader's YAML 1.1 meaning (so
``2e-05`` stays a ``str``; :meth:`Node.as_number` reads it; ``yes``/``on`` are bools). Keys
keep their text (``on:`` is the key ``"on"``). Timestamps, ``!!binary`` and custom tags
(``!ENV ...``) keep their text. Aliases and ``<<`` merge keys are expanded while building,
with a cap on the total number of nodes and on the alias references met while expanding
(:data:`~warmup_cli.configs.text.MAX_ALIASES`), so "billion laughs" files fail fast; an expanded
alias keeps the positions where its anchor was written (the key that uses it keeps its own
position). Duplicate keys: the last one wins. Multi-document files: the first non-empty
document; the others are not parsed further.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from warmup_cli.configs.text import (
    BREAKS_YAML,
    LIMITS,
    Budget,
    Limits,
    Lines,
    config_error,
)
from warmup_cli.configs.tree import Comment, Node, Scalar, empty_root
from warmup_cli.errors import ConfigError


class _Composer(Protocol):
    def check_node(self) -> bool: ...
    def get_node(self) -> yaml.Node | None: ...
    def dispose(self) -> None: ...


_YAML_LOADER: Callable[[str], _Composer] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _TAG + "merge"
_NULL_TAG = _TAG + "null"
_INT_TAG = _TAG + "int"
_CONSTRUCTED_TAGS = {_TAG + t for t in ("null", "bool", "int", "float")}
# A plain decimal integer, which SafeConstructor would read as int(text) after a regex, a
# replace and five prefix tests: read directly (a third of a large file's building time).
_DECIMAL = re.compile(r"-?[1-9][0-9]*|0")

_Pair = tuple[yaml.Node, yaml.Node]
_Span = tuple[int, int]  # [start, end) character indices of a scalar


def load_yaml(
    name: str, text: str, limits: Limits = LIMITS
) -> tuple[Node, tuple[Comment, ...]]:
    """The tree of the first non-empty document of ``text``, and the file's comments."""
    lines = Lines(text, BREAKS_YAML)
    composed = _compose(name, text, lines)
    if composed is None:
        return empty_root(), _comments(lines, [])
    builder = _YamlBuilder(name, lines, spans="#" in text, limits=limits)
    if "&" in text:  # without anchors there are no aliases to expand
        _precheck(composed, builder.budget)
    root = builder.build(composed, (), 0, None)
    return root, _comments(lines, builder.scalar_spans())


def _compose(name: str, text: str, lines: Lines) -> yaml.Node | None:
    """The composed node graph of the first non-empty document, or None."""
    try:
        loader = _YAML_LOADER(text)
        try:
            while loader.check_node():
                candidate = loader.get_node()
                if candidate is not None and not _yaml_empty(candidate):
                    return candidate
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        raise _marked_error(name, e, lines) from None
    except yaml.reader.ReaderError as e:
        line, column = lines.at(e.position)
        char = e.character if isinstance(e.character, str) else chr(e.character)
        raise config_error(
            name, f"invalid YAML: {e.reason} ({char!r})", line, column, lines.line_text(line)
        ) from None
    except yaml.YAMLError as e:
        raise config_error(name, f"invalid YAML: {e}") from None
    return None


def _marked_error(name: str, e: yaml.MarkedYAMLError, lines: Lines) -> ConfigError:
    mark = e.problem_mark or e.context_mark
    message = f"invalid YAML: {e.problem or e.context or 'cannot parse'}"
    if e.context and e.problem and e.context_mark is not None:
        cm = e.context_mark
        message += f" ({e.context} at line {cm.line + 1}, column {cm.column + 1})"
    if mark is None:
        return config_error(name, message)
    return config_error(
        name, message, mark.line + 1, mark.column + 1, lines.line_text(mark.line + 1)
    )


def _yaml_empty(node: yaml.Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


def _children(ynode: yaml.Node) -> list[yaml.Node]:
    if isinstance(ynode, SequenceNode):
        return list(ynode.value)
    if isinstance(ynode, MappingNode):
        return [child for _, child in ynode.value]
    return []


@dataclass
class _Expansion:
    """What expanding a composed node costs: its nodes and the alias references met on the
    way, both capped just past their budget."""

    nodes: int
    aliases: int


def _precheck(root: yaml.Node, budget: Budget) -> None:
    """Fail fast when aliases would expand the tree past the node or the alias budget.

    The composed graph shares aliased nodes, so the expanded size is computed in time linear
    in the graph; the error points at the smallest node that is too big (for a "billion
    laughs" file, the anchor whose copies explode)."""
    limits = budget.limits
    sizes: dict[int, _Expansion] = {}
    whole = _expanded(root, 0, sizes, set(), limits)
    if whole.nodes > limits.max_nodes:
        mark = _culprit(root, sizes, lambda e: e.nodes > limits.max_nodes).start_mark
        raise budget.too_many(mark.line + 1, mark.column + 1)
    if whole.aliases > limits.max_aliases:
        mark = _culprit(root, sizes, lambda e: e.aliases > limits.max_aliases).start_mark
        raise budget.too_many_aliases(mark.line + 1, mark.column + 1)


def _culprit(
    root: yaml.Node, sizes: dict[int, _Expansion], over: Callable[[_Expansion], bool]
) -> yaml.Node:
    """The innermost node, on the way down from ``root``, whose expansion is ``over`` budget."""
    culprit = root
    while True:
        bigger = next(
            (c for c in _children(culprit) if id(c) in sizes and over(sizes[id(c)])), None
        )
        if bigger is None:
            return culprit
        culprit = bigger


def _expanded(
    ynode: yaml.Node, depth: int, sizes: dict[int, _Expansion], active: set[int], limits: Limits
) -> _Expansion:
    """The cost of expanding ``ynode`` (memoized in ``sizes`` by node id). A child met again
    (already in ``sizes``, or being expanded) is an alias reference: anchors come before their
    aliases in the text, and this walk follows the text's order."""
    if depth > limits.max_depth:
        return _Expansion(1, 0)  # the builder reports the nesting itself
    active.add(id(ynode))
    nodes, aliases = 1, 0
    for child in _children(ynode):
        known = sizes.get(id(child))
        if id(child) in active:
            known = _Expansion(1, 1)  # a recursive alias: the builder reports it
        elif known is None:
            known = _expanded(child, depth + 1, sizes, active, limits)
        else:
            aliases += 1
        nodes = min(nodes + known.nodes, limits.max_nodes + 1)
        aliases = min(aliases + known.aliases, limits.max_aliases + 1)
    active.discard(id(ynode))
    found = _Expansion(nodes, aliases)
    sizes[id(ynode)] = found
    return found


class _YamlBuilder:
    def __init__(self, name: str, lines: Lines, spans: bool, limits: Limits = LIMITS) -> None:
        self.budget = Budget(name, lines, limits)
        self.ctor = SafeConstructor()
        self.want_spans = spans  # only needed to tell comments from "#" inside strings
        self.spans: dict[int, _Span] = {}  # id(scalar) -> (start, end) char indices
        self.work = 0

    def scalar_spans(self) -> list[_Span]:
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

    def _span(self, ynode: yaml.Node) -> None:
        if self.want_spans:
            self.spans[id(ynode)] = (ynode.start_mark.index, ynode.end_mark.index)

    def _scalar(self, ynode: ScalarNode) -> Scalar:
        text: str = ynode.value
        if ynode.tag not in _CONSTRUCTED_TAGS:
            # str, timestamps, binary and unknown (custom) tags keep their text.
            return text
        try:
            if ynode.tag == _INT_TAG and _DECIMAL.fullmatch(text):
                return int(text)
            value = self.ctor.yaml_constructors[ynode.tag](self.ctor, ynode)
        except (ValueError, KeyError, TypeError, yaml.YAMLError):
            raise self._fail(
                f"invalid YAML: cannot read {text!r} as {ynode.tag.removeprefix(_TAG)}", ynode
            ) from None
        # SafeConstructor gives None, bool, int or float for these four tags.
        return value if value is None or isinstance(value, bool | int | float) else text

    def _key(self, knode: yaml.Node) -> str:
        if isinstance(knode, ScalarNode):
            self._span(knode)
            return str(knode.value)
        raise self._fail(
            "unsupported YAML key: a mapping key must be a plain value, not a collection", knode
        )

    def _fail(self, message: str, ynode: yaml.Node) -> ConfigError:
        mark = ynode.start_mark
        return self.budget.fail(message, mark.line + 1, mark.column + 1)

    def _pairs(self, mnode: MappingNode, depth: int, active: set[int]) -> list[_Pair]:
        """Key/value pairs with ``<<`` merge keys flattened as PyYAML does (explicit keys win)."""
        if id(mnode) in active or depth > self.budget.limits.max_depth:
            raise self._fail("invalid YAML: recursive merge key", mnode)
        active = active | {id(mnode)}
        merged: list[_Pair] = []
        explicit: list[_Pair] = []
        for knode, vnode in mnode.value:
            self.work += 1
            if self.work > 2 * self.budget.limits.max_nodes:
                mark = mnode.start_mark
                raise self.budget.too_many(mark.line + 1, mark.column + 1)
            if knode.tag == _MERGE_TAG:
                self._span(knode)
                merged.extend(self._merged(vnode, depth, active))
            else:
                explicit.append((knode, vnode))
        return merged + explicit if merged else explicit

    def _merged(self, vnode: yaml.Node, depth: int, active: set[int]) -> list[_Pair]:
        """The pairs a ``<<`` key brings in: one mapping's, or a sequence of mappings' (the
        earlier mappings win, so they come last)."""
        if isinstance(vnode, MappingNode):
            return self._pairs(vnode, depth + 1, active)
        if not isinstance(vnode, SequenceNode):
            raise self._fail("invalid YAML: a merge key needs a mapping", vnode)
        subs: list[list[_Pair]] = []
        for sub in vnode.value:
            if not isinstance(sub, MappingNode):
                raise self._fail("invalid YAML: a merge key needs mappings", sub)
            subs.append(self._pairs(sub, depth + 1, active))
        return [pair for pairs in reversed(subs) for pair in pairs]


# A "#" at the start of a line or after whitespace: where a YAML comment may start.
_COMMENT_START = re.compile("(?<![^ \t\r\n\x85\u2028\u2029])#")


def _comments(lines: Lines, spans: list[_Span]) -> tuple[Comment, ...]:
    """Every comment: a ``#`` at the start of a line or after whitespace, and not inside any
    scalar of the parsed document (quoted strings, block scalars). Later documents of the
    file are not parsed, so there only the first rule applies. Linear in the text: a ``#``
    inside a scalar resumes the search after that scalar."""
    text = lines.text
    starts = [s for s, _ in spans]
    found: list[Comment] = []
    m = _COMMENT_START.search(text)
    while m is not None:
        i = m.start()
        k = bisect.bisect_right(starts, i) - 1
        if k >= 0 and spans[k][0] <= i < spans[k][1]:
            m = _COMMENT_START.search(text, spans[k][1])
            continue
        comment = lines.comment(i)
        found.append(comment)
        m = _COMMENT_START.search(text, lines.end(comment.line))
    return tuple(found)
