"""Hydra ``_target_`` reader: torch schedulers stepped for real, transformers' get_* functions
and timm's CosineLRScheduler compared with the installed libraries, exactly."""

from __future__ import annotations

import csv
import io
import warnings
from functools import cache, partial

import pytest
import torch
from typer.testing import CliRunner

from tests.conftest import FRAMEWORK_FIXTURES, read_schedules, timm_scheduler
from warmup_cli.cli.app import app
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import hydra_target
from warmup_cli.frameworks.kit import FrameworkSchedule
from warmup_cli.vocab import Code, RunFacts, Severity, Unit

FIXTURES = FRAMEWORK_FIXTURES / "hydra_target"
read = partial(read_schedules, hydra_target)
runner = CliRunner()


def one(name: str, text: str | None = None, facts: RunFacts | None = None) -> FrameworkSchedule:
    (found,) = read(FIXTURES / name, text, facts=facts or RunFacts())
    return found


def lrs(schedule: FrameworkSchedule, count: int) -> list[float]:
    plan = schedule.plan
    assert plan is not None, (schedule.unresolved, schedule.findings)
    return [plan.lrs(k)[0] for k in range(count)]


def real(make: object, lr: float, count: int, *, per: str = "step") -> list[float]:
    """The LR of each of ``count`` steps from the real scheduler ``make(optimizer)``."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = make(optimizer)  # type: ignore[operator]
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(count):
            seen.append(float(optimizer.param_groups[0]["lr"]))
            optimizer.step()
            if per == "timm":
                scheduler.step(k + 1)
            else:
                scheduler.step()
    return seen


def test_torch_class_is_the_real_one_stepped() -> None:
    schedule = one("cosine_warmup.yaml")
    assert schedule.plan is not None and schedule.plan.unit is Unit.EPOCH
    assert schedule.horizon == 30  # trainer.max_epochs in the same file
    want = real(lambda opt: torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.0003, total_steps=30, pct_start=0.1), 0.0003, 30)
    # torch sets the LR itself: the plan carries it, bit for bit
    assert lrs(schedule, 30) == want


def test_reduce_lr_on_plateau_is_a_plateau_phase() -> None:
    from warmup_cli.plateau.model import find_plateau

    schedule = one("mnist.yaml")
    assert schedule.plan is not None and schedule.plan.base_lrs == (0.001,)
    part = find_plateau(schedule.plan.schedule)
    assert part is not None and part.start == 0
    assert (part.phase.params["factor"], part.phase.params["patience"]) == (0.1, 10)
    assert not [f for f in schedule.findings if f.code is Code.WU308]
    assert any("--metrics FILE --metric NAME" in note for note in schedule.notes)


def test_transformers_cosine_matches_transformers() -> None:
    from transformers import get_cosine_schedule_with_warmup

    schedule = one("hf_cosine.yaml")
    assert schedule.horizon == 2000 and schedule.plan is not None
    want = real(lambda opt: get_cosine_schedule_with_warmup(opt, 100, 2000), 5e-4, 2000)
    assert lrs(schedule, 2000) == want  # LambdaLR's base x lr_lambda, as transformers
    (wu302,) = [f for f in schedule.findings if f.code is Code.WU302]
    assert wu302.severity is Severity.NOTE  # 1 of 100 warmup steps, HF's own definition


@pytest.mark.parametrize(("target", "args", "kwargs"), [
    ("get_linear_schedule_with_warmup", "num_warmup_steps: 7\n  num_training_steps: 50",
     {"num_warmup_steps": 7, "num_training_steps": 50}),
    ("get_polynomial_decay_schedule_with_warmup",
     "num_warmup_steps: 5\n  num_training_steps: 40\n  power: 2.0\n  lr_end: 1.0e-5",
     {"num_warmup_steps": 5, "num_training_steps": 40, "power": 2.0, "lr_end": 1e-5}),
    ("get_cosine_with_min_lr_schedule_with_warmup",
     "num_warmup_steps: 4\n  num_training_steps: 30\n  min_lr_rate: 0.1",
     {"num_warmup_steps": 4, "num_training_steps": 30, "min_lr_rate": 0.1}),
    ("get_inverse_sqrt_schedule", "num_warmup_steps: 6", {"num_warmup_steps": 6}),
])
def test_transformers_functions(target: str, args: str, kwargs: dict[str, object]) -> None:
    import transformers

    text = (f"optimizer:\n  _target_: torch.optim.Adam\n  lr: 0.002\nscheduler:\n"
            f"  _target_: transformers.optimization.{target}\n  _partial_: true\n  {args}\n")
    schedule = one("x.yaml", text)
    function = getattr(transformers, target)
    want = real(lambda opt: function(opt, **kwargs), 0.002, 40)
    assert lrs(schedule, 40) == want


def test_transformers_interpolated_length_is_supplied_by_steps() -> None:
    text = ("scheduler:\n  _target_: transformers.get_linear_schedule_with_warmup\n"
            "  num_warmup_steps: 10\n  num_training_steps: ${trainer.max_steps}\n")
    unresolved = one("x.yaml", text)
    assert unresolved.plan is None
    assert any("interpolation" in why for _, why in unresolved.unresolved)
    supplied = one("x.yaml", text, RunFacts(total_steps=200))
    assert supplied.plan is not None and supplied.horizon == 200
    assert any("--steps 200" in note for note in supplied.notes)


def test_transformers_argument_errors_are_what_it_raises() -> None:
    text = ("scheduler:\n  _target_: transformers.get_cosine_schedule_with_warmup\n"
            "  num_warmup_steps: 10\n  num_training_steps: 100\n  min_lr: 0.1\n")
    schedule = one("x.yaml", text)
    assert schedule.plan is None
    (error,) = [f for f in schedule.findings if f.code is Code.WU308]
    assert error.severity is Severity.ERROR and "min_lr" in error.message


@cache  # a second import would find the stand-in package (whose __spec__ is None)
def _timm_cosine_class() -> type:
    """timm's CosineLRScheduler (timm/scheduler/ only: see conftest.timm_scheduler)."""
    cls: type = timm_scheduler().CosineLRScheduler
    return cls


