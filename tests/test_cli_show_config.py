"""``warmup show CONFIG``: framework configs and lambda strings in config files."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import CORPUS, ROOT
from warmup_cli.cli import app
from warmup_cli.config_plans import config_schedules
from warmup_cli.series import View, rows

runner = CliRunner()
FIXTURES = ROOT / "tests" / "fixtures"


def show(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["show", *args, "--format", "csv"])


def lrs(result) -> list[float]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return [float(row["lr"]) for row in csv.DictReader(io.StringIO(result.stdout))]


def test_lambda_string_in_a_config_with_its_lr_and_run_length() -> None:
    result = show(str(FIXTURES / "show" / "lambda_config.yaml"))
    assert lrs(result) == [0.1 * min((e + 1) / 4, 1) for e in range(10)]


def test_several_schedules_need_a_choice() -> None:
    path = str(FIXTURES / "show" / "two_lambdas.yaml")
    ambiguous = show(path)
    assert ambiguous.exit_code == 2
    assert "declares 2 schedules" in ambiguous.stderr and "0.5 ** e" in ambiguous.stderr
    assert lrs(show(path, "--schedule", "0.5 ** e")) == [0.1 * 0.5**e for e in range(6)]
    unknown = show(path, "--schedule", "cosine")
    assert unknown.exit_code == 2 and "matches 0 schedules" in unknown.stderr


def test_hf_config_runs_the_hf_formula() -> None:
    import torch
    from transformers.optimization import get_scheduler

    path = str(FIXTURES / "frameworks" / "hf" / "constant_with_warmup.yaml")
    shown = lrs(show(path, "--steps", "12"))
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=3e-5)
    scheduler = get_scheduler("constant_with_warmup", optimizer, num_warmup_steps=4,
                              num_training_steps=12)
    expected = []
    for _ in range(12):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert shown == expected
    assert shown[0] == 0.0  # HF's warmups start at LR 0, and warmup_cli says so


def test_epoch_based_hf_config_needs_the_epoch_length() -> None:
    path = str(FIXTURES / "show" / "hf_epochs.yaml")
    unresolved = show(path)
    assert unresolved.exit_code == 2
    assert "cannot resolve" in unresolved.stderr and "hf_epochs.yaml:" in unresolved.stderr
    resolved = lrs(show(path, "--updates-per-epoch", "50"))
    assert len(resolved) == 100  # 2 epochs x 50 updates, the run the config describes
    warmup = math.ceil(100 * 0.1)
    assert resolved[warmup - 1] < resolved[warmup] == max(resolved)


def test_framework_option_is_checked() -> None:
    result = show(str(FIXTURES / "show" / "hf_epochs.yaml"), "--framework", "deepspeeed")
    assert result.exit_code == 2 and "did you mean 'deepspeed'" in result.stderr
    spec = show("linear:4", "--framework", "hf")
    assert spec.exit_code == 2 and "config files only" in spec.stderr


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the project")
def test_every_corpus_file_shows_or_says_why_not() -> None:
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in {".yaml", ".yml", ".json", ".py", ".toml"}:
            continue
        result = show(str(path), "--steps", "50")
        assert "Traceback" not in result.output, path.name
        if result.exit_code == 0:
            assert len(lrs(result)) == 50, path.name
            continue
        assert result.exit_code == 2, (path.name, result.output)
        # A located reason, or a list of schedules to choose from.
        assert re.search(rf"{re.escape(path.name)}:\d+:\d+: ", result.stderr) \
            or "pick one with --schedule" in result.stderr, (path.name, result.stderr)
        for item in config_schedules(str(path)):
            if item.plan is not None:
                assert len(list(rows(item.plan, View(5)))) == 5


def test_unknown_layout_is_located_at_its_schedule_keys(tmp_path: Path) -> None:
    config = tmp_path / "custom.json"
    config.write_text(
        '{\n  "model": "bert",\n  "training": {\n    "warmup_proportion": 0.06\n  }\n}\n')
    result = show(str(config))
    assert result.exit_code == 2
    assert f"{config}:4:5: cannot resolve the schedule: training.warmup_proportion" \
        in result.stderr
    plain = tmp_path / "plain.yaml"
    plain.write_text("model: bert\nbatch_size: 8\n")
    nothing = show(str(plain))
    assert nothing.exit_code == 2 and f"{plain}: no schedule found" in nothing.stderr
