"""Python config files into a located tree, read with :func:`ast.parse` only: never imported
or executed.

Module-level ``NAME = ...`` (and annotated) assignments become the keys of the root mapping;
literals convert (tuples become lists); ``dict(k=v)`` gives a mapping and ``Class(k=v)`` or
detectron2's ``L(Class)(k=v)`` a mapping with an extra first key ``"type"`` holding the dotted
callee name (an explicit ``type=`` keyword wins); constant arithmetic is folded with bounded
work (:mod:`~warmup_cli.configs.python_fold`); a name assigned earlier at module level
resolves to a copy of its value whose root sits at the place of use. Everything else becomes
an :class:`Unresolved` value that keeps its source text and a reason, and so does a name
assigned inside a module-level ``if``/``for``/``try``/``with`` block. The comments come from
:mod:`tokenize`.
"""

from __future__ import annotations

import ast
import bisect
import io
import re
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from warmup_cli.configs.python_fold import Cannot, fold, number_of, reason
from warmup_cli.configs.text import BREAKS_DEFAULT, LIMITS, Budget, Limits, Lines, config_error
from warmup_cli.configs.tree import Comment, Node, NodeValue, Scalar, Unresolved
from warmup_cli.expr import dotted_name

MAX_EXPR_DEPTH = 100
"""Deepest arithmetic that is folded; deeper is left unresolved."""
MAX_SOURCE = 1000
"""Unresolved.source is cut to this many characters."""


@dataclass(frozen=True)
class _Marker:
    """A module-level name bound to something that is not a value (import, def, class)."""

    what: str  # "is imported", "is a function defined in this file", ...


_IMPORTED = _Marker("is imported")
_FUNCTION = _Marker("is a function defined in this file")
_CLASS = _Marker("is a class defined in this file")
_LAZY_CALLS = {"L", "LazyCall"}
_BLOCKS: dict[type[ast.stmt], str] = {
    ast.If: "an `if`",
    ast.For: "a `for`",
    ast.AsyncFor: "a `for`",
    ast.While: "a `while`",
    ast.Try: "a `try`",
    ast.TryStar: "a `try`",
    ast.With: "a `with`",
    ast.AsyncWith: "a `with`",
    ast.Match: "a `match`",
}

Pos = tuple[int, int]
_Located = ast.expr | ast.stmt | ast.keyword
_Path = tuple[str | int, ...]


def load_python(
    name: str, text: str, limits: Limits = LIMITS, bindings: Mapping[str, Node] | None = None
) -> tuple[Node, tuple[Comment, ...]]:
    """The tree of ``text`` and its comments (its tokens were counted before: see
    ``document.load_document``). ``bindings`` are names the file may read that it does not
    assign, with their values: MMEngine's ``_base_`` (``configs.mmengine_bases``), read
    through attributes and subscripts (``_base_.optim_wrapper.optimizer.lr``)."""
    lines = Lines(text, BREAKS_DEFAULT)
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": not our business
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=name)
    except SyntaxError as e:
        message = f"invalid Python: {e.msg}"
        if e.lineno is None:
            raise config_error(name, message) from None
        line_text = lines.line_text(e.lineno)
        raise config_error(name, message, e.lineno, e.offset or 1, line_text) from None
    except ValueError as e:
        raise config_error(name, f"invalid Python: {e}") from None
    builder = _PyBuilder(name, lines, limits)
    builder.env.update(bindings or {})
    builder.bound = frozenset(bindings or ())
    return builder.module(tree), _comments(text)


def _comments(text: str) -> tuple[Comment, ...]:
    if "#" not in text:
        return ()
    comments: list[Comment] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments.append(Comment(tok.start[0], tok.start[1] + 1, tok.string))
    except (tokenize.TokenError, SyntaxError):
        pass  # the comments before the trouble stay
    return tuple(comments)


def _key_of(node: Node) -> Pos | None:
    if node.key_line is None or node.key_column is None:
        return None
    return (node.key_line, node.key_column)


