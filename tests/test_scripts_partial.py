"""``from functools import partial`` (axolotl's and transformers' own way of building a factor
function) is followed like ``functools.partial``: the real-code measurement found it reported
as "defined in another module"."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import torch
from typer.testing import CliRunner

from warmup_cli.cli.app import app

FIXTURE = Path(__file__).parent / "fixtures" / "scripts" / "show" / "functools_partial.py"


def _warmup_cosine(step: int, *, num_warmup_steps: int, num_training_steps: int) -> float:
    # the fixture's factor function, word for word
    if step < num_warmup_steps:
        return (step + 1) / num_warmup_steps
    progress = (step - num_warmup_steps) / max(1, num_training_steps - num_warmup_steps)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


def test_a_partial_imported_by_name_is_followed_and_shown_exactly() -> None:
    result = CliRunner().invoke(app, ["show", str(FIXTURE), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    ours = [float(row.split(",")[2]) for row in result.stdout.splitlines()[1:]]
    assert len(ours) == 100
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=3e-4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, partial(
        _warmup_cosine, num_warmup_steps=10, num_training_steps=100))
    real = []
    for _ in range(100):
        real.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert ours == real


def test_another_modules_partial_stays_open(tmp_path: Path) -> None:
    script = FIXTURE.read_text().replace("from functools import partial",
                                         "from mylib import partial")
    (tmp_path / "train.py").write_text(script)
    result = CliRunner().invoke(app, ["show", str(tmp_path / "train.py"), "--format", "csv"])
    assert result.exit_code == 2
    assert "defined in another module" in result.stderr
