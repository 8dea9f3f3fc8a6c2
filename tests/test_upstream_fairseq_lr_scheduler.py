"""upstream/fairseq_lr_scheduler.py and upstream/audiocraft_inverse_sqrt_lr_scheduler.py: the
formulas called directly (the reader's tests compare them with fairseq's own code), and what
fairseq's __init__ refuses, at the key it is about."""

from __future__ import annotations

import math

import pytest

from warmup_cli.frameworks.upstream import audiocraft_inverse_sqrt_lr_scheduler as audiocraft
from warmup_cli.frameworks.upstream import fairseq_lr_scheduler as fairseq
from warmup_cli.frameworks.upstream.fairseq_lr_scheduler import Rejected


def test_inverse_sqrt() -> None:
    schedule = fairseq.inverse_sqrt(0.1, 4, -1)
    assert schedule.warmup_init_lr == 0  # -1 means 0 once there is a warmup
    assert [schedule(n) for n in range(5)] == [0.0, 0.025, 0.05, 0.07500000000000001, 0.1]
    assert schedule(16) == 0.1 * 4**0.5 * 16**-0.5
    with pytest.raises(Rejected, match="ZeroDivisionError") as caught:
        fairseq.inverse_sqrt(0.1, 0, -1)
    assert caught.value.key == "warmup_updates"


def test_cosine_peak_and_floor_of_both_versions() -> None:
    shared = {"warmup_updates": 2, "warmup_init_lr": -1, "t_mult": 1, "lr_shrink": 0.5}
    modern = fairseq.cosine(1.0, 0.1, lr_period_updates=4, max_update=None, **shared)
    legacy = fairseq.cosine_2020(1.0, 0.1, lr_period_updates=4, max_update=None, **shared)
    for schedule in (modern, legacy):
        assert (schedule.max_lr, schedule.min_lr, schedule.warmup_init_lr) == (1.0, 0.1, 0.1)
        assert schedule(0) == 0.1 and schedule(2) == 1.0
        # step_update: low + 0.5 * (high - low) * (1 + cos(pi * t_curr / t_i))
        assert schedule(4) == 0.1 + 0.5 * (1.0 - 0.1) * (1 + math.cos(math.pi * 2 / 4))
        # the restart, shrunk by lr_shrink: t_curr 0 of the second period
        assert schedule(6) == 0.1 * 0.5 + 0.5 * (1.0 * 0.5 - 0.1 * 0.5) * (1 + math.cos(0.0))
    with pytest.raises(Rejected) as caught:
        fairseq.cosine(0.1, 0.2, lr_period_updates=4, max_update=None, **shared)
    assert caught.value.key == "min_lr"
    with pytest.raises(Rejected) as caught:
        fairseq.cosine_2020(0.1, 0.2, lr_period_updates=4, max_update=None, **shared)
    assert caught.value.key == "max_lr"


def test_cosine_period_from_max_update() -> None:
    schedule = fairseq.cosine(1.0, 0.0, warmup_updates=10, warmup_init_lr=0, t_mult=2,
                              lr_period_updates=-1, lr_shrink=0.1, max_update=110)
    assert schedule.period == 100
    # t_mult 2: i = floor(log(1 - 50 / 100 * (1 - 2), 2)) = 0, t_curr = 50 of t_i = 100
    assert schedule(60) == 0.0 + 0.5 * (1.0 - 0.0) * (1 + math.cos(math.pi * 50 / 100))
    with pytest.raises(Rejected) as caught:
        fairseq.cosine(1.0, 0.0, warmup_updates=10, warmup_init_lr=0, t_mult=2,
                       lr_period_updates=0, lr_shrink=0.1, max_update=None)
    assert caught.value.key == "lr_period_updates"


def test_polynomial_decay() -> None:
    schedule = fairseq.polynomial_decay(1.0, 2, 6, 0.0, 2.0)
    assert [schedule(n) for n in (0, 1, 2)] == [0.0, 0.5, 1.0]
    assert schedule(4) == 0.5**2 and schedule(6) == 0.0 and schedule(9) == 0.0
    with pytest.raises(Rejected) as caught:
        fairseq.polynomial_decay(1.0, 2, 0, 0.0, 1.0)
    assert caught.value.key == "total_num_update"


def test_tri_stage() -> None:
    schedule = fairseq.tri_stage(1.0, 0.5, 0.01, 2, 3, 4)
    assert [schedule(n) for n in range(6)] == [0.5, 0.75, 1.0, 1.0, 1.0, 1.0]
    # the last decay step: peak * exp(-decay_factor * 4), not final_lr itself
    assert schedule(9) == 1.0 * math.exp(-(-math.log(0.01) / 4) * (9 - 5))
    assert schedule(10) == 0.01
    assert schedule.decay_factor == -math.log(0.01) / 4
    for steps, scale, key in (((0, 0, 0), 0.01, None), ((1, 0, 0), 0.01, "decay_steps"),
                              ((1, 0, 1), 0.0, "final_lr_scale")):
        with pytest.raises(Rejected) as caught:
            fairseq.tri_stage(1.0, 0.5, scale, *steps)
        assert caught.value.key == key


def test_tri_stage_steps_from_phase_ratio() -> None:
    assert fairseq.tri_stage_steps([0.1, 0.4, 0.5], 320000) == [32000, 128000, 160000]
    with pytest.raises(Rejected, match="add up to 1") as caught:
        fairseq.tri_stage_steps([0.5, 0.6], 100)
    assert caught.value.key == "phase_ratio"


def test_audiocraft_counts_steps_from_one() -> None:
    schedule = audiocraft.inverse_sqrt(5e-4, 3000, None)
    assert schedule.warmup_init_lr == 0
    # update 0 runs at step 1: warmup_init_lr + step * (lr - warmup_init_lr) / warmup_steps
    assert schedule(0) == 0 + 1 * ((5e-4 - 0) / 3000)
    assert schedule(2999) == 5e-4 * 3000**0.5 * 3000**-0.5
    assert audiocraft.inverse_sqrt(1.0, 0, 0)(5) == 0.0  # no warmup: lr * 0 ** 0.5
