"""Ultralytics / YOLOv5 reader: the per-iteration LR of each parameter group against the two
trainers' own loops, run here with the real torch optimizer and LambdaLR and numpy's
``np.interp`` (the loops are transcribed line by line from ultralytics engine/trainer.py at
00016300 and yolov5 train.py at 5081342f; ultralytics itself does not install here: it pulls
opencv and a second torch)."""

from __future__ import annotations

import csv
import io
import math
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from tests.conftest import FRAMEWORK_FIXTURES, read_schedules
from warmup_cli.cli.app import app
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import ultralytics
from warmup_cli.frameworks.kit import FrameworkSchedule
from warmup_cli.frameworks.upstream.ultralytics_trainer import (
    ULTRALYTICS,
    YOLOV5,
    YoloWarmup,
    interp,
)
from warmup_cli.vocab import Code, RunFacts, Severity

FIXTURES = FRAMEWORK_FIXTURES / "ultralytics"
read = partial(read_schedules, ultralytics)
runner = CliRunner()


def _lf(dialect: str, epochs: int, lrf: float, cos_lr: bool) -> Callable[[int], float]:
    if cos_lr:  # ultralytics utils/torch_utils.py one_cycle(1, lrf, epochs)
        return lambda x: max((1 - math.cos(x * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
    if dialect == ULTRALYTICS:  # engine/trainer.py _setup_scheduler
        return lambda x: max(1 - x / epochs, 0) * (1.0 - lrf) + lrf
    return lambda x: (1 - x / epochs) * (1.0 - lrf) + lrf  # yolov5 train.py


def _groups(lr0: float, dialect: str) -> torch.optim.SGD:
    """Three groups as the trainers build them: YOLOv5's smart_optimizer puts the biases
    first; ultralytics' build_optimizer orders weight, bn, bias and tags them."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]
    if dialect == YOLOV5:
        optimizer = torch.optim.SGD([params[0]], lr=lr0, momentum=0.9, nesterov=True)
        optimizer.add_param_group({"params": [params[1]], "weight_decay": 0.0005})
        optimizer.add_param_group({"params": [params[2]], "weight_decay": 0.0})
        return optimizer
    return torch.optim.SGD([
        {"params": [params[0]], "lr": lr0, "param_group": "weight"},
        {"params": [params[1]], "lr": lr0, "param_group": "bn"},
        {"params": [params[2]], "lr": lr0, "param_group": "bias"}], lr=lr0, momentum=0.9,
        nesterov=True)


def trainer_lrs(dialect: str, lr0: float, lrf: float, epochs: int, warmup_epochs: float,
                bias_lr: float, cos_lr: bool, nb: int) -> list[tuple[float, float]]:
    """(bias group LR, weight group LR) of every iteration, from the trainer's own loop."""
    lf = _lf(dialect, epochs, lrf, cos_lr)
    optimizer = _groups(lr0, dialect)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lf)
    bias = 0 if dialect == YOLOV5 else 2
    if dialect == YOLOV5:
        nw = max(round(warmup_epochs * nb), 100)
    else:
        capped = min(warmup_epochs, max(epochs - 1, 0))
        nw = round(capped * nb) if capped > 0 else 0
    scheduler.last_epoch = -1  # "do not move" (start_epoch 0)
    seen: list[tuple[float, float]] = []
    for epoch in range(epochs):
        if dialect == ULTRALYTICS:
            with warnings.catch_warnings():  # as the trainer: 'lr_scheduler.step() before ...'
                warnings.simplefilter("ignore")
                scheduler.step()
        for i in range(nb):
            ni = i + nb * epoch
            if (ni < nw) if dialect == ULTRALYTICS else (ni <= nw):
                xi = [0, nw]
                for j, x in enumerate(optimizer.param_groups):
                    is_bias = (x.get("param_group") == "bias") if dialect == ULTRALYTICS \
                        else j == 0
                    x["lr"] = np.interp(ni, xi, [bias_lr if is_bias else 0.0,
                                                 x["initial_lr"] * lf(epoch)])
            groups = optimizer.param_groups
            seen.append((float(groups[bias]["lr"]), float(groups[1]["lr"])))
            optimizer.step()
        if dialect == YOLOV5:
            scheduler.step()
    return seen


GRID = [
    (ULTRALYTICS, 0.01, 0.01, 20, 3.0, 0.1, False, 8),
    (ULTRALYTICS, 0.01, 0.01, 12, 2.5, 0.1, True, 7),  # the warmup ends mid-epoch
    (ULTRALYTICS, 0.002, 0.1, 3, 5.0, 0.05, False, 11),  # capped at epochs - 1
    (ULTRALYTICS, 0.01, 0.01, 6, 0.0, 0.1, True, 9),  # no warmup
    (YOLOV5, 0.01, 0.01, 30, 3.0, 0.1, False, 40),
    (YOLOV5, 0.01, 0.2, 25, 3.0, 0.1, True, 13),  # 100 iterations, not 39
    (YOLOV5, 0.00334, 0.15135, 10, 0.0, 0.0, True, 300),  # 100 iterations inside epoch 0
    (YOLOV5, 0.0032, 0.12, 4, 2.0, 0.05, False, 16),  # the warmup outlasts the run
]


@pytest.mark.parametrize("case", GRID)
def test_every_iteration_matches_the_trainer_loop(case: tuple[object, ...]) -> None:
    dialect, lr0, lrf, epochs, warmup, bias_lr, cos_lr, nb = case
    run = YoloWarmup(str(dialect), float(lr0), float(lrf), int(epochs),  # type: ignore[arg-type]
                     float(warmup), float(bias_lr), bool(cos_lr), int(nb))  # type: ignore[arg-type]
    real = trainer_lrs(run.dialect, run.lr0, run.lrf, run.epochs, run.warmup_epochs,
                       run.warmup_bias_lr, run.cos_lr, run.nb)
    bias, weight = run.lr_fn(True), run.lr_fn(False)
    assert [(bias(ni), weight(ni)) for ni in range(len(real))] == real


def test_interp_is_numpys() -> None:
    for x1 in (1, 3, 100, 117, 4001):
        for y0, y1 in ((0.0, 0.01), (0.1, 0.0098), (0.05, 0.05), (0.0, 1e-300), (1e-4, 3e-7)):
            for x in range(0, x1 + 3):
                assert interp(x, x1, y0, y1) == float(np.interp(x, [0, x1], [y0, y1]))


def _schedules(name: str, nb: int | None = 8, text: str | None = None
               ) -> dict[str, FrameworkSchedule]:
    path = FIXTURES / name
    found = read(path, text, facts=RunFacts(updates_per_epoch=nb))
    return {item.name: item for item in found}


def test_args_yaml_gives_each_group_its_schedule() -> None:
    found = _schedules("args.yaml")
    assert set(found) == {"weight, bn groups", "bias group"}
    run = YoloWarmup(ULTRALYTICS, 0.01, 0.01, 20, 3.0, 0.1, False, 8)
    real = trainer_lrs(ULTRALYTICS, 0.01, 0.01, 20, 3.0, 0.1, False, 8)
    for name, index in (("bias group", 0), ("weight, bn groups", 1)):
        plan = found[name].plan
        assert plan is not None and plan.base_lrs == (0.01,) and found[name].horizon == 160
        # the plan's LR is the one the trainer's loop sets, bit for bit (never lr0 x factor)
        assert [plan.lrs(ni) for ni in range(160)] == [(lrs[index],) for lrs in real]
    assert run.nw == 24


@pytest.mark.parametrize(("group", "index"), [("bias group", 0), ("weight, bn groups", 1)])
def test_show_prints_the_trainers_lr_and_says_what_verified_it(group: str, index: int) -> None:
    real = trainer_lrs(ULTRALYTICS, 0.01, 0.01, 20, 3.0, 0.1, False, 8)
    base = ["show", str(FIXTURES / "args.yaml"), "--updates-per-epoch", "8", "--schedule",
            f"ultralytics:{group}"]
    result = runner.invoke(app, [*base, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # repr round-trips a float: the printed LR is the trainer's own
    assert [float(row["lr"]) for row in rows] == [lrs[index] for lrs in real]
    table = runner.invoke(app, [*base, "--format", "table", "--no-plot"])
    assert table.exit_code == 0, table.output
    assert ("160 updates computed with Ultralytics' warmup and lf from "
            "ultralytics/engine/trainer.py (_do_train, _setup_scheduler), verified against a "
            "line-by-line copy of the trainer's loop run with torch's LambdaLR and numpy in "
            "the test suite; not checked at run time") in " ".join(table.output.split())


def test_yolov5_hyp_file_prints_the_trainers_lr() -> None:
    real = trainer_lrs(YOLOV5, 0.01, 0.01, 100, 3.0, 0.1, False, 40)
    result = runner.invoke(app, ["show", str(FIXTURES / "hyp.scratch-low.yaml"),
                                 "--updates-per-epoch", "40", "--schedule", "yolov5:bias group",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [float(row["lr"]) for row in rows] == [lrs[0] for lrs in real]
    (schedule,) = [s for s in _schedules("hyp.scratch-low.yaml", nb=40).values()
                   if s.name == "bias group"]
    assert schedule.plan is not None and schedule.plan.origin is not None
    assert schedule.plan.origin.what == "YOLOv5's warmup and lf"


def test_hyp_file_is_yolov5_with_its_defaults_noted() -> None:
    found = _schedules("hyp.scratch-low.yaml", nb=40)
    weights = found["weight, bn groups"]
    assert weights.framework == YOLOV5 and weights.horizon == 100 * 40
    assert any("train.py --epochs 100" in note for note in weights.notes)
    assert any("lf(e - 1)" in note for note in weights.notes)
    # the first iteration of the weight groups runs at LR 0: a note (1 of 121 iterations)
    (wu302,) = [f for f in weights.findings if f.code is Code.WU302]
    assert wu302.severity is Severity.NOTE and "1 of the 121 warmup iterations" in wu302.message
    assert not [f for f in found["bias group"].findings if f.code is Code.WU302]


def test_without_the_epoch_length_the_warmup_is_unresolved() -> None:
    (only,) = read(FIXTURES / "args.yaml")
    assert only.plan is None
    assert any("--updates-per-epoch" in why for _, why in only.unresolved)


def test_optimizer_auto_ignores_lr0() -> None:
    text = "epochs: 10\noptimizer: auto\nlr0: 0.02\nlrf: 0.01\nwarmup_bias_lr: 0.1\n"
    found = _schedules("args.yaml", text=text)
    (only,) = found.values()  # warmup_bias_lr becomes 0.0: one curve for every group
    assert only.name == "all groups" and only.plan is not None
    assert only.plan.base_lrs == (1.0,)
    assert any(f.code is Code.WU308 and "auto" in f.message for f in only.findings)


def test_yolov5_warmup_outlasting_the_run_is_wu301() -> None:
    text = "lr0: 0.01\nlrf: 0.1\nwarmup_epochs: 0.0\nwarmup_bias_lr: 0.1\nanchor_t: 4.0\n"
    cfg = "epochs: 10\noptimizer: SGD\n" + text.replace("anchor", "x")
    found = _schedules("hyp.yaml", nb=9, text=cfg)
    # `epochs` makes it an Ultralytics cfg, which caps the warmup at epochs - 1: no WU301
    assert not [f for f in found["weight, bn groups"].findings if f.code is Code.WU301]
    doc = load_document("hyp.yaml", text=text)
    found = {s.name: s for s in ultralytics.read(doc, RunFacts(updates_per_epoch=0 + 1))}
    assert any(f.code is Code.WU301 for f in found["weight, bn groups"].findings)
    assert any("100 iterations anyway" in n for n in found["weight, bn groups"].notes)


def test_detection_and_forcing() -> None:
    assert ultralytics.detect(load_document(FIXTURES / "args.yaml"))
    assert not ultralytics.detect(load_document("x.yaml", text="lr0: 0.1\n"))
    assert not ultralytics.detect(load_document(FRAMEWORK_FIXTURES / "hf" / "cosine_cycles.yaml"))
    doc = load_document(FIXTURES / "hyp.scratch-low.yaml")
    forced = ultralytics.READER.read(doc, RunFacts(updates_per_epoch=40))
    assert {s.framework for s in forced} == {ULTRALYTICS}


def test_lint_keeps_the_trainers_design_to_notes() -> None:
    from warmup_cli.lint.diagnostics import Severity as LintSeverity
    from warmup_cli.lint.runner import lint
    from warmup_cli.lint.settings import Settings

    settings = Settings(updates_per_epoch=40)
    report = lint([str(FIXTURES)], settings)
    found = {(d.code, d.severity) for d in report.diagnostics}
    # the weight groups' LR-0 first iteration, and the dip at each epoch boundary of the
    # warmup (it aims at lf(epoch)): both the trainers' own design, notes only
    assert found == {("WU302", LintSeverity.NOTE), ("WU110", LintSeverity.NOTE)}
    assert report.exit_code(settings.fail_on) == 0
