"""``warmup check``: each recognised shape from a log that a real torch loop with that bug
writes, here, into a temporary directory."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.resolve import resolve
from warmup_cli.runlog.compare import CheckRequest, check

runner = CliRunner()
SPEC = "linear:5 > cosine:30,floor=0.1,base=0.1"
STEPS = 40

Log = list[tuple[int, float]]


def scheduler(bases: tuple[float, ...] = (0.1,)) -> tuple[torch.optim.Optimizer,
                                                          torch.optim.lr_scheduler.LambdaLR]:
    schedule = resolve(SPEC).plan.schedule
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in bases]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr}
                                 for p, lr in zip(params, bases, strict=True)], lr=0.0)
    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def lr(optimizer: torch.optim.Optimizer, group: int = 0) -> float:
    return float(optimizer.param_groups[group]["lr"])


def correct_loop() -> Log:
    optimizer, sched = scheduler()
    log = []
    for step in range(STEPS):
        log.append((step, lr(optimizer)))
        optimizer.step()
        sched.step()
    return log


def scheduler_first_loop() -> Log:
    optimizer, sched = scheduler()
    log = []
    for step in range(STEPS):
        sched.step()  # the bug: the scheduler moves before the update it should set
        log.append((step, lr(optimizer)))
        optimizer.step()
    return log


def accumulation_loop(accumulate: int = 4) -> Log:
    optimizer, sched = scheduler()
    log = []
    for micro in range(STEPS * accumulate):
        log.append((micro, lr(optimizer)))  # the bug: the log counts micro-batches
        if (micro + 1) % accumulate == 0:
            optimizer.step()
            sched.step()
    return log


def per_micro_batch_loop(accumulate: int = 4) -> Log:
    optimizer, sched = scheduler()
    log = []
    for step in range(STEPS // accumulate):
        log.append((step, lr(optimizer)))
        for _ in range(accumulate):
            sched.step()  # the bug: stepped every micro-batch, not every optimizer step
        optimizer.step()
    return log


def resumed_loop(resume_at: int = 12) -> Log:
    optimizer, sched = scheduler()
    log = []
    for step in range(STEPS):
        if step == resume_at:  # the bug: a resume rebuilds the scheduler without its state
            optimizer, sched = scheduler()
        log.append((step, lr(optimizer)))
        optimizer.step()
        sched.step()
    return log


def never_stepped_loop() -> Log:
    optimizer, _ = scheduler()
    log = []
    for step in range(STEPS):
        log.append((step, lr(optimizer)))
        optimizer.step()  # the bug: no scheduler.step()
    return log


def stops_stepping_loop(stop: int = 8) -> Log:
    optimizer, sched = scheduler()
    log = []
    for step in range(STEPS):
        log.append((step, lr(optimizer)))
        optimizer.step()
        if step < stop:  # the bug: the scheduler step sits in a branch that stops running
            sched.step()
    return log


def write_csv(tmp_path: Path, log: Log, header: str = "step,lr") -> str:
    path = tmp_path / "log.csv"
    path.write_text(header + "\n" + "".join(f"{s},{v!r}\n" for s, v in log))
    return str(path)


def run_check(path: str, *extra: str):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runner.invoke(app, ["check", SPEC, "--log", path, *extra])


def test_a_correct_run_matches_exactly(tmp_path: Path) -> None:
    result = run_check(write_csv(tmp_path, correct_loop()))
    assert result.exit_code == 0, result.output
    assert "every logged LR matches" in result.stdout and "exactly" in result.stdout


@pytest.mark.parametrize(("loop", "name", "amount", "words"), [
    (scheduler_first_loop, "shifted", 1, "shifted by 1 update"),
    (accumulation_loop, "stretched", 4, "stretched by a factor 4"),
    (per_micro_batch_loop, "compressed", 4, "compressed by a factor 4"),
    (resumed_loop, "restarted", 12, "restarts the schedule at step 12"),
    (never_stepped_loop, "flat", resolve(SPEC).plan.lrs(0)[0], "over the whole log"),
    (stops_stepping_loop, "flat", None, "held flat at"),
])
def test_each_shape_is_recognised_from_a_real_buggy_loop(
        tmp_path: Path, loop: Callable[[], Log], name: str, amount: float | None,
        words: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = loop()
    path = write_csv(tmp_path, log)
    result = check(CheckRequest(SPEC, path))
    assert not result.matches and result.shape is not None
    assert result.shape.name == name
    if amount is not None:
        assert result.shape.amount == amount
    cli = run_check(path)
    assert cli.exit_code == 1
    assert words in cli.stdout and "first difference at step" in cli.stdout


def test_first_and_largest_difference(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = scheduler_first_loop()
    result = check(CheckRequest(SPEC, write_csv(tmp_path, log)))
    plan = resolve(SPEC).plan
    expected = [plan.lrs(s)[0] for s in range(STEPS)]
    assert result.first is not None and result.first.step == 0 and result.first.line == 2
    assert (result.first.logged, result.first.expected) == (log[0][1], expected[0])
    ratios = [abs(v - e) / e for (_, v), e in zip(log, expected, strict=True)]
    assert result.largest is not None and result.largest.relative == max(ratios)
    assert result.differing == sum(v != e for (_, v), e in zip(log, expected, strict=True))


def test_a_float32_logger_needs_rtol(tmp_path: Path) -> None:
    log = [(s, float(torch.tensor(v, dtype=torch.float32))) for s, v in correct_loop()]
    path = write_csv(tmp_path, log)
    assert run_check(path).exit_code == 1
    result = run_check(path, "--rtol", "1e-7")
    assert result.exit_code == 0, result.output


def test_several_parameter_groups_and_lightning_column_names(tmp_path: Path) -> None:
    optimizer, sched = scheduler((0.1, 0.01))
    lines = []
    for step in range(STEPS):
        lines.append(f"{step},{lr(optimizer, 0)!r},{lr(optimizer, 1)!r}\n")
        optimizer.step()
        sched.step()
    path = tmp_path / "metrics.csv"
    path.write_text("step,lr-SGD/pg1,lr-SGD/pg2\n" + "".join(lines))
    result = runner.invoke(app, ["check", SPEC, "--log", str(path), "-b", "0.1", "-b", "0.01",
                                 "--lr-column", "lr-SGD/pg1", "--lr-column", "lr-SGD/pg2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", SPEC, "--log", str(path), "--lr-column", "lr-SGD/pg1",
                                 "--lr-column", "lr-SGD/pg2"])
    assert result.exit_code == 2 and "1 parameter group" in result.stderr


def test_hf_trainer_state_and_jsonl_logs(tmp_path: Path) -> None:
    log = correct_loop()
    state = {"log_history": [{"step": s, "learning_rate": v, "loss": 1.0} for s, v in log]
             + [{"step": STEPS, "eval_loss": 0.5}]}
    (tmp_path / "trainer_state.json").write_text(json.dumps(state))
    assert run_check(str(tmp_path / "trainer_state.json")).exit_code == 0
    (tmp_path / "log.jsonl").write_text("".join(
        json.dumps({"step": s, "train/lr": v}) + "\n" for s, v in log))
    assert run_check(str(tmp_path / "log.jsonl")).exit_code == 0


def test_another_base_lr_is_named(tmp_path: Path) -> None:
    log = [(s, v * 3) for s, v in correct_loop()]
    result = run_check(write_csv(tmp_path, log))
    assert result.exit_code == 1
    assert "the run used another base LR" in result.stdout


def test_no_lr_column_and_bad_steps(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("step,loss\n0,1\n")
    result = run_check(str(path))
    assert result.exit_code == 2 and "no column named like an LR" in result.stderr
    path.write_text("step,lr\n0,0.1\n0,0.1\n")
    result = run_check(str(path))
    assert result.exit_code == 2 and f"{path}:3: the steps do not increase" in result.stderr
    path.write_text("step,lr\n0.5,0.1\n")
    result = run_check(str(path))
    assert result.exit_code == 2 and "not a step number" in result.stderr


# --- a plateau schedule, checked with its metric series ------------------------------------------

PLATEAU_METRICS = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]


def plateau_log(tmp_path: Path) -> tuple[str, str]:
    """A correct loop: train an epoch at the group's LR, then step with its validation."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=1, factor=0.5)
    log = []
    for epoch, metric in enumerate(PLATEAU_METRICS):
        log.append((epoch, lr(optimizer)))
        optimizer.step()
        plateau.step(metric)
    metrics = tmp_path / "val.csv"
    metrics.write_text("epoch,val_loss\n" + "".join(f"{i},{v!r}\n"
                                                   for i, v in enumerate(PLATEAU_METRICS)))
    return write_csv(tmp_path, log), str(metrics)


def test_a_plateau_run_is_checked_with_its_metrics(tmp_path: Path) -> None:
    log, metrics = plateau_log(tmp_path)
    spec = "plateau:patience=1,factor=0.5,base=0.1"
    result = runner.invoke(app, ["check", spec, "--log", log, "--metrics", metrics])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["check", spec, "--log", log])
    assert result.exit_code == 2 and "needs a metric series" in result.stderr
    result = runner.invoke(app, ["check", "plateau:patience=2,factor=0.5,base=0.1", "--log", log,
                                 "--metrics", metrics])
    assert result.exit_code == 1 and "first difference at step" in result.stdout
