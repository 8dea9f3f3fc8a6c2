"""``--set NAME=VALUE``: the text a value of a training script is matched by, and the value,
read from its syntax tree (never evaluated)."""

from __future__ import annotations

import ast
from typing import Any


def canonical(node: ast.expr) -> str:
    """The text ``--set`` matches: ``ast.unparse`` of the expression (quotes, spacing and
    parentheses normalized)."""
    return ast.unparse(node)


def parse_set(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` of ``--set``: NAME is an expression of the script (``args.lr``,
    ``len(train_loader)``, ``hyp['lrf']``), VALUE a number, bool, string, None or a list of
    those; ValueError otherwise. Nothing is evaluated: VALUE is read from its syntax tree."""
    name, sep, value = text.partition("=")
    while sep and name.endswith(("<", ">", "!")):  # never split inside a comparison
        more, sep, value = value.partition("=")
        name = f"{name}={more}"
    if not sep or not name.strip():
        raise ValueError(f"--set {text!r}: expected NAME=VALUE, e.g. args.warmup_steps=200")
    try:
        key = canonical(ast.parse(name.strip(), mode="eval").body)
        tree = ast.parse(value.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(f"--set {text!r}: NAME and VALUE must be Python expressions, "
                         "e.g. 'len(train_loader)=391'") from None
    return key, _literal(tree, text)


def _literal(node: ast.expr, text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | None):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _literal(node.operand, text)
        if isinstance(inner, int | float) and not isinstance(inner, bool):
            return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.List | ast.Tuple):
        items = [_literal(item, text) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    raise ValueError(f"--set {text!r}: VALUE must be a number, True/False, a string, None or "
                     "a list of those")
