"""Helpers shared by the test_expr* modules (no tests here)."""

from __future__ import annotations

import pytest

from warmup_cli.errors import EvaluationError, ExpressionError
from warmup_cli.expr import compile_expression


def column_of(text: str, needle: str, occurrence: int = 0) -> int:
    """Column of the ``occurrence``-th ``needle`` in ``text`` (the expected caret position)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    return index


def refusal(text: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    return info.value


def failure(text: str, step: int) -> EvaluationError:
    compiled = compile_expression(text)
    with pytest.raises(EvaluationError) as info:
        compiled(step)
    return info.value
