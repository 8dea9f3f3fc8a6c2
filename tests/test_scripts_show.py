"""``warmup show train.py``: each fixture's series against a real torch scheduler built and
stepped as the script builds and steps it, side by side, exact equality."""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from tests.conftest import ROOT
from warmup_cli.cli import app

runner = CliRunner()
SHOW = ROOT / "tests" / "fixtures" / "scripts" / "show"


def shown(name: str, *args: str) -> list[dict[str, str]]:
    result = runner.invoke(app, ["show", str(SHOW / name), *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def lr_columns(rows: list[dict[str, str]]) -> list[tuple[float, ...]]:
    keys = [key for key in rows[0] if key == "lr" or key.startswith("lr_")]
    return [tuple(float(row[key]) for key in keys) for row in rows]


def stepped(groups: list[dict[str, Any]], build: Callable[[torch.optim.Optimizer], Any],
            count: int, *, optimizer_class: type = torch.optim.SGD,
            scheduler_first: bool = False, **options: Any) -> list[tuple[float, ...]]:
    """The LR each of ``count`` optimizer updates runs at, in the script's order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = [dict(group, params=[torch.nn.Parameter(torch.zeros(1))]) for group in groups]
        optimizer = optimizer_class(params, **options)
        scheduler = build(optimizer)
        seen = []
        for _ in range(count):
            if scheduler_first:
                scheduler.step()
            seen.append(tuple(group["lr"] for group in optimizer.param_groups))
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
    return seen


def test_hf_style_closure_factory_with_argparse_defaults_and_a_loader_length() -> None:
    rows = shown("hf_closure.py", "--set", "len(train_loader)=50", "--steps", "160")
    warmup, total = 100, 3 * 50

    def lr_lambda(current_step: int) -> float:  # the fixture's nested def, bound as it binds it
        if current_step < warmup:
            return float(current_step) / float(max(1, warmup))
        progress = float(current_step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))

    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda),
                       160, optimizer_class=torch.optim.AdamW, lr=3e-4, weight_decay=0.01)
    assert lr_columns(rows) == expected
    assert rows[0]["step"] == "0"


def test_hf_closure_matches_transformers_itself() -> None:
    from transformers import get_cosine_schedule_with_warmup

    rows = shown("hf_closure.py", "--set", "len(train_loader)=50", "--steps", "160")
    expected = stepped([{}], lambda opt: get_cosine_schedule_with_warmup(opt, 100, 150), 160,
                       optimizer_class=torch.optim.AdamW, lr=3e-4)
    assert lr_columns(rows) == expected


def test_partial_keywords_bind_a_module_level_factor() -> None:
    rows = shown("partial_factor.py")

    def linear_warmup_cosine(step: int, *, warmup_steps: int, decay_steps: int,
                             min_ratio: float = 0.1) -> float:
        if step < warmup_steps:
            return (step + 1) / (warmup_steps + 1)
        progress = min(1.0, (step - warmup_steps) / decay_steps)
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return min_ratio + (1.0 - min_ratio) * cosine

    import functools

    fn = functools.partial(linear_warmup_cosine, warmup_steps=8, decay_steps=32)
    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, fn), 40,
                       lr=0.05, momentum=0.9)
    assert len(rows) == 40  # the loop's range(TOTAL)
    assert lr_columns(rows) == expected


@pytest.mark.parametrize(("pick", "flag"), [("[opt.cos_lr]", True), ("[not opt.cos_lr]", False)])
def test_yolo_flag_branch_gives_one_alternative_per_condition(pick: str, flag: bool) -> None:
    rows = shown("yolo_flags.py", "--schedule", pick)
    epochs, lrf = 30, 0.01
    if flag:
        def lf(x: int) -> float:
            return ((1 - math.cos(x * math.pi / epochs)) / 2) * (lrf - 1) + 1
    else:
        def lf(x: int) -> float:
            return (1 - x / epochs) * (1.0 - lrf) + lrf
    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lf),
                       epochs, lr=0.01, momentum=0.937)
    assert [row["epoch"] for row in rows] == [str(e) for e in range(epochs)]
    assert lr_columns(rows) == expected


def test_yolo_flag_set_on_the_command_line_picks_the_branch() -> None:
    chosen = shown("yolo_flags.py", "--set", "opt.cos_lr=True")
    assert lr_columns(chosen) == lr_columns(shown("yolo_flags.py", "--schedule",
                                                  "[opt.cos_lr]"))


def test_lightning_module_steps_per_step_from_its_interval() -> None:
    rows = shown("lightning_module.py", "--steps", "40")
    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min(1.0, (step + 1) / 25)), 40, optimizer_class=torch.optim.Adam,
        lr=2e-3)
    assert "step" in rows[0]
    assert lr_columns(rows) == expected


def test_gan_loop_lists_both_schedulers_each_on_its_optimizer() -> None:
    result = runner.invoke(app, ["show", str(SHOW / "gan_loop.py"), "--format", "csv"])
    assert result.exit_code == 2
    assert "scheduler_G" in result.output and "scheduler_D" in result.output

    def lambda_rule(epoch: int) -> float:
        return 1.0 - max(0, epoch - 6) / float(12 - 6 + 1)

    g = shown("gan_loop.py", "--schedule", "scheduler_G")
    assert lr_columns(g) == stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(
        opt, lr_lambda=lambda_rule), 12, optimizer_class=torch.optim.Adam, lr=2e-4,
        betas=(0.5, 0.999))
    d = shown("gan_loop.py", "--schedule", "scheduler_D")
    assert lr_columns(d) == stepped([{}], lambda opt: torch.optim.lr_scheduler.LinearLR(
        opt, start_factor=0.25, end_factor=1.0, total_iters=3), 12,
        optimizer_class=torch.optim.Adam, lr=1e-4, betas=(0.5, 0.999))


def test_sequential_warmup_then_cosine_over_parameter_groups() -> None:
    rows = shown("sequential_warmup_cosine.py")

    def build(opt: torch.optim.Optimizer) -> Any:
        warmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
        cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=45, eta_min=1e-5)
        return torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[warmup, cosine],
                                                     milestones=[5])

    expected = stepped([{"lr": 0.01}, {}], build, 50, lr=0.1, momentum=0.9)
    assert len(rows) == 50
    assert lr_columns(rows) == expected  # torch's own LRs, never base * (lr / base)


def test_onecycle_per_batch_with_the_loader_length_supplied() -> None:
    rows = shown("onecycle.py", "--set", "len(train_loader)=25")
    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.01, epochs=4, steps_per_epoch=25, pct_start=0.25), 100,
        optimizer_class=torch.optim.AdamW, lr=1e-3)
    assert len(rows) == 100  # exactly total_steps: torch raises past it
    assert lr_columns(rows) == expected


def test_lambdalr_subclass_passes_its_method_and_constructor_arguments() -> None:
    rows = shown("lambdalr_subclass.py")

    def lr_lambda(step: int) -> float:
        if step < 50:
            return float(step) / float(max(1, 50))
        return max(0.0, float(500 - step) / float(max(1.0, 500 - 50)))

    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda),
                       500, lr=3e-2, momentum=0.9)
    assert lr_columns(rows) == expected


def test_transformers_factory_is_transformers_bit_for_bit() -> None:
    from transformers import get_linear_schedule_with_warmup

    rows = shown("transformers_factory.py")
    expected = stepped([{}], lambda opt: get_linear_schedule_with_warmup(opt, 30, 300), 300,
                       optimizer_class=torch.optim.AdamW, lr=5e-5)
    assert lr_columns(rows) == expected


def test_the_issue_example_steps_the_scheduler_first() -> None:
    path = ROOT / "tests" / "fixtures" / "scripts" / "show" / "issue_example.py"
    result = runner.invoke(app, ["show", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = stepped([{}], lambda opt: torch.optim.lr_scheduler.LambdaLR(
        opt, lr_lambda=lambda epoch: epoch / 3), 10, scheduler_first=True, lr=0.1,
        momentum=0.9)
    assert lr_columns(rows) == expected
    assert "stepped before its optimizer" in result.stderr


def test_an_open_value_is_reported_with_the_set_that_closes_it() -> None:
    result = runner.invoke(app, ["show", str(SHOW / "onecycle.py")])
    assert result.exit_code == 2
    assert "onecycle.py:9:79: `len(train_loader)` is only known when the script runs" \
        in result.output
    assert "--set 'len(train_loader)=VALUE'" in result.output


def test_an_unused_set_is_said() -> None:
    result = runner.invoke(app, ["show", str(SHOW / "partial_factor.py"), "--set", "nope=3",
                                 "--format", "csv"])
    assert result.exit_code == 0
    assert "--set nope was not used" in result.stderr


def test_a_bad_set_is_one_clear_error() -> None:
    result = runner.invoke(app, ["show", str(SHOW / "partial_factor.py"), "--set", "x"])
    assert result.exit_code == 2
    assert "expected NAME=VALUE" in result.output
    assert "Traceback" not in result.output


def test_fixtures_exist() -> None:
    assert {path.name for path in Path(SHOW).glob("*.py")} >= {
        "hf_closure.py", "partial_factor.py", "yolo_flags.py", "lightning_module.py",
        "gan_loop.py", "sequential_warmup_cosine.py", "onecycle.py", "lambdalr_subclass.py",
        "transformers_factory.py", "issue_example.py"}


def test_lightning_run_length_comes_from_the_trainer() -> None:
    rows = shown("lightning_module.py")  # Trainer(max_steps=100), interval "step"
    assert [row["step"] for row in rows] == [str(k) for k in range(100)]