def test_timm_cosine_matches_timm() -> None:
    CosineLRScheduler = _timm_cosine_class()

    schedule = one("timm_cosine.yaml")
    want = real(lambda opt: CosineLRScheduler(opt, t_initial=90, lr_min=1e-5, warmup_t=5,
                                              warmup_lr_init=1e-4, warmup_prefix=True),
                0.1, 120, per="timm")
    plan = schedule.plan
    assert plan is not None and plan.unit is Unit.EPOCH
    # timm sets the LR itself (warmup_lr_init + t * warmup_step, ...): the plan carries it
    assert lrs(schedule, 120) == want


@pytest.mark.parametrize(("name", "steps", "line"), [
    ("cosine_warmup.yaml", 30, "all 30 updates checked against torch's real OneCycleLR, "
     "stepped; computed with torch's OneCycleLR from torch/optim/lr_scheduler.py, verified "
     "against torch 2.13.0 in the test suite"),
    ("hf_cosine.yaml", 2000, "all 2,000 updates checked against torch's LambdaLR; the factor is "
     "transformers' lr_lambda from transformers/optimization.py, verified against transformers "
     "5.24.0 in the test suite"),
    ("timm_cosine.yaml", 120, "120 updates computed with timm's CosineLRScheduler from "
     "timm/scheduler/cosine_lr.py, verified against timm 1.0.31 in the test suite; not checked "
     "at run time"),
])
def test_show_prints_the_real_lrs_and_says_what_verified_them(name: str, steps: int,
                                                              line: str) -> None:
    path = str(FIXTURES / name)
    plan = one(name).plan
    assert plan is not None
    result = runner.invoke(app, ["show", path, "--steps", str(steps), "--format", "csv"])
    assert result.exit_code == 0, result.output
    printed = [float(row["lr"]) for row in csv.DictReader(io.StringIO(result.stdout))]
    assert printed == [plan.lrs(k)[0] for k in range(steps)]
    table = runner.invoke(app, ["show", path, "--steps", str(steps), "--format", "table",
                                "--no-plot"])
    assert table.exit_code == 0, table.output
    assert line in " ".join(table.output.split())


def test_show_of_timm_prints_timms_own_lr() -> None:
    CosineLRScheduler = _timm_cosine_class()
    want = real(lambda opt: CosineLRScheduler(opt, t_initial=90, lr_min=1e-5, warmup_t=5,
                                              warmup_lr_init=1e-4, warmup_prefix=True),
                0.1, 120, per="timm")
    result = runner.invoke(app, ["show", str(FIXTURES / "timm_cosine.yaml"), "--steps", "120",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [float(row["lr"]) for row in csv.DictReader(io.StringIO(result.stdout))] == want


def test_detection_ignores_other_targets() -> None:
    text = "model:\n  _target_: src.models.Net\n  optimizer:\n    _target_: torch.optim.Adam\n"
    assert not hydra_target.detect(load_document("x.yaml", text=text))
    for name in ("mnist.yaml", "hf_cosine.yaml", "timm_cosine.yaml"):
        assert hydra_target.detect(load_document(FIXTURES / name)), name


def test_callable_schedulers_are_unresolved_not_guessed() -> None:
    text = "scheduler:\n  _target_: torch.optim.lr_scheduler.LambdaLR\n  lr_lambda: x\n"
    schedule = one("x.yaml", text)
    assert schedule.plan is None and "callable" in schedule.unresolved[0][1]
