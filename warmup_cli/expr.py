"""The expression sandbox: user-written learning-rate lambdas, evaluated without ``eval``.

Users pass factor functions such as ``lambda epoch: min((epoch + 1) / 4, 1)`` or a bare
expression over the step variable (``min((e + 1) / 4, 1)``), often copied from configs written
by strangers. The text is therefore never handed to ``eval``/``exec``/``compile``. Instead:

1. ``ast.parse(text, mode="eval")`` (bounded: at most 2000 characters; ``RecursionError`` and
   ``MemoryError`` from the parser become :class:`ExpressionError`);
2. the tree is bounded (at most 300 nodes, nesting depth at most 40) and checked against an
   allowlist of node types, names and functions; everything else is refused with a message that
   names the construct and a column that points at it;
3. the checked tree is turned into nested Python closures, once, so that a call costs a few
   closure calls rather than a tree walk (the bulk path calls a factor function ~10^7 times).

The closures use the very operators and functions Python would use (``+``, builtin ``round``,
the real :mod:`math` module, ...), so a result is bit-for-bit what CPython gives for the same
lambda on the same int step, ``int`` results stay ``int``. The one deliberate difference: integer
arithmetic that could grow without bound (``**``, ``pow()``, ``*``, ``<<``) is checked *before*
computing and refused past :data:`MAX_INT_BITS` bits, so ``9**9**9`` fails in microseconds
instead of hanging the CLI. Integer ``round(x, -n)`` with a huge ``n`` (where CPython would build
``10**n`` before finding that the answer is 0) is answered with that 0 directly.

Names: in a bare expression the step variable is the single free name, so ``e`` there is the
step, not Euler's number (write ``math.e`` for the constant). Bare constants are ``pi``, ``tau``
and ``inf``; ``math.pi``, ``math.e``, ``math.tau`` and ``math.inf`` work everywhere.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from warmup_cli.errors import EvaluationError, ExpressionError

__all__ = [
    "BINOP_SYMBOLS",
    "MAX_DEPTH",
    "MAX_INT_BITS",
    "MAX_NODES",
    "MAX_SOURCE_CHARS",
    "BoundError",
    "CompiledExpression",
    "Limits",
    "checked_mul",
    "checked_pow",
    "compile_expression",
    "dotted_name",
    "is_lambda_text",
]

MAX_SOURCE_CHARS = 2000
MAX_NODES = 300
MAX_DEPTH = 40


@dataclass(frozen=True)
class Limits:
    """Size limits of a text. The defaults are for strangers' lambdas; warmup_cli's own kind
    formulas (``warmup_cli.kinds``) are longer and pass larger ones."""

    max_source_chars: int = MAX_SOURCE_CHARS
    max_nodes: int = MAX_NODES
    max_depth: int = MAX_DEPTH


DEFAULT_LIMITS = Limits()
MAX_INT_BITS = 4096

#: A compiled node: takes the step value, returns the node's value.
Fn = Callable[[Any], Any]

# Allowlisted functions: name -> (callable, minimum arity, maximum arity or None).
_BUILTIN_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "min": (min, 2, None),  # min(x) of one number always fails in Python: refuse it up front
    "max": (max, 2, None),
    "abs": (abs, 1, 1),
    "round": (round, 1, 2),
    "int": (int, 1, 1),
    "float": (float, 1, 1),
    "pow": (pow, 2, 2),  # the 3-argument form is modular arithmetic, not a schedule
}
_MATH_FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int | None]] = {
    "cos": (math.cos, 1, 1),
    "sin": (math.sin, 1, 1),
    "tan": (math.tan, 1, 1),
    "acos": (math.acos, 1, 1),
    "asin": (math.asin, 1, 1),
    "atan": (math.atan, 1, 1),
    "atan2": (math.atan2, 2, 2),
    "cosh": (math.cosh, 1, 1),
    "sinh": (math.sinh, 1, 1),
    "tanh": (math.tanh, 1, 1),
    "exp": (math.exp, 1, 1),
    "expm1": (math.expm1, 1, 1),
    "log": (math.log, 1, 2),
    "log2": (math.log2, 1, 1),
    "log10": (math.log10, 1, 1),
    "log1p": (math.log1p, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "trunc": (math.trunc, 1, 1),
    "fabs": (math.fabs, 1, 1),
    "copysign": (math.copysign, 2, 2),
    "fmod": (math.fmod, 2, 2),
    "hypot": (math.hypot, 1, None),
    "degrees": (math.degrees, 1, 1),
    "radians": (math.radians, 1, 1),
}
_BARE_CONSTANTS: dict[str, float] = {"pi": math.pi, "tau": math.tau, "inf": math.inf}
_MATH_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}
# Names with a fixed meaning: a lambda parameter may not hide them, a bare expression never
# takes them as its step variable.
_RESERVED_NAMES = frozenset({*_BUILTIN_FUNCTIONS, *_MATH_FUNCTIONS, *_BARE_CONSTANTS, "math"})
# Calls whose result is a whole number of the argument: applied to the step they turn a smooth
# ramp into a staircase (``min(epoch // 4, 1)`` stays 0 for 4 epochs, then jumps to 1).
_STAIRCASE_CALLS = frozenset({"int", "round", "math.floor", "math.ceil", "math.trunc"})

_HINT_GENERAL = (
    "allowed: int and float numbers, the step variable, + - * / // % ** << >> & | ^, "
    "unary + - ~ not, and/or, comparisons (< <= > >= == !=), `a if cond else b` and calls of "
    "allowed functions such as min(a, b) or math.cos(x)"
)
_HINT_FUNCTIONS = (
    "allowed functions: "
    + ", ".join(_BUILTIN_FUNCTIONS)
    + ", and "
    + ", ".join(_MATH_FUNCTIONS)
    + " (bare or as math.NAME), called with positional arguments only"
)
_HINT_CONSTANTS = "constants: pi, tau, inf, math.pi, math.e, math.tau, math.inf"
_HINT_FORMS = (
    "write `lambda epoch: min((epoch + 1) / 4, 1)` or a bare expression over one step "
    "variable such as `min((e + 1) / 4, 1)`"
)
_HINT_BOUND = (
    f"integers are capped at {MAX_INT_BITS:,} bits so that a stray config cannot hang the "
    "CLI or exhaust memory; no learning-rate factor needs numbers this large"
)

BINOP_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.MatMult: "@",
}
_BINOP_FUNCTIONS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
}
_UNARY_FUNCTIONS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
    ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
_COMPARE_FUNCTIONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_REFUSED_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
# Node types that are never allowed, with the plain words used to name them.
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.List: "list display [...]",
    ast.Tuple: "tuple (a, b, ...)",
    ast.Dict: "dict display {...}",
    ast.Set: "set display {...}",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.Lambda: "nested lambda",
    ast.NamedExpr: "assignment expression ':='",
    ast.Starred: "starred expression '*'",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'",
    ast.Slice: "slice",
}
# AST nodes that are tokens rather than syntax (shared singletons without a position): they do
# not count towards the node limit.
_TOKEN_NODES = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)

_NEWLINE = re.compile(r"\r\n|\r|\n")  # what the tokenizer treats as a line break
_LAMBDA_START = re.compile(r"lambda(?=[\s:*/(])")


class BoundError(Exception):
    """Integer arithmetic refused before computing it because the result would be too big."""

    def __init__(self, symbol: str, bits: int, column: int) -> None:
        super().__init__(symbol, bits, column)
        self.symbol = symbol
        self.bits = bits
        self.column = column

    def describe(self) -> str:
        return (
            f"`{self.symbol}` would produce a number of about {_format_bits(self.bits)} bits "
            f"at column {self.column} (limit {MAX_INT_BITS:,})"
        )


class _Located(Exception):
    """Carries an evaluation failure together with the column of the node that raised it."""

    def __init__(self, error: Exception, column: int) -> None:
        super().__init__(error, column)
        self.error = error
        self.column = column


def _format_bits(bits: int) -> str:
    # An exponent can itself have thousands of digits; keep the message readable.
    if bits < 10**15:
        return f"{bits:,}"
    return f"10^{int((bits.bit_length() - 1) * 0.30103)}"


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """A validated factor function, callable like the lambda it was written as.

    ``tree`` is the checked body node. Its positions are rewritten so that ``col_offset`` and
    ``end_col_offset`` are 0-based *character* offsets into ``source`` (CPython stores UTF-8
    byte offsets per line) and ``lineno``/``end_lineno`` are 1.

    ``staircase`` lists ``(column, construct)`` for every ``//``, ``%``, ``int()``,
    ``round()``, ``math.floor()``, ``math.ceil()`` and ``math.trunc()`` applied to something
    that depends on the step variable, in source order. Constructs are spelled as written:
    ``"//"``, ``"%"``, ``"int()"``, ``"round()"``, ``"floor()"`` or ``"math.floor()"``, ...;
    the column is the operator's for ``//``/``%`` and the start of the call otherwise.
    """

    source: str
    param: str | None
    body_column: int
    tree: ast.expr
    staircase: tuple[tuple[int, str], ...]
    _fn: Fn = field(init=False, repr=False, compare=False)

    def __call__(self, step: int) -> int | float:
        """The factor at ``step``, exactly as the equivalent Python lambda returns it.

        Raises :class:`EvaluationError` (with ``step`` set) when the function raises, hits the
        integer size bound, or returns something other than a finite int or float.
        """
        try:
            value = self._fn(step)
        except Exception as exc:
            raise self._failure(step, exc) from exc
        cls = value.__class__
        if cls is float:
            if value - value == 0.0:  # false for inf and nan; cheaper than math.isfinite
                return value  # type: ignore[no-any-return]
        elif cls is int or cls is bool:
            return value  # type: ignore[no-any-return]
        raise self._bad_result(step, value)

    def _failure(self, step: int, exc: Exception) -> EvaluationError:
        if isinstance(exc, BoundError):
            return EvaluationError(
                f"the factor function failed at step {step}: {exc.describe()}",
                source=self.source,
                column=exc.column,
                hint=_HINT_BOUND,
                step=step,
            )
        hint = None
        if isinstance(exc, ZeroDivisionError) and step == 0 and self.param is not None:
            hint = (
                "the scheduler calls the factor function at step 0 too; guard it, e.g. "
                f"max({self.param}, 1)"
            )
        return EvaluationError(
            f"the factor function raised {type(exc).__name__} at step {step}: {exc}",
            source=self.source,
            column=self._locate(step),
            hint=hint,
            step=step,
        )

    def _locate(self, step: int) -> int | None:
        """Column of the node that fails at ``step``.

        Only runs after a failure: rebuilds the closures without constant folding and with a
        column-tagging wrapper around every node, then runs them again. Evaluation is
        deterministic, so the same node fails the same way.
        """
        compiler = _Compiler(self.source, self.param, bare=False, fold=False, locate=True)
        try:
            compiler.build(self.tree).fn(step)
        except _Located as located:
            return located.column
        except Exception:
            return None
        return None

    def _bad_result(self, step: int, value: object) -> EvaluationError:
        if isinstance(value, float):
            message = f"the factor function returned {value!r} at step {step}"
            hint = "a learning-rate factor must be a finite number at every step"
        elif isinstance(value, complex):
            message = f"the factor function returned a complex number {value!r} at step {step}"
            hint = (
                "a negative number raised to a fractional power is complex in Python; "
                "make sure the base stays >= 0"
            )
        else:
            message = (
                f"the factor function returned a {type(value).__name__} at step {step}, "
                "not a number"
            )
            hint = None
        return EvaluationError(message, source=self.source, column=None, hint=hint, step=step)


def is_lambda_text(text: str) -> bool:
    """Whether ``text`` looks like a lambda rather than a schedule spec.

    Cheap and syntactic: the stripped text starts with the keyword ``lambda`` (followed by
    whitespace, ``:``, ``*``, ``/`` or ``(`` so that ``lambdas=3`` is not one) and contains a
    ``:``. A malformed lambda such as ``lambda: 1`` still counts, so that it reaches
    :func:`compile_expression` and gets a precise error instead of a spec error.
    """
    stripped = text.strip()
    return _LAMBDA_START.match(stripped) is not None and ":" in stripped


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str, limits: Limits = DEFAULT_LIMITS) -> CompiledExpression:
    """Check ``text`` against the allowlist and compile it into closures.

    Accepts ``lambda NAME: EXPR`` (exactly one plain parameter) or a bare ``EXPR`` whose single
    free name is the step variable. Raises :class:`ExpressionError` for anything else.
    Results are cached: a compiled expression is immutable, and a directory of configs or a
    spec's phases repeat the same texts (compiling costs ~0.1-0.3 ms).
    """
    source = text.strip()
    if not source:
        raise ExpressionError("the expression is empty", source=source, column=0, hint=_HINT_FORMS)
    if len(source) > limits.max_source_chars:
        # No source/column: echoing a huge line back would drown the message.
        raise ExpressionError(
            f"the expression is too long: {len(source):,} characters "
            f"(limit {limits.max_source_chars:,})",
            hint="a learning-rate lambda fits on one line",
        )
    positions = _Positions(source)
    root = _parse(source, positions, limits)
    _check_size(root, source, positions, limits)
    positions.rewrite(root)

    if isinstance(root, ast.Lambda):
        param = _check_lambda_arguments(root, source)
        body = root.body
        (param_node,) = [*root.args.posonlyargs, *root.args.args]
        body_column = _lambda_body_column(source, param_node, body)
        compiler = _Compiler(source, param, bare=False, fold=True, locate=False)
    else:
        body = root
        body_column = 0
        compiler = _Compiler(source, None, bare=True, fold=True, locate=False)
    part = compiler.build(body)
    compiled = CompiledExpression(
        source=source,
        param=compiler.param,
        body_column=body_column,
        tree=body,
        staircase=tuple(sorted(compiler.staircase)),
    )
    object.__setattr__(compiled, "_fn", part.fn)
    return compiled


# --------------------------------------------------------------------------------------------
# Parsing and bounds


class _Positions:
    """Maps CPython's (line, UTF-8 byte column) positions to character offsets into source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.line_starts = [0, *(m.end() for m in _NEWLINE.finditer(source))]

    def _line(self, lineno: int) -> tuple[int, str]:
        index = min(max(lineno, 1), len(self.line_starts)) - 1
        start = self.line_starts[index]
        end = self.line_starts[index + 1] if index + 1 < len(self.line_starts) else len(self.source)
        return start, self.source[start:end]

    def from_bytes(self, lineno: int, byte_column: int) -> int:
        start, line = self._line(lineno)
        if line.isascii():
            return start + byte_column
        return start + len(line.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))

    def from_chars(self, lineno: int, char_column: int) -> int:
        start, line = self._line(lineno)
        return start + max(0, min(char_column, len(line)))

    def rewrite(self, root: ast.AST) -> None:
        for node in ast.walk(root):
            if isinstance(node, _TOKEN_NODES) or not hasattr(node, "col_offset"):
                continue
            node.col_offset = self.from_bytes(node.lineno, node.col_offset)
            end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
            end_col = node.end_col_offset if node.end_col_offset is not None else 0
            node.end_col_offset = self.from_bytes(end_lineno, end_col)
            node.lineno = node.end_lineno = 1


