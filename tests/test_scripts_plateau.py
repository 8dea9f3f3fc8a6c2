"""A training script's ReduceLROnPlateau: ``show`` without --metrics says it needs the metric
series; with it, the run equals a real ReduceLROnPlateau stepped as the script steps it (==);
lint applies the plateau rules (WU2xx) to the arguments the script gives."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import torch
from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import resolve_settings
from warmup_cli.vocab import Code

runner = CliRunner()

SCRIPT = """
import torch
from torch.optim.lr_scheduler import ReduceLROnPlateau

optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = ReduceLROnPlateau(optimizer, {arguments})
for epoch in range({epochs}):
    for x, y in train_loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    val_loss = evaluate(model)
    scheduler.step(val_loss)
"""
# a NaN among them: torch never counts it as an improvement
METRICS = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.85, 0.85, 0.85, 0.85, float("nan"), 0.85, 0.7, 0.7]


def write(tmp_path: Path, arguments: str, epochs: int = 14, groups: str = "") -> Path:
    text = SCRIPT.format(arguments=arguments, epochs=epochs).lstrip()
    if groups:
        text = text.replace("model.parameters(), lr=0.1", groups)
    script = tmp_path / "train.py"
    script.write_text(text, encoding="utf-8")
    (tmp_path / "val.csv").write_text("epoch,val_loss\n" + "".join(
        f"{i},{value!r}\n" for i, value in enumerate(METRICS)), encoding="utf-8")
    return script


def torch_run(lrs: list[float], metrics: list[float], **kwargs: object) -> list[tuple[float, ...]]:
    """The LR of each epoch of the script's loop, with torch: the epoch runs, then
    scheduler.step(val_loss)."""
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    optimizer = torch.optim.SGD(params, lr=lrs[0], momentum=0.9)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)  # type: ignore[arg-type]
    seen = []
    for metric in metrics:
        seen.append(tuple(group["lr"] for group in optimizer.param_groups))
        optimizer.step()
        scheduler.step(metric)
    return seen


def shown(script: Path) -> list[tuple[float, ...]]:
    result = runner.invoke(app, ["show", str(script), "--metrics",
                                 str(script.parent / "val.csv"), "--metric", "val_loss",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    keys = [key for key in rows[0] if key == "lr" or key.startswith("lr_")]
    return [tuple(float(row[key]) for key in keys) for row in rows]


def test_show_without_metrics_says_it_needs_the_metric_series(tmp_path: Path) -> None:
    script = write(tmp_path, 'mode="min", factor=0.5, patience=2')
    result = runner.invoke(app, ["show", str(script)])
    assert result.exit_code == 2
    assert "needs a metric series" in result.stderr
    assert "--metrics FILE --metric val_loss" in result.stderr  # the monitored name, from .step()
    assert "Traceback" not in result.output


def test_show_with_metrics_is_a_real_reduce_lr_on_plateau(tmp_path: Path) -> None:
    script = write(tmp_path, 'mode="min", factor=0.5, patience=2')
    expected = torch_run([0.1], METRICS, mode="min", factor=0.5, patience=2)
    assert shown(script) == expected
    assert expected[-1][0] < 0.1  # the run does reduce


def test_positional_arguments_abs_threshold_cooldown_and_min_lr_per_group(
        tmp_path: Path) -> None:
    groups = ('[{"params": model.backbone.parameters(), "lr": 0.01}, '
              '{"params": model.head.parameters()}], lr=0.1')
    script = write(tmp_path, '"min", 0.3, 1, 0.05, "abs", 1, [0.004, 0.02]', groups=groups)
    expected = torch_run([0.01, 0.1], METRICS, mode="min", factor=0.3, patience=1,
                         threshold=0.05, threshold_mode="abs", cooldown=1,
                         min_lr=[0.004, 0.02])
    assert shown(script) == expected
    assert expected[-1] == (0.004, 0.02)  # both groups held at their floors


def test_values_come_from_the_value_layer_and_open_ones_can_be_set(tmp_path: Path) -> None:
    script = write(tmp_path, "factor=FACTOR, patience=args.patience, cooldown=len(train_loader)")
    script.write_text(
        "import argparse\nFACTOR = 0.25\nparser = argparse.ArgumentParser()\n"
        'parser.add_argument("--patience", type=int, default=3)\nargs = parser.parse_args()\n'
        + script.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["show", str(script)])
    assert result.exit_code == 2 and "--set 'len(train_loader)=VALUE'" in result.output
    result = runner.invoke(app, ["show", str(script), "--set", "len(train_loader)=1",
                                 "--metrics", str(tmp_path / "val.csv"), "--metric", "val_loss",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    lrs = [float(row["lr"]) for row in csv.DictReader(io.StringIO(result.stdout))]
    assert lrs == [lr for (lr,) in torch_run([0.1], METRICS, factor=0.25, patience=3,
                                             cooldown=1)]


def test_torch_refusing_the_arguments_is_said_where_they_are(tmp_path: Path) -> None:
    script = write(tmp_path, 'threshold_mode="relative"')
    result = runner.invoke(app, ["show", str(script)])
    assert result.exit_code == 2
    assert "threshold_mode must be 'rel' or 'abs'" in result.output
    assert f"{script}:5:" in result.output


def codes(script: Path) -> list[tuple[Code, int]]:
    report = lint([str(script)], resolve_settings({}, isolated=True))
    return sorted((d.code, d.start.line) for d in report.diagnostics)


def test_lint_applies_the_plateau_rules_to_the_script_arguments(tmp_path: Path) -> None:
    script = write(tmp_path, '"max", factor=1.5, patience=20, min_lr=[0.0, 0.1]', epochs=12)
    assert codes(script) == [(Code.WU202, 5), (Code.WU203, 5), (Code.WU204, 5),
                             (Code.WU205, 5)]


def test_lint_of_a_sound_plateau_script_is_clean(tmp_path: Path) -> None:
    assert codes(write(tmp_path, 'mode="min", factor=0.5, patience=2')) == []
    # a score monitored in max mode, patience well inside the run: nothing to say
    script = write(tmp_path, 'mode="max", patience=3')
    script.write_text(script.read_text(encoding="utf-8").replace("val_loss", "val_acc"),
                      encoding="utf-8")
    assert codes(script) == []



def test_the_monitored_name_decides_the_name_rules(tmp_path: Path) -> None:
    script = write(tmp_path, "patience=3")  # rel threshold by default
    script.write_text(script.read_text(encoding="utf-8").replace("val_loss", "val_elbo"),
                      encoding="utf-8")
    assert codes(script) == [(Code.WU201, 5)]
    # a metric passed as an expression names no monitor: the name rules stay silent
    script = write(tmp_path, 'mode="max", patience=3')
    script.write_text(script.read_text(encoding="utf-8").replace(
        "scheduler.step(val_loss)", 'scheduler.step(metrics["val_loss"])'), encoding="utf-8")
    assert codes(script) == []


def test_a_plateau_stepped_before_its_optimizer_is_said_not_shifted(tmp_path: Path) -> None:
    script = tmp_path / "first.py"
    script.write_text(
        "import torch\nfrom torch.optim.lr_scheduler import ReduceLROnPlateau\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = ReduceLROnPlateau(optimizer, factor=0.5, patience=2)\n"
        "for epoch in range(12):\n    val_loss = evaluate(model)\n"
        "    scheduler.step(val_loss)\n    for x, y in train_loader:\n"
        "        optimizer.step()\n", encoding="utf-8")
    result = runner.invoke(app, ["show", str(script)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["show", str(script), "--metrics", str(write(
        tmp_path, "").parent / "val.csv"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "stepped before its optimizer (line 7)" in result.stderr
    assert "not shifted here" in result.stderr
