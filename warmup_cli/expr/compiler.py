"""The compiler: checks a parsed tree against the allowlist and turns it into closures.

One pass, in source order, so that the leftmost problem is the one reported. Every closure
uses the operator or function CPython would use for the same node, so results are bit-for-bit
CPython's; integer ``*``, ``**`` and ``<<`` go through :mod:`warmup_cli.expr.bounds` unless
the operand shapes prove the bound cannot be hit.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from warmup_cli.errors import ExpressionError
from warmup_cli.expr.allowlist import (
    BARE_CONSTANTS,
    BINOP_FUNCTIONS,
    BINOP_SYMBOLS,
    BUILTIN_FUNCTIONS,
    COMPARE_FUNCTIONS,
    HINT_CONSTANTS,
    HINT_FUNCTIONS,
    HINT_GENERAL,
    MATH_CONSTANTS,
    MATH_FUNCTIONS,
    REFUSED_COMPARISONS,
    REFUSED_NODES,
    STAIRCASE_CALLS,
    UNARY_FUNCTIONS,
    dotted_name,
    refused_constant,
)
from warmup_cli.expr.bounds import (
    HINT_BOUND,
    MAX_INT_BITS,
    BoundError,
    checked_lshift,
    checked_mul,
    checked_pow,
    checked_round,
    const_pow,
    mul_by_const,
    pow_by_const,
)
from warmup_cli.expr.closures import (
    CONST,
    DYN,
    INLINE,
    PARAM,
    Fn,
    Part,
    WorkMeter,
    apply,
    binary,
    const_part,
    identity,
    inline,
    metered,
)
from warmup_cli.expr.positions import gap_token

#: A callee as written: (name as written, function, (minimum arity, maximum arity or None)).
Callee = tuple[str, Callable[..., Any], tuple[int, int | None]]


class Located(Exception):
    """Carries an evaluation failure together with the column of the node that raised it."""

    def __init__(self, error: Exception, column: int) -> None:
        super().__init__(error, column)
        self.error = error
        self.column = column


def located(fn: Fn, column: int) -> Fn:
    """Wrap ``fn`` so that a failure is tagged with ``column`` (the innermost node wins)."""

    def run(x: Any) -> Any:
        try:
            return fn(x)
        except (Located, BoundError):
            raise
        except Exception as exc:
            raise Located(exc, column) from exc

    return run


# --------------------------------------------------------------------------------------------
# Binary operators: the cheapest closure that is still safe for the operand shapes


def binop_closure(op: type[ast.operator], symbol: str, left: Part, right: Part, column: int) -> Fn:
    """The closure for ``left op right`` (``symbol`` and ``column`` locate a bound error)."""
    if op is ast.Mult:
        return multiply(left, right, column)
    if op is ast.Pow:
        return power(symbol, left, right, column)
    if op is ast.LShift:
        return binary(checked_lshift(column), left, right)
    if op in INLINE:
        return inline(INLINE[op], left, right)
    return binary(BINOP_FUNCTIONS[op], left, right)


def multiply(left: Part, right: Part, column: int) -> Fn:
    for const, other, const_first in ((right, left, False), (left, right, True)):
        if const.kind == CONST and const.value.__class__ is int:
            return mul_by_const(other.fn, const.value, column, const_first)
    if right.kind == CONST or left.kind == CONST:
        # A float/bool/complex constant factor cannot make an int grow.
        return inline(INLINE[ast.Mult], left, right)
    return binary(checked_mul(column), left, right)


def power(symbol: str, left: Part, right: Part, column: int) -> Fn:
    if right.kind == CONST:
        exponent = right.value
        if exponent.__class__ is int and exponent > 1:
            return pow_by_const(left.fn, exponent, symbol, column, is_step=left.kind == PARAM)
        # A float, bool or int <= 1 exponent never grows an int.
        return inline(INLINE[ast.Pow], left, right)
    if left.kind == CONST:
        base = left.value
        if base.__class__ is int and (base > 1 or base < -1):
            return const_pow(base, right.fn, symbol, column)
        return inline(INLINE[ast.Pow], left, right)
    return binary(checked_pow(symbol, column), left, right)


# --------------------------------------------------------------------------------------------
# The compiler


class Compiler:
    """Checks a tree against the allowlist and turns it into closures, in one pass.

    Children are visited in source order, so the first problem reported is the leftmost one
    and, in a bare expression, the first free name met is the step variable. Postfix
    constructs (``a.b``, ``a[b]``, ``a(b)``) check ``a`` first, so that
    ``__import__('os').system('ls')`` is reported as the call of ``__import__``.

    The tree's positions must already be character offsets (:meth:`Positions.rewrite`).
    With a ``meter``, every node that runs per call charges it (lint's evaluation budget);
    the closures are otherwise the same, so the values are too.
    """

    def __init__(
        self,
        source: str,
        param: str | None,
        *,
        bare: bool,
        fold: bool,
        locate: bool,
        meter: WorkMeter | None = None,
        names: Mapping[str, Any] | None = None,
    ) -> None:
        self.source = source
        # Names a caller has bound (a training script's constants, or the factor function's
        # own locals): keyed by the name, or by the text of an attribute chain or subscript as
        # ``ast.unparse`` writes it (``self.warmup``, ``hyp['lrf']``). A value is a number, or
        # a zero-argument callable giving the current value of a local.
        self.names: Mapping[str, Any] = names or {}
        self.param = param
        self.bare = bare  # the first free name becomes the step variable
        self.fold = fold  # pre-compute step-independent subtrees
        self.locate = locate  # tag failures with the failing node's column
        self.meter = meter
        self.staircase: list[tuple[int, str]] = []

    def build(self, node: ast.expr) -> Part:
        """The compiled ``node``; raises :class:`ExpressionError` for anything not allowed."""
        builder = _BUILDERS.get(type(node))
        if builder is None:
            what = REFUSED_NODES.get(type(node), f"'{type(node).__name__}' expression")
            raise self._refuse(f"{what} is not allowed", node.col_offset)
        return builder(self, node)

    # -- helpers ---------------------------------------------------------------------------

    def _refuse(self, message: str, column: int, hint: str = HINT_GENERAL) -> ExpressionError:
        return ExpressionError(message, source=self.source, column=column, hint=hint)

    def _gap_token(self, before: ast.expr, after_column: int) -> int:
        return gap_token(self.source, before, after_column)

    def _finish(self, part: Part, column: int) -> Part:
        if part.kind != DYN:
            return part
        if self.fold and not part.depends:
            # Same value on every call: compute it once. A failure (1/0, a bound) is left to
            # happen at evaluation time, where it is reported with the step.
            try:
                return const_part(part.fn(0))
            except Exception:
                return part
        if self.locate:
            return part._replace(fn=located(part.fn, column))
        if self.meter is not None:
            return part._replace(fn=metered(part.fn, self.meter))
        return part

    def _staircase(self, column: int, construct: str) -> None:
        if not self.locate:
            self.staircase.append((column, construct))

    # -- leaves ----------------------------------------------------------------------------

    def _constant(self, node: ast.Constant) -> Part:
        value = node.value
        if isinstance(value, bool | float):
            return const_part(value)
        if isinstance(value, int):
            bits = value.bit_length()
            if bits > MAX_INT_BITS:
                raise self._refuse(
                    f"integer literal of {bits:,} bits is too large (limit {MAX_INT_BITS:,})",
                    node.col_offset,
                    HINT_BOUND,
                )
            return const_part(value)
        what = refused_constant(value, self.source[node.col_offset : node.end_col_offset])
        raise self._refuse(f"{what} is not allowed", node.col_offset)

    def _bound(self, node: ast.expr) -> Part | None:
        if not self.names:
            return None
        key = node.id if isinstance(node, ast.Name) else ast.unparse(node)
        if key not in self.names:
            return None
        value = self.names[key]
        if callable(value):
            read = value
            return Part(lambda _x: read(), DYN, None, True)
        if value.__class__ not in (int, float, bool):
            raise self._refuse(f"'{key}' is a {type(value).__name__}, not a number",
                               node.col_offset)
        return const_part(value)

    def _name(self, node: ast.Name) -> Part:
        name = node.id
        if name == self.param:
            return Part(identity, PARAM, None, True)
        bound = self._bound(node)
        if bound is not None:
            return bound
        if name in BARE_CONSTANTS:
            return const_part(BARE_CONSTANTS[name])
        if name in BUILTIN_FUNCTIONS or name in MATH_FUNCTIONS:
            raise self._refuse(
                f"function '{name}' is used without calling it", node.col_offset, HINT_FUNCTIONS
            )
        if name == "math":
            raise self._refuse(
                "'math' on its own is not allowed; use math.NAME",
                node.col_offset,
                HINT_FUNCTIONS,
            )
        if self.bare and self.param is None:
            self.param = name
            return Part(identity, PARAM, None, True)
        raise self._unknown_name(node)

    def _unknown_name(self, node: ast.Name) -> ExpressionError:
        name = node.id
        if self.param is None:
            message = f"unknown name '{name}'; this expression has no step variable"
        elif self.bare:
            message = f"unknown name '{name}'; the step variable is already '{self.param}'"
        else:
            message = f"unknown name '{name}'; the step variable is '{self.param}'"
        hint = f"an expression has one variable, the step; {HINT_CONSTANTS}"
        if name == "e":
            hint += " (Euler's number is math.e)"
        return self._refuse(message, node.col_offset, hint)

    def _attribute(self, node: ast.Attribute) -> Part:
        bound = self._bound(node)
        if bound is not None:
            return bound
        value = node.value
        if isinstance(value, ast.Name) and value.id == "math":
            if node.attr in MATH_CONSTANTS:
                return const_part(MATH_CONSTANTS[node.attr])
            if node.attr in MATH_FUNCTIONS:
                raise self._refuse(
                    f"function 'math.{node.attr}' is used without calling it",
                    node.col_offset,
                    HINT_FUNCTIONS,
                )
            raise self._refuse(
                f"'math.{node.attr}' is not allowed", node.col_offset, HINT_FUNCTIONS
            )
        dot = self._gap_token(value, node.end_col_offset or node.col_offset)
        dotted = dotted_name(node)
        if dotted is not None:
            raise self._refuse(f"attribute access '{dotted}' is not allowed", dot)
        self.build(value)
        raise self._refuse(f"attribute access '.{node.attr}' is not allowed", dot)

    def _subscript(self, node: ast.Subscript) -> Part:
        bound = self._bound(node)
        if bound is not None:
            return bound
        self.build(node.value)
        raise self._refuse(
            "subscript [...] is not allowed", self._gap_token(node.value, node.slice.col_offset)
        )

    # -- operators -------------------------------------------------------------------------

    def _binop(self, node: ast.BinOp) -> Part:
        left = self.build(node.left)
        right = self.build(node.right)
        op = type(node.op)
        symbol = BINOP_SYMBOLS.get(op, op.__name__)
        column = self._gap_token(node.left, node.right.col_offset)
        if op not in BINOP_FUNCTIONS:  # '@'
            raise self._refuse(f"operator '{symbol}' is not allowed", column)
        depends = left.depends or right.depends
        if depends and op in (ast.FloorDiv, ast.Mod):
            self._staircase(column, symbol)
        fn = binop_closure(op, symbol, left, right, column)
        return self._finish(Part(fn, DYN, None, depends), column)

    def _unaryop(self, node: ast.UnaryOp) -> Part:
        operand = self.build(node.operand)
        fn = UNARY_FUNCTIONS[type(node.op)]
        if operand.kind == PARAM:
            result = fn  # the C function itself: no Python frame at all
        elif isinstance(node.op, ast.USub):
            f = operand.fn
            result = lambda x: -f(x)  # noqa: E731
        else:
            f = operand.fn
            result = lambda x: fn(f(x))  # noqa: E731
        return self._finish(Part(result, DYN, None, operand.depends), node.col_offset)

    def _boolop(self, node: ast.BoolOp) -> Part:
        parts = [self.build(value) for value in node.values]
        fns = [part.fn for part in parts]
        depends = any(part.depends for part in parts)
        is_and = isinstance(node.op, ast.And)
        fn: Fn
        if len(fns) == 2:
            f, g = fns
            fn = (lambda x: f(x) and g(x)) if is_and else (lambda x: f(x) or g(x))
        else:
            head, last = tuple(fns[:-1]), fns[-1]

            def fn(x: Any) -> Any:
                # Python's and/or: return the first operand that decides, else the last one.
                for f in head:
                    value = f(x)
                    if (not value) if is_and else value:
                        return value
                return last(x)

        return self._finish(Part(fn, DYN, None, depends), node.col_offset)

    def _compare(self, node: ast.Compare) -> Part:
        operands = [self.build(node.left)]
        functions: list[Callable[[Any, Any], Any]] = []
        previous: ast.expr = node.left
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            column = self._gap_token(previous, comparator.col_offset)
            refused = REFUSED_COMPARISONS.get(type(op))
            if refused is not None:
                raise self._refuse(f"comparison '{refused}' is not allowed", column)
            functions.append(COMPARE_FUNCTIONS[type(op)])
            operands.append(self.build(comparator))
            previous = comparator
        depends = any(part.depends for part in operands)
        fn: Fn
        if len(functions) == 1:
            fn = binary(functions[0], operands[0], operands[1])
        else:
            fns = tuple(part.fn for part in operands)
            steps = tuple(zip(functions, fns[1:], strict=True))
            first = fns[0]

            def fn(x: Any) -> Any:
                # a < b < c  ==  a < b and b < c, each operand evaluated at most once.
                a = first(x)
                result: Any = True
                for compare, g in steps:
                    b = g(x)
                    result = compare(a, b)
                    if not result:
                        return result
                    a = b
                return result

        return self._finish(Part(fn, DYN, None, depends), node.col_offset)

    def _ifexp(self, node: ast.IfExp) -> Part:
        # Source order: body, test, orelse.
        body = self.build(node.body)
        test = self.build(node.test)
        orelse = self.build(node.orelse)
        if test.kind == CONST:
            return body if test.value else orelse
        t, b, o = test.fn, body.fn, orelse.fn
        depends = body.depends or test.depends or orelse.depends
        fn: Fn = lambda x: b(x) if t(x) else o(x)  # noqa: E731
        return self._finish(Part(fn, DYN, None, depends), node.col_offset)

    # -- calls -----------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Part:
        name, function, arity = self._callee(node.func, node.col_offset)
        args = self._arguments(node)
        self._check_arity(name, arity, len(args), node.col_offset)
        depends = any(arg.depends for arg in args)
        canonical = name if name in BUILTIN_FUNCTIONS else f"math.{name.removeprefix('math.')}"
        if depends and canonical in STAIRCASE_CALLS:
            self._staircase(node.col_offset, f"{name}()")
        if canonical == "pow":
            fn = binop_closure(ast.Pow, "pow()", args[0], args[1], node.col_offset)
        else:
            if canonical == "round" and len(args) == 2:
                function = checked_round
            fn = apply(function, args)
        return self._finish(Part(fn, DYN, None, depends), node.col_offset)

    def _arguments(self, node: ast.Call) -> list[Part]:
        """The compiled positional arguments; refuses keywords and unpacking, in source order."""
        items: list[ast.expr | ast.keyword] = [*node.args, *node.keywords]
        items.sort(key=lambda item: item.col_offset)
        args: list[Part] = []
        for item in items:
            if isinstance(item, ast.keyword):
                what = (
                    "argument unpacking '**'"
                    if item.arg is None
                    else f"keyword argument '{item.arg}='"
                )
                raise self._refuse(f"{what} is not allowed", item.col_offset, HINT_FUNCTIONS)
            if isinstance(item, ast.Starred):
                raise self._refuse(
                    "starred argument '*' is not allowed", item.col_offset, HINT_FUNCTIONS
                )
            args.append(self.build(item))
        return args

    def _check_arity(
        self, name: str, arity: tuple[int, int | None], count: int, column: int
    ) -> None:
        low, high = arity
        if low <= count and (high is None or count <= high):
            return
        if high is None:
            expected = f"at least {low}"
        elif low == high:
            expected = str(low)
        else:
            expected = f"{low} or {high}"
        raise self._refuse(
            f"{name}() takes {expected} argument{'s' if expected != '1' else ''} here, got {count}",
            column,
            HINT_FUNCTIONS,
        )

    def _callee(self, func: ast.expr, call_column: int) -> Callee:
        """Resolve an allowlisted callee to (name as written, function, arity)."""
        if isinstance(func, ast.Name):
            entry = BUILTIN_FUNCTIONS.get(func.id) or MATH_FUNCTIONS.get(func.id)
            if entry is not None:
                return func.id, entry[0], (entry[1], entry[2])
            raise self._refuse(f"call of '{func.id}' is not allowed", call_column, HINT_FUNCTIONS)
        if isinstance(func, ast.Attribute):
            return self._method_callee(func, call_column)
        self.build(func)
        raise self._refuse(
            "calling the result of an expression is not allowed", call_column, HINT_FUNCTIONS
        )

    def _method_callee(self, func: ast.Attribute, call_column: int) -> Callee:
        """``math.NAME`` resolved; any other ``a.b(...)`` refused."""
        dotted = dotted_name(func)
        if isinstance(func.value, ast.Name) and func.value.id == "math":
            entry = MATH_FUNCTIONS.get(func.attr)
            if entry is not None:
                return f"math.{func.attr}", entry[0], (entry[1], entry[2])
        if dotted is not None:
            raise self._refuse(f"call of '{dotted}' is not allowed", call_column, HINT_FUNCTIONS)
        self.build(func.value)
        raise self._refuse(
            f"call of method '.{func.attr}' is not allowed",
            self._gap_token(func.value, func.end_col_offset or func.col_offset),
            HINT_FUNCTIONS,
        )


# The node types the compiler knows, each with its method; every other node type is refused
# (with the words in REFUSED_NODES). Looked up by exact type: ast.parse makes no subclasses.
_BUILDERS: dict[type[ast.expr], Callable[[Compiler, Any], Part]] = {
    ast.Constant: Compiler._constant,
    ast.Name: Compiler._name,
    ast.BinOp: Compiler._binop,
    ast.UnaryOp: Compiler._unaryop,
    ast.BoolOp: Compiler._boolop,
    ast.Compare: Compiler._compare,
    ast.IfExp: Compiler._ifexp,
    ast.Call: Compiler._call,
    ast.Attribute: Compiler._attribute,
    ast.Subscript: Compiler._subscript,
}
