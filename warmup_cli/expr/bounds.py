"""Bounded integer arithmetic: ``*``, ``**`` and ``<<`` refused *before* computing past a size.

Python ints grow without limit, so ``9**9**9`` in a stranger's lambda (or in a Python config)
would hang the CLI and eat memory. Each operation here first computes a cheap upper bound of
the result's size from the operands' ``bit_length()`` and raises :class:`BoundError` when it
exceeds :data:`MAX_INT_BITS`; otherwise it returns exactly what CPython's operator returns
(the same object type, the same bits). Floats, bools and small ints pass through untouched.

Shared by the expression compiler (:mod:`warmup_cli.expr.compiler`) and the Python config
reader (:mod:`warmup_cli.configs.document`). This module is a leaf: it imports nothing from
the rest of warmup_cli.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_INT_BITS = 4096

HINT_BOUND = (
    f"integers are capped at {MAX_INT_BITS:,} bits so that a stray config cannot hang the "
    "CLI or exhaust memory; no learning-rate factor needs numbers this large"
)


class BoundError(Exception):
    """Integer arithmetic refused before computing it because the result would be too big."""

    def __init__(self, symbol: str, bits: int, column: int) -> None:
        super().__init__(symbol, bits, column)
        self.symbol = symbol
        self.bits = bits
        self.column = column

    def describe(self) -> str:
        return (
            f"`{self.symbol}` would produce a number of about {format_bits(self.bits)} bits "
            f"at column {self.column} (limit {MAX_INT_BITS:,})"
        )


def format_bits(bits: int) -> str:
    """``bits`` with thousands separators, or ``10^N`` once it is astronomically large."""
    # An exponent can itself have thousands of digits; keep the message readable.
    if bits < 10**15:
        return f"{bits:,}"
    return f"10^{int((bits.bit_length() - 1) * 0.30103)}"


def power_bits(base: int, exponent: int) -> int:
    """An upper bound of ``(base ** exponent).bit_length()`` for ints with ``abs(base) > 1``
    and ``exponent > 1``, exact when ``abs(base)`` is a power of two.

    ``abs(base) <= 2 ** m`` with ``m = (abs(base) - 1).bit_length()``, so the power is at most
    ``2 ** (m * exponent)``: ``m * exponent + 1`` bits when that bound is reached (a power of
    two), fewer than ``m * exponent`` otherwise (``abs(base) < 2 ** m``). ``2 ** 3000`` has
    3,001 bits, not the 6,000 that ``bit_length() * exponent`` would say.
    """
    magnitude = abs(base)
    m = (magnitude - 1).bit_length()
    return m * exponent + (1 if magnitude & (magnitude - 1) == 0 else 0)


def checked_pow(symbol: str = "**", column: int = 0) -> Callable[[Any, Any], Any]:
    """``a ** b`` that raises :class:`BoundError`, before computing, for an int result of more
    than MAX_INT_BITS bits (``symbol`` and ``column`` say where, for the message).

    :func:`power_bits` is the size checked. Bases 0, 1 and -1 never grow; negative exponents
    give floats; bools are at most 1 and never grow either.
    """

    def power(a: Any, b: Any) -> Any:
        # bit_length() * b bounds power_bits (a hair more for a power of two): the exact
        # bound is computed only for a result that may be too large.
        if a.__class__ is int and b.__class__ is int and b > 1 and a.bit_length() > 1 \
                and a.bit_length() * b > MAX_INT_BITS:
            bits = power_bits(a, b)
            if bits > MAX_INT_BITS:
                raise BoundError(symbol, bits, column)
        return a**b

    return power


def pow_by_const(
    f: Callable[[Any], Any], exponent: int, symbol: str, column: int, is_step: bool
) -> Callable[[Any], Any]:
    """``f(x) ** exponent`` for a constant int exponent > 1: one bit_length() per call.

    Refuses exactly what :func:`checked_pow` refuses. With ``is_step`` the operand is the step
    itself and ``f`` (the identity) is not called at all.
    """
    budget = MAX_INT_BITS // exponent  # bits * exponent > LIMIT  <=>  bits > LIMIT // exponent

    def check(a: int) -> None:
        if a.bit_length() > budget and a.bit_length() > 1:
            bits = power_bits(a, exponent)
            if bits > MAX_INT_BITS:
                raise BoundError(symbol, bits, column)

    if is_step:

        def power_step(x: Any) -> Any:
            if x.__class__ is int:
                check(x)
            return x**exponent

        return power_step

    def power(x: Any) -> Any:
        a = f(x)
        if a.__class__ is int:
            check(a)
        return a**exponent

    return power


def const_pow(base: int, g: Callable[[Any], Any], symbol: str, column: int) -> Callable[[Any], Any]:
    """``base ** g(x)`` for a constant int base with ``abs(base) > 1``.

    Refuses exactly what :func:`checked_pow` refuses: :func:`power_bits` grows with the
    exponent, so the largest exponent allowed is found once, here.
    """
    per_unit = (abs(base) - 1).bit_length()
    budget = (MAX_INT_BITS - 1) // per_unit if abs(base) & (abs(base) - 1) == 0 \
        else MAX_INT_BITS // per_unit

    def power(x: Any) -> Any:
        b = g(x)
        if b.__class__ is int and b > budget:
            raise BoundError(symbol, power_bits(base, b), column)
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


def mul_by_const(
    f: Callable[[Any], Any], const: int, column: int, const_first: bool
) -> Callable[[Any], Any]:
    """``f(x) * const`` (or ``const * f(x)``) for a constant int: one bit_length() per call.

    Refuses exactly what :func:`checked_mul` refuses. ``const_first`` keeps the operands in
    the order written, so that the same special methods run as in CPython.
    """
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


def checked_lshift(column: int) -> Callable[[Any, Any], Any]:
    """``a << b`` refusing int results of more than MAX_INT_BITS bits (bool ``a`` included)."""

    def shift(a: Any, b: Any) -> Any:
        if b.__class__ is int and b > 0 and isinstance(a, int) and a:
            bits = a.bit_length() + b
            if bits > MAX_INT_BITS:
                raise BoundError("<<", bits, column)
        return a << b

    return shift


def checked_round(value: Any, ndigits: Any) -> Any:
    """Builtin ``round(value, ndigits)``, without CPython's ``10 ** -ndigits`` for huge ints.

    For an int and a negative ``ndigits`` CPython computes ``10 ** -ndigits`` first
    (``int___round___impl`` in Objects/longobject.c), which for ``ndigits = -10**9`` takes
    forever. When ``10 ** (-ndigits - 1)`` already exceeds ``abs(value)`` the exact answer is
    the int 0, so return it without building the power.
    """
    if (
        isinstance(value, int)
        and isinstance(ndigits, int)
        and ndigits < 0
        and -ndigits > value.bit_length() // 3 + 2
    ):
        return 0
    return round(value, ndigits)
