"""Tests for warmup_cli.expr.allowlist and the compiler's refusals: what is not allowed is
refused before anything runs, with a message naming the construct and a caret under it."""

from __future__ import annotations

import ast
import math

import pytest

from tests.test_expr_support import column_of, refusal
from warmup_cli import expr
from warmup_cli.errors import EXIT_USAGE, ExpressionError
from warmup_cli.expr import allowlist, compile_expression

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

    monkeypatch.setattr(ast, "parse", exhausted)  # allowlist.parse looks it up on each call
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


def test_custom_limits_are_honoured() -> None:
    text = "+".join(["e"] * 200)
    assert compile_expression(text, allowlist.Limits(max_nodes=1000, max_depth=300))(1) == 200
    with pytest.raises(ExpressionError) as info:
        compile_expression("e + 1", allowlist.Limits(max_source_chars=4))
    assert "too long: 5 characters (limit 4)" in info.value.message
    with pytest.raises(ExpressionError) as info:
        compile_expression("-(-e)", allowlist.Limits(max_depth=2))
    assert "more than 2 levels" in info.value.message
    limits = allowlist.DEFAULT_LIMITS
    assert (limits.max_source_chars, limits.max_nodes, limits.max_depth) == (2000, 300, 40)


# ---------------------------------------------------------------------------------------------
# The tables


def test_every_python_operator_has_a_symbol_and_all_but_matmul_are_allowed() -> None:
    operators = set(ast.operator.__subclasses__())
    assert set(allowlist.BINOP_SYMBOLS) == operators
    assert set(allowlist.BINOP_FUNCTIONS) == operators - {ast.MatMult}
    assert set(allowlist.UNARY_FUNCTIONS) == set(ast.unaryop.__subclasses__())
    compared = {*allowlist.COMPARE_FUNCTIONS, *allowlist.REFUSED_COMPARISONS}
    assert compared == set(ast.cmpop.__subclasses__())


def test_reserved_names_cover_every_allowed_name() -> None:
    allowed = {*allowlist.BUILTIN_FUNCTIONS, *allowlist.MATH_FUNCTIONS, *allowlist.BARE_CONSTANTS}
    reserved = allowlist.RESERVED_NAMES
    assert reserved == allowed | {"math"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("x", "x"), ("os.path.join", "os.path.join"), ("f(x).y", None), ("(1).real", None)],
)
def test_dotted_name(text: str, expected: str | None) -> None:
    assert expr.dotted_name(ast.parse(text, mode="eval").body) == expected
