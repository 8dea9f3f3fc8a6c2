"""What the sandbox accepts: the allowed functions, names and operators, and the checks a text
passes before it is compiled (length, syntax, node count, nesting depth, lambda parameters).

Node-by-node refusals (a string literal, an attribute access, an unknown name, ...) happen in
:mod:`warmup_cli.expr.compiler`, in the same source-order pass that builds the closures, so
that the leftmost problem is the one reported; the tables and words it uses live here.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from warmup_cli.errors import ExpressionError
from warmup_cli.expr.positions import TOKEN_NODES, Positions

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

#: An allowlisted function: (callable, minimum arity, maximum arity or None for no maximum).
FunctionEntry = tuple[Callable[..., Any], int, int | None]

BUILTIN_FUNCTIONS: dict[str, FunctionEntry] = {
    "min": (min, 2, None),  # min(x) of one number always fails in Python: refuse it up front
    "max": (max, 2, None),
    "abs": (abs, 1, 1),
    "round": (round, 1, 2),
    "int": (int, 1, 1),
    "float": (float, 1, 1),
    "pow": (pow, 2, 2),  # the 3-argument form is modular arithmetic, not a schedule
}
MATH_FUNCTIONS: dict[str, FunctionEntry] = {
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
BARE_CONSTANTS: dict[str, float] = {"pi": math.pi, "tau": math.tau, "inf": math.inf}
MATH_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau, "inf": math.inf}
# Names with a fixed meaning: a lambda parameter may not hide them, a bare expression never
# takes them as its step variable.
RESERVED_NAMES = frozenset({*BUILTIN_FUNCTIONS, *MATH_FUNCTIONS, *BARE_CONSTANTS, "math"})
# Calls whose result is a whole number of the argument: applied to the step they turn a smooth
# ramp into a staircase (``min(epoch // 4, 1)`` stays 0 for 4 epochs, then jumps to 1).
STAIRCASE_CALLS = frozenset({"int", "round", "math.floor", "math.ceil", "math.trunc"})

HINT_GENERAL = (
    "allowed: int and float numbers, the step variable, + - * / // % ** << >> & | ^, "
    "unary + - ~ not, and/or, comparisons (< <= > >= == !=), `a if cond else b` and calls of "
    "allowed functions such as min(a, b) or math.cos(x)"
)
HINT_FUNCTIONS = (
    "allowed functions: "
    + ", ".join(BUILTIN_FUNCTIONS)
    + ", and "
    + ", ".join(MATH_FUNCTIONS)
    + " (bare or as math.NAME), called with positional arguments only"
)
HINT_CONSTANTS = "constants: pi, tau, inf, math.pi, math.e, math.tau, math.inf"
HINT_FORMS = (
    "write `lambda epoch: min((epoch + 1) / 4, 1)` or a bare expression over one step "
    "variable such as `min((e + 1) / 4, 1)`"
)
HINT_PARAMETER = "the lambda takes exactly one parameter, the step: `lambda epoch: ...`"

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
# The allowed binary operators ('@' is the one refused).
BINOP_FUNCTIONS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
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
UNARY_FUNCTIONS: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
    ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
COMPARE_FUNCTIONS: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
REFUSED_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
# Node types that are never allowed, with the plain words used to name them.
REFUSED_NODES: dict[type[ast.AST], str] = {
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
# Literal types that are never allowed (int, float and bool are), by exact class.
_REFUSED_LITERALS: dict[type, str] = {
    str: "string literal",
    bytes: "bytes literal",
    type(None): "None",
    type(Ellipsis): "'...' (Ellipsis)",
}


def refused_constant(value: object, text: str) -> str:
    """Words naming a literal outside the allowlist; ``text`` is the literal as written."""
    cls = value.__class__
    if cls is complex:
        return f"complex literal '{text}'"
    return _REFUSED_LITERALS.get(cls, f"constant of type {cls.__name__}")


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


# --------------------------------------------------------------------------------------------
# Checks before compiling


def check_length(source: str, limits: Limits) -> None:
    """Refuse an empty or over-long (stripped) text."""
    if not source:
        raise ExpressionError("the expression is empty", source=source, column=0, hint=HINT_FORMS)
    if len(source) > limits.max_source_chars:
        # No source/column: echoing a huge line back would drown the message.
        raise ExpressionError(
            f"the expression is too long: {len(source):,} characters "
            f"(limit {limits.max_source_chars:,})",
            hint="a learning-rate lambda fits on one line",
        )


def parse(source: str, positions: Positions, limits: Limits) -> ast.expr:
    """``ast.parse`` in eval mode, every failure turned into an :class:`ExpressionError`."""
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
            hint=f"Python says: {exc.msg}; {HINT_FORMS}",
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


def check_size(root: ast.expr, source: str, positions: Positions, limits: Limits) -> None:
    """Refuse trees with too many nodes or too deep a nesting (iteratively: no recursion).

    Runs on the tree as parsed, before :meth:`Positions.rewrite`.
    """
    count = sum(1 for node in ast.walk(root) if not isinstance(node, TOKEN_NODES))
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
            raise ExpressionError(
                f"the expression is nested too deeply: more than {limits.max_depth} levels",
                source=source,
                column=positions.node_start(node),
                hint="simplify the expression",
            )
        stack.extend(
            (child, depth + 1)
            for child in ast.iter_child_nodes(node)
            if not isinstance(child, TOKEN_NODES)
        )


def check_lambda_arguments(node: ast.Lambda, source: str) -> str:
    """The single parameter's name; refuses every other parameter shape."""

    def refuse(message: str, column: int) -> ExpressionError:
        return ExpressionError(message, source=source, column=column, hint=HINT_PARAMETER)

    args = node.args
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
    params = [*args.posonlyargs, *args.args]
    if len(params) != 1:
        if not params:
            raise refuse(
                "the lambda takes no parameter; it must take exactly one (the step)",
                node.col_offset,
            )
        raise refuse(
            f"the lambda takes {len(params)} parameters; it must take exactly one (the step)",
            params[1].col_offset,
        )
    param = params[0]
    if param.annotation is not None:  # not valid Python syntax today; refuse if it ever is
        raise refuse("a parameter annotation is not allowed", param.annotation.col_offset)
    if param.arg in RESERVED_NAMES:
        raise refuse(
            f"the parameter name '{param.arg}' would hide the allowed name '{param.arg}'",
            param.col_offset,
        )
    return param.arg
