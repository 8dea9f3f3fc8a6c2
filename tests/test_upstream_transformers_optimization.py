"""upstream/transformers_optimization.py against transformers' own optimization.py: each factor
function against the ``_get_*_lr_lambda`` it transcribes (bit for bit, same result type), and
the get_scheduler tables against get_scheduler and the get_* signatures."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from warmup_cli.frameworks.upstream import transformers_optimization as optimization
from warmup_cli.schedule import FactorFn

WARMUPS = (0, 1, 7, 100)
TOTALS = (10, 1000)
EXTRA = 25  # steps past N: the Trainer stops at N, the lambdas are defined beyond it
LR = 1e-3

# (our builder, the transformers lambda's name, its keyword arguments besides the step counts)
LAMBDAS: list[tuple[Callable[..., FactorFn], str, dict[str, Any]]] = [
    (optimization.linear_lambda, "_get_linear_schedule_with_warmup_lr_lambda", {}),
    (optimization.cosine_lambda, "_get_cosine_schedule_with_warmup_lr_lambda",
     {"num_cycles": 0.5}),
    (optimization.cosine_lambda, "_get_cosine_schedule_with_warmup_lr_lambda",
     {"num_cycles": 1.5, "min_lr_rate": 0.1}),
    (optimization.cosine_restarts_lambda,
     "_get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda", {"num_cycles": 3}),
    (optimization.polynomial_lambda, "_get_polynomial_decay_schedule_with_warmup_lr_lambda",
     {"lr_end": 1e-5, "power": 2.0, "lr_init": LR}),
    (optimization.cosine_warmup_min_lr_lambda,
     "_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda",
     {"num_cycles": 0.5, "min_lr_rate": 0.1, "warmup_lr_rate": None}),
    (optimization.cosine_warmup_min_lr_lambda,
     "_get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda",
     {"num_cycles": 0.5, "min_lr_rate": 0.0, "warmup_lr_rate": 0.2}),
]


def _ours(build: Callable[..., FactorFn], warmup: int, total: int,
          kwargs: dict[str, Any]) -> FactorFn:
    return build(warmup, total, *kwargs.values())


def _same(ours: FactorFn, theirs: Callable[[int], float], steps: range) -> None:
    for step in steps:
        try:
            want = theirs(step)
        except ZeroDivisionError:  # polynomial with W == N at step N: ours divides by zero too
            with pytest.raises(ZeroDivisionError):
                ours(step)
            continue
        got = ours(step)
        assert (got, type(got)) == (want, type(want)), step


@pytest.mark.parametrize(("build", "name", "kwargs"), LAMBDAS,
                         ids=[f"{name}-{kwargs}" for _, name, kwargs in LAMBDAS])
def test_decaying_lambdas_are_transformers_bit_for_bit(build: Callable[..., FactorFn],
                                                       name: str, kwargs: dict[str, Any]) -> None:
    upstream = pytest.importorskip("transformers.optimization")
    theirs = getattr(upstream, name)
    for warmup, total in itertools.product(WARMUPS, TOTALS):
        def reference(step: int, warmup: int = warmup, total: int = total) -> float:
            value: float = theirs(step, num_warmup_steps=warmup, num_training_steps=total,
                                  **kwargs)
            return value

        _same(_ours(build, warmup, total, kwargs), reference, range(total + EXTRA))


def test_lambdas_without_a_run_length_are_transformers_bit_for_bit() -> None:
    upstream = pytest.importorskip("transformers.optimization")
    steps = range(300)
    _same(optimization.constant_lambda(), upstream._get_constant_lambda, steps)
    for warmup in WARMUPS:
        _same(optimization.constant_with_warmup_lambda(warmup),
              partial(upstream._get_constant_schedule_with_warmup_lr_lambda,
                      num_warmup_steps=warmup), steps)
        for timescale in (50, 10_000):
            _same(optimization.inverse_sqrt_lambda(warmup, timescale),
                  partial(upstream._get_inverse_sqrt_schedule_lr_lambda,
                          num_warmup_steps=warmup, timescale=timescale), steps)


@pytest.mark.parametrize(("warmup", "stable", "decay"), [(0, 0, 3), (7, 20, 5), (100, 0, 300)])
def test_wsd_lambda_is_transformers_bit_for_bit(warmup: int, stable: int, decay: int) -> None:
    upstream = pytest.importorskip("transformers.optimization")
    for warmup_type, decay_type in itertools.product(optimization.WSD_SHAPES, repeat=2):
        for min_lr_ratio, num_cycles in ((0.0, 0.5), (0.1, 0.5), (0.05, 1.0)):
            ours = optimization.wsd_lambda(warmup, stable, decay, warmup_type, decay_type,
                                           min_lr_ratio, num_cycles)
            theirs = partial(upstream._get_wsd_scheduler_lambda, num_warmup_steps=warmup,
                             num_stable_steps=stable, num_decay_steps=decay,
                             warmup_type=warmup_type, decay_type=decay_type,
                             min_lr_ratio=min_lr_ratio, num_cycles=num_cycles)
            _same(ours, theirs, range(warmup + stable + decay + EXTRA))


def test_scheduler_kwargs_are_the_get_function_signatures() -> None:
    upstream = pytest.importorskip("transformers.optimization")
    passed_by_get_scheduler = {"optimizer", "num_warmup_steps", "num_training_steps",
                               "last_epoch"}
    for kind, function in upstream.TYPE_TO_SCHEDULER_FUNCTION.items():
        name = getattr(kind, "value", kind)
        if name not in optimization.SCHEDULER_KWARGS:
            continue  # constant / constant_with_warmup / metric-driven: kwargs not checked
        accepted = set(inspect.signature(function).parameters) - passed_by_get_scheduler
        assert optimization.SCHEDULER_KWARGS[name] == accepted, name


def test_needs_training_steps_is_what_get_scheduler_requires() -> None:
    """get_scheduler raises without num_training_steps exactly for the types that need it
    (warmup_stable_decay: unless num_stable_steps is given)."""
    pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    from transformers.optimization import get_scheduler
    from transformers.trainer_utils import SchedulerType

    kwargs: dict[str, dict[str, Any]] = {"cosine_with_min_lr": {"min_lr_rate": 0.1},
                                         "cosine_warmup_with_min_lr": {"min_lr_rate": 0.1}}
    for member in SchedulerType:
        for stable in (None, 5):
            extra = dict(kwargs.get(member.value, {}))
            if member.value == "warmup_stable_decay":
                extra.update(num_decay_steps=3, num_stable_steps=stable)
            optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=LR)
            try:
                get_scheduler(member.value, optimizer, num_warmup_steps=2,
                              num_training_steps=None, scheduler_specific_kwargs=extra)
                required = False
            except (ValueError, TypeError):
                required = True
            assert optimization.needs_training_steps(member.value, stable) == required, \
                (member.value, stable)


def test_warmup_ignored_types_build_without_num_warmup_steps() -> None:
    pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    from transformers.optimization import get_scheduler

    for name in optimization.WARMUP_IGNORED:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=LR)
        get_scheduler(name, optimizer, num_warmup_steps=None, num_training_steps=None)
    assert optimization.METRIC_DRIVEN <= optimization.WARMUP_IGNORED


def test_known_values_without_transformers() -> None:
    """A few values worked by hand, so the formulas stay covered where transformers is not
    installed."""
    assert [optimization.linear_lambda(4, 8)(t) for t in (0, 2, 4, 6, 8, 9)] == \
        [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    one = optimization.constant_lambda()(7)
    assert one == 1 and isinstance(one, int)
    # the lr-rate variant starts at 1/W, not 0
    assert optimization.cosine_warmup_min_lr_lambda(4, 8, 0.5, 0.0, None)(0) == 0.25
    assert optimization.inverse_sqrt_lambda(4, 4)(16) == 0.5
    with pytest.raises(ZeroDivisionError):
        optimization.polynomial_lambda(5, 5, 1e-7, 1.0, 1e-3)(5)