class _Columns:
    """Byte offsets of one line (what ``ast`` gives) as character columns, in O(log n) per
    lookup once the line's non-ASCII characters are listed (slicing the line per node would
    make a long one-line dict quadratic)."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []  # byte offset of each non-ASCII character
        self.extra: list[int] = []  # bytes beyond one before and at each of them, summed
        extra = 0
        for m in _NON_ASCII.finditer(text):
            self.starts.append(m.start() + extra)
            extra += len(m.group().encode("utf-8", "surrogatepass")) - 1
            self.extra.append(extra)

    def column(self, offset: int) -> int:
        """The 1-based character column of the character at byte ``offset``."""
        before = bisect.bisect_left(self.starts, offset)
        return offset - (self.extra[before - 1] if before else 0) + 1


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


class _PyBuilder:
    def __init__(self, name: str, lines: Lines, limits: Limits = LIMITS) -> None:
        self.budget = Budget(name, lines, limits)
        self.lines = lines
        self.env: dict[str, Node | _Marker] = {}
        self.bound: frozenset[str] = frozenset()  # names given by the caller (``_base_``)
        self.bases: dict[int, str] = {}  # id(Unresolved) -> root cause
        self._raw: dict[int, bytes] = {}
        self._columns: dict[int, _Columns | None] = {}  # None: an ASCII line

    # positions -----------------------------------------------------------------------------
    # ast offsets count UTF-8 bytes; Node columns count characters.

    def _bytes(self, line: int) -> bytes:
        raw = self._raw.get(line)
        if raw is None:
            raw = self.lines.line_text(line).encode("utf-8", "surrogatepass")
            self._raw[line] = raw
        return raw

    def _col(self, line: int, offset: int) -> int:
        if line not in self._columns:
            text = self.lines.line_text(line)
            self._columns[line] = None if text.isascii() else _Columns(text)
        columns = self._columns[line]
        return offset + 1 if columns is None else columns.column(offset)

    def pos(self, e: _Located) -> Pos:
        return e.lineno, self._col(e.lineno, e.col_offset)

    def segment(self, e: ast.expr | ast.stmt) -> str:
        """The source text of ``e``, cut to MAX_SOURCE characters."""
        start, end, c0, c1 = e.lineno, e.end_lineno, e.col_offset, e.end_col_offset
        if end is None or c1 is None:
            return ""
        if start == end:
            raw = self._bytes(start)[c0:c1]
        else:
            last = min(end, start + 50)  # enough for the cut below
            chunks = [self._bytes(start)[c0:]]
            chunks.extend(self._bytes(n) for n in range(start + 1, last))
            chunks.append(self._bytes(last)[:c1] if last == end else self._bytes(last))
            raw = b"\n".join(chunks)
        source = raw.decode("utf-8", "replace")
        if len(source) > MAX_SOURCE:
            source = source[: MAX_SOURCE - 3] + "..."
        return source

    # nodes ---------------------------------------------------------------------------------

    def node(self, value: NodeValue, at: Pos, path: _Path, depth: int, key: Pos | None) -> Node:
        self.budget.take(depth, *at)
        if key is None:
            return Node(value, at[0], at[1], None, None, path)
        return Node(value, at[0], at[1], key[0], key[1], path)

    def unresolved(
        self, source: str, cannot: Cannot, at: Pos, path: _Path, depth: int, key: Pos | None
    ) -> Node:
        u = Unresolved(source, cannot.reason)
        self.bases[id(u)] = cannot.base
        return self.node(u, at, path, depth, key)

    # module --------------------------------------------------------------------------------

    def module(self, tree: ast.Module) -> Node:
        mapping: dict[str, Node] = {}
        root = Node(mapping, 1, 1)
        self.budget.take(0, 1, 1)
        for stmt in tree.body:
            self._statement(mapping, stmt)
        return root

    def _statement(self, mapping: dict[str, Node], stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                and stmt.targets[0].id in self.bound:
            return  # `_base_ = [...]`: MMEngine removes it before running the file
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
                cannot = Cannot("is assigned by unpacking a value that is not evaluated")
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
            result = fold(stmt.op, left, right)
            node = self.node(result, self.pos(stmt.value), (name,), 1, key)
        except Cannot as c:
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
                marker = _CLASS if isinstance(node, ast.ClassDef) else _FUNCTION
                self._forget(mapping, node.name, marker)
                continue
            if isinstance(node, ast.Lambda | ast.comprehension):
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self._assigned_in_block(mapping, node, f"{kind} block (line {stmt.lineno})", seen)
            stack.extend(reversed(list(ast.iter_child_nodes(node))))

    def _assigned_in_block(
        self, mapping: dict[str, Node], name: ast.Name, block: str, seen: set[str]
    ) -> None:
        """The first assignment of ``name`` in a block makes it unresolved from there on."""
        if name.id in seen:
            return
        seen.add(name.id)
        at = self.pos(name)
        cannot = Cannot(f"is assigned inside {block}")
        self._bind(mapping, name.id, self.unresolved(name.id, cannot, at, (name.id,), 1, at))

    # values --------------------------------------------------------------------------------

    def value(self, e: ast.expr, path: _Path, depth: int, key: Pos | None) -> Node:
        """A Node for ``e``; whatever cannot be resolved becomes an Unresolved node."""
        try:
            return self._build(e, path, depth, key)
        except Cannot as c:
            return self.unresolved(self.segment(e), c, self.pos(e), path, depth, key)

    def _build(self, e: ast.expr, path: _Path, depth: int, key: Pos | None) -> Node:
        if isinstance(e, ast.Dict):
            return self._dict(e, path, depth, key)
        if isinstance(e, ast.List | ast.Tuple):
            if any(isinstance(x, ast.Starred) for x in e.elts):
                raise Cannot("unpacks with *")
            items: list[Node] = []
            node = self.node(items, self.pos(e), path, depth, key)
            for i, x in enumerate(e.elts):
                items.append(self.value(x, (*path, i), depth + 1, None))
            return node
        if isinstance(e, ast.Call):
            return self._call(e, path, depth, key)
        if isinstance(e, ast.Name):
            return self._copy(self._lookup(e.id), path, depth, self.pos(e), key)
        if isinstance(e, ast.Attribute | ast.Subscript) and self._bound_root(e):
            return self._copy(self._member(e), path, depth, self.pos(e), key)
        if isinstance(e, ast.IfExp):
            return self._build(self._branch(e, 0), path, depth, key)
        return self.node(self._scalar(e, 0), self.pos(e), path, depth, key)

    def _dict(self, e: ast.Dict, path: _Path, depth: int, key: Pos | None) -> Node:
        keys: list[tuple[str, ast.Constant]] = []
        for k in e.keys:
            if k is None:
                raise Cannot("uses ** unpacking")
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                raise Cannot("has a key that is not a string literal")
            keys.append((k.value, k))
        mapping: dict[str, Node] = {}
        node = self.node(mapping, self.pos(e), path, depth, key)
        for (name, k), v in zip(keys, e.values, strict=True):
            mapping[name] = self.value(v, (*path, name), depth + 1, self.pos(k))
        return node

    def _lookup(self, name: str) -> Node:
        bound = self.env.get(name)
        if bound is None:
            raise Cannot(f"refers to {name}, which is not defined earlier in this file")
        if isinstance(bound, _Marker):
            raise Cannot(f"refers to {name}, which {bound.what}")
        if isinstance(bound.value, Unresolved):
            base = self.bases.get(id(bound.value), bound.value.reason)
            raise Cannot(f"refers to {name}, which {base}", base)
        return bound

    def _bound_root(self, e: ast.expr) -> bool:
        """Whether ``e`` is an attribute/subscript chain on a name the caller bound."""
        while isinstance(e, ast.Attribute | ast.Subscript):
            e = e.value
        return isinstance(e, ast.Name) and e.id in self.bound

    def _member(self, e: ast.expr) -> Node:
        """The value ``e`` reads from a bound mapping: ``_base_.a.b`` (MMEngine's ConfigDict
        reads keys as attributes) or ``_base_['a'][0]``."""
        if isinstance(e, ast.Name):
            return self._lookup(e.id)
        step: str | int
        if isinstance(e, ast.Attribute):
            holder, step = self._member(e.value), e.attr
        elif isinstance(e, ast.Subscript) and isinstance(e.slice, ast.Constant) \
                and isinstance(e.slice.value, str | int) \
                and not isinstance(e.slice.value, bool):
            holder, step = self._member(e.value), e.slice.value
        else:
            raise Cannot(reason(e))
        value = holder.value
        found: Node | None = None
        if isinstance(value, dict) and isinstance(step, str):
            found = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and -len(value) <= step < len(value):
            found = value[step]
        if found is None:
            raise Cannot(f"refers to {ast.unparse(e)}, which the base configs at hand do not set")
        if isinstance(found.value, Unresolved):
            raise Cannot(f"refers to {ast.unparse(e)}, which {found.value.reason}")
        return found

    def _copy(self, src: Node, path: _Path, depth: int, at: Pos, key: Pos | None) -> Node:
        """``src`` re-rooted at ``path``: the copy's root sits at ``at`` (the place of use, in
        this file); its descendants keep the positions (and files) where they were written."""
        value = src.value
        if isinstance(value, dict):
            mapping: dict[str, Node] = {}
            node = self.node(mapping, at, path, depth, key)
            for k, child in value.items():
                mapping[k] = self._copied(child, (*path, k), depth + 1, _key_of(child))
            return node
        if isinstance(value, list):
            items: list[Node] = []
            node = self.node(items, at, path, depth, key)
            for i, child in enumerate(value):
                items.append(self._copied(child, (*path, i), depth + 1, None))
            return node
        return self.node(value, at, path, depth, key)

    def _copied(self, child: Node, path: _Path, depth: int, key: Pos | None) -> Node:
        node = self._copy(child, path, depth, (child.line, child.column), key)
        node.source = child.source
        return node

    def _callee(self, func: ast.expr) -> tuple[str, str | None, Pos]:
        """(callee name for messages, the ``type`` key's value or None, where that sits)."""
        if (
            isinstance(func, ast.Call)
            and (dotted_name(func.func) or "").split(".")[-1] in _LAZY_CALLS
            and len(func.args) == 1
            and not func.keywords
        ):
            lazy = dotted_name(func.args[0])  # detectron2's L(SomeClass)(k=v)
            if lazy is None:
                raise Cannot("lazily calls something that is not a plain name")
            return lazy, lazy, self.pos(func.args[0])
        callee = dotted_name(func)
        if callee is None:
            raise Cannot("calls a computed function")
        bound = self.env.get(callee.split(".")[0])
        if bound is _FUNCTION:
            raise Cannot(f"calls {callee}(), a function defined in this file")
        type_name = None if callee == "dict" and bound is None else callee
        return callee, type_name, self.pos(func)

    def _call(self, e: ast.Call, path: _Path, depth: int, key: Pos | None) -> Node:
        callee, type_name, type_at = self._callee(e.func)
        if e.args:
            raise Cannot(f"calls {callee}() with positional arguments")
        keywords: list[tuple[str, ast.keyword]] = []
        for kw in e.keywords:
            if kw.arg is None:
                raise Cannot("uses ** unpacking")
            keywords.append((kw.arg, kw))
        mapping: dict[str, Node] = {}
        node = self.node(mapping, self.pos(e), path, depth, key)
        if type_name is not None:
            mapping["type"] = self.node(type_name, type_at, (*path, "type"), depth + 1, None)
        for name, kw in keywords:
            mapping[name] = self.value(kw.value, (*path, name), depth + 1, self.pos(kw))
        return node

    def _branch(self, e: ast.IfExp, depth: int) -> ast.expr:
        try:
            test = self._scalar(e.test, depth + 1)
        except Cannot:
            raise Cannot("depends on a runtime condition") from None
        return e.body if test else e.orelse

    def _scalar(self, e: ast.expr, depth: int) -> Scalar:
        """The value of a scalar expression, folding constant arithmetic, or raise Cannot."""
        if depth > MAX_EXPR_DEPTH:
            raise Cannot("is nested too deeply to evaluate")
        if isinstance(e, ast.Constant):
            return _constant(e)
        if isinstance(e, ast.Name) or (
                isinstance(e, ast.Attribute | ast.Subscript) and self._bound_root(e)):
            value = (self._lookup(e.id) if isinstance(e, ast.Name) else self._member(e)).value
            if isinstance(value, dict | list):
                raise Cannot(f"does arithmetic on {ast.unparse(e)}, which is not a single value")
            if isinstance(value, Unresolved):  # _lookup refuses these already
                raise Cannot(value.reason)
            return value
        if isinstance(e, ast.UnaryOp):
            return _unary(e.op, self._scalar(e.operand, depth + 1))
        if isinstance(e, ast.BinOp):
            left = self._scalar(e.left, depth + 1)
            right = self._scalar(e.right, depth + 1)
            return fold(e.op, left, right)
        if isinstance(e, ast.IfExp):
            return self._scalar(self._branch(e, depth), depth + 1)
        raise Cannot(reason(e))


def _constant(e: ast.Constant) -> Scalar:
    value = e.value
    if value is None or isinstance(value, int | float | str | bool):
        return value
    kind = {bytes: "a bytes literal", complex: "a complex number"}.get(
        type(value), "not a plain value"
    )
    raise Cannot(f"is {kind}")


def _unary(op: ast.unaryop, operand: Scalar) -> Scalar:
    n = number_of(operand)
    if isinstance(op, ast.USub | ast.UAdd) and n is not None:
        return -n if isinstance(op, ast.USub) else +n
    if isinstance(op, ast.Not):
        raise Cannot("is a boolean expression")
    raise Cannot("applies a unary operator to something that is not a number")
