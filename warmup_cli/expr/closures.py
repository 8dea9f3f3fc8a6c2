"""The closure shapes a compiled node can take, and the builders that pick the cheapest one.

A compiled node is a :class:`Part`: a one-argument closure of the step plus what the parent
needs to specialise its own closure (whether the node is a constant, the step itself, or
anything else). Specialising matters: the bulk path calls a factor function ~10^7 times, and
every avoided Python call per node shows up in the total.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, NamedTuple

from warmup_cli.errors import WarmupError

#: A compiled node: takes the step value, returns the node's value.
Fn = Callable[[Any], Any]

# Part.kind: a constant (``value`` holds it), the step variable itself, anything else.
CONST, PARAM, DYN = 0, 1, 2


class Part(NamedTuple):
    """A compiled node: its closure, what kind of closure it is, and its value if constant."""

    fn: Fn
    kind: int  # CONST, PARAM or DYN: lets parents pick a specialised closure
    value: Any  # the value when kind == CONST
    depends: bool  # whether the step variable occurs in the node


def identity(x: Any) -> Any:
    return x


def const_part(value: Any) -> Part:
    return Part(lambda _x: value, CONST, value, False)


# Inline closures for the common binary operators, one per operand shape:
# (dynamic, dynamic), (dynamic, constant), (constant, dynamic), (step, constant), (constant, step).
# Writing the operator inline saves a call per node compared with operator.add & co.
InlineVariants = tuple[
    Callable[[Fn, Fn], Fn],
    Callable[[Fn, Any], Fn],
    Callable[[Any, Fn], Fn],
    Callable[[Any], Fn],
    Callable[[Any], Fn],
]
INLINE: dict[type[ast.operator], InlineVariants] = {
    ast.Add: (
        lambda f, g: lambda x: f(x) + g(x),
        lambda f, c: lambda x: f(x) + c,
        lambda c, g: lambda x: c + g(x),
        lambda c: lambda x: x + c,
        lambda c: lambda x: c + x,
    ),
    ast.Sub: (
        lambda f, g: lambda x: f(x) - g(x),
        lambda f, c: lambda x: f(x) - c,
        lambda c, g: lambda x: c - g(x),
        lambda c: lambda x: x - c,
        lambda c: lambda x: c - x,
    ),
    ast.Div: (
        lambda f, g: lambda x: f(x) / g(x),
        lambda f, c: lambda x: f(x) / c,
        lambda c, g: lambda x: c / g(x),
        lambda c: lambda x: x / c,
        lambda c: lambda x: c / x,
    ),
    ast.FloorDiv: (
        lambda f, g: lambda x: f(x) // g(x),
        lambda f, c: lambda x: f(x) // c,
        lambda c, g: lambda x: c // g(x),
        lambda c: lambda x: x // c,
        lambda c: lambda x: c // x,
    ),
    ast.Mod: (
        lambda f, g: lambda x: f(x) % g(x),
        lambda f, c: lambda x: f(x) % c,
        lambda c, g: lambda x: c % g(x),
        lambda c: lambda x: x % c,
        lambda c: lambda x: c % x,
    ),
    # Only used when the bound check is provably unnecessary (see compiler.multiply).
    ast.Mult: (
        lambda f, g: lambda x: f(x) * g(x),
        lambda f, c: lambda x: f(x) * c,
        lambda c, g: lambda x: c * g(x),
        lambda c: lambda x: x * c,
        lambda c: lambda x: c * x,
    ),
    # Likewise (see compiler.power).
    ast.Pow: (
        lambda f, g: lambda x: f(x) ** g(x),
        lambda f, c: lambda x: f(x) ** c,
        lambda c, g: lambda x: c ** g(x),
        lambda c: lambda x: x**c,
        lambda c: lambda x: c**x,
    ),
}


def binary(fn: Callable[[Any, Any], Any], left: Part, right: Part) -> Fn:
    """Closure applying the two-argument ``fn``, specialised for the operand shapes."""
    f, g = left.fn, right.fn
    if left.kind == PARAM and right.kind == CONST:
        c = right.value
        return lambda x: fn(x, c)
    if left.kind == CONST and right.kind == PARAM:
        c = left.value
        return lambda x: fn(c, x)
    if right.kind == CONST:
        c = right.value
        return lambda x: fn(f(x), c)
    if left.kind == CONST:
        c = left.value
        return lambda x: fn(c, g(x))
    return lambda x: fn(f(x), g(x))


def inline(variants: InlineVariants, left: Part, right: Part) -> Fn:
    """The operator written inline (one of ``variants``), picked for the operand shapes."""
    if left.kind == PARAM and right.kind == CONST:
        return variants[3](right.value)
    if left.kind == CONST and right.kind == PARAM:
        return variants[4](left.value)
    if right.kind == CONST:
        return variants[1](left.fn, right.value)
    if left.kind == CONST:
        return variants[2](left.value, right.fn)
    return variants[0](left.fn, right.fn)


def apply(function: Callable[..., Any], args: list[Part]) -> Fn:
    """Closure calling ``function`` on the compiled arguments, specialised for 1 and 2."""
    if len(args) == 1:
        (arg,) = args
        if arg.kind == PARAM:
            return function  # e.g. float, math.sqrt: called directly on the step
        if arg.kind == CONST:
            c = arg.value
            return lambda _x: function(c)
        f = arg.fn
        return lambda x: function(f(x))
    if len(args) == 2:
        return binary(function, args[0], args[1])
    fns = tuple(arg.fn for arg in args)
    return lambda x: function(*[f(x) for f in fns])


# --------------------------------------------------------------------------------------------
# Metering: what lint's evaluation budget counts


class WorkExceeded(WarmupError):
    """The evaluation budget of a :class:`WorkMeter` is spent."""


class WorkMeter:
    """Evaluation work spent so far against ``limit``, in units of one operation (a compiled
    node run once), plus one per 64-bit word of each integer result: a 4,096-bit product
    costs 65 units, about what it costs CPython next to a float operation."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def charge(self, units: int) -> None:
        """Add ``units``; raise :class:`WorkExceeded` once the total passes the limit."""
        self.used += units
        if self.used > self.limit:
            raise WorkExceeded(f"the evaluation budget of {self.limit:,} operations is spent")


def metered(fn: Fn, meter: WorkMeter) -> Fn:
    """``fn`` charging ``meter`` for every run: one unit, one more per 64-bit word of an int
    result. The limit is checked once per call of the whole expression, not here."""

    def run(x: Any) -> Any:
        value = fn(x)
        meter.used += 1 + (value.bit_length() >> 6 if value.__class__ is int else 0)
        return value

    return run
