"""Findings about a framework's LR formula over a whole run, without evaluating every update.

Lint reads strangers' configs, and a run of 200,000 updates must not cost 200,000 calls of
the formula. Two facts are derived instead from a bounded number of calls:

* :func:`first_failure`, the first update at which the formula raises (fairseq's cosine with
  ``t_mult < 1`` takes ``log`` of a number that reaches 0; ``lr_shrink ** i`` overflows). It
  evaluates the first updates, every milestone and its neighbours, the last update and an even
  spread, in order, and bisects between the last sample that passed and the first that failed.
  That is exact when the updates at which the formula fails form, within each phase, a run of
  consecutive updates that reaches the phase's end (or the end of the range): a run of failures
  then always holds a sample (the phase's last update is a milestone's neighbour), and between
  two samples failing is monotone.
* :func:`zero_count`, how many updates in ``[0, stop)`` get exactly LR 0 from a formula that is
  monotone there (a warmup ``init + n * step`` or ``n / warmup * lr``): its zeros are then one
  run of consecutive updates, found by two bisections.

Each reader that uses them says why its formulas have that shape (``frameworks/fairseq.py``);
``tests/test_perf_monotone.py`` compares both with a walk over every update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

Formula = Callable[[int], float]

DENSE_START = 64  # the first updates, always evaluated
SPREAD = 256  # evenly spaced samples over the range


def samples(stop: int, marks: Iterable[int]) -> list[int]:
    """The updates of ``[0, stop)`` that :func:`first_failure` evaluates, ascending."""
    if stop <= 0:
        return []
    picked = set(range(min(stop, DENSE_START)))
    picked.add(stop - 1)
    picked.update(stop * i // SPREAD for i in range(SPREAD))
    for mark in marks:
        picked.update(n for n in (mark - 1, mark, mark + 1) if 0 <= n < stop)
    return sorted(picked)


def first_failure(fn: Formula, stop: int, marks: Iterable[int],
                  errors: tuple[type[Exception], ...] = (ArithmeticError, ValueError)
                  ) -> tuple[int, Exception] | None:
    """The first update of ``[0, stop)`` at which ``fn`` raises one of ``errors``, with what it
    raised; None when it raises nowhere. ``marks`` are the phase boundaries (see the module
    docstring for the shape of failures this is exact for). Other exceptions propagate."""
    passed = -1
    for sample in samples(stop, marks):
        failure = _failure(fn, sample, errors)
        if failure is None:
            passed = sample
            continue
        low, high, found = passed, sample, failure  # fn passes at low, fails at high
        while high - low > 1:
            middle = (low + high) // 2
            at_middle = _failure(fn, middle, errors)
            if at_middle is None:
                low = middle
            else:
                high, found = middle, at_middle
        return high, found
    return None


def _failure(fn: Formula, n: int, errors: tuple[type[Exception], ...]) -> Exception | None:
    try:
        fn(n)
    except errors as error:
        return error
    return None


def zero_count(fn: Formula, stop: int) -> int | None:
    """How many updates of ``[0, stop)`` get exactly 0 from ``fn``, a formula monotone there
    (non-strictly, in either direction); None when an end value is NaN (the order that the
    bisection relies on is then unknown: the caller counts another way)."""
    if stop <= 0:
        return 0
    first, last = fn(0), fn(stop - 1)
    if math.isnan(first) or math.isnan(last):
        return None
    if first <= last:  # nondecreasing: the zeros lie between "reaches 0" and "passes 0"
        return _first(fn, stop, lambda v: v > 0) - _first(fn, stop, lambda v: v >= 0)
    return _first(fn, stop, lambda v: v < 0) - _first(fn, stop, lambda v: v <= 0)


def _first(fn: Formula, stop: int, predicate: Callable[[float], bool]) -> int:
    """The first update of ``[0, stop)`` at which ``predicate(fn(n))`` holds (``stop`` when
    none), for a predicate that, once it holds, holds to the end."""
    low, high = -1, stop  # predicate fails at low (or low is before the range), holds at high
    while high - low > 1:
        middle = (low + high) // 2
        if predicate(fn(middle)):
            high = middle
        else:
            low = middle
    return high
