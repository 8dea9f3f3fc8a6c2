"""Tests for the expression sandbox (warmup_cli.expr).

The parity table compares the sandbox against real Python lambdas written in this file: the
sandbox must return bit-for-bit the same value, of the same type, or fail where Python fails.
"""

from __future__ import annotations

import ast
import math
import pathlib
from collections.abc import Callable
from typing import Any

import pytest

from warmup_cli import expr
from warmup_cli.errors import EXIT_USAGE, EvaluationError, ExpressionError
from warmup_cli.expr import CompiledExpression, allowlist, compile_expression, is_lambda_text

STEPS = [*range(50), 1000, 10**6, 2**31 - 1, 10**12]


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


# ---------------------------------------------------------------------------------------------
# Seed cases from the brief


def test_seed_epoch_over_three() -> None:
    f = compile_expression("lambda epoch: epoch / 3")
    assert f(0) == 0.0
    assert type(f(0)) is float
    assert f.param == "epoch"


def test_seed_linear_warmup() -> None:
    f = compile_expression("lambda e: min((e + 1) / 4, 1)")
    values = [f(k) for k in range(5)]
    assert values == [0.25, 0.5, 0.75, 1, 1]
    # min() keeps its first argument on a tie (1.0) and the int 1 afterwards, as Python does.
    assert [type(v) for v in values] == [float, float, float, float, int]


def test_seed_staircase_expression() -> None:
    f = compile_expression("min(epoch // 4, 1)")
    assert [f(k) for k in range(6)] == [0, 0, 0, 0, 1, 1]
    assert f.param == "epoch"
    assert f.staircase == ((column_of(f.source, "//"), "//"),)


def test_seed_noam_raises_at_step_zero() -> None:
    text = "lambda step: 512 ** -0.5 * min(step ** -0.5, step * 4000 ** -1.5)"
    err = failure(text, 0)
    assert err.step == 0
    assert err.exit_code == EXIT_USAGE == 2
    assert "step 0" in err.message
    assert "ZeroDivisionError" in err.message
    assert "0.0 cannot be raised to a negative power" in err.message
    # The caret points at the `**` that failed, not at the whole lambda.
    assert err.column == column_of(text, "** -0.5", 1)
    assert err.source == text
    assert err.hint is not None and "max(step, 1)" in err.hint
    # Later steps work.
    assert compile_expression(text)(1) == 512**-0.5 * min(1**-0.5, 1 * 4000**-1.5)


# ---------------------------------------------------------------------------------------------
# Parity with real Python lambdas

