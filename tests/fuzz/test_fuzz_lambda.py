"""Lambda texts: random expression trees over the sandbox's allowlist (and mutations of them).

The sandbox accepts a text or refuses it with an ExpressionError; an accepted text's value at
steps 0..N is CPython's own value for the same lambda, bit for bit, or both fail (the
differential check); `warmup show` on any of them ends with a result or one clear error.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Callable
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.strategies import lambda_texts
from tests.fuzz.support import (
    Outcome,
    check_echoed,
    check_run,
    fuzz_target,
    guarded,
    invoke,
    run_fuzz,
    same_factor,
)
from warmup_cli.errors import EvaluationError, ExpressionError
from warmup_cli.expr import CompiledExpression, compile_expression
from warmup_cli.expr.allowlist import BARE_CONSTANTS, BUILTIN_FUNCTIONS, MATH_FUNCTIONS
from warmup_cli.expr.bounds import HINT_BOUND

STEPS = (*range(17), 100, 1000, 10**6, 2**31 - 1)


class Incomparable(Exception):
    """The reference would do work the sandbox answers without doing (``round`` of an int to
    a huge negative number of digits: CPython builds ``10 ** -ndigits`` first)."""


def _reference_round(value: Any, *ndigits: Any) -> Any:
    if ndigits and isinstance(value, int) and isinstance(ndigits[0], int) \
            and ndigits[0] < -100_000:
        raise Incomparable
    return round(value, *ndigits)


# The names the allowlist gives an expression, bound to the very objects CPython uses.
_REFERENCE_NAMES: dict[str, Any] = {
    "__builtins__": {},
    "math": math,
    **{name: entry[0] for name, entry in BUILTIN_FUNCTIONS.items()},
    **{name: entry[0] for name, entry in MATH_FUNCTIONS.items()},
    **BARE_CONSTANTS,
    "round": _reference_round,
}


def reference(compiled: CompiledExpression) -> Callable[[int], Any]:
    """CPython's function for a text the sandbox accepted. Test-only, and only ever for texts
    the allowlist let through: the names it can reach are those of ``_REFERENCE_NAMES``."""
    source = compiled.source
    if not source.startswith("lambda"):
        # a bare expression over its step variable (a comment in it ends at the newline)
        source = f"lambda {compiled.param or '_unused'}: (\n{source}\n)"
    with warnings.catch_warnings():  # SyntaxWarning for `1if x`: the sandbox accepted it
        warnings.simplefilter("ignore")
        code = compile(source, "<fuzzed lambda>", "eval")
    function: Callable[[int], Any] = eval(code, dict(_REFERENCE_NAMES))
    return function


def _returns_a_factor(value: object) -> bool:
    """What the sandbox returns rather than refuses: a finite float, an int or a bool."""
    return type(value) in (int, bool) or (type(value) is float and math.isfinite(value))


def _compare_at(compiled: CompiledExpression, python: Callable[[int], Any], step: int) -> None:
    ours = guarded(lambda: compiled(step), (EvaluationError,))
    if ours.known:
        return
    if isinstance(ours.error, EvaluationError) and ours.error.hint == HINT_BOUND:
        event("sandbox: integer bound")  # refused before computing; CPython would compute
        return
    theirs: Outcome = guarded(lambda: python(step), (Exception,))
    if isinstance(theirs.error, Incomparable):
        return
    if isinstance(ours.error, EvaluationError):
        assert theirs.error is not None or not _returns_a_factor(theirs.value), (
            compiled.source, step, ours.error.render(), theirs.value)
        assert ours.error.step == step
        return
    assert theirs.error is None, (compiled.source, step, ours.value, theirs.error)
    assert same_factor(ours.value, theirs.value), (compiled.source, step, ours.value,
                                                 theirs.value)


@fuzz_target
@given(lambda_texts())
def differential(text: str) -> None:
    outcome = guarded(lambda: compile_expression(text), (ExpressionError,))
    if outcome.known:
        return
    if outcome.error is not None:
        event("refused")
        error = outcome.error
        assert isinstance(error, ExpressionError)
        assert error.message and error.render().startswith(error.message)
        if error.column is not None and error.source is not None:
            assert 0 <= error.column <= len(error.source), (text, error.column)
        return
    event("accepted")
    compiled: CompiledExpression = outcome.value
    python = reference(compiled)
    for step in STEPS:
        _compare_at(compiled, python, step)


def test_accepted_lambdas_match_cpython_bit_for_bit() -> None:
    run_fuzz(differential)


@fuzz_target
@given(lambda_texts(), st.integers(1, 12), st.sampled_from(("csv", "json", "table")))
def show_lambda(text: str, count: int, fmt: str) -> None:
    args = ["show", text, "-n", str(count), "--format", fmt, "--color", "never"]
    run = invoke(args)
    if not check_run(run, args, frozenset({0, 2})):
        return
    if run.exit_code != 0:
        return
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(run.stdout)))
        assert len(rows) == count, (args, run.stdout)
        compiled = compile_expression(text)
        for row in rows:
            assert float(row["factor"]) == float(compiled(int(row["epoch"]))), (args, row)
    elif fmt == "table":
        check_echoed(text, run.stdout)


def test_show_any_lambda_gives_rows_or_one_error() -> None:
    run_fuzz(show_lambda)
