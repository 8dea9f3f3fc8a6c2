"""Rows past a script's derived run length (the view's margin) are steps torch really takes:
kuangliu/pytorch-cifar's shape, whose epoch loop starts at a run-time ``start_epoch``, once
printed the last LR held for the margin rows."""

from __future__ import annotations

from pathlib import Path

import torch
from typer.testing import CliRunner

from warmup_cli.cli.app import app

FIXTURE = Path(__file__).parent / "fixtures" / "scripts" / "show" / "cifar_open_length.py"


def test_every_row_shown_is_torchs_own() -> None:
    result = CliRunner().invoke(app, ["show", str(FIXTURE), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    ours = [float(row.split(",")[2]) for row in result.stdout.splitlines()[1:]]
    assert len(ours) > 300  # the margin past T_max=200 (and past the derived length) is there
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=0.1, momentum=0.9, weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=200)
    real = []
    for _ in ours:
        real.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert ours == real
