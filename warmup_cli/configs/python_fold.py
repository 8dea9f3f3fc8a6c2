"""Constant folding for the Python config reader, and why an expression is left unevaluated.

Folding is bounded with the expression sandbox's own arithmetic (``warmup_cli.expr``): integer
results of more than ``MAX_INT_BITS`` bits are refused before they are computed, and so are
string concatenations longer than :data:`MAX_STR_FOLD`. Whatever cannot be folded raises
:class:`Cannot` with a reason that ends up in :class:`~warmup_cli.configs.tree.Unresolved`.
"""

from __future__ import annotations

import ast

from warmup_cli.configs.tree import Scalar
from warmup_cli.expr import (
    BINOP_SYMBOLS,
    MAX_INT_BITS,
    BoundError,
    checked_mul,
    checked_pow,
    dotted_name,
)

MAX_STR_FOLD = 100_000
"""Longest string a ``+`` of two string constants may build."""
MAX_EXPONENT_BITS = 64
"""An integer exponent wider than this is refused before the power is tried."""

_BOUNDED_MUL = checked_mul()  # the sandbox's a * b and a ** b: BoundError past MAX_INT_BITS
_BOUNDED_POW = checked_pow()


class Cannot(Exception):
    """An expression cannot be resolved statically; ``base`` is the root cause."""

    def __init__(self, reason: str, base: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.base = base or reason


def number_of(value: Scalar) -> int | float | None:
    """``value`` when it is an int or float (never a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def fold(op: ast.operator, left: Scalar, right: Scalar) -> Scalar:
    """``left op right`` for two constants, bounded, or raise :class:`Cannot`."""
    symbol = BINOP_SYMBOLS.get(type(op), type(op).__name__)
    if isinstance(left, str) and isinstance(right, str) and isinstance(op, ast.Add):
        if len(left) + len(right) > MAX_STR_FOLD:
            raise Cannot("builds a string that is too long")
        return left + right
    a, b = number_of(left), number_of(right)
    if a is None or b is None:
        raise Cannot(f"applies {symbol} to something that is not a number")
    try:
        result = _arithmetic(op, symbol, a, b)
    except ZeroDivisionError:
        raise Cannot("divides by zero") from None
    except (OverflowError, BoundError):
        raise Cannot("is too large to evaluate") from None
    if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
        raise Cannot("is too large to evaluate")
    return result


def _arithmetic(op: ast.operator, symbol: str, a: int | float, b: int | float) -> int | float:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return _checked(_BOUNDED_MUL(a, b))
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.FloorDiv):
        return a // b
    if isinstance(op, ast.Mod):
        return a % b
    if isinstance(op, ast.Pow):
        return _power(a, b)
    raise Cannot(f"uses the {symbol} operator")


def _power(a: int | float, b: int | float) -> int | float:
    if isinstance(b, int) and b.bit_length() > MAX_EXPONENT_BITS:
        raise Cannot("raises to a huge power")
    result = _BOUNDED_POW(a, b)
    if isinstance(result, complex):
        raise Cannot("gives a complex number")
    return _checked(result)


def _checked(result: object) -> int | float:
    """The sandbox's bounded operators are typed loosely; on two numbers they give one."""
    if isinstance(result, int | float):
        return result
    raise TypeError(f"bounded arithmetic gave a {type(result).__name__}")


def _root_name(e: ast.expr) -> str | None:
    while isinstance(e, ast.Attribute | ast.Subscript | ast.Call):
        e = e.func if isinstance(e, ast.Call) else e.value
    return e.id if isinstance(e, ast.Name) else None


_FIXED_REASONS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (ast.IfExp, "depends on a runtime condition"),
    (ast.Lambda, "is a lambda"),
    ((ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp), "is a comprehension"),
    (ast.JoinedStr, "is an f-string"),
    (ast.Compare, "is a comparison"),
    (ast.BoolOp, "is a boolean expression"),
    (ast.Set, "is a set"),
    (ast.Starred, "unpacks with *"),
    (ast.NamedExpr, "is an assignment expression"),
    ((ast.Dict, ast.List, ast.Tuple), "does arithmetic on a collection"),
)


def reason(e: ast.expr) -> str:
    """Why ``e``, met where a single value is needed, is not evaluated."""
    if isinstance(e, ast.Attribute):
        root = _root_name(e)
        return f"refers to {root}" if root else "is an attribute of a computed value"
    if isinstance(e, ast.Subscript):
        root = _root_name(e)
        return f"is a subscript of {root}" if root else "is a subscript"
    if isinstance(e, ast.Call):
        callee = dotted_name(e.func)
        return f"calls {callee}()" if callee else "calls a computed function"
    for kinds, fixed in _FIXED_REASONS:
        if isinstance(e, kinds):
            return fixed
    return f"is a {type(e).__name__} expression, which is not evaluated"
