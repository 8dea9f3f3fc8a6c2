"""The transcription of torch's chainable schedulers (frameworks/upstream/torch_chainable.py)
against torch 2.13.0's real classes, stepped here: every LR equal with ``==`` and every
refusal with torch's own message."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from warmup_cli.frameworks.upstream import torch_chainable
from warmup_cli.frameworks.upstream.torch_chainable import (
    ChainableScheduler,
    real_lrs,
    stepped_scheduler,
    transcribed,
)
from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    BuildError,
    SchedulerCall,
    SteppedScheduler,
    TorchRejected,
    UnknownScheduler,
)

STEPS = 120
C = SchedulerCall


def _warmup(step: int) -> float:
    return min(1.0, (step + 1) / 7)


def _decay(step: int) -> float:
    return 0.97 if step % 3 else 1.01


GRID: list[tuple[SchedulerCall, float]] = [
    *((C("LambdaLR", {"lr_lambda": fn}), base)
      for fn in (_warmup, lambda s: 0.5 ** (s // 10), lambda s: 1 / (s + 1) ** 0.5)
      for base in (0.1, 3e-4, 1.0)),
    *((C("MultiplicativeLR", {"lr_lambda": fn}), base)
      for fn in (_decay, lambda s: 0.95) for base in (0.1, 7e-4)),
    *((C("StepLR", kw), base) for kw in ({"step_size": 7}, {"step_size": 1, "gamma": 0.97},
                                         {"step_size": 30, "gamma": 0.5})
      for base in (0.1, 0.0123)),
    *((C("MultiStepLR", kw), 0.1) for kw in (
        {"milestones": [10, 40, 80]}, {"milestones": [30, 10, 30, 30], "gamma": 0.3},
        {"milestones": [0, 5], "gamma": 0.5}, {"milestones": []})),
    *((C("ConstantLR", kw), base) for kw in ({}, {"factor": 0.5, "total_iters": 13},
                                            {"factor": 0.1, "total_iters": 0},
                                            {"factor": 1.0, "total_iters": 3})
      for base in (0.1, 0.3)),
    *((C("LinearLR", kw), base) for kw in (
        {}, {"start_factor": 0.001, "total_iters": 50}, {"start_factor": 0.1, "end_factor": 0.5},
        {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 100},
        {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 1},
        {"start_factor": 1 / 3, "end_factor": 0.9, "total_iters": 200}) for base in (0.1, 2e-5)),
    *((C("ExponentialLR", {"gamma": g}), 0.1) for g in (0.9, 0.999, 1.0, 0.5)),
    *((C("PolynomialLR", kw), base) for kw in (
        {}, {"total_iters": 100, "power": 2.0}, {"total_iters": 37, "power": 0.5},
        {"total_iters": 200, "power": 1.0}) for base in (0.1, 0.04)),
    *((C("CosineAnnealingLR", kw), base) for kw in (
        {"T_max": 100}, {"T_max": 10, "eta_min": 1e-5}, {"T_max": 7}, {"T_max": 1},
        {"T_max": 50, "eta_min": 0.01}) for base in (0.1, 6e-4)),
    *((C("CosineAnnealingWarmRestarts", kw), 0.1) for kw in (
        {"T_0": 10}, {"T_0": 5, "T_mult": 2}, {"T_0": 3, "T_mult": 3, "eta_min": 1e-4},
        {"T_0": 1})),
    *((C("CyclicLR", kw), 0.1) for kw in (
        {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 10},
        {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 7, "step_size_down": 13,
         "mode": "triangular2"},
        {"base_lr": 1e-4, "max_lr": 1e-2, "step_size_up": 9, "mode": "exp_range",
         "gamma": 0.99},
        {"base_lr": 0.01, "max_lr": 0.05, "step_size_up": 4, "cycle_momentum": False},
        {"base_lr": 0.01, "max_lr": 0.02, "step_size_up": 3, "scale_fn": lambda x: 0.9 ** x,
         "scale_mode": "iterations"})),
    *((C("OneCycleLR", kw), 0.1) for kw in (
        {"max_lr": 0.1, "total_steps": STEPS + 5},
        {"max_lr": 0.3, "total_steps": 200, "anneal_strategy": "linear", "pct_start": 0.25},
        {"max_lr": 0.01, "epochs": 10, "steps_per_epoch": 13, "three_phase": True},
        {"max_lr": 0.02, "total_steps": 150, "three_phase": True, "anneal_strategy": "linear",
         "div_factor": 10.0, "final_div_factor": 100.0})),
    (C("SequentialLR", {"milestones": [10]}, (
        C("LinearLR", {"start_factor": 0.01, "total_iters": 10}),
        C("CosineAnnealingLR", {"T_max": 100}))), 0.1),
    (C("SequentialLR", {"milestones": [5, 30]}, (
        C("ConstantLR", {"factor": 0.1, "total_iters": 5}),
        C("ExponentialLR", {"gamma": 0.9}), C("StepLR", {"step_size": 10}))), 0.05),
    (C("SequentialLR", {"milestones": [20]}, (
        C("LambdaLR", {"lr_lambda": lambda s: s / 20}),
        C("CosineAnnealingLR", {"T_max": 80, "eta_min": 1e-6}))), 3e-4),
    (C("SequentialLR", {"milestones": [8]}, (
        C("LinearLR", {"start_factor": 0.1, "total_iters": 8}),
        C("PolynomialLR", {"total_iters": 90, "power": 2.0}))), 0.1),
    (C("SequentialLR", {"milestones": [6]}, (
        C("MultiplicativeLR", {"lr_lambda": lambda s: 1.2}),
        C("CosineAnnealingWarmRestarts", {"T_0": 9}))), 0.1),
    (C("SequentialLR", {"milestones": [10]}, (
        C("LinearLR", {"start_factor": 0.05, "total_iters": 10}),
        C("OneCycleLR", {"max_lr": 0.2, "total_steps": 150}))), 0.1),
    (C("SequentialLR", {"milestones": [12]}, (
        C("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
        C("MultiStepLR", {"milestones": [20, 40, 40]}))), 0.1),
    (C("SequentialLR", {"milestones": [15]}, (
        C("ChainedScheduler", {}, (C("LinearLR", {"start_factor": 0.2, "total_iters": 15}),
                                   C("ExponentialLR", {"gamma": 0.99}))),
        C("CosineAnnealingLR", {"T_max": 60}))), 0.1),
    (C("ChainedScheduler", {}, (C("ConstantLR", {"factor": 0.5, "total_iters": 9}),
                                C("ExponentialLR", {"gamma": 0.95}))), 1.0),
    (C("ChainedScheduler", {}, (C("LinearLR", {"start_factor": 0.1, "total_iters": 20}),
                                C("CosineAnnealingLR", {"T_max": 60, "eta_min": 0.001}))), 0.1),
    (C("ChainedScheduler", {}, (
        C("SequentialLR", {"milestones": [10]}, (
            C("LinearLR", {"start_factor": 0.01, "total_iters": 10}),
            C("StepLR", {"step_size": 25}))),
        C("MultiplicativeLR", {"lr_lambda": lambda s: 0.999}))), 0.1),
]


def _real(call: SchedulerCall, base: float, steps: int) -> list[float]:
    run = SteppedScheduler(call, base, steps)
    assert run.extend(steps) is None
    return run.lrs


def _label(case: tuple[SchedulerCall, float]) -> str:
    call, base = case
    return f"{call.name}-{sorted(call.kwargs)}-{base}"


@pytest.mark.parametrize("case", GRID, ids=[_label(case) for case in GRID])
def test_every_lr_equals_the_real_class(case: tuple[SchedulerCall, float]) -> None:
    call, base = case
    assert transcribed(call)
    ours = ChainableScheduler(call, base, STEPS)
    assert ours.extend(STEPS) is None
    assert ours.lrs == _real(call, base, STEPS)


def test_the_grid_covers_every_transcribed_class() -> None:
    def names(call: SchedulerCall) -> set[str]:
        return {call.name}.union(*(names(child) for child in call.schedulers or ()))
    covered = set().union(*(names(call) for call, _ in GRID))
    assert covered == set(torch_chainable.CLASSES)


def test_long_runs_stay_bit_for_bit() -> None:
    # the recursive forms accumulate: 20,000 steps of each chainable formula
    steps = 20_000
    for call in (C("CosineAnnealingLR", {"T_max": 7000, "eta_min": 1e-6}),
                 C("LinearLR", {"start_factor": 1e-3, "total_iters": 15_000}),
                 C("PolynomialLR", {"total_iters": 19_000, "power": 0.9}),
                 C("CosineAnnealingWarmRestarts", {"T_0": 1000, "T_mult": 2})):
        ours = ChainableScheduler(call, 0.1, steps)
        ours.extend(steps)
        assert ours.lrs == _real(call, 0.1, steps), call.name


BAD: list[SchedulerCall] = [
    C("ConstantLR", {"factor": 1.5}), C("ConstantLR", {"factor": -0.1}),
    C("ConstantLR", {"factor": "half"}),
    C("LinearLR", {"start_factor": 0}), C("LinearLR", {"end_factor": 1.2}),
    C("LinearLR", {"start_factor": 2.0}),
    C("StepLR", {}), C("StepLR", {"step_size": 3, "verbose": True}),
    C("ExponentialLR", {}), C("CosineAnnealingLR", {"eta_min": 0.1}),
    C("MultiStepLR", {"milestones": 5}),
    C("CosineAnnealingWarmRestarts", {"T_0": 0}),
    C("CosineAnnealingWarmRestarts", {"T_0": 2.5}),
    C("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 0}),
    C("CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 1.5}),
    C("CosineAnnealingWarmRestarts", {"T_0": 5, "eta_min": "0"}),
    C("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "mode": "sine"}),
    C("CyclicLR", {"base_lr": [0.1, 0.2], "max_lr": 1.0}),
    C("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": "ten"}),
    C("CyclicLR", {"base_lr": 0.1}),
    C("OneCycleLR", {"max_lr": 0.1}), C("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}),
    C("OneCycleLR", {"max_lr": 0.1, "total_steps": 10.0}),
    C("OneCycleLR", {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 3}),
    C("OneCycleLR", {"max_lr": 0.1, "epochs": 3, "steps_per_epoch": -1}),
    C("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1}),
    C("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}),
    C("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "cosine"}),
    C("MultiplicativeLR", {"lr_lambda": 0.9}), C("LambdaLR", {"lr_lambda": [_warmup, _warmup]}),
    C("LambdaLR", {"lr_lambda": _warmup, "last_epoch": 4}),
    C("SequentialLR", {"milestones": []}, ()),
    C("SequentialLR", {"milestones": [3, 5]}, (C("ExponentialLR", {"gamma": 0.9}),
                                               C("StepLR", {"step_size": 2}))),
    C("SequentialLR", {}, (C("ExponentialLR", {"gamma": 0.9}),)),
    C("ChainedScheduler", {}, ()),
    C("SequentialLR", {"milestones": [2]}, (C("ExponentialLR", {"gamma": 0.9}),
                                            C("LinearLR", {"start_factor": 3.0}))),
    C("NoSuchLR", {}),
]


def _refusal(build: Any, call: SchedulerCall) -> tuple[type, str]:
    with pytest.raises(BuildError) as caught:
        build(call, 0.1, 10)
    return type(caught.value), caught.value.message


@pytest.mark.parametrize("call", BAD, ids=[f"{c.name}-{dict(c.kwargs)}" for c in BAD])
def test_refusals_carry_torchs_own_message(call: SchedulerCall) -> None:
    assert _refusal(ChainableScheduler, call) == _refusal(SteppedScheduler, call)


def test_an_unknown_class_is_unknown_for_both() -> None:
    assert _refusal(ChainableScheduler, C("NoSuchLR"))[0] is UnknownScheduler
    assert _refusal(ChainableScheduler, C("StepLR"))[0] is TorchRejected


STEP_ERRORS = [
    C("OneCycleLR", {"max_lr": 0.1, "total_steps": 10}),
    C("StepLR", {"step_size": 0}),
    C("SequentialLR", {"milestones": [4]}, (
        C("ExponentialLR", {"gamma": 0.9}),
        C("SequentialLR", {"milestones": [2]}, (C("ExponentialLR", {"gamma": 0.9}),
                                                C("StepLR", {"step_size": 2}))))),
    C("LambdaLR", {"lr_lambda": lambda s: 1 / (5 - s)}),
    C("CosineAnnealingLR", {"T_max": 0}),
]


@pytest.mark.parametrize("call", STEP_ERRORS, ids=[c.name for c in STEP_ERRORS])
def test_stepping_errors_match_torch(call: SchedulerCall) -> None:
    def outcome(cls: Any) -> tuple[Any, list[float]]:
        try:
            run = cls(call, 0.1, 30)
        except BuildError as exc:
            return ("build", exc.message), []
        return run.extend(30), run.lrs
    ours, theirs = outcome(ChainableScheduler), outcome(SteppedScheduler)
    assert ours == theirs
    assert ours[0] is not None  # each of these raises somewhere in torch


def test_one_cycle_says_tried_to_step() -> None:
    run = ChainableScheduler(C("OneCycleLR", {"max_lr": 0.1, "total_steps": 10}), 0.1, 30)
    failure = run.extend(30)
    assert failure is not None and failure.step == 11
    assert failure.message == ("ValueError: Tried to step 11 times. The specified number of "
                               "total steps is 10")
    with pytest.raises(ValueError, match="torch raised at step 11"):
        run.lr(20)


def test_a_negative_lr_is_refused_as_sgd_does() -> None:
    call = C("ExponentialLR", {"gamma": 0.9})
    with pytest.raises(ValueError) as ours:
        ChainableScheduler(call, -0.1, 5)
    with pytest.raises(ValueError) as theirs:
        SteppedScheduler(call, -0.1, 5)
    assert str(ours.value) == str(theirs.value)


def test_lr_holds_past_the_limit_and_simulated_is_nan_there() -> None:
    run = ChainableScheduler(C("ExponentialLR", {"gamma": 0.5}), 1.0, 4)
    assert run.lr(10) == run.lrs[3] == 0.125
    assert run.simulated(2) == 0.25
    assert run.simulated(9) != run.simulated(9)  # NaN


def test_the_factory_uses_the_transcription_and_falls_back_to_torch() -> None:
    assert isinstance(stepped_scheduler(C("StepLR", {"step_size": 3}), 0.1, 5),
                      ChainableScheduler)
    plateau = stepped_scheduler(C("ReduceLROnPlateau", {}), 0.1, 5)
    assert isinstance(plateau, SteppedScheduler)


def test_real_lrs_steps_the_real_class() -> None:
    call = C("CosineAnnealingLR", {"T_max": 9})
    ours = ChainableScheduler(call, 0.2, 12)
    ours.extend(12)
    assert real_lrs(call, 0.2)(12) == ours.lrs


def test_the_transcription_imports_no_torch() -> None:
    import subprocess

    code = ("import sys; sys.modules['torch'] = None\n"
            "from warmup_cli.frameworks.upstream.torch_chainable import ChainableScheduler\n"
            "from warmup_cli.frameworks.upstream.torch_lr_scheduler import SchedulerCall\n"
            "run = ChainableScheduler(SchedulerCall('OneCycleLR', {'max_lr': 1.0, "
            "'total_steps': 20}), 0.1, 20)\n"
            "print(run.lr(19))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    expected = _real(C("OneCycleLR", {"max_lr": 1.0, "total_steps": 20}), 0.1, 20)[19]
    assert float(done.stdout) == expected


def test_the_optimizer_lr_defaults_are_torchs() -> None:
    import inspect

    import torch

    real = {}
    for name in dir(torch.optim):
        cls = getattr(torch.optim, name)
        if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer):
            lr = inspect.signature(cls).parameters.get("lr")
            if lr is not None and isinstance(lr.default, int | float):
                real[name] = lr.default
    assert real == torch_chainable.OPTIMIZER_LR_DEFAULTS
    assert all(type(value) is type(real[name])
               for name, value in torch_chainable.OPTIMIZER_LR_DEFAULTS.items())
