"""upstream/mmengine_lr_scheduler.py: MMEngine's chainable schedulers and the runner's order.

MMEngine's LinearLR, ConstantLR, StepLR, MultiStepLR, ExponentialLR and CosineAnnealingLR are
ports of torch's chainable ``get_lr``: stepping torch's own classes is an independent golden for
the recursion (the reader's tests compare whole configs with MMEngine's classes).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

from warmup_cli.frameworks.upstream.mmengine_lr_scheduler import (
    INF,
    SIMULATION_CAP,
    InvalidScheduler,
    Params,
    Scheduler,
    Simulation,
    build_iter_from_epoch,
)

BASE = 0.1


def simulated(kind: str, params: Params, end: int, steps: int) -> list[float]:
    sim = Simulation([Scheduler(kind, params, 0, end)], BASE, None)
    return [sim.lr(k) for k in range(steps)]


def torch_lrs(name: str, kwargs: dict[str, Any], steps: int) -> list[float]:
    torch = pytest.importorskip("torch")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE)
    scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return lrs


@pytest.mark.parametrize(("kind", "params", "end", "torch_kwargs"), [
    # MMEngine's total_iters is end - begin - 1
    ("LinearLR", {"start_factor": 0.001, "end_factor": 1.0}, 51,
     {"start_factor": 0.001, "end_factor": 1.0, "total_iters": 50}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.05}, 31,
     {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 30}),
    ("ConstantLR", {"factor": 0.25}, 5, {"factor": 0.25, "total_iters": 4}),
    ("StepLR", {"step_size": 3, "gamma": 0.5}, 40, {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.1}, 40,
     {"milestones": [2, 5, 5, 9], "gamma": 0.1}),
    ("ExponentialLR", {"gamma": 0.9}, 40, {"gamma": 0.9}),
    # end = 3 T_max: the cosine rises again, through the "(k - 1 - T_max) % 2T_max" branch
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001, "eta_min_ratio": None}, 21,
     {"T_max": 7, "eta_min": 0.001}),
])
def test_chained_recursion_is_torch_bit_for_bit(kind: str, params: Params, end: int,
                                                torch_kwargs: dict[str, Any]) -> None:
    assert simulated(kind, params, end, end) == torch_lrs(kind, torch_kwargs, end)


def test_scheduler_stops_changing_the_lr_at_its_end() -> None:
    lrs = simulated("ExponentialLR", {"gamma": 0.5}, 3, 6)
    assert lrs == [0.1, 0.05, 0.025, 0.025, 0.025, 0.025]


def test_quadratic_warmup_adds_to_the_lr() -> None:
    """QuadraticWarmupParamScheduler: base * (2k + 1) / n**2, summed."""
    sim = Simulation([Scheduler("QuadraticWarmupLR", {}, 0, 4)], 0.5, None)
    assert [sim.lr(k) for k in range(5)] == [0.5 / 16, 0.5 * 4 / 16, 0.5 * 9 / 16, 0.5, 0.5]


def test_cosine_restart_starts_each_period_at_its_weight() -> None:
    params: Params = {"periods": [4, 4], "restart_weights": [1, 0.5], "eta_min": 0,
                      "eta_min_ratio": None}
    sim = Simulation([Scheduler("CosineRestartLR", params, 0, 8)], BASE, None)
    assert (sim.lr(0), sim.lr(4)) == (BASE, BASE * 0.5)
    # CosineRestartParamScheduler._get_value: (1 + cos(pi * s / p)) / (1 + cos(pi * (s - 1) /
    # p)) * (lr - eta_min) + eta_min, chained from the period's eta_max
    def ratio(s: int) -> float:
        return (1 + math.cos(math.pi * s / 4)) / (1 + math.cos(math.pi * (s - 1) / 4))
    lr1 = ratio(1) * (BASE - 0) + 0
    assert sim.lr(1) == lr1 and sim.lr(2) == ratio(2) * (lr1 - 0) + 0
    assert sim.lr(3) < sim.lr(2)


def test_runner_steps_epoch_schedulers_after_each_epoch_in_list_order() -> None:
    """Built in list order (each steps once), then after_train_iter for the iteration-based
    ones and, at an epoch's end, after_train_epoch for the epoch-based ones."""
    warmup = Scheduler("LinearLR", {"start_factor": 0.5, "end_factor": 1.0}, 0, 3)
    decay = Scheduler("MultiStepLR", {"milestones": [1], "gamma": 0.5}, 0, 3, per_epoch=True)
    sim = Simulation([warmup, decay], 1.0, 4)
    assert [sim.lr(k) for k in range(10)] == [0.5, 0.75, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5,
                                              0.5, 0.5]
    assert decay.span(4) == (0, 12) and sim.last_end == 12


def test_build_iter_from_epoch_scales_span_and_periods() -> None:
    params: Params = {"T_max": 2, "eta_min": None, "eta_min_ratio": None}
    built = build_iter_from_epoch("CosineAnnealingLR", params, 1, 3, 10)
    assert (built.begin, built.end, built.params["T_max"], built.per_epoch) == (10, 30, 20, False)
    assert params["T_max"] == 2  # the arguments as written stay unchanged
    steps = build_iter_from_epoch("MultiStepLR", {"milestones": [2, 5], "gamma": 0.1}, 0, INF, 7)
    assert (steps.end, steps.params["milestones"]) == (INF, [14, 35])


@pytest.mark.parametrize(("kind", "params", "begin", "end", "message"), [
    ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0}, 5, 5,
     "end should be larger than begin, but got begin=5, end=5"),
    ("LinearLR", {"start_factor": 1.5, "end_factor": 1.0}, 0, 5,
     "Starting multiplicative factor should between 0 and 1."),
    ("ConstantLR", {"factor": -0.1}, 0, 5,
     "Constant multiplicative factor should between 0 and 1."),
    ("QuadraticWarmupLR", {}, 0, INF, "``end`` must be less than infinity"),
    ("StepLR", {"step_size": None, "gamma": 0.1}, 0, 5, "StepLR needs step_size"),
    ("CosineAnnealingLR", {"T_max": None, "eta_min": 0, "eta_min_ratio": 0.1}, 0, 5,
     "Either `eta_min` or `eta_min_ratio should be specified"),
    ("CosineRestartLR", {"periods": [2, 3], "restart_weights": [1], "eta_min": 0,
                         "eta_min_ratio": None}, 0, 5,
     "periods and restart_weights should have the same length."),
])
def test_building_checks_what_mmengine_checks(kind: str, params: Params, begin: int, end: int,
                                              message: str) -> None:
    with pytest.raises(InvalidScheduler) as raised:
        Scheduler(kind, params, begin, end)
    assert str(raised.value) == message


def test_simulation_is_bounded_while_a_scheduler_runs() -> None:
    forever = Simulation([Scheduler("ExponentialLR", {"gamma": 0.5}, 0, INF)], BASE, None)
    with pytest.raises(ValueError, match="past the"):
        forever.lr(SIMULATION_CAP)
    ended = Simulation([Scheduler("ExponentialLR", {"gamma": 0.5}, 0, 2)], BASE, None)
    assert ended.lr(10) == ended.lr(10**12) == 0.05  # nothing left to step: no simulation
