"""Findings without a walk over every update (frameworks/monotone.py): the sampled search and
the bisected zero count give what the walk over every update gives, on fairseq's real
formulas (read from generated configs) and on formulas built to be awkward."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import fairseq
from warmup_cli.frameworks.monotone import first_failure, samples, zero_count

ERRORS = (ArithmeticError, ValueError)


def walk_first_failure(fn: Callable[[int], float], stop: int, marks: Iterable[int],
                       errors: tuple[type[Exception], ...] = ERRORS
                       ) -> tuple[int, Exception] | None:
    """What fairseq.py did before: every update in order."""
    for n in range(stop):
        try:
            fn(n)
        except errors as error:
            return n, error
    return None


def walk_zero_count(fn: Callable[[int], float], stop: int) -> int:
    return sum(1 for n in range(stop) if fn(n) == 0.0)


def _outcome(text: str) -> list[Any]:
    """Everything the reader says about the config: findings (located), unresolved reasons,
    whether it built a plan."""
    found = []
    for schedule in fairseq.read(load_document("lr_scheduler.yaml", text=text)):
        found.append((
            [(f.code, f.message, f.severity, f.node.location if f.node else None)
             for f in schedule.findings],
            [(getattr(node, "location", None), why) for node, why in schedule.unresolved],
            schedule.notes, schedule.plan is not None))
    return found


def assert_same_as_walk(text: str) -> None:
    sampled = _outcome(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fairseq, "first_failure", walk_first_failure)
        patch.setattr(fairseq, "zero_count", walk_zero_count)
        walked = _outcome(text)
    assert sampled == walked, text


def _config(name: str, params: dict[str, Any], lr: float, max_update: int) -> str:
    lines = ["lr_scheduler:", f"  _name: {name}"]
    lines += [f"  {key}: {value!r}" for key, value in params.items()]
    lines += ["optimization:", f"  lr: [{lr!r}]", f"  max_update: {max_update}"]
    return "\n".join(lines) + "\n"


NUMBERS = st.sampled_from([0.0, 1e-07, 0.0005, 0.1, 1.0, 3.0])
UPDATES = st.integers(min_value=0, max_value=3000)


@given(warmup=st.integers(0, 400), init=st.sampled_from([-1, 0, 1e-7, 0.5]),
       t_mult=st.sampled_from([0.0, -1.0, 0.25, 0.5, 0.9, 1.0, 1.5, 2.0, 1e200]),
       shrink=st.sampled_from([0.0, 0.1, 1.0, 2.0, 1e10]),
       period=st.sampled_from([-1, 0, 1, 7, 100, 2500]), min_lr=st.sampled_from([0.0, 1e-5]),
       max_update=UPDATES)
def test_cosine_like_the_walk(warmup: int, init: float, t_mult: float, shrink: float,
                              period: int, min_lr: float, max_update: int) -> None:
    assert_same_as_walk(_config("cosine", {
        "warmup_updates": warmup, "warmup_init_lr": init, "t_mult": t_mult,
        "lr_shrink": shrink, "lr_period_updates": period, "min_lr": min_lr}, 0.1, max_update))


@given(warmup=st.integers(0, 400), power=st.sampled_from([1.0, 2.0, 0.5, -1.0, -400.0]),
       total=st.sampled_from([1, 3, 50.5, 999, 2000, 4000, 1e17]),
       end=st.sampled_from([0.0, 1e-5]), lr=NUMBERS, max_update=UPDATES)
def test_polynomial_decay_like_the_walk(warmup: int, power: float, total: float, end: float,
                                        lr: float, max_update: int) -> None:
    assert_same_as_walk(_config("polynomial_decay", {
        "warmup_updates": warmup, "power": power, "total_num_update": total,
        "end_learning_rate": end}, lr, max_update))


@given(steps=st.tuples(st.integers(-5, 300), st.integers(0, 300), st.integers(-5, 300)),
       init=st.sampled_from([0.0, 0.01, 1.0]), final=st.sampled_from([0.01, 1.0, 2.0, 1e300]),
       lr=NUMBERS, max_update=UPDATES)
def test_tri_stage_like_the_walk(steps: tuple[int, int, int], init: float, final: float,
                                 lr: float, max_update: int) -> None:
    warmup, hold, decay = steps
    assert_same_as_walk(_config("tri_stage", {
        "warmup_steps": warmup, "hold_steps": hold, "decay_steps": decay,
        "init_lr_scale": init, "final_lr_scale": final}, lr, max_update))


@given(warmup=st.integers(-3, 3000), init=st.sampled_from([-1, 0, 1e-7, 0.0005, 0.1]),
       lr=NUMBERS, max_update=UPDATES)
def test_inverse_sqrt_like_the_walk(warmup: int, init: float, lr: float,
                                    max_update: int) -> None:
    assert_same_as_walk(_config("inverse_sqrt", {
        "warmup_updates": warmup, "warmup_init_lr": init}, lr, max_update))


def test_nan_in_the_config_is_counted_like_the_walk() -> None:
    for name, params in (("inverse_sqrt", {"warmup_updates": 50, "warmup_init_lr": ".nan"}),
                         ("tri_stage", {"warmup_steps": 20, "decay_steps": 5,
                                        "init_lr_scale": ".nan"})):
        text = _config(name, {}, 0.1, 1000).replace(
            f"  _name: {name}\n", f"  _name: {name}\n" + "".join(
                f"  {key}: {value}\n" for key, value in params.items()))
        assert_same_as_walk(text)


def test_the_first_failure_is_found_between_samples() -> None:
    # fails from update 7,777 on, with no sample there: the bisection finds the very update
    def fn(n: int) -> float:
        if n >= 7_777:
            raise ValueError("math domain error")
        return 1.0

    assert 7_777 not in samples(100_000, [0])
    found = first_failure(fn, 100_000, [0])
    assert found is not None and found[0] == 7_777 and str(found[1]) == "math domain error"
    assert first_failure(fn, 7_777, [0]) is None
    assert walk_first_failure(fn, 100_000, [0]) is not None


def test_a_failing_run_that_ends_at_a_milestone_is_found() -> None:
    # failures in [5000, 5010) only, the phase 5010 ... passes again: the mark makes 5009 a
    # sample, so the run is not missed between two spread samples
    def fn(n: int) -> float:
        if 5_000 <= n < 5_010:
            raise OverflowError("(34, 'Numerical result out of range')")
        return 0.5

    found = first_failure(fn, 100_000, [0, 5_010])
    assert found is not None and found[0] == 5_000
    assert isinstance(found[1], OverflowError)


def test_other_exceptions_are_not_failures_of_the_formula() -> None:
    def fn(n: int) -> float:
        raise TypeError("not a number")

    with pytest.raises(TypeError):
        first_failure(fn, 10, [])


@pytest.mark.parametrize("fn, stop", [
    (lambda n: 0.0 + n * 1e-7, 1000),  # one zero, at the first update
    (lambda n: -3e-5 + n * 1e-5, 1000),  # the ramp crosses 0 exactly at update 3
    (lambda n: 0.5 - n * 0.125, 50),  # decreasing, 0 at update 4
    (lambda n: 0.0 * n, 500),  # all zeros
    (lambda n: 1.0 + n, 500),  # none
    (lambda n: n / float(7) * 0.0, 7),  # polynomial_decay's warmup with lr 0
    (lambda n: 1e-300 * n * 1e-300, 400),  # underflows to 0 at every update
    (lambda n: -1e308 + n * 1e307, 1000),  # crosses 0 once, overflows to inf later? no: finite
])
def test_zero_count_is_the_walk(fn: Callable[[int], float], stop: int) -> None:
    assert zero_count(fn, stop) == walk_zero_count(fn, stop)


def test_zero_count_refuses_nan_ends() -> None:
    assert zero_count(lambda n: math.nan, 10) is None
    assert zero_count(lambda n: 0.0, 0) == 0
