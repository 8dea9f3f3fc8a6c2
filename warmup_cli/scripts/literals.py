"""The literal-only value layer: a number written in the script at the place it is used.

It knows ``30``, ``-1``, ``0.5`` and arithmetic over such literals (``10 * 100``), nothing
that a name holds: the checks then stay silent wherever a value is open. The value layer
proper (names, argparse defaults, ``--set``) implements the same :class:`Values` protocol.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv,
}
# Literal arithmetic is walked with an explicit stack; a longer expression stays open.
_MAX_NODES = 64


def literal_number(node: ast.expr) -> float | None:
    """The value of a numeric literal expression, or None (names, calls, bools, ``**``)."""
    if sum(1 for _ in ast.walk(node)) > _MAX_NODES:
        return None
    results: list[float] = []
    stack: list[tuple[ast.expr, bool]] = [(node, False)]
    while stack:
        current, ready = stack.pop()
        if isinstance(current, ast.Constant):
            value = current.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            results.append(float(value) if isinstance(value, float) else value)
        elif isinstance(current, ast.UnaryOp) and isinstance(current.op, ast.USub | ast.UAdd):
            if not ready:
                stack.extend([(current, True), (current.operand, False)])
                continue
            operand = results.pop()
            results.append(-operand if isinstance(current.op, ast.USub) else operand)
        elif isinstance(current, ast.BinOp) and type(current.op) in _BINARY:
            if not ready:
                stack.extend([(current, True), (current.right, False), (current.left, False)])
                continue
            right, left = results.pop(), results.pop()
            try:
                value = _BINARY[type(current.op)](left, right)
            except ZeroDivisionError:
                return None
            if not math.isfinite(value):
                return None
            results.append(value)
        else:
            return None
    return results[0] if len(results) == 1 else None


class LiteralValues:
    """:class:`~warmup_cli.scripts.model.Values` from literals alone."""

    def number(self, node: ast.expr, scope: tuple[str, ...]) -> float | None:
        del scope  # a literal means the same in every scope
        return literal_number(node)
