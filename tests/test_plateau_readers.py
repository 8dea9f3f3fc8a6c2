"""Plateau schedules in framework configs: HF reduce_lr_on_plateau, timm sched: plateau (against
the real timm), LightningCLI's ReduceLROnPlateau; each shown with a metric series."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.conftest import codes_of, lint_file, timm_scheduler
from tests.test_plateau import torch_loop
from warmup_cli.pipeline import ShowRequest
from warmup_cli.plateau.model import find_plateau
from warmup_cli.plateau.show import MetricsRequest, show_plateau

METRICS = [1.0, 0.8, 0.7, 0.7, 0.71, 0.72, 0.69, 0.7, 0.7, 0.7, 0.7, 0.7, 0.65, 0.66, 0.67]


def metrics_file(tmp_path: Path, name: str = "val_loss") -> str:
    path = tmp_path / "metrics.csv"
    path.write_text(f"epoch,{name}\n" + "".join(f"{i},{v!r}\n" for i, v in enumerate(METRICS)))
    return str(path)


def shown_lrs(config: Path, metrics: str, **kwargs: Any) -> list[tuple[float, ...]]:
    run = show_plateau(ShowRequest(str(config)), MetricsRequest(metrics, **kwargs))
    return [row.lrs for row in run.rows]


# --- HF -----------------------------------------------------------------------------------------

def test_hf_plateau_takes_lr_scheduler_kwargs(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text("learning_rate: 0.1\nlr_scheduler_type: reduce_lr_on_plateau\n"
                      "lr_scheduler_kwargs:\n  patience: 1\n  factor: 0.5\n  mode: min\n"
                      "max_steps: 30\n")
    lrs = shown_lrs(config, metrics_file(tmp_path, "eval_loss"), every=2)
    expected = torch_loop([0.1], METRICS, {"patience": 1, "factor": 0.5, "mode": "min"},
                          every=2)
    assert lrs == expected


def test_hf_plateau_on_a_score_with_the_default_mode_is_wu202(tmp_path: Path) -> None:
    text = ("learning_rate: 0.1\nlr_scheduler_type: reduce_lr_on_plateau\n"
            "metric_for_best_model: accuracy\nmax_steps: 30\n")
    assert "WU202" in codes_of(lint_file(tmp_path, text))
    good = text + "lr_scheduler_kwargs:\n  mode: max\n"
    assert "WU202" not in codes_of(lint_file(tmp_path, good))


def test_hf_plateau_unknown_kwarg_is_wu308(tmp_path: Path) -> None:
    text = ("learning_rate: 0.1\nlr_scheduler_type: reduce_lr_on_plateau\n"
            "lr_scheduler_kwargs:\n  patience_epochs: 3\nmax_steps: 30\n")
    found = lint_file(tmp_path, text)
    (hit,) = [d for d in found if d.code == "WU308"]
    assert "takes no argument 'patience_epochs'" in hit.message and hit.start.line == 4


# --- timm, against the real PlateauLRScheduler --------------------------------------------------

def _timm_factory() -> Any:
    """timm's scheduler package without timm/__init__ (which imports torchvision, not
    installed): the scheduler modules need torch only."""
    return timm_scheduler().create_scheduler_v2


@pytest.mark.parametrize(("args", "yaml"), [
    ({"warmup_epochs": 2, "warmup_lr": 0.01, "patience_epochs": 1, "decay_rate": 0.5},
     "warmup_epochs: 2\nwarmup_lr: 0.01\npatience_epochs: 1\ndecay_rate: 0.5\n"
     "eval_metric: loss\n"),
    ({"warmup_epochs": 0, "patience_epochs": 2, "decay_rate": 0.1, "min_lr": 0.003},
     "warmup_epochs: 0\npatience_epochs: 2\ndecay_rate: 0.1\nmin_lr: 0.003\n"
     "eval_metric: loss\n"),
    ({"warmup_epochs": 3, "warmup_lr": 0.001, "patience_epochs": 0, "decay_rate": 0.3},
     "warmup_epochs: 3\nwarmup_lr: 0.001\npatience_epochs: 0\ndecay_rate: 0.3\n"
     "eval_metric: val_loss\n"),
])
def test_timm_plateau_is_timms_bit_for_bit(tmp_path: Path, args: dict[str, Any],
                                           yaml: str) -> None:
    create = _timm_factory()
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler, _ = create(optimizer, sched="plateau", num_epochs=len(METRICS),
                              plateau_mode="min", **args)
        expected = []
        for epoch, metric in enumerate(METRICS):  # timm train.py: step(epoch + 1, metric)
            expected.append((optimizer.param_groups[0]["lr"],))
            scheduler.step(epoch + 1, metric)
    config = tmp_path / "args.yaml"
    config.write_text(f"sched: plateau\nlr: 0.1\nepochs: {len(METRICS)}\n" + yaml)
    assert shown_lrs(config, metrics_file(tmp_path)) == expected


def test_timm_plateau_mode_follows_eval_metric(tmp_path: Path) -> None:
    text = "sched: plateau\nlr: 0.1\nepochs: 20\nwarmup_epochs: 0\n"
    assert "WU202" not in codes_of(lint_file(tmp_path, text))  # top1, mode max
    assert "WU202" in codes_of(lint_file(tmp_path, text + "plateau_mode: min\n"))


# --- Lightning ----------------------------------------------------------------------------------

LIGHTNING = """\
trainer:
  max_epochs: 15
optimizer:
  class_path: torch.optim.SGD
  init_args:
    lr: 0.1
lr_scheduler:
  class_path: {path}
  init_args:
    monitor: {monitor}
    patience: 1
    factor: 0.5