def _parse(source: str, positions: _Positions, limits: Limits) -> ast.expr:
    try:
        with warnings.catch_warnings():
            # SyntaxWarnings about the user's text (e.g. "invalid escape sequence") would leak
            # to stderr, or become errors under -W error; the allowlist decides instead.
            warnings.simplefilter("ignore")
            return ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        column = positions.from_chars(exc.lineno, (exc.offset or 1) - 1) if exc.lineno else 0
        raise ExpressionError(
            "invalid syntax",
            source=source,
            column=column,
            hint=f"Python says: {exc.msg}; {_HINT_FORMS}",
        ) from None
    except (RecursionError, MemoryError):
        # gh-126711: deep nesting can exhaust the parser before any of our checks run.
        raise ExpressionError(
            "the expression is nested too deeply to parse",
            source=source,
            column=0,
            hint=f"nesting depth is limited to {limits.max_depth}",
        ) from None
    except ValueError as exc:  # e.g. NUL characters on some Python versions
        raise ExpressionError(
            "invalid syntax", source=source, column=0, hint=f"Python says: {exc}"
        ) from None


def _check_size(root: ast.expr, source: str, positions: _Positions, limits: Limits) -> None:
    """Refuse trees with too many nodes or too deep a nesting (iteratively: no recursion)."""
    count = sum(1 for node in ast.walk(root) if not isinstance(node, _TOKEN_NODES))
    if count > limits.max_nodes:
        raise ExpressionError(
            f"the expression is too large: {count} syntax nodes (limit {limits.max_nodes})",
            source=source,
            column=0,
            hint="split the schedule into simpler pieces",
        )
    # A lambda's body is level 1, like a bare expression: the `lambda x:` wrapper is free.
    stack: list[tuple[ast.AST, int]] = [(root, 0 if isinstance(root, ast.Lambda) else 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            column = getattr(node, "col_offset", None)
            raise ExpressionError(
                f"the expression is nested too deeply: more than {limits.max_depth} levels",
                source=source,
                column=positions.from_bytes(node.lineno, column)  # type: ignore[attr-defined]
                if column is not None
                else 0,
                hint="simplify the expression",
            )
        stack.extend(
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, _TOKEN_NODES)
        )


def _check_lambda_arguments(node: ast.Lambda, source: str) -> str:
    """The single parameter's name; refuses every other parameter shape."""
    args = node.args
    params = [*args.posonlyargs, *args.args]

    def refuse(message: str, column: int) -> ExpressionError:
        return ExpressionError(
            message,
            source=source,
            column=column,
            hint="the lambda takes exactly one parameter, the step: `lambda epoch: ...`",
        )

    if args.vararg is not None:
        raise refuse(f"'*{args.vararg.arg}' parameter is not allowed", args.vararg.col_offset)
    if args.kwonlyargs:
        kwonly = args.kwonlyargs[0]
        raise refuse(f"keyword-only parameter '{kwonly.arg}' is not allowed", kwonly.col_offset)
    if args.kwarg is not None:
        raise refuse(f"'**{args.kwarg.arg}' parameter is not allowed", args.kwarg.col_offset)
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    if defaults:
        raise refuse(
            "a default value for a lambda parameter is not allowed", defaults[0].col_offset
        )
    if not params:
        raise refuse(
            "the lambda takes no parameter; it must take exactly one (the step)", node.col_offset
        )
    if len(params) > 1:
        raise refuse(
            f"the lambda takes {len(params)} parameters; it must take exactly one (the step)",
            params[1].col_offset,
        )
    param = params[0]
    if param.annotation is not None:  # not valid Python syntax today; refuse if it ever is
        raise refuse("a parameter annotation is not allowed", param.annotation.col_offset)
    if param.arg in _RESERVED_NAMES:
        raise refuse(
            f"the parameter name '{param.arg}' would hide the allowed name '{param.arg}'",
            param.col_offset,
        )
    return param.arg


def _skip_insignificant(source: str, start: int, end: int, extra: str = ")") -> int:
    """First index in ``source[start:end]`` that is not whitespace, a comment or ``extra``.

    Used to find tokens the AST does not locate (operators, ``.``, ``[``, the lambda's ``:``)
    between the end of one node and the start of the next. Returns ``end`` if none is found.
    """
    i = start
    while i < end:
        char = source[i]
        if char == "#":
            match = _NEWLINE.search(source, i, end)
            i = match.start() if match else end
        elif char in " \t\f\r\n\\" or char in extra:
            i += 1
        else:
            return i
    return end


def _lambda_body_column(source: str, param: ast.arg, body: ast.expr) -> int:
    colon = _skip_insignificant(
        source, param.end_col_offset or param.col_offset, body.col_offset, extra=",/"
    )
    if source[colon : colon + 1] != ":":
        return body.col_offset
    return _skip_insignificant(source, colon + 1, body.col_offset, extra="")


# --------------------------------------------------------------------------------------------
# Closure compilation

_CONST, _PARAM, _DYN = 0, 1, 2


class _Part(NamedTuple):
    """A compiled node: its closure, what kind of closure it is, and its value if constant."""

    fn: Fn
    kind: int  # _CONST, _PARAM or _DYN: lets parents pick a specialised closure
    value: Any  # the value when kind == _CONST
    depends: bool  # whether the step variable occurs in the node


def _identity(x: Any) -> Any:
    return x


def _const_part(value: Any) -> _Part:
    return _Part(lambda _x: value, _CONST, value, False)


# Inline closures for the common binary operators, one per operand shape:
# (dynamic, dynamic), (dynamic, constant), (constant, dynamic), (step, constant), (constant, step).
# Writing the operator inline saves a call per node compared with operator.add & co.
_InlineVariants = tuple[
    Callable[[Fn, Fn], Fn],
    Callable[[Fn, Any], Fn],
    Callable[[Any, Fn], Fn],
    Callable[[Any], Fn],
    Callable[[Any], Fn],
]
_INLINE: dict[type[ast.operator], _InlineVariants] = {
    ast.Add: (
        lambda f, g: lambda x: f(x) + g(x),
        lambda f, c: lambda x: f(x) + c,
        lambda c, g: lambda x: c + g(x),
        lambda c: lambda x: x + c,
        lambda c: lambda x: c + x,
    ),
    ast.Sub: (
        lambda f, g: lambda x: f(x) - g(x),
        lambda f, c: lambda x: f(x) - c,
        lambda c, g: lambda x: c - g(x),
        lambda c: lambda x: x - c,
        lambda c: lambda x: c - x,
    ),
    ast.Div: (
        lambda f, g: lambda x: f(x) / g(x),
        lambda f, c: lambda x: f(x) / c,
        lambda c, g: lambda x: c / g(x),
        lambda c: lambda x: x / c,
        lambda c: lambda x: c / x,
    ),
    ast.FloorDiv: (
        lambda f, g: lambda x: f(x) // g(x),
        lambda f, c: lambda x: f(x) // c,
        lambda c, g: lambda x: c // g(x),
        lambda c: lambda x: x // c,
        lambda c: lambda x: c // x,
    ),
    ast.Mod: (
        lambda f, g: lambda x: f(x) % g(x),
        lambda f, c: lambda x: f(x) % c,
        lambda c, g: lambda x: c % g(x),
        lambda c: lambda x: x % c,
        lambda c: lambda x: c % x,
    ),
    # Only used when the bound check is provably unnecessary (see _Compiler._guard).
    ast.Mult: (
        lambda f, g: lambda x: f(x) * g(x),
        lambda f, c: lambda x: f(x) * c,
        lambda c, g: lambda x: c * g(x),
        lambda c: lambda x: x * c,
        lambda c: lambda x: c * x,
    ),
    ast.Pow: (
        lambda f, g: lambda x: f(x) ** g(x),
        lambda f, c: lambda x: f(x) ** c,
        lambda c, g: lambda x: c ** g(x),
        lambda c: lambda x: x**c,
        lambda c: lambda x: c**x,
    ),
}


def checked_pow(symbol: str = "**", column: int = 0) -> Callable[[Any, Any], Any]:
    """``a ** b`` that raises :class:`BoundError`, before computing, for an int result of more
    than MAX_INT_BITS bits (``symbol`` and ``column`` say where, for the message).

    ``abs(a).bit_length() * b`` is an upper bound of the result's size. Bases 0, 1 and -1 never
    grow; negative exponents give floats; bools are at most 1 and never grow either.
    """

    def power(a: Any, b: Any) -> Any:
        if a.__class__ is int and b.__class__ is int and b > 1:
            bits = a.bit_length()
            if bits > 1 and bits * b > MAX_INT_BITS:
                raise BoundError(symbol, bits * b, column)
        return a**b

    return power


def _pow_by_const(f: Fn, exponent: int, symbol: str, column: int, is_step: bool) -> Fn:
    """``f(x) ** exponent`` for a constant int exponent > 1: one bit_length() per call."""
    budget = MAX_INT_BITS // exponent  # bits * exponent > LIMIT  <=>  bits > LIMIT // exponent

    if is_step:

        def power_step(x: Any) -> Any:
            if x.__class__ is int:
                bits = x.bit_length()
                if bits > budget and bits > 1:
                    raise BoundError(symbol, bits * exponent, column)
            return x**exponent

        return power_step

    def power(x: Any) -> Any:
        a = f(x)
        if a.__class__ is int:
            bits = a.bit_length()
            if bits > budget and bits > 1:
                raise BoundError(symbol, bits * exponent, column)
        return a**exponent

    return power


def _const_pow(base: int, g: Fn, symbol: str, column: int) -> Fn:
    """``base ** g(x)`` for a constant int base with ``abs(base) > 1``."""
    bits = base.bit_length()
    budget = MAX_INT_BITS // bits

    def power(x: Any) -> Any:
        b = g(x)
        if b.__class__ is int and b > budget:
            raise BoundError(symbol, bits * b, column)
        return base**b

    return power


def checked_mul(column: int = 0) -> Callable[[Any, Any], Any]:
    """``a * b`` raising :class:`BoundError` for int products whose operands have more than
    MAX_INT_BITS bits in all."""

    def multiply(a: Any, b: Any) -> Any:
        if (
            a.__class__ is int
            and b.__class__ is int
            and a.bit_length() + b.bit_length() > MAX_INT_BITS
        ):
            raise BoundError("*", a.bit_length() + b.bit_length(), column)
        return a * b

    return multiply


def _mul_by_const(f: Fn, const: int, column: int, const_first: bool) -> Fn:
    """``f(x) * const`` (or ``const * f(x)``) for a constant int: one bit_length() per call."""
    const_bits = const.bit_length()
    budget = MAX_INT_BITS - const_bits

    def check(a: Any) -> None:
        if a.__class__ is int and a.bit_length() > budget:
            raise BoundError("*", a.bit_length() + const_bits, column)

    if const_first:

        def multiply_right(x: Any) -> Any:
            a = f(x)
            check(a)
            return const * a

        return multiply_right

    def multiply_left(x: Any) -> Any:
        a = f(x)
        check(a)
        return a * const

    return multiply_left


def _checked_lshift(column: int) -> Callable[[Any, Any], Any]:
    """``a << b`` refusing int results of more than MAX_INT_BITS bits (bool ``a`` included)."""

    def shift(a: Any, b: Any) -> Any:
        if b.__class__ is int and b > 0 and isinstance(a, int) and a:
            bits = a.bit_length() + b
            if bits > MAX_INT_BITS:
                raise BoundError("<<", bits, column)
        return a << b

    return shift


def _checked_round(value: Any, ndigits: Any) -> Any:
    """Builtin ``round(value, ndigits)``, without CPython's ``10 ** -ndigits`` for huge ints.

    For an int and a negative ``ndigits`` CPython computes ``10 ** -ndigits`` first, which for
    ``ndigits = -10**9`` takes forever. When ``10 ** (-ndigits - 1)`` already exceeds
    ``abs(value)`` the exact answer is the int 0, so return it without building the power.
    """
    if (
        isinstance(value, int)
        and isinstance(ndigits, int)
        and ndigits < 0
        and -ndigits > value.bit_length() // 3 + 2
    ):
        return 0
    return round(value, ndigits)


def _binary(fn: Callable[[Any, Any], Any], left: _Part, right: _Part) -> Fn:
    """Closure applying the two-argument ``fn``, specialised for the operand shapes."""
    f, g = left.fn, right.fn
    if left.kind == _PARAM and right.kind == _CONST:
        c = right.value
        return lambda x: fn(x, c)
    if left.kind == _CONST and right.kind == _PARAM:
        c = left.value
        return lambda x: fn(c, x)
    if right.kind == _CONST:
        c = right.value
        return lambda x: fn(f(x), c)
    if left.kind == _CONST:
        c = left.value
        return lambda x: fn(c, g(x))
    return lambda x: fn(f(x), g(x))


def _inline(variants: _InlineVariants, left: _Part, right: _Part) -> Fn:
    if left.kind == _PARAM and right.kind == _CONST:
        return variants[3](right.value)
    if left.kind == _CONST and right.kind == _PARAM:
        return variants[4](left.value)
    if right.kind == _CONST:
        return variants[1](left.fn, right.value)
    if left.kind == _CONST:
        return variants[2](left.value, right.fn)
    return variants[0](left.fn, right.fn)


def _located(fn: Fn, column: int) -> Fn:
    """Wrap ``fn`` so that a failure is tagged with ``column`` (the innermost node wins)."""

    def run(x: Any) -> Any:
        try:
            return fn(x)
        except (_Located, BoundError):
            raise
        except Exception as exc:
            raise _Located(exc, column) from exc

    return run


class _Compiler:
    """Checks a tree against the allowlist and turns it into closures, in one pass.

    Children are visited in source order, so the first problem reported is the leftmost one
    and, in a bare expression, the first free name met is the step variable. Postfix
    constructs (``a.b``, ``a[b]``, ``a(b)``) check ``a`` first, so that
    ``__import__('os').system('ls')`` is reported as the call of ``__import__``.
    """

    def __init__(
        self, source: str, param: str | None, *, bare: bool, fold: bool, locate: bool
    ) -> None:
        self.source = source
        self.param = param
        self.bare = bare  # the first free name becomes the step variable
        self.fold = fold  # pre-compute step-independent subtrees
        self.locate = locate  # tag failures with the failing node's column
        self.staircase: list[tuple[int, str]] = []

    # -- helpers ---------------------------------------------------------------------------

    def _refuse(self, message: str, column: int, hint: str = _HINT_GENERAL) -> ExpressionError:
        return ExpressionError(message, source=self.source, column=column, hint=hint)

    def _gap_token(self, before: ast.AST, after_column: int) -> int:
        """Column of the first token after node ``before`` (e.g. an operator)."""
        start = before.end_col_offset or before.col_offset  # type: ignore[attr-defined]
        return _skip_insignificant(self.source, start, after_column)

    def _finish(self, part: _Part, column: int) -> _Part:
        if part.kind != _DYN:
            return part
        if self.fold and not part.depends:
            # Same value on every call: compute it once. A failure (1/0, a bound) is left to
            # happen at evaluation time, where it is reported with the step.
            try:
                return _const_part(part.fn(0))
            except Exception:
                return part
        if self.locate:
            return part._replace(fn=_located(part.fn, column))
        return part

    # -- dispatch --------------------------------------------------------------------------

    def build(self, node: ast.expr) -> _Part:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.UnaryOp):
            return self._unaryop(node)
        if isinstance(node, ast.BoolOp):
            return self._boolop(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.IfExp):
            return self._ifexp(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.Subscript):
            self.build(node.value)
            raise self._refuse(
                "subscript [...] is not allowed",
                self._gap_token(node.value, node.slice.col_offset),
            )
        what = _REFUSED_NODES.get(type(node), f"'{type(node).__name__}' expression")
        raise self._refuse(f"{what} is not allowed", node.col_offset)

    # -- leaves ----------------------------------------------------------------------------

    def _constant(self, node: ast.Constant) -> _Part:
        value = node.value
        cls = value.__class__
        if cls is int:
            if value.bit_length() > MAX_INT_BITS:
                raise self._refuse(
                    f"integer literal of {value.bit_length():,} bits is too large "
                    f"(limit {MAX_INT_BITS:,})",
                    node.col_offset,
                    _HINT_BOUND,
                )
            return _const_part(value)
        if cls is float or cls is bool:
            return _const_part(value)
        if cls is complex:
            what = f"complex literal '{self.source[node.col_offset : node.end_col_offset]}'"
        elif cls is str:
            what = "string literal"
        elif cls is bytes:
            what = "bytes literal"
        elif value is None:
            what = "None"
        elif value is Ellipsis:
            what = "'...' (Ellipsis)"
        else:
            what = f"constant of type {cls.__name__}"
        raise self._refuse(f"{what} is not allowed", node.col_offset)

    def _name(self, node: ast.Name) -> _Part:
        name = node.id
        if name == self.param:
            return _Part(_identity, _PARAM, None, True)
        if name in _BARE_CONSTANTS:
            return _const_part(_BARE_CONSTANTS[name])
        if name in _BUILTIN_FUNCTIONS or name in _MATH_FUNCTIONS:
            raise self._refuse(
                f"function '{name}' is used without calling it", node.col_offset, _HINT_FUNCTIONS
            )
        if name == "math":
            raise self._refuse(
                "'math' on its own is not allowed; use math.NAME",
                node.col_offset,
                _HINT_FUNCTIONS,
            )
        if self.bare and self.param is None:
            self.param = name
            return _Part(_identity, _PARAM, None, True)
        if self.param is None:
            message = f"unknown name '{name}'; this expression has no step variable"
        elif self.bare:
            message = f"unknown name '{name}'; the step variable is already '{self.param}'"
        else:
            message = f"unknown name '{name}'; the step variable is '{self.param}'"
        hint = f"an expression has one variable, the step; {_HINT_CONSTANTS}"
        if name == "e":
            hint += " (Euler's number is math.e)"
        raise self._refuse(message, node.col_offset, hint)

    def _attribute(self, node: ast.Attribute) -> _Part:
        value = node.value
        if isinstance(value, ast.Name) and value.id == "math":
            if node.attr in _MATH_CONSTANTS:
                return _const_part(_MATH_CONSTANTS[node.attr])
            if node.attr in _MATH_FUNCTIONS:
                raise self._refuse(
                    f"function 'math.{node.attr}' is used without calling it",
                    node.col_offset,
                    _HINT_FUNCTIONS,
                )
            raise self._refuse(
                f"'math.{node.attr}' is not allowed", node.col_offset, _HINT_FUNCTIONS
            )
        dot = self._gap_token(value, node.end_col_offset or node.col_offset)
        dotted = dotted_name(node)
        if dotted is not None:
            raise self._refuse(f"attribute access '{dotted}' is not allowed", dot)
        self.build(value)
        raise self._refuse(f"attribute access '.{node.attr}' is not allowed", dot)

    # -- operators -------------------------------------------------------------------------

    def _binop(self, node: ast.BinOp) -> _Part:
        left = self.build(node.left)
        right = self.build(node.right)
        op = type(node.op)
        symbol = BINOP_SYMBOLS.get(op, op.__name__)
        column = self._gap_token(node.left, node.right.col_offset)
        if op not in _BINOP_FUNCTIONS:  # '@'
            raise self._refuse(f"operator '{symbol}' is not allowed", column)
        depends = left.depends or right.depends
        if depends and op in (ast.FloorDiv, ast.Mod):
            self._staircase(column, symbol)
        fn = self._binop_fn(op, symbol, left, right, column)
        return self._finish(_Part(fn, _DYN, None, depends), column)

    def _binop_fn(
        self, op: type[ast.operator], symbol: str, left: _Part, right: _Part, column: int
    ) -> Fn:
        """Pick the cheapest closure that is still safe for ``op`` on these operands."""
        if op is ast.Mult:
            for const, other, const_first in ((right, left, False), (left, right, True)):
                if const.kind == _CONST and const.value.__class__ is int:
                    return _mul_by_const(other.fn, const.value, column, const_first)
            if right.kind == _CONST or left.kind == _CONST:
                # A float/bool/complex constant factor cannot make an int grow.
                return _inline(_INLINE[op], left, right)
            return _binary(checked_mul(column), left, right)
        if op is ast.Pow:
            if right.kind == _CONST:
                exponent = right.value
                if exponent.__class__ is int and exponent > 1:
                    return _pow_by_const(
                        left.fn, exponent, symbol, column, is_step=left.kind == _PARAM
                    )
                # A float, bool or int <= 1 exponent never grows an int.
                return _inline(_INLINE[op], left, right)
            if left.kind == _CONST:
                base = left.value
                if base.__class__ is int and (base > 1 or base < -1):
                    return _const_pow(base, right.fn, symbol, column)
                return _inline(_INLINE[op], left, right)
            return _binary(checked_pow(symbol, column), left, right)
        if op is ast.LShift:
            return _binary(_checked_lshift(column), left, right)
        if op in _INLINE:
            return _inline(_INLINE[op], left, right)
        return _binary(_BINOP_FUNCTIONS[op], left, right)

    def _unaryop(self, node: ast.UnaryOp) -> _Part:
        operand = self.build(node.operand)
        fn = _UNARY_FUNCTIONS[type(node.op)]
        if operand.kind == _PARAM:
            result = fn  # the C function itself: no Python frame at all
        elif isinstance(node.op, ast.USub):
            f = operand.fn
            result = lambda x: -f(x)  # noqa: E731
        else:
            f = operand.fn
            result = lambda x: fn(f(x))  # noqa: E731
        return self._finish(_Part(result, _DYN, None, operand.depends), node.col_offset)

    def _boolop(self, node: ast.BoolOp) -> _Part:
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

        return self._finish(_Part(fn, _DYN, None, depends), node.col_offset)

    def _compare(self, node: ast.Compare) -> _Part:
        operands = [self.build(node.left)]
        functions: list[Callable[[Any, Any], Any]] = []
        previous: ast.expr = node.left
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            column = self._gap_token(previous, comparator.col_offset)
            refused = _REFUSED_COMPARISONS.get(type(op))
            if refused is not None:
                raise self._refuse(f"comparison '{refused}' is not allowed", column)
            functions.append(_COMPARE_FUNCTIONS[type(op)])
            operands.append(self.build(comparator))
            previous = comparator
        depends = any(part.depends for part in operands)
        fn: Fn
        if len(functions) == 1:
            fn = _binary(functions[0], operands[0], operands[1])
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

        return self._finish(_Part(fn, _DYN, None, depends), node.col_offset)

    def _ifexp(self, node: ast.IfExp) -> _Part:
        # Source order: body, test, orelse.
        body = self.build(node.body)
        test = self.build(node.test)
        orelse = self.build(node.orelse)
        if test.kind == _CONST:
            return body if test.value else orelse
        t, b, o = test.fn, body.fn, orelse.fn
        depends = body.depends or test.depends or orelse.depends
        fn: Fn = lambda x: b(x) if t(x) else o(x)  # noqa: E731
        return self._finish(_Part(fn, _DYN, None, depends), node.col_offset)

    # -- calls -----------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> _Part:
        name, function, arity = self._callee(node.func, node.col_offset)
        items: list[ast.expr | ast.keyword] = [*node.args, *node.keywords]
        items.sort(key=lambda item: item.col_offset)
        args: list[_Part] = []
        for item in items:
            if isinstance(item, ast.keyword):
                what = (
                    "argument unpacking '**'"
                    if item.arg is None
                    else f"keyword argument '{item.arg}='"
                )
                raise self._refuse(f"{what} is not allowed", item.col_offset, _HINT_FUNCTIONS)
            if isinstance(item, ast.Starred):
                raise self._refuse(
                    "starred argument '*' is not allowed", item.col_offset, _HINT_FUNCTIONS
                )
            args.append(self.build(item))
        low, high = arity
        if len(args) < low or (high is not None and len(args) > high):
            if high is None:
                expected = f"at least {low}"
            elif low == high:
                expected = str(low)
            else:
                expected = f"{low} or {high}"
            raise self._refuse(
                f"{name}() takes {expected} argument{'s' if expected != '1' else ''} "
                f"here, got {len(args)}",
                node.col_offset,
                _HINT_FUNCTIONS,
            )
        depends = any(arg.depends for arg in args)
        canonical = name if name in _BUILTIN_FUNCTIONS else f"math.{name.removeprefix('math.')}"
        if depends and canonical in _STAIRCASE_CALLS:
            self._staircase(node.col_offset, f"{name}()")
        if canonical == "pow":
            fn = self._binop_fn(ast.Pow, "pow()", args[0], args[1], node.col_offset)
        else:
            if canonical == "round" and len(args) == 2:
                function = _checked_round
            fn = _apply(function, args)
        return self._finish(_Part(fn, _DYN, None, depends), node.col_offset)

    def _callee(
        self, func: ast.expr, call_column: int
    ) -> tuple[str, Callable[..., Any], tuple[int, int | None]]:
        """Resolve an allowlisted callee to (name as written, function, arity)."""
        if isinstance(func, ast.Name):
            entry = _BUILTIN_FUNCTIONS.get(func.id) or _MATH_FUNCTIONS.get(func.id)
            if entry is not None:
                return func.id, entry[0], (entry[1], entry[2])
            raise self._refuse(f"call of '{func.id}' is not allowed", call_column, _HINT_FUNCTIONS)
        if isinstance(func, ast.Attribute):
            dotted = dotted_name(func)
            if isinstance(func.value, ast.Name) and func.value.id == "math":
                entry = _MATH_FUNCTIONS.get(func.attr)
                if entry is not None:
                    return f"math.{func.attr}", entry[0], (entry[1], entry[2])
            if dotted is not None:
                raise self._refuse(
                    f"call of '{dotted}' is not allowed", call_column, _HINT_FUNCTIONS
                )
            self.build(func.value)
            raise self._refuse(
                f"call of method '.{func.attr}' is not allowed",
                self._gap_token(func.value, func.end_col_offset or func.col_offset),
                _HINT_FUNCTIONS,
            )
        self.build(func)
        raise self._refuse(
            "calling the result of an expression is not allowed", call_column, _HINT_FUNCTIONS
        )

    def _staircase(self, column: int, construct: str) -> None:
        if not self.locate:
            self.staircase.append((column, construct))


def dotted_name(node: ast.expr) -> str | None:
    """``"os.path.join"`` for a name or a chain of attributes of one, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _apply(function: Callable[..., Any], args: list[_Part]) -> Fn:
    """Closure calling ``function`` on the compiled arguments, specialised for 1 and 2."""
    if len(args) == 1:
        (arg,) = args
        if arg.kind == _PARAM:
            return function  # e.g. float, math.sqrt: called directly on the step
        if arg.kind == _CONST:
            c = arg.value
            return lambda _x: function(c)
        f = arg.fn
        return lambda x: function(f(x))
    if len(args) == 2:
        return _binary(function, args[0], args[1])
    fns = tuple(arg.fn for arg in args)
    return lambda x: function(*[f(x) for f in fns])
