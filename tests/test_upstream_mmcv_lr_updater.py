"""upstream/mmcv_lr_updater.py: mmcv 1.x's LrUpdaterHook warmups and the step/cosine policies.

Values are chosen so that mmcv's arithmetic is exact in binary floating point.
"""

from __future__ import annotations

import math

import pytest

from warmup_cli.frameworks.upstream.mmcv_lr_updater import (
    cosine_annealing_lr,
    step_lr,
    warmup_lr,
)


def flat(iteration: int) -> float:
    return 2.0


@pytest.mark.parametrize(("kind", "ratio", "expected"), [
    (None, 0.5, [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]),
    ("constant", 0.5, [1.0, 1.0, 1.0, 1.0, 2.0, 2.0]),
    # value * (1 - (1 - i / iters) * (1 - ratio))
    ("linear", 0.5, [1.0, 1.25, 1.5, 1.75, 2.0, 2.0]),
    # value * ratio ** (1 - i / iters)
    ("exp", 0.0625, [0.125, 0.25, 0.5, 1.0, 2.0, 2.0]),
])
def test_warmup_multiplies_the_policy_lr(kind: str | None, ratio: float,
                                         expected: list[float]) -> None:
    lr = warmup_lr(flat, kind, 4, ratio)
    assert [lr(i) for i in range(6)] == expected


def test_step_policy_decays_once_per_period_of_epochs() -> None:
    lr = step_lr(1.0, 10, 3, 0.5, None)  # 10 iterations per epoch, gamma every 3 epochs
    assert [lr(i) for i in (0, 29, 30, 59, 60)] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_step_policy_milestones_and_min_lr() -> None:
    lr = step_lr(1.0, 1, [2, 5], 0.1, 0.05)
    assert [lr(i) for i in (0, 1, 2, 4)] == [1.0, 1.0, 0.1, 0.1]
    assert lr(5) == 0.05  # 0.01, floored at min_lr


def test_int_gamma_stays_exact() -> None:
    assert step_lr(1.0, 1, 1, 2, None)(60) == 2.0**60


def test_cosine_anneals_from_base_to_target_by_progress() -> None:
    lr = cosine_annealing_lr(1.0, 10, 0.25, 4)  # by epoch: 10 iterations, 4 epochs
    assert lr(0) == lr(9) == 1.0
    assert lr(20) == 0.25 + 0.5 * (1.0 - 0.25) * (math.cos(math.pi * (20 // 10 / 4)) + 1)
    assert lr(20) == 0.625  # half way: the midpoint (cos(pi / 2) + 1 rounds to 1)
    assert lr(40) == 0.25  # cos(pi) + 1 == 0
