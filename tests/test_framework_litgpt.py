"""litgpt (issue 10 item 4): pretrain.py's per-micro-iteration LR against golden series from
litgpt's real ``get_lr`` and ``TrainArgs`` (tools/golden/litgpt_golden.py); the finetune
scripts' epoch length from --updates-per-epoch and their ignored ``min_lr``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FRAMEWORK_FIXTURES, GOLDEN, read_schedules
from warmup_cli.cli.app import app
from warmup_cli.frameworks import lightning
from warmup_cli.frameworks.kit import FrameworkSchedule
from warmup_cli.vocab import RunFacts, Unit

runner = CliRunner()


def _config(case: dict[str, object]) -> str:
    train = "".join(f"  {key}: {value}\n" for key, value in case["train"].items())  # type: ignore[attr-defined]
    return (f"devices: {case['devices']}\nnum_nodes: 1\ntrain:\n{train}"
            f"optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: {case['lr']}\n")


def _one(text: str, facts: RunFacts | None = None) -> FrameworkSchedule:
    (found,) = read_schedules(lightning, "litgpt.yaml", text, facts=facts or RunFacts())
    return found


@pytest.mark.parametrize("name", ["litgpt_pretrain_small.json",
                                  "litgpt_pretrain_two_devices.json"])
def test_pretrain_matches_litgpt(name: str) -> None:
    case = json.loads((GOLDEN / name).read_text())
    schedule = _one(_config(case))
    plan = schedule.plan
    assert plan is not None and plan.unit is Unit.STEP, schedule.unresolved
    assert schedule.horizon == len(case["lrs"])
    # pretrain.py sets param_group["lr"] itself: the plan carries litgpt's LR, bit for bit
    assert [plan.lrs(u) for u in range(len(case["lrs"]))] == [(x,) for x in case["lrs"]]


@pytest.mark.parametrize("name", ["litgpt_pretrain_small.json",
                                  "litgpt_pretrain_two_devices.json"])
def test_show_prints_litgpts_lr_and_says_what_verified_it(name: str, tmp_path: Path) -> None:
    case = json.loads((GOLDEN / name).read_text())
    path = tmp_path / "litgpt.yaml"
    path.write_text(_config(case))
    count = str(len(case["lrs"]))
    result = runner.invoke(app, ["show", str(path), "--steps", count, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [float(row["lr"]) for row in csv.DictReader(io.StringIO(result.stdout))] == \
        case["lrs"]
    table = runner.invoke(app, ["show", str(path), "--steps", count, "--format", "table",
                                "--no-plot"])
    assert table.exit_code == 0, table.output
    assert (f"{len(case['lrs'])} updates computed with litgpt pretrain's get_lr from "
            "litgpt/pretrain.py get_lr, verified against litgpt 0.5.13 "
            "(tools/golden/litgpt_golden.py) in the test suite; not checked at run time"
            ) in " ".join(table.output.split())


def test_pretrain_config_hub_file() -> None:
    path = FRAMEWORK_FIXTURES / "lightning" / "litgpt_pretrain_tinyllama.yaml"
    (schedule,) = read_schedules(lightning, path)
    assert schedule.name == "litgpt pretrain" and schedule.plan is not None
    # (3e12 // 1) // (4 x 2048) micro-iterations, 512 // 4 = 128 per update
    assert schedule.horizon == (3_000_000_000_000 // (4 * 2048)) // 128
    notes = " ".join(schedule.notes)
    assert "one device is assumed" in notes and "4e-4 is a string under YAML 1.1" in notes


FINETUNE = ("train:\n  lr_warmup_steps: 10\n  epochs: 3\n  max_steps: {max_steps}\n"
            "  min_lr: 6.0e-5\noptimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n"
            "    lr: 0.0002\n")


def test_finetune_epoch_length_comes_from_updates_per_epoch() -> None:
    open_ended = FINETUNE.format(max_steps="")
    assert _one(open_ended).plan is None
    given = _one(open_ended, RunFacts(updates_per_epoch=40))
    assert given.plan is not None and given.horizon == 120  # min(3 x 40, inf)
    capped = _one(FINETUNE.format(max_steps=100), RunFacts(updates_per_epoch=40))
    assert capped.horizon == 100  # min(120, 100)
    assert any("min_lr" in note and "ignored" in note for note in given.notes)
    # the same schedule as a config that states max_steps 120 itself
    stated = _one(FINETUNE.format(max_steps=120).replace("  epochs: 3\n", ""))
    assert stated.plan is not None and given.plan is not None
    assert [given.plan.lrs(k) for k in range(120)] == \
        [stated.plan.lrs(k) for k in range(120)]
