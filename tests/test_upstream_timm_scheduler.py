"""upstream/timm_scheduler.py against the class-based transcription of timm's and Swin's
schedulers in tools/golden/timm_golden.py (kept independent of warmup_cli; the golden tests
check it against the real timm): every ``*_get_lr`` is the class's ``_get_lr`` bit for bit."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import pytest

from tests.conftest import load_golden_script
from warmup_cli.frameworks.upstream import timm_scheduler as upstream

BASE = 0.1
WARMUP_LR = 1e-4
# whole steps and the fractional epochs timm's per-update stepping passes (num_updates / n)
STEPS = [*range(60), *(t / 7 for t in range(0, 420, 5))]


@pytest.fixture(scope="module")
def golden() -> Any:
    return load_golden_script("timm_golden")


def _classes_lr(scheduler: Any, steps: Iterable[float]) -> list[float]:
    return [scheduler._get_lr(t)[0] for t in steps]


def _lrs(get_lr: upstream.LrFn, steps: Iterable[float]) -> list[float]:
    return [get_lr(t) for t in steps]


CYCLES = list(itertools.product((10, 25), (1.0, 2.0), (1.0, 0.5), (1, 3)))
WARMUPS = [(0, False), (5, False), (5, True)]


@pytest.mark.parametrize(("t_initial", "mul", "decay", "limit"), CYCLES)
def test_cyclic_schedulers_are_the_classes(golden: Any, t_initial: int, mul: float,
                                           decay: float, limit: int) -> None:
    cycles = upstream.Cycles(t_initial, mul, decay, limit)
    for (warmup_t, prefix), k_decay in itertools.product(WARMUPS, (1.0, 2.0)):
        common = {"t_initial": t_initial, "lr_min": 1e-3, "cycle_mul": mul,
                  "cycle_decay": decay, "cycle_limit": limit, "warmup_t": warmup_t,
                  "warmup_lr_init": WARMUP_LR, "warmup_prefix": prefix}
        warmup = upstream.make_warmup(warmup_t, WARMUP_LR, BASE)
        cosine = golden.CosineLRScheduler(golden.FakeOptimizer(BASE), k_decay=k_decay, **common)
        assert _lrs(upstream.cosine_get_lr(BASE, 1e-3, cycles, warmup, prefix, k_decay),
                    STEPS) == _classes_lr(cosine, STEPS)
        assert cycles.length(warmup_t, prefix) == cosine.get_cycle_length()
        poly = golden.PolyLRScheduler(golden.FakeOptimizer(BASE), power=0.7, k_decay=k_decay,
                                      **common)
        assert _lrs(upstream.poly_get_lr(BASE, 1e-3, cycles, warmup, prefix, 0.7, k_decay),
                    STEPS) == _classes_lr(poly, STEPS)
        tanh = golden.TanhLRScheduler(golden.FakeOptimizer(BASE), **common)
        get_lr, tanh_warmup = upstream.tanh_get_lr(BASE, 1e-3, cycles, warmup_t, WARMUP_LR,
                                                   prefix)
        assert _lrs(get_lr, STEPS) == _classes_lr(tanh, STEPS)
        assert [tanh_warmup.step] == tanh.warmup_steps


@pytest.mark.parametrize(("warmup_t", "prefix"), WARMUPS)
def test_step_and_multistep_are_the_classes(golden: Any, warmup_t: int, prefix: bool) -> None:
    warmup = upstream.make_warmup(warmup_t, WARMUP_LR, BASE)
    common = {"warmup_t": warmup_t, "warmup_lr_init": WARMUP_LR, "warmup_prefix": prefix}
    for decay_t in (3, 2.5):
        step = golden.StepLRScheduler(golden.FakeOptimizer(BASE), decay_t, 0.5, **common)
        assert _lrs(upstream.step_get_lr(BASE, decay_t, 0.5, warmup, prefix), STEPS) == \
            _classes_lr(step, STEPS)
    milestones = [8, 20, 33.5]
    multistep = golden.MultiStepLRScheduler(golden.FakeOptimizer(BASE), milestones, 0.3,
                                            **common)
    assert _lrs(upstream.multistep_get_lr(BASE, milestones, 0.3, warmup, prefix), STEPS) == \
        _classes_lr(multistep, STEPS)


def test_plateau_warmup_and_hold_is_the_class(golden: Any) -> None:
    for warmup_t in (0, 5):
        scheduler = golden.PlateauLRScheduler(golden.FakeOptimizer(BASE), warmup_t=warmup_t,
                                              warmup_lr_init=WARMUP_LR)
        optimizer = scheduler.optimizer
        get_lr = upstream.plateau_get_lr(BASE, upstream.make_warmup(warmup_t, WARMUP_LR, BASE))
        for epoch in range(1, 30):
            scheduler.step(epoch)
            assert get_lr(epoch) == optimizer.param_groups[0]["lr"], (warmup_t, epoch)


@pytest.mark.parametrize("warmup_t", [0, 20])
def test_swin_schedulers_are_swins_classes(golden: Any, warmup_t: int) -> None:
    warmup = upstream.make_warmup(warmup_t, WARMUP_LR, BASE)
    steps = range(0, 300)
    linear = golden.SwinLinearLRScheduler(golden.FakeOptimizer(BASE), 250, 0.01,
                                          warmup_t=warmup_t, warmup_lr_init=WARMUP_LR)
    assert _lrs(upstream.swin_linear_get_lr(BASE, 250, 0.01, warmup), steps) == \
        _classes_lr(linear, steps)
    multistep = golden.SwinMultiStepLRScheduler(golden.FakeOptimizer(BASE), [30, 90, 200],
                                                gamma=0.2, warmup_t=warmup_t,
                                                warmup_lr_init=WARMUP_LR)
    assert _lrs(upstream.multistep_get_lr(BASE, [30, 90, 200], 0.2, warmup, False, offset=0),
                steps) == _classes_lr(multistep, steps)
    step = golden.Timm04StepLRScheduler(golden.FakeOptimizer(BASE), 45, 0.5, warmup_t=warmup_t,
                                        warmup_lr_init=WARMUP_LR)
    assert _lrs(upstream.step_get_lr(BASE, 45, 0.5, warmup, False), steps) == \
        _classes_lr(step, steps)


def test_stepped_is_the_constructor_value_then_get_lr() -> None:
    """train.py steps before the next epoch (lag 0), Swin after the update it names (lag 1)."""
    get_lr = upstream.step_get_lr(BASE, 2, 0.5, upstream.make_warmup(0, 0.0, BASE), False)
    assert [upstream.stepped(get_lr, 0.05)(k) for k in range(5)] == \
        [0.05, get_lr(1), get_lr(2), get_lr(3), get_lr(4)]
    assert [upstream.stepped(get_lr, 0.05, lag=1)(k) for k in range(5)] == \
        [0.05, get_lr(0), get_lr(1), get_lr(2), get_lr(3)]
    assert [get_lr(t) for t in range(5)] == [BASE, BASE, BASE * 0.5, BASE * 0.5, BASE * 0.25]
