"""The run length a script's loops give (issue 9): ``len(range(a, b, s))``, not ``b``, and nested
``range`` loops around a per-step ``.step()`` multiply. Shapes of pytorch/examples mnist
(``range(1, args.epochs + 1)``) and FixMatch (``range(args.eval_step)`` inside
``range(args.start_epoch, args.epochs)``); series against the real torch class."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from typer.testing import CliRunner

from warmup_cli.cli import app

runner = CliRunner()

HEAD = """import argparse
import torch
from torch.optim.lr_scheduler import LambdaLR, StepLR
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default={epochs})
parser.add_argument("--start-epoch", type=int, default={start})
parser.add_argument("--eval-step", type=int, default={eval_step})
args = parser.parse_args()
model = torch.nn.Linear(2, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
"""

EPOCHS = HEAD + """scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in {loop}:
    for data in train_loader:
        optimizer.step()
    scheduler.step()
"""

NESTED = HEAD + """scheduler = LambdaLR(optimizer, lambda s: 1.0 / (s + 1))
for epoch in range(args.start_epoch, args.epochs):
    for batch_idx in range(args.eval_step):
        optimizer.step()
        scheduler.step()
"""


def show(path: Path, *args: str) -> tuple[list[dict[str, str]], str]:
    result = runner.invoke(app, ["show", str(path), *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout))), result.stderr


def script(tmp_path: Path, text: str, *, epochs: int = 14, start: int = 0,
           eval_step: int = 1, **fields: str) -> Path:
    path = tmp_path / "train.py"
    path.write_text(text.format(epochs=epochs, start=start, eval_step=eval_step, **fields))
    return path


def real(build: Callable[[torch.optim.Optimizer], Any], count: int) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
        scheduler = build(optimizer)
        seen = []
        for _ in range(count):
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return seen


def step_lr(optimizer: torch.optim.Optimizer) -> Any:
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)


def test_range_from_one_to_epochs_plus_one_runs_epochs_epochs(tmp_path: Path) -> None:
    rows, notes = show(script(tmp_path, EPOCHS, loop="range(1, args.epochs + 1)"))
    assert len(rows) == len(range(1, 14 + 1)) == 14
    assert [float(row["lr"]) for row in rows] == real(step_lr, 14)
    assert "for 14 epochs" in notes


def test_range_with_a_start_and_a_step_runs_its_len(tmp_path: Path) -> None:
    rows, notes = show(script(tmp_path, EPOCHS, loop="range(2, args.epochs, 3)", epochs=20))
    count = len(range(2, 20, 3))
    assert count == 6
    assert len(rows) == count
    assert [float(row["lr"]) for row in rows] == real(step_lr, count)
    assert f"for {count} epochs" in notes


def test_nested_step_range_inside_an_epoch_range_multiplies(tmp_path: Path) -> None:
    rows, notes = show(script(tmp_path, NESTED, epochs=5, start=2, eval_step=8))
    count = 8 * (5 - 2)
    assert len(rows) == count
    expected = real(lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 / (s + 1)),
                    count)
    assert [float(row["lr"]) for row in rows] == expected
    assert f"for {count} steps (args.eval_step × range(args.start_epoch, args.epochs))" in notes


def test_nested_step_range_inside_a_loop_over_data_stays_open_naming_both(
        tmp_path: Path) -> None:
    text = NESTED.replace("range(args.start_epoch, args.epochs)", "chunks")
    _, notes = show(script(tmp_path, text, eval_step=4))
    assert "the run length `args.eval_step × chunks` is not known" in notes


def test_nested_ranges_with_an_open_bound_stay_open_naming_both(tmp_path: Path) -> None:
    text = NESTED.replace("range(args.start_epoch, args.epochs)", "range(total_epochs)")
    _, notes = show(script(tmp_path, text, eval_step=4))
    assert "the run length `args.eval_step × total_epochs` is not known" in notes
