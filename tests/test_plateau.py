"""The plateau kind: its series is a real ReduceLROnPlateau's, compared bit for bit with a
hand-written torch loop over varied settings, and ``show --metrics`` around it."""

from __future__ import annotations

import csv
import io
import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.errors import WarmupError
from warmup_cli.plateau.model import find_plateau, plateau_phase
from warmup_cli.plateau.run import MetricValues, run_plateau
from warmup_cli.resolve import resolve

runner = CliRunner()


def torch_loop(bases: Sequence[float], metrics: Sequence[float], kwargs: dict[str, Any], *,
               warmup: int = 0, every: int = 1, updates: int | None = None
               ) -> list[tuple[float, ...]]:
    """The loop a training script runs: LinearWarmup by LambdaLR for ``warmup`` updates, then
    ReduceLROnPlateau stepped with a validation every ``every`` updates."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in bases]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr}
                                 for p, lr in zip(params, bases, strict=True)], lr=0.0)
    warm = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup)) if warmup else None
    plateau = None if warmup else torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
    seen = []
    for update in range(updates or len(metrics) * every):
        seen.append(tuple(group["lr"] for group in optimizer.param_groups))
        optimizer.step()
        if update < warmup:
            assert warm is not None
            warm.step()
            if update == warmup - 1:
                plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kwargs)
        elif (update + 1) % every == 0:
            assert plateau is not None
            plateau.step(metrics[(update + 1) // every - 1])
    return seen


def spec_of(kwargs: dict[str, Any]) -> str:
    def text(value: Any) -> str:
        return "[" + ",".join(map(repr, value)) + "]" if isinstance(value, list) else str(value)
    return "plateau" + (":" + ",".join(f"{k}={text(v)}" for k, v in kwargs.items())
                        if kwargs else "")


def noisy(seed: int, count: int, *, start: float = 1.0, low: float = 0.0) -> list[float]:
    rng = random.Random(seed)
    values, value = [], start
    for _ in range(count):
        value = max(low, value * rng.choice((0.9, 0.99, 1.0, 1.0, 1.01)))
        values.append(value)
    return values


CASES = [
    ({}, [0.1], noisy(1, 60)),
    ({"patience": 2, "factor": 0.5}, [0.1], noisy(2, 40)),
    ({"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 1,
      "cooldown": 2, "factor": 0.3}, [0.2], [0.5 + v for v in noisy(3, 40)]),
    ({"mode": "max", "patience": 0, "cooldown": 1}, [1.0], [1 - v for v in noisy(4, 30)]),
    ({"patience": 0, "factor": 0.1, "min_lr": [0.01, 0.001]}, [0.1, 0.05], [1.0] * 12),
    ({"patience": 1, "min_lr": 0.004, "eps": 0.001}, [0.1, 0.3], [1.0] * 20),
    ({"patience": 1}, [0.1], [1.0, float("nan"), 0.9, float("nan"), float("nan"), 0.9,
                              float("nan"), 0.95, 0.9, 0.9, float("nan"), 0.9]),
    # A flat negative loss: rel mode keeps "improving" (no reduction), abs mode reduces.
    ({"patience": 1}, [0.1], [-2.0] * 10),
    ({"patience": 1, "threshold_mode": "abs"}, [0.1], [-2.0] * 10),
    ({"patience": 3, "threshold": 0.0, "factor": 0.25}, [0.1, 0.01],
     [0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3] * 3),
]


@pytest.mark.parametrize(("kwargs", "bases", "metrics"), CASES)
def test_series_is_torch_reduce_lr_on_plateau_exactly(kwargs: dict[str, Any],
                                                      bases: list[float],
                                                      metrics: list[float]) -> None:
    plan = resolve(spec_of(kwargs), base_lrs=bases).plan
    run = run_plateau(plan, MetricValues("loss", tuple(metrics), "test"))
    assert [row.lrs for row in run.rows] == torch_loop(bases, metrics, kwargs)
    assert run.validations == len(metrics)


@pytest.mark.parametrize("every", [1, 3])
def test_plateau_after_a_warmup_is_the_warmup_then_the_scheduler(every: int) -> None:
    kwargs = {"patience": 2, "factor": 0.5}
    metrics = noisy(7, 30)
    plan = resolve("linear:4 > " + spec_of(kwargs), base_lrs=[0.1, 0.02]).plan
    run = run_plateau(plan, MetricValues("loss", tuple(metrics), "test"), every=every)
    expected = torch_loop([0.1, 0.02], metrics, kwargs, warmup=4, every=every)
    assert [row.lrs for row in run.rows] == expected
    assert run.rows[0].phase == "linear warmup" and run.rows[4].phase == "plateau"
    assert run.rows[0].best is None  # the warmup's validations are not given to the scheduler


def test_the_flat_negative_loss_never_reduces_in_rel_mode() -> None:
    rel, abs_ = (run_plateau(resolve(spec_of({"patience": 1, "threshold_mode": mode})).plan,
                             MetricValues("loss", (-2.0,) * 10, "t")) for mode in ("rel", "abs"))
    assert rel.reductions == [] and {row.lrs for row in rel.rows} == {(1.0,)}
    assert abs_.reductions == [3, 5, 7, 9]


def test_rows_show_the_schedulers_best_and_bad_count() -> None:
    run = run_plateau(resolve("plateau:patience=1,factor=0.5").plan,
                      MetricValues("loss", (1.0, 2.0, 2.0, 0.5), "t"))
    assert [(row.metric, row.best, row.bad) for row in run.rows] == [
        (1.0, 1.0, 0), (2.0, 1.0, 1), (2.0, 1.0, 0), (0.5, 0.5, 0)]
    assert run.reductions == [3]
    assert "2 bad > patience 1" in run.rows[2].note


def test_plateau_must_end_the_schedule_and_not_be_multiplied() -> None:
    assert find_plateau(resolve("linear:5 > plateau").plan.schedule).start == 5  # type: ignore[union-attr]
    with pytest.raises(WarmupError, match="cannot be multiplied"):
        find_plateau(resolve("exp:10 * plateau").plan.schedule)


def test_torch_refusals_are_user_errors() -> None:
    with pytest.raises(WarmupError, match=r"Factor should be < 1\.0"):
        run_plateau(resolve("plateau:factor=1.5").plan, MetricValues("m", (1.0,), "t"))
    with pytest.raises(WarmupError, match="expected 1 min_lrs, got 2"):
        run_plateau(resolve("plateau:min_lr=[0.1,0.2]").plan, MetricValues("m", (1.0,), "t"))


def test_plateau_phase_takes_torch_keyword_arguments() -> None:
    phase = plateau_phase({"mode": "max", "patience": 3, "min_lr": [1e-5, 1e-6]})
    assert phase.to_spec() == "plateau:mode=max,patience=3,min_lr=[1e-05,1e-06]"
    assert resolve(phase.to_spec()).plan.schedule.to_spec() == phase.to_spec()


# --- the command line --------------------------------------------------------------------------

def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_show_without_metrics_says_what_it_needs() -> None:
    result = runner.invoke(app, ["show", "linear:500 > plateau:patience=3,factor=0.5"])
    assert result.exit_code == 2
    assert "needs a metric series" in result.stderr and "--metrics FILE" in result.stderr
    for command in (["compare", "linear:5", "linear:5 > plateau"],
                    ["export", "linear:5 > plateau"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "needs a metric series" in result.stderr


def test_show_with_metrics_writes_torchs_values(tmp_path: Path) -> None:
    metrics = noisy(11, 25)
    path = write(tmp_path, "val.csv", "epoch,val_loss,val_acc\n" + "".join(
        f"{i},{v!r},0.5\n" for i, v in enumerate(metrics)))
    result = runner.invoke(app, ["show", "linear:3 > plateau:patience=1,factor=0.5",
                                 "-b", "0.1", "--metrics", path, "--metric", "val_loss",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = torch_loop([0.1], metrics, {"patience": 1, "factor": 0.5}, warmup=3)
    assert [(float(row["lr"]),) for row in rows] == expected
    assert [float(row["metric"]) for row in rows] == metrics
    assert rows[0]["best"] == "" and float(rows[3]["best"]) == min(metrics[3:4])


@pytest.mark.parametrize(("name", "text", "metric"), [
    ("scalars.csv", "Wall time,Step,Value\n" + "".join(
        f"1700000000.{i},{i * 100},{v!r}\n" for i, v in enumerate([1.0, 1.0, 1.0, 1.0])), None),
    ("wandb.csv", '"_step","val/loss","train/loss"\n0,"",3\n1,1.0,2\n2,"",2\n3,1.0,2\n'
     "4,1.0,2\n5,1.0,1\n", "val/loss"),
    ("chart.csv", '"Step","run-1 - val_loss","run-1 - val_loss__MIN","run-1 - val_loss__MAX"\n'
     + "".join(f"{i},1.0,1.0,1.0\n" for i in range(4)), "val_loss"),
    ("log.jsonl", '{"step": 1, "train_loss": 3}\n{"step": 1, "val_loss": 1.0}\n'
     '{"step": 2, "val_loss": 1.0}\n\n{"step": 3, "val_loss": 1.0}\n{"step": 4, "val_loss": 1.0}\n',
     "val_loss"),
    ("log.tsv", "epoch\tloss\n0\t1.0\n1\t1.0\n2\t1.0\n3\t1.0\n", None),
])
def test_metric_files_of_every_format(tmp_path: Path, name: str, text: str,
                                      metric: str | None) -> None:
    args = ["show", "plateau:patience=1,factor=0.5", "--metrics", write(tmp_path, name, text),
            "--format", "jsonl"]
    result = runner.invoke(app, args + (["--metric", metric] if metric else []))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["lr"] for row in rows] == [1.0, 1.0, 1.0, 0.5]
    assert [row["metric"] for row in rows] == [1.0] * 4


def test_nan_metrics_are_written_as_text_in_json(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "loss\nnan\n1.0\n")
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["rows"][0]["metric"] == "nan" and document["rows"][1]["metric"] == 1.0
    assert math.isinf(float(document["rows"][0]["best"]))


@pytest.mark.parametrize(("text", "message"), [
    ("loss\n1.0\nabc\n", ":3: loss is 'abc', not a number"),
    ("a,b\n1,2\n3\n", ":3: this row has 1 fields but the header has 2"),
    ('{"loss": 1}\n[1]\n', ":2: this line is a JSON list, not an object"),
    ('{"loss": 1}\n{"loss": \n', ":2:10: not valid JSON"),
])
def test_bad_rows_are_located(tmp_path: Path, text: str, message: str) -> None:
    suffix = ".jsonl" if text.startswith("{") else ".csv"
    path = write(tmp_path, "m" + suffix, text)
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--metric", "loss"])
    assert result.exit_code == 2
    assert f"{path}{message}" in result.stderr


def test_metric_choice_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "epoch,val_loss,val_acc\n0,1,0.5\n")
    result = runner.invoke(app, ["show", "plateau", "--metrics", path])
    assert result.exit_code == 2 and "name the metric column with --metric" in result.stderr
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--metric", "val_los"])
    assert result.exit_code == 2 and "did you mean 'val_loss'?" in result.stderr


def test_run_longer_than_the_metrics_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "loss\n1\n1\n")
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--epochs", "5"])
    assert result.exit_code == 2 and "5 validations" in result.stderr
    result = runner.invoke(app, ["show", "linear:5", "--metrics", path])
    assert result.exit_code == 2 and "has no plateau phase" in result.stderr


def test_step_schedules_need_metric_every(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "loss\n1\n1\n")
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--steps", "4"])
    assert result.exit_code == 2 and "--metric-every" in result.stderr
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--steps", "4",
                                 "--metric-every", "2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [row["metric"] for row in csv.DictReader(io.StringIO(result.stdout))] == \
        ["", "1.0", "", "1.0"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("big.jsonl", '{"loss": ' + "9" * 5000 + "}\n", ":1: not a usable JSON value"),
    ("deep.jsonl", '{"loss": ' + "[" * 100_000 + "]" * 100_000 + "}\n", ":1: nesting too deep"),
    ("bin.csv", "loss\n1\n\x00\x01\x02", "binary"),
    ("wide.csv", "loss\n" + "1\n" * 200_001, "more than 200,000 values (the node budget)"),
    ("huge.csv", "loss\n" + "1\n" * 3_000_000, "the limit is 5 MB"),
])
def test_hostile_metric_files_are_refused(tmp_path: Path, name: str, content: str,
                                          message: str) -> None:
    path = write(tmp_path, name, content)
    result = runner.invoke(app, ["show", "plateau", "--metrics", path, "--metric", "loss"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output


def test_table_and_plot_mark_the_reductions(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "loss\n" + "1.0\n" * 60)
    result = runner.invoke(app, ["show", "linear:3 > plateau:patience=4,factor=0.5", "--metrics",
                                 path, "--format", "table", "--plot"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    reduced = [line for line in lines if "│ reduced" in line or "reduced  " in line]
    run = run_plateau(resolve("linear:3 > plateau:patience=4,factor=0.5").plan,
                      MetricValues("loss", (1.0,) * 60, "t"))
    assert len(reduced) == len(run.reductions) > 0
    assert any("more rows (--all)" in line for line in lines)  # 60 rows: head, reductions, tail
    assert "┤" in result.stdout  # the plot's axis