"""


@pytest.mark.parametrize("path", ["lightning.pytorch.cli.ReduceLROnPlateau",
                                  "torch.optim.lr_scheduler.ReduceLROnPlateau"])
def test_lightning_plateau_with_monitor(tmp_path: Path, path: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(LIGHTNING.format(path=path, monitor="val_loss"))
    assert shown_lrs(config, metrics_file(tmp_path)) == \
        torch_loop([0.1], METRICS, {"patience": 1, "factor": 0.5})
    assert codes_of(lint_file(tmp_path, LIGHTNING.format(path=path, monitor="val_loss"))) == []
    assert codes_of(lint_file(tmp_path, LIGHTNING.format(path=path, monitor="val_acc"))) \
        == ["WU202"]


def test_lightning_sequential_with_a_plateau_child_is_wu206(tmp_path: Path) -> None:
    text = ("optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: 0.1\n"
            "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.SequentialLR\n"
            "  init_args:\n    milestones: [5]\n    schedulers:\n"
            "      - class_path: torch.optim.lr_scheduler.LinearLR\n"
            "      - class_path: torch.optim.lr_scheduler.ReduceLROnPlateau\n")
    found = lint_file(tmp_path, text)
    assert codes_of(found) == ["WU206"] and found[0].start.line == 11


def test_readers_build_a_plateau_phase_that_lint_sees(tmp_path: Path) -> None:
    from warmup_cli.config_plans import config_schedules

    config = tmp_path / "config.yaml"
    config.write_text(LIGHTNING.format(path="ReduceLROnPlateau", monitor="val_loss"))
    (item,) = config_schedules(str(config))
    assert item.plan is not None and find_plateau(item.plan.schedule) is not None


# --- MMEngine -----------------------------------------------------------------------------------

MMENGINE = """\
optim_wrapper = dict(optimizer=dict(type="SGD", lr=0.1))
train_cfg = dict(max_epochs=15, val_interval=1)
param_scheduler = {scheduler}
"""


def test_mmengine_reduce_on_plateau_is_torchs_comparison_renamed(tmp_path: Path) -> None:
    # ReduceOnPlateauParamScheduler (mmengine/optim/scheduler/param_scheduler.py): rule,
    # threshold_rule and min_value are torch's mode, threshold_mode and min_lr.
    config = tmp_path / "config.py"
    config.write_text(MMENGINE.format(scheduler=(
        'dict(type="ReduceOnPlateauLR", monitor="loss", rule="less", factor=0.5, patience=1, '
        'threshold_rule="abs", threshold=0.01, cooldown=1, min_value=0.02)')))
    expected = torch_loop([0.1], METRICS, {"mode": "min", "factor": 0.5, "patience": 1,
                                           "threshold_mode": "abs", "threshold": 0.01,
                                           "cooldown": 1, "min_lr": 0.02})
    assert shown_lrs(config, metrics_file(tmp_path)) == expected


def test_mmengine_plateau_findings(tmp_path: Path) -> None:
    score = MMENGINE.format(scheduler='dict(type="ReduceOnPlateauLR", monitor="accuracy/top1")')
    assert codes_of(lint_file(tmp_path, score, name="config.py")) == ["WU202"]
    good = score.replace('monitor="accuracy/top1"', 'monitor="accuracy/top1", rule="greater"')
    assert codes_of(lint_file(tmp_path, good, name="config.py")) == []
    bad = MMENGINE.format(scheduler='dict(type="ReduceOnPlateauLR", rule="lower")')
    (hit,) = lint_file(tmp_path, bad, name="config.py")
    assert hit.code == "WU308" and hit.severity == "error"
    assert "rule must be 'less' or 'greater'" in hit.message
    beside = MMENGINE.format(scheduler=(
        '[dict(type="LinearLR", start_factor=0.1, begin=0, end=5), '
        'dict(type="ReduceOnPlateauLR", begin=5)]'))
    (hit,) = lint_file(tmp_path, beside, name="config.py")
    assert hit.code == "WU308" and hit.severity == "note" and "not modelled" in hit.message


# --- Hydra _target_ -----------------------------------------------------------------------------

HYDRA = """\
model:
  optimizer:
    _target_: torch.optim.Adam
    _partial_: true
    lr: 0.001
  scheduler:
    _target_: torch.optim.lr_scheduler.ReduceLROnPlateau
    _partial_: true
    mode: {mode}
    factor: 0.5
    patience: 1
{monitor}"""


def test_hydra_target_plateau_is_torchs_run(tmp_path: Path) -> None:
    config = tmp_path / "model.yaml"
    config.write_text(HYDRA.format(mode="min", monitor="  monitor: val_loss\n"))
    assert shown_lrs(config, metrics_file(tmp_path)) == \
        torch_loop([0.001], METRICS, {"mode": "min", "patience": 1, "factor": 0.5})


def test_hydra_target_plateau_lint_sees_the_monitor(tmp_path: Path) -> None:
    assert codes_of(lint_file(tmp_path, HYDRA.format(mode="min",
                                                     monitor="  monitor: val_loss\n"))) == []
    assert codes_of(lint_file(tmp_path, HYDRA.format(mode="min",
                                                     monitor="  monitor: val_acc\n"))) \
        == ["WU202"]
    # without a monitor the metric's name is unknown: no guess about its direction
    assert codes_of(lint_file(tmp_path, HYDRA.format(mode="min", monitor=""))) == []


def test_hydra_target_plateau_refused_by_torch_is_wu310(tmp_path: Path) -> None:
    found = lint_file(tmp_path, HYDRA.format(mode="down", monitor=""))
    assert codes_of(found) == ["WU310"] and found[0].start.line == 9  # mode: down
