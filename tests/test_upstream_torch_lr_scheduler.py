"""upstream/torch_lr_scheduler.py: real torch schedulers built from plain calls, stepped in
torch's documented order, torch's errors reported with its own words."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import pytest

from tests.conftest import ROOT
from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    NESTING,
    SCHEDULER_CLASSES,
    SchedulerCall,
    SteppedScheduler,
    TorchRejected,
    UnknownScheduler,
    blamed_argument,
    build_scheduler,
)


def test_module_import_does_not_import_torch() -> None:
    code = ("import sys, warmup_cli.frameworks.upstream.torch_lr_scheduler as m; "
            "sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_class_names_are_torchs() -> None:
    import torch

    for name in SCHEDULER_CLASSES:
        assert isinstance(getattr(torch.optim.lr_scheduler, name), type), name
    assert set(NESTING) <= SCHEDULER_CLASSES


def test_lrs_are_those_of_torch_stepped_by_hand() -> None:
    import torch

    call = SchedulerCall("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01})
    run = SteppedScheduler(call, 0.3, 12)
    assert run.extend(12) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.3)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=7, eta_min=0.01)
        want = [optimizer.param_groups[0]["lr"]]
        for _ in range(11):
            optimizer.step()
            scheduler.step()
            want.append(optimizer.param_groups[0]["lr"])
    assert run.lrs == want  # bit for bit


def test_steps_on_demand_and_holds_past_the_limit() -> None:
    run = SteppedScheduler(SchedulerCall("StepLR", {"step_size": 2, "gamma": 0.5}), 1.0, 6)
    assert run.lrs == [1.0]
    assert run.lr(3) == 0.5 and len(run.lrs) == 4
    assert [run.lr(k) for k in range(6)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert run.lr(100) == 0.25 and len(run.lrs) == 6
    assert math.isnan(run.simulated(6)) and run.simulated(5) == 0.25


def _stepped_by_hand(build: object, count: int) -> list[float]:
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        scheduler = build(optimizer)  # type: ignore[operator]
        lrs = [optimizer.param_groups[0]["lr"]]
        for _ in range(count - 1):
            optimizer.step()
            scheduler.step()
            lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def test_children_are_built_for_sequential_and_chained() -> None:
    from torch.optim.lr_scheduler import (
        ChainedScheduler,
        ConstantLR,
        ExponentialLR,
        LinearLR,
        SequentialLR,
    )

    chained = SteppedScheduler(SchedulerCall("ChainedScheduler", schedulers=(
        SchedulerCall("LinearLR", {"start_factor": 0.5, "total_iters": 4}),
        SchedulerCall("ExponentialLR", {"gamma": 0.9}))), 1.0, 10)
    assert [chained.lr(t) for t in range(10)] == _stepped_by_hand(lambda o: ChainedScheduler(
        [LinearLR(o, start_factor=0.5, total_iters=4), ExponentialLR(o, gamma=0.9)]), 10)
    sequential = SteppedScheduler(SchedulerCall("SequentialLR", {"milestones": [2]}, (
        SchedulerCall("ConstantLR", {"factor": 0.1, "total_iters": 2}),
        SchedulerCall("ExponentialLR", {"gamma": 0.5}))), 1.0, 5)
    # ConstantLR's 0.1, then ExponentialLR from the initial LR, halving exactly
    assert [sequential.lr(t) for t in range(5)] == [0.1, 0.1, 1.0, 0.5, 0.25]
    assert [sequential.lr(t) for t in range(5)] == _stepped_by_hand(lambda o: SequentialLR(
        o, [ConstantLR(o, factor=0.1, total_iters=2), ExponentialLR(o, gamma=0.5)],
        milestones=[2]), 5)


def test_torchs_refusal_names_the_call_it_is_about() -> None:
    bad = SchedulerCall("StepLR", {"step_size": 2, "gama": 0.5})
    with pytest.raises(TorchRejected) as caught:
        SteppedScheduler(SchedulerCall("SequentialLR", {"milestones": [2]}, (
            SchedulerCall("ConstantLR"), bad)), 1.0, 5)
    assert caught.value.call is bad
    assert caught.value.message.startswith("TypeError: ") and "gama" in caught.value.message
    assert blamed_argument(caught.value.message, ["step_size", "gama"]) == "gama"


def test_unknown_class_is_not_torchs() -> None:
    import torch

    call = SchedulerCall("Bogus")
    with pytest.raises(UnknownScheduler) as caught:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        build_scheduler(call, optimizer)
    assert caught.value.call is call


def test_error_while_stepping_is_the_failure() -> None:
    run = SteppedScheduler(SchedulerCall("OneCycleLR", {"max_lr": 0.1, "total_steps": 4}), 0.1,
                           20)
    failure = run.extend(20)
    assert failure is not None and failure is run.failure
    assert failure.step == 5 and len(run.lrs) == 5
    assert failure.message.startswith("ValueError: Tried to step 5 times")
    assert run.lr(4) == run.lrs[4]
    with pytest.raises(ValueError, match="torch raised at step 5"):
        run.lr(5)


def test_blamed_argument_knows_torchs_wording() -> None:
    message = "ValueError: Starting multiplicative factor expected to be greater than 0"
    assert blamed_argument(message, ["total_iters", "start_factor"]) == "start_factor"
    assert blamed_argument(message, ["total_iters"]) is None
    assert blamed_argument("ValueError: Expected positive integer T_0, but got 0",
                           ["T_0", "eta_min"]) == "T_0"