PARITY: list[tuple[str, Callable[[int], Any]]] = [
    ("lambda epoch: epoch / 3", lambda epoch: epoch / 3),
    ("lambda e: min((e + 1) / 4, 1)", lambda e: min((e + 1) / 4, 1)),
    ("min(epoch // 4, 1)", lambda epoch: min(epoch // 4, 1)),
    (
        "lambda step: 512 ** -0.5 * min(step ** -0.5, step * 4000 ** -1.5)",
        lambda step: 512**-0.5 * min(step**-0.5, step * 4000**-1.5),
    ),
    (
        "lambda s: 0.5 * (1 + math.cos(math.pi * s / 40))",
        lambda s: 0.5 * (1 + math.cos(math.pi * s / 40)),
    ),
    ("cos(pi * e / 40)", lambda e: math.cos(math.pi * e / 40)),
    ("e * tau + math.e", lambda e: e * math.tau + math.e),
    ("min(e, inf)", lambda e: min(e, math.inf)),
    ("0.5", lambda _: 0.5),
    ("7 * 6", lambda _: 42),
    ("lambda s: s ** 2 / 100", lambda s: s**2 / 100),
    ("lambda s: (s + 1) ** 3", lambda s: (s + 1) ** 3),
    ("lambda s: s ** 3 ** 2 % 1000", lambda s: s**3**2 % 1000),
    ("lambda s: 2 ** -s", lambda s: 2**-s),
    ("lambda s: 1.5 ** s", lambda s: 1.5**s),
    ("lambda s: s ** 0.5 ** 2", lambda s: s**0.5**2),
    ("lambda s: (s - 10) ** -1", lambda s: (s - 10) ** -1),
    ("lambda s: 0 ** s", lambda s: 0**s),
    ("lambda s: (-1) ** s", lambda s: (-1) ** s),
    ("lambda s: (-2) ** (s % 11)", lambda s: (-2) ** (s % 11)),
    ("lambda s: 10 ** (s % 9) * s", lambda s: 10 ** (s % 9) * s),
    ("lambda s: s ** s if s < 30 else 1", lambda s: s**s if s < 30 else 1),
    ("lambda s: (s - 5) ** 0.5", lambda s: (s - 5) ** 0.5),
    ("lambda s: s % 7 - s // 7 * 2", lambda s: s % 7 - s // 7 * 2),
    ("lambda s: -s % 5 + -(s // 3)", lambda s: -s % 5 + -(s // 3)),
    ("lambda s: s / 3 // 0.1 % 0.7", lambda s: s / 3 // 0.1 % 0.7),
    ("lambda s: 1 / (s - 10)", lambda s: 1 / (s - 10)),
    ("lambda s: 100 // (s - 7) + 100 % (s - 8)", lambda s: 100 // (s - 7) + 100 % (s - 8)),
    ("lambda s: s and 1 / s", lambda s: s and 1 / s),
    ("lambda s: s or 0.5", lambda s: s or 0.5),
    ("lambda s: not s", lambda s: not s),
    ("lambda s: s > 3 and s < 10 or 0.1", lambda s: (s > 3 and s < 10) or 0.1),
    ("lambda s: s % 2 and s % 3 and s % 5", lambda s: s % 2 and s % 3 and s % 5),
    ("lambda s: s % 2 or s % 3 or 0.25", lambda s: s % 2 or s % 3 or 0.25),
    (
        "lambda s: 1 if s < 5 else 0.5 if s < 20 else 0.1",
        lambda s: 1 if s < 5 else 0.5 if s < 20 else 0.1,
    ),
    ("lambda s: 0 < s <= 10", lambda s: 0 < s <= 10),
    ("lambda s: 1 < s < 30 != s % 7 == 0", lambda s: 1 < s < 30 != s % 7 == 0),
    ("lambda s: (s >= 3) * 0.5 + (s != 4)", lambda s: (s >= 3) * 0.5 + (s != 4)),
    ("lambda s: round(s / 7, 2)", lambda s: round(s / 7, 2)),
    ("lambda s: round(s / 2)", lambda s: round(s / 2)),
    ("lambda s: round(s, -1)", lambda s: round(s, -1)),
    ("lambda s: round(2.675, s % 4)", lambda s: round(2.675, s % 4)),
    ("lambda s: round(s * 7919, -(s % 17))", lambda s: round(s * 7919, -(s % 17))),
    (
        "lambda s: round((s - 25) * 10 ** (s % 9), -(s % 12))",
        lambda s: round((s - 25) * 10 ** (s % 9), -(s % 12)),
    ),
    ("lambda s: round(s, -2000)", lambda s: round(s, -2000)),
    ("lambda s: round(s > 3, -40)", lambda s: round(s > 3, -40)),
    ("lambda s: int(s / 3.5)", lambda s: int(s / 3.5)),
    ("lambda s: float(s) + int(True)", lambda s: float(s) + int(True)),
    ("lambda s: abs(s - 25) + abs(-s * 0.5)", lambda s: abs(s - 25) + abs(-s * 0.5)),
    ("lambda s: max(s / 10, 0.1, 0.05)", lambda s: max(s / 10, 0.1, 0.05)),
    ("lambda s: min(s, 10, 20.0)", lambda s: min(s, 10, 20.0)),
    ("lambda s: max(s, s)", lambda s: max(s, s)),
    ("lambda s: pow(s, 2) + pow(s + 0.5, -1)", lambda s: pow(s, 2) + pow(s + 0.5, -1)),
    ("lambda s: pow(2, s % 64)", lambda s: pow(2, s % 64)),
    ("lambda s: s << 2 | s >> 1", lambda s: s << 2 | s >> 1),
    ("lambda s: s & 3 | 8 ^ s", lambda s: s & 3 | 8 ^ s),
    ("lambda s: ~s + 100 + +s", lambda s: ~s + 100 + +s),
    ("lambda s: 1 << (s % 40) >> 3", lambda s: 1 << (s % 40) >> 3),
    ("lambda s: 3 << s - 5 if s < 100 else 0", lambda s: 3 << s - 5 if s < 100 else 0),
    ("lambda s: math.sqrt(s) + sqrt(s + 1)", lambda s: math.sqrt(s) + math.sqrt(s + 1)),
    ("lambda s: math.log(s + 1) + log(s + 1, 2)", lambda s: math.log(s + 1) + math.log(s + 1, 2)),
    ("lambda s: math.log2(s)", lambda s: math.log2(s)),
    ("lambda s: log10(s) + log1p(s)", lambda s: math.log10(s) + math.log1p(s)),
    (
        "lambda s: math.exp(-s / 10) + expm1(s / 100)",
        lambda s: math.exp(-s / 10) + math.expm1(s / 100),
    ),
    ("lambda s: math.exp(s)", lambda s: math.exp(s)),
    ("lambda s: sin(s) + tan(s) + atan(s)", lambda s: math.sin(s) + math.tan(s) + math.atan(s)),
    ("lambda s: math.atan2(s, 10)", lambda s: math.atan2(s, 10)),
    (
        "lambda s: cosh(s / 100) - sinh(s / 100) * tanh(s)",
        lambda s: math.cosh(s / 100) - math.sinh(s / 100) * math.tanh(s),
    ),
    (
        "lambda s: acos(s % 3 - 1) + asin(s % 3 - 1)",
        lambda s: math.acos(s % 3 - 1) + math.asin(s % 3 - 1),
    ),
    ("lambda s: acos(s / 20)", lambda s: math.acos(s / 20)),
    (
        "lambda s: floor(s / 3) + math.ceil(s / 3) + trunc(-s / 3)",
        lambda s: math.floor(s / 3) + math.ceil(s / 3) + math.trunc(-s / 3),
    ),
    ("lambda s: math.floor(s)", lambda s: math.floor(s)),
    (
        "lambda s: fabs(-s) + copysign(s, -1) + fmod(s, 7.5)",
        lambda s: math.fabs(-s) + math.copysign(s, -1) + math.fmod(s, 7.5),
    ),
    ("lambda s: math.fmod(s, s - 3)", lambda s: math.fmod(s, s - 3)),
    ("lambda s: hypot(s, 3, 4) + math.hypot(s)", lambda s: math.hypot(s, 3, 4) + math.hypot(s)),
    ("lambda s: degrees(s) - radians(s)", lambda s: math.degrees(s) - math.radians(s)),
    ("lambda s: True + s * True", lambda s: True + s * True),
    ("lambda s: False ** s + True ** s", lambda s: False**s + True**s),
    ("lambda s: s > 3", lambda s: s > 3),
    ("lambda s: -0.0 * s", lambda s: -0.0 * s),
    ("lambda s: s * 2.0 ** 0.5 * 1e-3", lambda s: s * 2.0**0.5 * 1e-3),
    (
        "lambda s: s * 10 ** -3 + 0x10 + 0o7 + 0b1 + 1_000",
        lambda s: s * 10**-3 + 0x10 + 0o7 + 0b1 + 1_000,
    ),
    ("lambda s: 1 - s / 50 if s < 50 else 0.0", lambda s: 1 - s / 50 if s < 50 else 0.0),
    ("lambda s: s / 2 if 1 else 0", lambda s: s / 2 if 1 else 0),
    ("lambda s: s / 2 if 0.0 else s // 3", lambda s: s / 2 if 0.0 else s // 3),
    ("lambda s: 20 - s + (3 - s) * 2 - (s - 4) / 7", lambda s: 20 - s + (3 - s) * 2 - (s - 4) / 7),
    (
        "lambda s: 7 / s + s / 7 + 7 // s + s // 7 + 7 % s + s % 7",
        lambda s: 7 / s + s / 7 + 7 // s + s // 7 + 7 % s + s % 7,
    ),
    ("lambda s: s * s * s - s * 3", lambda s: s * s * s - s * 3),
    ("lambda s: 3 * s * 2", lambda s: 3 * s * 2),
    ("lambda s: (1 << 4000) // (s + 1) % 1000003", lambda s: (1 << 4000) // (s + 1) % 1000003),
    ("lambda s, /: s + 1", lambda s, /: s + 1),
    ("lambda ε: ε / 2", lambda ε: ε / 2),
    ("(lambda s: s / 4)", lambda s: s / 4),
    ("lambda s: (s\n   + 1) / 2", lambda s: (s + 1) / 2),
]


def outcome(fn: Callable[[int], Any], step: int) -> tuple[str, ...]:
    """What Python does: the value's type and repr, or the exception's type and text."""
    try:
        value = fn(step)
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))
    return ("value", type(value).__name__, repr(value))


@pytest.mark.parametrize(("text", "reference"), PARITY, ids=[text for text, _ in PARITY])
def test_parity_with_python_lambda(text: str, reference: Callable[[int], Any]) -> None:
    compiled = compile_expression(text)
    checked = 0
    for step in STEPS:
        expected = outcome(reference, step)
        if expected[0] == "raised":
            with pytest.raises(EvaluationError) as info:
                compiled(step)
            kind, message = expected[1], expected[2]
            assert f"raised {kind} at step {step}: {message}" in info.value.message, text
            assert info.value.step == step
            continue
        kind, value_repr = expected[1], expected[2]
        value = reference(step)
        if kind in ("float", "complex") and not (isinstance(value, float) and math.isfinite(value)):
            # nan, inf and complex results are refused, with the step.
            with pytest.raises(EvaluationError) as info:
                compiled(step)
            assert f"at step {step}" in info.value.message
            assert "returned" in info.value.message
            continue
        actual = compiled(step)
        assert (type(actual).__name__, repr(actual)) == (kind, value_repr), (text, step)
        checked += 1
    assert checked > 0, f"{text}: no step produced a value; the table entry tests nothing"


def test_parity_table_calls_every_allowed_function() -> None:
    called = set()
    for text, _ in PARITY:
        for node in ast.walk(ast.parse(text.strip(), mode="eval")):
            if isinstance(node, ast.Call):
                func = node.func
                called.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    missing = {*allowlist.BUILTIN_FUNCTIONS, *allowlist.MATH_FUNCTIONS} - called
    assert not missing, f"not exercised by the parity table: {sorted(missing)}"


def test_results_keep_their_python_types() -> None:
    assert type(compile_expression("lambda s: s + 1")(3)) is int
    assert type(compile_expression("lambda s: s > 1")(3)) is bool
    assert type(compile_expression("lambda s: s / 1")(3)) is float
    assert compile_expression("lambda s: s * 10**30")(3) == 3 * 10**30


def test_constant_expression_has_no_parameter() -> None:
    f = compile_expression("  pi / 4 ")
    assert f.param is None
    assert f.source == "pi / 4"
    assert f(0) == f(123) == math.pi / 4


def test_compiled_expression_fields() -> None:
    f = compile_expression("  lambda epoch:(epoch + 1) / 4  ")
    assert isinstance(f, CompiledExpression)
    assert f.source == "lambda epoch:(epoch + 1) / 4"
    assert f.param == "epoch"
    assert f.body_column == column_of(f.source, "(")
    assert isinstance(f.tree, ast.BinOp)
    assert f.tree.col_offset == column_of(f.source, "(")  # the BinOp includes its parentheses
    assert f.staircase == ()


@pytest.mark.parametrize(
    ("text", "body_column"),
    [
        ("lambda epoch: epoch / 3", 14),
        ("lambda e:e", 9),
        ("lambda e, /: e", 13),
        ("lambda e :  (e)", 12),
        ("min(e, 1)", 0),
        ("lambda ε: ε / 2", 10),
    ],
)
def test_body_column(text: str, body_column: int) -> None:
    assert compile_expression(text).body_column == body_column


def test_tree_columns_are_character_offsets() -> None:
    # CPython's col_offset counts UTF-8 bytes; ε is two bytes.
    text = "lambda ε: ε + εε"
    err = refusal(text)
    assert err.message == "unknown name 'εε'; the step variable is 'ε'"
    assert err.column == column_of(text, "εε")
    f = compile_expression("lambda ε: ε + 1")
    assert f.tree.col_offset == 10
    assert f.tree.end_col_offset == 15
    assert f.tree.lineno == f.tree.end_lineno == 1


def test_multiline_source_columns() -> None:
    text = "(lambda s:\n   s + y)"
    err = refusal(text)
    assert err.message == "unknown name 'y'; the step variable is 's'"
    assert err.column == column_of(text, "y")
    f = compile_expression("(lambda s:\r\n  s // 2)")
    assert f.staircase == ((column_of(f.source, "//"), "//"),)


# ---------------------------------------------------------------------------------------------
# Refused constructs

REFUSED: list[tuple[str, str, str, int]] = [
    # (text, message fragment, needle whose column the caret must point at, occurrence)
    ("lambda x: x.__class__", "attribute access 'x.__class__' is not allowed", ".", 0),
    ("lambda x: (x + 1).real", "attribute access '.real' is not allowed", ".real", 0),
    ("math.__dict__", "'math.__dict__' is not allowed", "math", 0),
    ("lambda x: math.nan", "'math.nan' is not allowed", "math", 0),
    ("lambda x: os.system(x)", "call of 'os.system' is not allowed", "os", 0),
    ("lambda x: os.path", "attribute access 'os.path' is not allowed", ".", 0),
    ("__import__('os').system('ls')", "call of '__import__' is not allowed", "__import__", 0),
    ("lambda x: getattr(x, 'y')", "call of 'getattr' is not allowed", "getattr", 0),
    ("lambda x: open('f')", "call of 'open' is not allowed", "open", 0),
    ("lambda x: sum(x)", "call of 'sum' is not allowed", "sum", 0),
    ("lambda x: math.factorial(x)", "call of 'math.factorial' is not allowed", "math", 0),
    ("lambda x: math.pow(x, 2)", "call of 'math.pow' is not allowed", "math", 0),
    ("lambda x: x(1)", "call of 'x' is not allowed", "x(", 0),
    ("lambda x: x.bit_length()", "call of 'x.bit_length' is not allowed", "x.", 0),
    ("lambda x: (x + 1).bit_length()", "call of method '.bit_length' is not allowed", ".", 0),
    ("lambda x: (1)(x)", "calling the result of an expression is not allowed", "(1)", 0),
    ("().__class__.__bases__[0].__subclasses__()", "tuple (a, b, ...) is not allowed", "(", 0),
    ("lambda x: x[0]", "subscript [...] is not allowed", "[", 0),
    ("lambda x: x [1:2]", "subscript [...] is not allowed", "[", 0),
    ("lambda x: 'a'", "string literal is not allowed", "'", 0),
    ("lambda x: x + b'a'", "bytes literal is not allowed", "b'", 0),
    ("lambda x: f'{x}'", "f-string is not allowed", "f'", 0),
    ("lambda x: [x]", "list display [...] is not allowed", "[", 0),
    ("lambda x: min(x, (x, 1))", "tuple (a, b, ...) is not allowed", "(x, 1)", 0),
    ("lambda x: {x: 1}", "dict display {...} is not allowed", "{", 0),
    ("lambda x: {x}", "set display {...} is not allowed", "{", 0),
    ("lambda x: [i for i in x]", "list comprehension is not allowed", "[", 0),
    ("lambda x: {i for i in x}", "set comprehension is not allowed", "{", 0),
    ("lambda x: {i: i for i in x}", "dict comprehension is not allowed", "{", 0),
    ("lambda x: min(x, (i for i in x))", "generator expression is not allowed", "(i", 0),
    ("lambda x: lambda y: y", "nested lambda is not allowed", "lambda", 1),
    ("lambda x: (lambda y: y)(x)", "nested lambda is not allowed", "lambda", 1),
    ("lambda x: (y := x) + y", "assignment expression ':=' is not allowed", "y :=", 0),
    ("lambda x: min(*x)", "starred argument '*' is not allowed", "*", 0),
    ("lambda x: max(x, *[1])", "starred argument '*' is not allowed", "*", 0),
    ("lambda x: round(x, ndigits=2)", "keyword argument 'ndigits=' is not allowed", "ndigits", 0),
    ("lambda x: max(x, **{})", "argument unpacking '**' is not allowed", "**", 0),
    ("lambda x: x + y", "unknown name 'y'; the step variable is 'x'", "y", 0),
    ("lambda epoch: e * epoch", "unknown name 'e'; the step variable is 'epoch'", "e *", 0),
    ("epoch + foo", "unknown name 'foo'; the step variable is already 'epoch'", "foo", 0),
    ("b if a else c", "unknown name 'a'; the step variable is already 'b'", "a", 0),
    ("lambda x: __builtins__", "unknown name '__builtins__'", "__", 0),
    ("lambda x: min", "function 'min' is used without calling it", "min", 0),
    ("lambda x: math.cos", "function 'math.cos' is used without calling it", "math", 0),
    ("lambda x: math", "'math' on its own is not allowed", "math", 0),
    ("lambda x: await x", "'await' is not allowed", "await", 0),
    ("lambda x: (yield x)", "'yield' is not allowed", "yield", 0),
    ("lambda x: (yield from x)", "'yield from' is not allowed", "yield", 0),
    ("lambda x: x * 2j", "complex literal '2j' is not allowed", "2j", 0),
    ("lambda x: None", "None is not allowed", "None", 0),
    ("lambda x: ...", "'...' (Ellipsis) is not allowed", "...", 0),
    ("lambda x: x is x", "comparison 'is' is not allowed", "is", 0),
    ("lambda x: 0 < x is not x", "comparison 'is not' is not allowed", "is", 0),
    ("lambda x: x in x", "comparison 'in' is not allowed", "in", 0),
    ("lambda x: (x)  not in x", "comparison 'not in' is not allowed", "not", 0),
    ("lambda x: x @ x", "operator '@' is not allowed", "@", 0),
    ("lambda x: min(x)", "min() takes at least 2 arguments here, got 1", "min", 0),
    ("lambda x: pow(x, 2, 5)", "pow() takes 2 arguments here, got 3", "pow", 0),
    ("lambda x: math.log(x, 2, 3)", "math.log() takes 1 or 2 arguments here, got 3", "math", 0),
    ("lambda x: abs()", "abs() takes 1 argument here, got 0", "abs", 0),
    ("lambda x: x + " + "1" * 1300, "integer literal of", "1", 0),
    # lambda parameters
    ("lambda: 1", "the lambda takes no parameter", "lambda", 0),
    ("lambda a, b: a", "the lambda takes 2 parameters", "b:", 0),
    ("lambda x=1: x", "a default value for a lambda parameter is not allowed", "1", 0),
    ("lambda *a: 1", "'*a' parameter is not allowed", "a:", 0),
    ("lambda **k: 1", "'**k' parameter is not allowed", "k:", 0),
    ("lambda x, *, k: k", "keyword-only parameter 'k' is not allowed", "k:", 0),
    ("lambda min: min", "the parameter name 'min' would hide", "min", 0),
    ("lambda pi: pi", "the parameter name 'pi' would hide", "pi", 0),
    # syntax
    ("lambda x: min(x", "invalid syntax", "(", 0),
    ("lambda x: x $ 1", "invalid syntax", "$", 0),
    ("x = 1", "invalid syntax", "=", 0),
    ("lambda x: x\0", "invalid syntax", "l", 0),
    ("(" * 201 + "x" + ")" * 201, "invalid syntax", "(", 200),
]


@pytest.mark.parametrize(
    ("text", "fragment", "needle", "occurrence"), REFUSED, ids=[case[0][:60] for case in REFUSED]
)
def test_refused_construct(text: str, fragment: str, needle: str, occurrence: int) -> None:
    err = refusal(text)
    assert fragment in err.message
    assert err.column == column_of(text.strip(), needle, occurrence)
    assert err.source == text.strip()
    assert err.hint
    assert err.exit_code == EXIT_USAGE
    # The caret lands under the construct when rendered.
    if "\n" not in text:
        lines = err.render().splitlines()
        assert lines[2].index("^") - 2 == err.column


def test_syntax_error_message_is_plain() -> None:
    err = refusal("lambda x: min(x")
    assert err.message == "invalid syntax"
    assert err.hint is not None and "never closed" in err.hint


def test_unknown_e_in_lambda_points_to_math_e() -> None:
    err = refusal("lambda epoch: e ** -epoch")
    assert err.hint is not None and "math.e" in err.hint
    assert compile_expression("lambda epoch: math.e ** -epoch")(1) == math.e**-1


def test_bare_e_is_the_step_variable() -> None:
    f = compile_expression("e / 10")
    assert f.param == "e"
    assert f(5) == 0.5


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text(text: str) -> None:
    err = refusal(text)
    assert "empty" in err.message


def test_source_length_limit() -> None:
    text = "e + " * 500 + "e"
    assert len(text) > expr.MAX_SOURCE_CHARS
    err = refusal(text)
    assert "too long" in err.message
    assert err.source is None  # a 2000-character line is not echoed back
    # At the limit, the length check itself passes (the node limit is what refuses this one).
    padded = "e" + " " * (expr.MAX_SOURCE_CHARS - 3) + "+1"
    assert len(padded) == expr.MAX_SOURCE_CHARS
    assert compile_expression(padded)(1) == 2


def test_node_limit() -> None:
    text = "+".join(["e"] * 200)
    err = refusal(text)
    assert "too large" in err.message
    assert f"limit {expr.MAX_NODES}" in err.message
    assert compile_expression("+".join(["e"] * 30))(2) == 60


def test_depth_limit() -> None:
    text = "-" * 45 + "e"
    err = refusal(text)
    assert "nested too deeply" in err.message
    assert err.column == expr.MAX_DEPTH  # the first node below the limit
    ok = "-" * (expr.MAX_DEPTH - 1) + "e"
    assert compile_expression(ok)(3) == (-1) ** (expr.MAX_DEPTH - 1) * 3
    # The `lambda x:` wrapper does not count as a level.
    assert compile_expression("lambda e: " + ok)(3) == (-1) ** (expr.MAX_DEPTH - 1) * 3
    err = refusal("lambda e: -" + ok)
    assert err.column == len("lambda e: ") + expr.MAX_DEPTH


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_parser_exhaustion_becomes_expression_error(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    def exhausted(*args: object, **kwargs: object) -> ast.AST:
        raise error("parser gave up")

    monkeypatch.setattr(allowlist.ast, "parse", exhausted)
    err = refusal("-e")
    assert "nested too deeply" in err.message


@pytest.mark.parametrize(
    "text", ["-" * 1999 + "e", "not " * 499 + "e", "e" + "**e" * 666, "e" + ".a" * 999]
)
def test_pathological_inputs_are_refused_quickly(text: str) -> None:
    refusal(text)


def test_refusal_is_leftmost() -> None:
    # Two problems: the one further left is reported.
    err = refusal("lambda x: x[0] + 'a'")
    assert "subscript" in err.message
    err = refusal("lambda x: 'a' + x[0]")
    assert "string literal" in err.message


# ---------------------------------------------------------------------------------------------
# Bombs: bounded before computing, so these finish quickly with a clear error


def test_power_tower_constant() -> None:
    text = "9**9**9"
    f = compile_expression(text)
    with pytest.raises(EvaluationError) as info:
        f(0)
    err = info.value
    assert err.step == 0
    assert "`**` would produce a number of about 1,549,681,956 bits at column 1" in err.message
    assert "(limit 4,096)" in err.message
    assert err.column == 1
    assert "step 0" in err.message


def test_large_power() -> None:
    err = failure("3999999**3999999", 5)
    assert err.step == 5
    assert "`**` would produce a number of about 87,999,978 bits at column 7" in err.message


def test_step_dependent_tower_at_every_step() -> None:
    f = compile_expression("(e+2)**(e+2)**(e+2)")
    for step in [*range(50), 10**6, 10**12]:
        if step < 3:
            assert f(step) == (step + 2) ** (step + 2) ** (step + 2)
            continue
        with pytest.raises(EvaluationError) as info:
            f(step)
        assert info.value.step == step
        assert "`**` would produce" in info.value.message
        # Up to step ~400 the inner `**` fits and the outer one is refused; beyond, the inner.
        assert info.value.column == (5 if step < 50 else 12)


def test_repeated_squaring_is_bounded() -> None:
    text = "e + 3"
    for _ in range(13):
        text = f"({text}) ** 2"
    f = compile_expression(text)
    with pytest.raises(EvaluationError) as info:
        f(1)
    assert "`**` would produce" in info.value.message


def test_repeated_multiplication_is_bounded() -> None:
    # ((e*e)*(e*e))*((e*e)*(e*e)): 8 factors of a 665-bit step exceed 4,096 bits.
    text = "e"
    for _ in range(3):
        text = f"({text}) * ({text})"
    f = compile_expression("lambda e: " + text)
    assert f(10**50) == 10**400
    with pytest.raises(EvaluationError) as info:
        f(10**200)
    assert "`*` would produce" in info.value.message


@pytest.mark.parametrize(
    ("text", "step", "symbol", "needle"),
    [
        ("(1 << 4000) * (1 << 96)", 0, "*", "*"),
        ("lambda e: e * (1 << 4095)", 1, "*", "*"),
        ("lambda e: (1 << 4095) * e", 1, "*", "*"),
        ("lambda e: e * e", 2**2048, "*", "*"),
        ("lambda e: 1 << e", 5000, "<<", "<<"),
        ("lambda e: True << e", 4096, "<<", "<<"),
        ("lambda e: e << 4096", 1, "<<", "<<"),
        ("lambda e: pow(e, e)", 1000, "pow()", "pow"),
        ("lambda e: pow(3, e)", 5000, "pow()", "pow"),
        ("lambda e: 2 ** e", 4096, "**", "**"),
        ("lambda e: e ** 3000", 2, "**", "**"),
        ("lambda e: (e + 1) ** 3000", 1, "**", "**"),
        ("lambda e: (-e) ** e", 10**6, "**", "**"),
    ],
)
def test_integer_bounds(text: str, step: int, symbol: str, needle: str) -> None:
    err = failure(text, step)
    assert f"`{symbol}` would produce a number of about" in err.message
    assert f"at step {step}" in err.message
    assert err.column == column_of(err.source or "", needle)
    assert err.hint is not None and "4,096 bits" in err.hint


@pytest.mark.parametrize(
    ("text", "step", "expected"),
    [
        ("lambda e: e * (1 << 4095)", 0, 0),  # 0 bits + 4096 bits: allowed
        ("lambda e: (1 << 4000) * 16 + e", 0, (1 << 4000) * 16),
        ("lambda e: 1 ** e", 10**12, 1),
        ("lambda e: e ** 5000", 1, 1),
        ("lambda e: e ** 5000", 0, 0),
        ("lambda e: (e - 2) ** 5001", 1, -1),
        ("lambda e: pow(e - 2, 5001 + e)", 1, 1),
        ("lambda e: (e - 2) ** (5001 + e)", 3, 1),
        ("lambda e: (-1) ** e", 10**12 + 1, -1),
        ("lambda e: 0 ** e", 10**12, 0),
        ("lambda e: 0 << e", 10**12, 0),
        ("lambda e: 1 >> e", 10**12, 0),
        ("lambda e: 2 ** e", 2048, 2**2048),
        ("lambda e: e ** 2", 2**2047, 2**4094),
        ("lambda e: 1 << e", 4095, 1 << 4095),
        ("lambda e: 2.0 ** e", 100, 2.0**100),
        ("lambda e: round(e, -10 ** 9)", 123456, 0),
    ],
)
def test_integer_bounds_allow_harmless_work(text: str, step: int, expected: object) -> None:
    value = compile_expression(text)(step)
    assert value == expected
    assert type(value) is type(expected)


def test_float_overflow_is_an_evaluation_error() -> None:
    err = failure("lambda e: 10.0 ** e", 400)
    assert err.step == 400
    assert "OverflowError" in err.message
    assert err.column == column_of(err.source or "", "**")


# ---------------------------------------------------------------------------------------------
# Evaluation errors


@pytest.mark.parametrize(
    ("text", "step", "fragment", "needle"),
    [
        ("lambda x: math.log(x)", 0, "raised ValueError at step 0: math domain error", "math"),
        (
            "lambda x: math.exp(x)",
            1000,
            "raised OverflowError at step 1000: math range error",
            "math",
        ),
        ("lambda x: 1 / (x - 3)", 3, "raised ZeroDivisionError at step 3: division by zero", "/"),
        ("lambda x: 1 << (x - 5)", 0, "raised ValueError at step 0: negative shift count", "<<"),
        ("lambda x: ~(x / 2)", 4, "raised TypeError at step 4: bad operand type for unary ~", "~"),
        ("lambda x: min(x / 2, 1) + int(inf * x)", 0, "raised ValueError at step 0", "int"),
    ],
)
def test_evaluation_error(text: str, step: int, fragment: str, needle: str) -> None:
    err = failure(text, step)
    assert fragment in err.message
    assert err.step == step
    assert err.exit_code == 2
    assert err.column == column_of(text, needle)


@pytest.mark.parametrize(
    ("text", "step", "fragment"),
    [
        ("lambda x: x * inf - inf", 1, "returned nan at step 1"),
        ("lambda x: inf * x", 2, "returned inf at step 2"),
        ("lambda x: -inf * x", 2, "returned -inf at step 2"),
        ("inf", 7, "returned inf at step 7"),
        ("lambda x: (x - 5) ** 0.5", 0, "returned a complex number"),
    ],
)
def test_non_finite_and_complex_results(text: str, step: int, fragment: str) -> None:
    err = failure(text, step)
    assert fragment in err.message
    assert err.step == step


def test_complex_intermediate_is_fine_when_the_result_is_real() -> None:
    assert compile_expression("lambda x: abs((x - 5) ** 0.5)")(1) == abs((1 - 5) ** 0.5)


def test_only_failing_steps_fail() -> None:
    f = compile_expression("lambda x: 1 / (x - 3)")
    assert f(2) == -1.0
    with pytest.raises(EvaluationError):
        f(3)
    assert f(4) == 1.0


# ---------------------------------------------------------------------------------------------
# Staircase detection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(epoch // 4, 1)", [("//", "//", 0)]),
        ("lambda e: min(int(e / 4) / 4, 1)", [("int(", "int()", 0)]),
        ("lambda e: e % 3 + 10 // e", [("%", "%", 0), ("//", "//", 0)]),
        (
            "lambda e: math.floor(e / 2) + floor(e) + ceil(e) + math.trunc(e) + round(e / 3)",
            [
                ("math.floor", "math.floor()", 0),
                ("floor", "floor()", 1),
                ("ceil", "ceil()", 0),
                ("math.trunc", "math.trunc()", 0),
                ("round", "round()", 0),
            ],
        ),
        ("lambda e: round(0.5, e)", [("round", "round()", 0)]),
        ("lambda e: min(e / 4, 1) + 7 // 2 + int(3.5) * e + 8 % 3", []),
        ("lambda e: min((e + 1) / 4, 1)", []),
        ("lambda e: 1 if e // 2 else 0", [("//", "//", 0)]),
    ],
)
def test_staircase(text: str, expected: list[tuple[str, str, int]]) -> None:
    f = compile_expression(text)
    assert f.staircase == tuple(
        (column_of(f.source, needle, occurrence), construct)
        for needle, construct, occurrence in expected
    )


# ---------------------------------------------------------------------------------------------
# is_lambda_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lambda e: e", True),
        ("  lambda epoch: epoch / 3  ", True),
        ("lambda: 1", True),
        ("lambda\te: e", True),
        ("lambda *a: 1", True),
        ("lambda e", False),
        ("lambdas: 1", False),
        ("lambda_x: 1", False),
        ("linear(steps=5)", False),
        ("min(e, 1)", False),
        ("x = lambda e: e", False),
        ("", False),
    ],
)
def test_is_lambda_text(text: str, expected: bool) -> None:
    assert is_lambda_text(text) is expected


# ---------------------------------------------------------------------------------------------
# The sandbox itself never reaches for Python's code-running builtins


def test_package_never_calls_code_running_builtins() -> None:
    paths = sorted(pathlib.Path(expr.__file__).parent.glob("*.py"))
    assert {path.stem for path in paths} >= {"__init__", "allowlist", "bounds", "compiler"}
    banned = {"ev" + "al", "ex" + "ec", "comp" + "ile", "__import__"}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for word in ("ev" + "al", "ex" + "ec"):
            assert word + "(" not in text, path  # the repository check greps for these
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned, path
