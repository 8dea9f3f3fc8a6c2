"""Plans that compute the LR as the framework does (Plan.lr_fn, kit.lr_plan), and what
``show`` says each series was checked against."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import FRAMEWORK_FIXTURES
from warmup_cli.cli.app import app
from warmup_cli.frameworks.kit import FrameworkSchedule, lr_plan, plan
from warmup_cli.frameworks.upstream import fairseq_lr_scheduler
from warmup_cli.pipeline import RunLength, ShowRequest, show
from warmup_cli.resolve import resolve
from warmup_cli.schedule import Origin
from warmup_cli.series import View, lrs_at, rows
from warmup_cli.verify import LAMBDALR, against, verify
from warmup_cli.vocab import Unit

runner = CliRunner()
FAIRSEQ = FRAMEWORK_FIXTURES / "fairseq" / "inverse_sqrt.yaml"
HF = FRAMEWORK_FIXTURES / "hf" / "cosine_cycles.yaml"
LIGHTNING = FRAMEWORK_FIXTURES / "lightning" / "cli_linear_cosine.yaml"
ORIGIN = Origin("fairseq's inverse_sqrt", "inverse_square_root_schedule.py", "fairseq 0.12.2")


def _schedule() -> FrameworkSchedule:
    return FrameworkSchedule("test", "s", None, None)  # type: ignore[arg-type]


def _fairseq_plan():  # type: ignore[no-untyped-def]
    # warmup_init_lr + num_updates * lr_step, which lr_step / lr * lr would not reproduce
    schedule = fairseq_lr_scheduler.inverse_sqrt(5e-4, 4000, 1e-7)
    return lr_plan(_schedule(), schedule, 5e-4, Unit.UPDATE, "fairseq inverse_sqrt", "spec",
                   origin=ORIGIN, warmup=4000, total=None, phases=[(0, "warmup")]), schedule


def test_lr_plan_gives_the_frameworks_own_lr_and_the_factor_beside_it() -> None:
    built, value = _fairseq_plan()
    view = View(6000, unit=Unit.UPDATE)
    shown = list(rows(built, view))
    assert [row.lrs for row in shown] == [(value(k),) for k in range(6000)]
    assert [row.factor for row in shown] == [value(k) / 5e-4 for k in range(6000)]
    assert [built.lrs(k) for k in range(6000)] == [(value(k),) for k in range(6000)]
    assert lrs_at(built, 3) == (value(3) / 5e-4, value(3))
    # the factor route rounds differently at some updates: that is why the plan keeps the LR
    assert any(5e-4 * (value(k) / 5e-4) != value(k) for k in range(4000))


def test_rebasing_a_framework_lr_falls_back_to_lambdalr_and_says_so() -> None:
    built, value = _fairseq_plan()
    assert built.rebased((5e-4,)) is built
    moved = built.rebased((1e-3,))
    assert moved.lr_fn is None and moved.rescaled_from == 5e-4
    assert moved.lrs(7) == (1e-3 * (value(7) / 5e-4),)
    what, why = against(moved)
    assert what == LAMBDALR and "not the framework's own arithmetic" in why


def test_a_factor_plan_is_checked_against_lambdalr_and_names_its_formula() -> None:
    hf = Origin("transformers' lr_lambda", "transformers/optimization.py", "transformers 5.24.0")
    built = plan(_schedule(), lambda k: min(1.0, k / 4), 0.1, Unit.STEP, "hf", "spec",
                 warmup=4, total=None, phases=(), origin=hf)
    done = verify(built, View(10, unit=Unit.STEP))
    assert (done.checked, done.total, done.against) == (10, 10, LAMBDALR)
    assert done.describe() == (
        "all 10 updates checked against torch's LambdaLR; the factor is transformers' "
        "lr_lambda from transformers/optimization.py, verified against transformers 5.24.0 in "
        "the test suite")


def test_a_reader_that_cites_nothing_is_not_credited() -> None:
    built = plan(_schedule(), lambda k: 1.0, 0.1, Unit.STEP, "acme cosine", "spec", warmup=0,
                 total=None, phases=())
    assert verify(built, View(3, unit=Unit.STEP)).describe() == (
        "all 3 updates checked against torch's LambdaLR; the factor is acme cosine (no "
        "upstream file cited), not verified against the real library")


def test_a_formula_plan_claims_no_run_time_check() -> None:
    built, _ = _fairseq_plan()
    done = verify(built, View(10, unit=Unit.UPDATE))
    assert (done.checked, done.against) == (0, "")
    assert done.describe() == (
        "10 updates computed with fairseq's inverse_sqrt from inverse_square_root_schedule.py, "
        "verified against fairseq 0.12.2 in the test suite; not checked at run time")
    unverified = lr_plan(_schedule(), lambda k: 0.1, 0.1, Unit.STEP, "x", "x", warmup=0,
                         total=None, phases=(), origin=Origin("mmcv's hooks", "lr_updater.py"))
    assert "not verified against the real library" in verify(
        unverified, View(3, unit=Unit.STEP)).describe()


def test_a_plan_with_the_real_class_at_hand_is_checked_against_it() -> None:
    lrs = [0.1 * 0.5**k for k in range(50)]
    origin = Origin("torch's ExponentialLR", "torch/optim/lr_scheduler.py",
                    torch_class="ExponentialLR", real=lambda count: lrs[:count])
    built = lr_plan(_schedule(), lambda k: 0.1 * 0.5**k, 0.1, Unit.EPOCH, "x", "x",
                    origin=origin, warmup=0, total=None, phases=())
    done = verify(built, View(20))
    assert (done.checked, done.against) == (20, "torch's real ExponentialLR, stepped")
    wrong = lr_plan(_schedule(), lambda k: 0.1 * 0.5**k + (k == 7) * 1e-18, 0.1, Unit.EPOCH,
                    "x", "x", origin=origin, warmup=0, total=None, phases=())
    with pytest.raises(Exception, match="at update 7"):
        verify(wrong, View(20))


@pytest.mark.parametrize(("argument", "line"), [
    ("linear:4,base=0.1", "all 10 updates checked against torch's LambdaLR"),
    ("lambda e: min(1.0, (e + 1) / 4)", "all 10 updates checked against torch's LambdaLR"),
    (str(FAIRSEQ), "10 updates computed with fairseq's inverse_sqrt from "
                   "fairseq/optim/lr_scheduler/inverse_square_root_schedule.py, verified "
                   "against fairseq 0.12.2 in the test suite; not checked at run time"),
    (str(HF), "all 10 updates checked against torch's LambdaLR; the factor is transformers' "
              "lr_lambda from transformers/optimization.py, verified against transformers "
              "5.24.0 in the test suite"),
    (str(LIGHTNING), "10 updates computed by stepping torch's real SequentialLR "
                     "(torch/optim/lr_scheduler.py)"),
])
def test_show_says_per_source_what_was_checked(argument: str, line: str) -> None:
    config = argument.endswith((".yaml", ".json"))
    unit = ["--steps", "10"] if config else ["-n", "10"]
    result = runner.invoke(app, ["show", argument, *unit, "--format", "table", "--no-plot"])
    assert result.exit_code == 0, result.output
    assert line in " ".join(result.output.split())  # the table may wrap the line
    run = RunLength(steps=10) if config else RunLength(epochs=10)
    assert show(ShowRequest(argument, run=run)).verified().describe() == line


def test_compare_lists_each_columns_check() -> None:
    result = runner.invoke(app, ["compare", str(FAIRSEQ), "linear:4", "--steps", "5",
                                 "--format", "table", "--no-plot"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "lr_0: 5 updates computed with fairseq's inverse_sqrt" in text
    assert "lr_1: all 5 updates checked against torch's LambdaLR" in text
    plain = runner.invoke(app, ["compare", "linear:4", "exp:3", "-n", "5", "--format", "table",
                                "--no-plot"])
    assert "10 updates checked against torch's LambdaLR" in plain.output


def test_machine_formats_carry_the_frameworks_lr() -> None:
    result = runner.invoke(app, ["show", str(FAIRSEQ), "--steps", "4001", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    value = resolve(str(FAIRSEQ)).plan.lr_fn
    assert value is not None
    assert [row["lr"] for row in document["rows"]] == [value(k) for k in range(4001)]
