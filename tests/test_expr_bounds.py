"""Tests for warmup_cli.expr.bounds: integer ``*``, ``**`` and ``<<`` are refused *before*
computing past MAX_INT_BITS, and give exactly CPython's result below it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.test_expr_support import column_of, failure
from warmup_cli.errors import EvaluationError
from warmup_cli.expr import MAX_INT_BITS, BoundError, checked_mul, checked_pow, compile_expression
from warmup_cli.expr.bounds import (
    checked_lshift,
    checked_round,
    const_pow,
    format_bits,
    mul_by_const,
    pow_by_const,
)

LIMIT = MAX_INT_BITS


def ones(bits: int) -> int:
    """The largest int of exactly ``bits`` bits."""
    return (1 << bits) - 1


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[object, ...]:
    """The result as (type, value), the refusal as (symbol, bits, column), or the exception."""
    try:
        value = fn(*args)
    except BoundError as exc:
        return ("bound", exc.symbol, exc.bits, exc.column)
    except Exception as exc:
        return ("raised", type(exc), str(exc))
    return ("value", type(value), value)


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
        ("lambda e: e ** 3000", 3, "**", "**"),
        ("lambda e: (e + 1) ** 3000", 2, "**", "**"),
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
# The bounded operations themselves: the largest allowed operands give CPython's exact result,
# one more bit is refused before computing


def test_the_limit_is_4096_bits() -> None:
    assert LIMIT == 4096


@pytest.mark.parametrize("left_bits", [1, 2, 100, 2048, 4095])
def test_checked_mul_just_under_and_over_the_limit(left_bits: int) -> None:
    multiply = checked_mul(column=7)
    a, b = ones(left_bits), ones(LIMIT - left_bits)
    for x, y in ((a, b), (-a, b), (b, -a)):
        assert outcome(multiply, x, y) == ("value", int, x * y)
    with pytest.raises(BoundError) as info:
        multiply(a, ones(LIMIT - left_bits + 1))
    assert (info.value.symbol, info.value.bits, info.value.column) == ("*", LIMIT + 1, 7)


def test_checked_mul_leaves_floats_and_bools_to_python() -> None:
    multiply = checked_mul()
    big = 1 << LIMIT  # 4,097 bits: too big for another int factor, not for these
    assert outcome(multiply, True, big) == ("value", int, big)
    assert outcome(multiply, 0.5, 1 << 1000) == ("value", float, 0.5 * (1 << 1000))
    with pytest.raises(OverflowError):  # what CPython raises for float * huge int
        multiply(0.5, big)


@pytest.mark.parametrize("base", [3, -3, 7, 255, -(2**64) + 1, 2**100 + 1, 2**2047 + 1])
def test_checked_pow_just_under_and_over_the_limit(base: int) -> None:
    power = checked_pow("**", column=3)
    bits = base.bit_length()
    largest = LIMIT // bits  # bits * largest <= LIMIT < bits * (largest + 1)
    assert outcome(power, base, largest) == ("value", int, base**largest)
    with pytest.raises(BoundError) as info:
        power(base, largest + 1)
    assert (info.value.symbol, info.value.bits, info.value.column) == (
        "**",
        bits * (largest + 1),
        3,
    )
    assert info.value.bits > LIMIT


@pytest.mark.parametrize("base", [2, -2, 4, -8, 2**64, -(2**64), 2**2047])
def test_checked_pow_is_exact_for_powers_of_two(base: int) -> None:
    # |base| = 2 ** k: the power is 2 ** (k * exponent), k * exponent + 1 bits exactly, so the
    # bound refuses nothing that fits (2 ** 3000 has 3,001 bits, not 6,000).
    power = checked_pow("**", column=3)
    k = abs(base).bit_length() - 1
    largest = (LIMIT - 1) // k
    assert (base**largest).bit_length() == k * largest + 1 <= LIMIT
    assert outcome(power, base, largest) == ("value", int, base**largest)
    with pytest.raises(BoundError) as info:
        power(base, largest + 1)
    assert info.value.bits == (base ** (largest + 1)).bit_length() > LIMIT


def test_power_of_two_quotient_is_not_refused() -> None:
    # 2 ** 3000 has 3,001 bits: within the limit, so the quotient is computed as CPython does.
    assert compile_expression("lambda e: 2 ** 3000 / 2 ** 2999")(0) == 2.0
    assert compile_expression("lambda e: 2 ** (e + 3000) / 2 ** 2999")(1) == 4.0
    assert compile_expression("lambda e: e ** 3000 / 2 ** 2999")(2) == 2.0
    assert compile_expression("lambda e: (e + 0) ** 3000 / 2 ** 2999")(2) == 2.0
    err = failure("lambda e: 2 ** e", 4096)
    assert "about 4,097 bits" in err.message


@pytest.mark.parametrize(
    ("base", "exponent"),
    [(0, 10**12), (1, 10**12), (-1, 10**12 + 1), (True, 10**12), (2, -5000), (2, 0.5), (2.0, 5000)],
)
def test_checked_pow_never_refuses_what_cannot_grow_an_int(base: Any, exponent: Any) -> None:
    # Python's result, or Python's own exception (2.0 ** 5000 overflows a float): no bound error.
    assert outcome(checked_pow(), base, exponent) == outcome(lambda a, b: a**b, base, exponent)


@pytest.mark.parametrize("a", [1, -1, 3, True, 2**100])
def test_checked_lshift_just_under_and_over_the_limit(a: int) -> None:
    shift = checked_lshift(column=5)
    room = LIMIT - a.bit_length()
    assert outcome(shift, a, room) == ("value", int, a << room)
    assert (a << room).bit_length() == LIMIT
    with pytest.raises(BoundError) as info:
        shift(a, room + 1)
    assert (info.value.symbol, info.value.bits, info.value.column) == ("<<", LIMIT + 1, 5)


def test_checked_lshift_is_python_shift_otherwise() -> None:
    shift = checked_lshift(column=0)
    assert shift(0, 10**12) == 0
    assert shift(1 << LIMIT, 0) == 1 << LIMIT
    with pytest.raises(ValueError, match="negative shift count"):
        shift(1, -1)
    with pytest.raises(TypeError):
        shift(1.5, 2)


# The specialised closures (a constant operand known at compile time) must refuse exactly what
# the generic check refuses and return the same objects: the compiler picks one or the other
# depending only on how the expression is written.
SPECIAL_BASES = [0, 1, -1, 2, -2, 3, 5, 2**31 - 1, 2**64, -(2**64), 2**1365, 2**2047, 2**4095]
GROWING_BASES = [base for base in SPECIAL_BASES if abs(base) > 1]


def exponents_near_the_limit(base: int) -> list[int]:
    budget = LIMIT // max(base.bit_length(), 1)
    return sorted({2, 3, budget - 1, budget, budget + 1} - {0, 1})


@pytest.mark.parametrize("base", SPECIAL_BASES, ids=[f"{b:#x}" for b in SPECIAL_BASES])
@pytest.mark.parametrize("is_step", [True, False])
def test_pow_by_const_agrees_with_checked_pow(base: int, is_step: bool) -> None:
    for exponent in exponents_near_the_limit(base):
        power = pow_by_const(lambda x: x, exponent, "**", 9, is_step=is_step)
        assert outcome(power, base) == outcome(checked_pow("**", 9), base, exponent)


@pytest.mark.parametrize("base", GROWING_BASES, ids=[f"{b:#x}" for b in GROWING_BASES])
def test_const_pow_agrees_with_checked_pow(base: int) -> None:
    exponents: list[Any] = [*exponents_near_the_limit(base), -1, 0, 1, True, 0.5]
    for exponent in exponents:
        power = const_pow(base, lambda x: x, "pow()", 4)
        assert outcome(power, exponent) == outcome(checked_pow("pow()", 4), base, exponent)


@pytest.mark.parametrize("const", [0, 1, -1, 3, 2**100, 2**4095, -(2**4095)])
@pytest.mark.parametrize("const_first", [True, False])
def test_mul_by_const_agrees_with_checked_mul(const: int, const_first: bool) -> None:
    room = LIMIT - const.bit_length()
    for other in [0, 7, ones(room), -ones(room), 1 << room, ones(room + 1), True, 0.5]:
        multiply = mul_by_const(lambda x: x, const, 2, const_first)
        args = (const, other) if const_first else (other, const)
        assert outcome(multiply, other) == outcome(checked_mul(2), *args)


@pytest.mark.parametrize(
    "value",
    [0, 1, -1, 5, 49, 50, 51, -50, 149, 150, -150, 10**20 - 1, 5 * 10**19, -(5 * 10**19), 2**200],
)
def test_checked_round_is_round(value: int) -> None:
    # The shortcut to 0 must only fire where CPython's answer is 0 too.
    for ndigits in range(-(value.bit_length() // 3 + 6), 3):
        expected = round(value, ndigits)
        actual = checked_round(value, ndigits)
        assert (type(actual), actual) == (type(expected), expected), (value, ndigits)


def test_checked_round_answers_huge_negative_ndigits_at_once() -> None:
    assert outcome(checked_round, 123456, -(10**9)) == ("value", int, 0)
    assert outcome(checked_round, True, -40) == ("value", int, round(True, -40))
    assert outcome(checked_round, 2.675, 2) == ("value", float, round(2.675, 2))


def test_bound_error_message() -> None:
    assert BoundError("*", 4097, 12).describe() == (
        "`*` would produce a number of about 4,097 bits at column 12 (limit 4,096)"
    )
    assert format_bits(10**15 - 1) == "999,999,999,999,999"
    assert format_bits(10**15).startswith("10^")
    assert format_bits(10**400).startswith("10^")  # e.g. the bits of 2 ** (10 ** 400)


# ---------------------------------------------------------------------------------------------
# The same bounds through compiled expressions, one case per closure shape the compiler picks

SHAPES: list[tuple[str, Callable[[int], Any], int, int]] = [
    # (text, the same lambda in Python, the largest allowed step, the smallest refused step)
    ("lambda e: e * 3", lambda e: e * 3, ones(LIMIT - 2), 1 << (LIMIT - 2)),
    ("lambda e: 3 * e", lambda e: 3 * e, ones(LIMIT - 2), 1 << (LIMIT - 2)),
    ("lambda e: (e + 1) * 3", lambda e: (e + 1) * 3, ones(LIMIT - 2) - 1, ones(LIMIT - 2)),
    ("lambda e: e * (e + 1)", lambda e: e * (e + 1), ones(2048) - 1, ones(2048)),
    ("lambda e: e ** 2", lambda e: e**2, ones(2048), 1 << 2048),
    ("lambda e: pow(e, 2)", lambda e: pow(e, 2), ones(2048), 1 << 2048),
    # 2 ** 1365 cubed has exactly 4,096 bits; any larger base is bounded by 1,366 * 3 bits.
    ("lambda e: (e + 0) ** 3", lambda e: (e + 0) ** 3, 1 << (LIMIT // 3), (1 << (LIMIT // 3)) + 1),
    ("lambda e: 3 ** e", lambda e: 3**e, LIMIT // 2, LIMIT // 2 + 1),
    ("lambda e: 3 ** (e + 0)", lambda e: 3 ** (e + 0), LIMIT // 2, LIMIT // 2 + 1),
    ("lambda e: e ** e", lambda e: e**e, 455, 456),  # 9 bits: 9 * 455 = 4,095; 9 * 456 = 4,104
    ("lambda e: pow(e, e)", lambda e: pow(e, e), 455, 456),
    ("lambda e: 1 << e", lambda e: 1 << e, LIMIT - 1, LIMIT),
    ("lambda e: e << 4000", lambda e: e << 4000, ones(96), 1 << 96),
    # 4,084 has 12 bits: 12 + 4,084 = 4,096 bits; one more step is one bit too many.
    ("lambda e: (e + 0) << (e + 0)", lambda e: e << e, LIMIT - 12, LIMIT - 11),
]


@pytest.mark.parametrize(("text", "reference", "under", "over"), SHAPES, ids=[s[0] for s in SHAPES])
def test_bounds_just_under_and_over_in_expressions(
    text: str, reference: Callable[[int], Any], under: int, over: int
) -> None:
    compiled = compile_expression(text)
    value = compiled(under)
    assert (type(value), value) == (type(reference(under)), reference(under))
    with pytest.raises(EvaluationError) as info:
        compiled(over)
    assert "would produce a number of about" in info.value.message
    assert f"(limit {LIMIT:,})" in info.value.message
    assert info.value.step == over
    reference(over)  # CPython would compute it: refusing is the one deliberate difference
