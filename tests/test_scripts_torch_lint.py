"""Script schedules built from torch classes other than LambdaLR: ``lint`` checks them with the
transcription of torch's classes (no torch import), ``show`` prints the transcription's LRs
checked against the real class; both equal the real class stepped here, bit for bit. And the
horizon-dependent findings of a script that does not say how long it runs are notes."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable
from typing import Any

import torch
from typer.testing import CliRunner

from tests.conftest import ROOT
from warmup_cli.cli.app import app
from warmup_cli.configs.document import load_document
from warmup_cli.lint.runner import lint
from warmup_cli.lint.scripts import script_subjects
from warmup_cli.lint.settings import resolve_settings

FIXTURES = ROOT / "tests" / "fixtures" / "scripts" / "torch_lint"
runner = CliRunner()


def findings(name: str, **options: object) -> list[tuple[int, int, str, str]]:
    report = lint([str(FIXTURES / name)], resolve_settings(dict(options), isolated=True))
    return [(d.start.line, d.start.column, str(d.code), str(d.severity))
            for d in report.diagnostics]


def real_lrs(build: Callable[[torch.optim.Optimizer], Any], count: int, lr: float,
             scheduler_first: bool = False, **options: Any) -> list[float]:
    """The LR each of ``count`` updates runs at with the real torch class, in the script's
    order (SGD over one parameter: the classes only read the param group)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, **options)
        scheduler = build(optimizer)
        seen = []
        for _ in range(count):
            if scheduler_first:
                scheduler.step()
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
        return seen


def sequential(optimizer: torch.optim.Optimizer) -> Any:
    lr_scheduler = torch.optim.lr_scheduler
    return lr_scheduler.SequentialLR(optimizer, [
        lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=50),
        lr_scheduler.CosineAnnealingLR(optimizer, T_max=50)], milestones=[50])


def test_lint_evaluates_the_torch_class_as_torch_steps_it() -> None:
    doc = load_document(str(FIXTURES / "sequential_long_warmup.py"))
    subjects, _ = script_subjects(doc)
    (subject,) = subjects
    assert subject.schedule is not None and subject.base_lrs == (0.1,)
    expected = real_lrs(sequential, 100, 0.1, momentum=0.9)
    assert [subject.schedule(k) for k in range(100)] == [lr / 0.1 for lr in expected]


def test_the_schedule_rules_apply_to_torch_classes_at_the_construction() -> None:
    assert findings("sequential_long_warmup.py") == [(9, 13, "WU109", "warning")]
    assert findings("linear_longer_than_run.py") == [(7, 13, "WU108", "error")]
    assert findings("cyclic_zero_start.py") == [(8, 13, "WU101", "note")]
    # torch divides by ConstantLR's factor when its phase ends: the third step raises
    assert findings("constant_factor_zero.py") == [(8, 13, "WU103", "error")]


def test_constant_factor_zero_really_raises_in_torch() -> None:
    lr_scheduler = torch.optim.lr_scheduler
    try:
        real_lrs(lambda opt: lr_scheduler.ConstantLR(opt, factor=0.0, total_iters=2), 3, 0.1)
    except ZeroDivisionError:
        return
    raise AssertionError("torch's ConstantLR(factor=0) stepped past total_iters")


def test_clean_torch_class_script_is_clean() -> None:
    assert findings("clean_sequential.py") == []


def test_noqa_silences_a_torch_class_finding(tmp_path: Any) -> None:
    text = (FIXTURES / "sequential_long_warmup.py").read_text()
    text = text.replace("milestones=[50])", "milestones=[50])  # warmup: noqa: WU109")
    path = tmp_path / "train.py"
    path.write_text(text)
    report = lint([str(path)], resolve_settings({}, isolated=True))
    assert [d.code for d in report.diagnostics] == []


def shown(path: str, *args: str) -> tuple[list[float], str]:
    result = runner.invoke(app, ["show", path, *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    return [float(row["lr"]) for row in rows], result.output


def test_show_prints_the_real_classes_lrs_checked_against_it() -> None:
    lrs, _ = shown(str(FIXTURES / "sequential_long_warmup.py"))
    assert lrs == real_lrs(sequential, 100, 0.1, momentum=0.9)
    table = runner.invoke(app, ["show", str(FIXTURES / "sequential_long_warmup.py"),
                                "--format", "table"])
    assert table.exit_code == 0, table.output
    assert "checked against torch's real SequentialLR, stepped" in table.output


def test_show_of_a_scheduler_stepped_before_its_optimizer(tmp_path: Any) -> None:
    path = tmp_path / "train.py"
    path.write_text(
        "import torch\n"
        "from torch.optim.lr_scheduler import OneCycleLR\n"
        "model = torch.nn.Linear(2, 2)\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
        "scheduler = OneCycleLR(optimizer, max_lr=0.5, total_steps=60)\n"
        "for step in range(59):\n"
        "    scheduler.step()\n"
        "    optimizer.step()\n")
    lrs, _ = shown(str(path))
    expected = real_lrs(lambda opt: torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=0.5, total_steps=60), 59, 0.1, scheduler_first=True, momentum=0.9)
    assert lrs == expected
    table = runner.invoke(app, ["show", str(path), "--format", "table"])
    assert table.exit_code == 0, table.output
    assert "checked against torch's real OneCycleLR, stepped" in table.output


# --- a run of unknown length: horizon-dependent findings are notes ------------------------

def test_few_steps_outside_a_loop_give_notes_not_errors() -> None:
    # accelerate tests/test_scheduler.py: `1 - n / 10` and an uncapped ramp, stepped twice
    assert findings("clean_test_steps_few_times.py") == [
        (10, 17, "WU104", "note"), (21, 17, "WU102", "note")]
    # accelerate test_utils/scripts/test_sync.py: an uncapped power, stepped per check
    assert findings("clean_sync_steps.py") == [(10, 13, "WU102", "note")]


def test_a_declared_horizon_makes_them_findings_again() -> None:
    assert findings("clean_test_steps_few_times.py", horizon=1000) == [
        (10, 17, "WU104", "error"), (21, 17, "WU102", "error")]


def test_step_zero_findings_stay_without_a_run_length(tmp_path: Any) -> None:
    path = tmp_path / "test_it.py"
    path.write_text(
        "import torch\n"
        "model = torch.nn.Linear(2, 4)\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=1.0)\n"
        "a = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda n: n / 10)\n"
        "b = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda n: -1.0 + 0 * n)\n"
        "optimizer.step()\n"
        "a.step()\n"
        "b.step()\n")
    report = lint([str(path)], resolve_settings({}, isolated=True))
    got = [(d.start.line, str(d.code), str(d.severity)) for d in report.diagnostics]
    # a: LR 0 at the first update (certain); b: negative from step 0 (certain)
    assert (4, "WU101", "error") in got and (5, "WU104", "error") in got


def test_a_loop_with_a_known_range_keeps_the_errors(tmp_path: Any) -> None:
    path = tmp_path / "train.py"
    path.write_text(
        "import torch\n"
        "model = torch.nn.Linear(2, 4)\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=1.0)\n"
        "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda n: 1 - n / 10)\n"
        "for step in range(100):\n"
        "    optimizer.step()\n"
        "    scheduler.step()\n")
    report = lint([str(path)], resolve_settings({}, isolated=True))
    assert [(d.start.line, str(d.code), str(d.severity)) for d in report.diagnostics] == [
        (4, "WU104", "error")]
