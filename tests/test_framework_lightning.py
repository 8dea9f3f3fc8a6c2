"""Lightning CLI reader: real torch schedulers checked against the closed forms in torch's
docs, torch's own errors as findings, litgpt, the corpus."""

from __future__ import annotations

import bisect
import math
import subprocess
import sys
from functools import partial

import pytest

from tests.conftest import CORPUS, FRAMEWORK_FIXTURES, ROOT, needs_corpus, read_one, read_schedules
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import lightning
from warmup_cli.frameworks.kit import FrameworkSchedule

FIXTURES = FRAMEWORK_FIXTURES / "lightning"
only = partial(read_one, lightning)


def read_text(text: str) -> list[FrameworkSchedule]:
    return read_schedules(lightning, "config.yaml", text)


def cli(scheduler: str, init_args: str, epochs: int = 40, lr: float = 0.1) -> FrameworkSchedule:
    text = (f"trainer:\n  max_epochs: {epochs}\n"
            f"optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: {lr}\n"
            f"lr_scheduler:\n  class_path: torch.optim.lr_scheduler.{scheduler}\n"
            f"  init_args:\n{init_args}")
    (schedule,) = read_text(text)
    assert schedule.plan is not None, (schedule.unresolved, schedule.findings)
    return schedule


def test_detects_lightning_configs_and_not_other_frameworks() -> None:
    for name in ("cli_linear_cosine.yaml", "model_level_onecycle.yaml", "litgpt_ok.yaml"):
        assert lightning.detect(load_document(FIXTURES / name)), name
    # a scheduler mapping without class_path is not jsonargparse's
    text = "lr_scheduler:\n  name: StepLR\n  step_size: 3\n"
    assert not lightning.detect(load_document("config.yaml", text=text))
    for other in ("fairseq/inverse_sqrt.yaml", "hf/cosine_cycles.yaml",
                  "timm/swin_defaults.yaml", "deepspeed/cosine_defaults.json"):
        assert not lightning.detect(load_document(FRAMEWORK_FIXTURES / other)), other


def test_module_import_does_not_import_torch() -> None:
    code = ("import sys, warmup_cli.frameworks.lightning as m; "
            "sys.exit(1 if 'torch' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# Closed forms from the torch.optim.lr_scheduler documentation ------------------------------

def test_linear_lr_closed_form() -> None:
    plan = cli("LinearLR", "    start_factor: 0.25\n    end_factor: 0.9\n    total_iters: 8\n")
    assert plan.plan is not None
    for t in range(20):
        want = 0.1 * (0.25 + (0.9 - 0.25) * min(8, t) / 8)
        assert plan.plan.lrs(t)[0] == pytest.approx(want, rel=1e-9)
    assert plan.plan.unit == "epoch" and plan.horizon == 40
    assert plan.plan.schedule.warmup_length == 8


def test_cosine_annealing_closed_form() -> None:
    plan = cli("CosineAnnealingLR", "    T_max: 30\n    eta_min: 0.001\n").plan
    assert plan is not None
    for t in range(31):
        want = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 30)) / 2
        assert plan.lrs(t)[0] == pytest.approx(want, rel=1e-9)


def test_step_multistep_exponential_closed_forms() -> None:
    step = cli("StepLR", "    step_size: 7\n    gamma: 0.5\n").plan
    multi = cli("MultiStepLR", "    milestones: [5, 12, 30]\n    gamma: 0.3\n").plan
    expo = cli("ExponentialLR", "    gamma: 0.95\n").plan
    assert step is not None and multi is not None and expo is not None
    for t in range(40):
        assert step.lrs(t)[0] == pytest.approx(0.1 * 0.5 ** (t // 7), rel=1e-9)
        assert multi.lrs(t)[0] == pytest.approx(
            0.1 * 0.3 ** bisect.bisect_right([5, 12, 30], t), rel=1e-9)
        assert expo.lrs(t)[0] == pytest.approx(0.1 * 0.95**t, rel=1e-9)


def test_warm_restarts_closed_form() -> None:
    plan = cli("CosineAnnealingWarmRestarts", "    T_0: 4\n    T_mult: 2\n    eta_min: 0.0\n").plan
    assert plan is not None
    for t in range(28):
        # cycles of 4, 8, 16 epochs
        start, length = 0, 4
        while t >= start + length:
            start, length = start + length, length * 2
        want = 0.1 * (1 + math.cos(math.pi * (t - start) / length)) / 2
        assert plan.lrs(t)[0] == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_one_cycle_closed_form_and_model_level_interval() -> None:
    schedule = only(FIXTURES / "model_level_onecycle.yaml")
    plan = schedule.plan
    assert plan is not None and plan.unit == "step" and schedule.horizon == 100
    initial, peak = 0.01 / 25, 0.01
    low = initial / 1e4
    up_end = 0.3 * 100 - 1

    def cos(start: float, end: float, pct: float) -> float:
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    for t in range(100):
        if t <= up_end:
            want = cos(initial, peak, t / up_end)
        else:
            want = cos(peak, low, (t - up_end) / (99 - up_end))
        assert plan.lrs(t)[0] == pytest.approx(want, rel=1e-9)


def test_sequential_warmup_then_cosine() -> None:
    schedule = only(FIXTURES / "cli_linear_cosine.yaml")
    plan = schedule.plan
    assert plan is not None and plan.base_lrs == (1e-3,)  # "1e-3" is a str under PyYAML
    assert plan.schedule.warmup_length == 5
    assert plan.lrs(0)[0] == pytest.approx(1e-4)
    assert plan.lrs(5)[0] == pytest.approx(1e-3)
    # the cosine's t = 24 of T_max 25 is the last of the 30 epochs; later epochs hold it
    last = 1e-5 + (1e-3 - 1e-5) * (1 + math.cos(math.pi * 24 / 25)) / 2
    assert plan.lrs(29)[0] == pytest.approx(last, rel=1e-9)
    assert plan.lrs(40) == plan.lrs(29)
    assert schedule.findings == []


# torch's own errors ----------------------------------------------------------------------

def test_torch_rejection_is_a_located_finding() -> None:
    schedule = only(FIXTURES / "linear_start_zero.yaml")
    assert schedule.plan is None
    (finding,) = schedule.findings
    assert finding.code == "WU310"
    assert "Starting multiplicative factor expected to be greater than 0" in finding.message
    assert finding.node is not None and finding.node.location == (8, 5)  # start_factor


def test_torch_error_while_stepping() -> None:
    schedule = only(FIXTURES / "constant_zero.yaml")
    (finding,) = schedule.findings
    assert finding.code == "WU310" and "ZeroDivisionError" in finding.message


def test_metric_driven_scheduler_is_a_plateau_phase() -> None:
    # ReduceLROnPlateau is resolved with a metric series (warmup_cli.plateau, issue 12): the
    # reader gives its arguments as a plateau phase and says how to pass the metrics.
    from warmup_cli.plateau.model import find_plateau

    schedule = only(FIXTURES / "plateau.yaml")
    assert schedule.plan is not None and schedule.plan.base_lrs == (0.1,)
    part = find_plateau(schedule.plan.schedule)
    assert part is not None and part.start == 0 and part.params["patience"] == 3
    assert schedule.unresolved == []
    assert any("--metrics FILE" in note for note in schedule.notes)


def test_unknown_keyword_is_torchs_type_error() -> None:
    (schedule,) = read_text("lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n"
                            "  init_args:\n    step_size: 3\n    gama: 0.1\n")
    (finding,) = schedule.findings
    assert finding.code == "WU310" and "gama" in finding.message
    assert finding.node is not None and finding.node.location == (5, 5)


def test_litgpt_fixture() -> None:
    schedule = only(FIXTURES / "litgpt_ok.yaml")
    plan = schedule.plan
    assert plan is not None and plan.lrs(0) == (0.0,)
    assert plan.lrs(10)[0] == pytest.approx(2e-4)
    assert plan.lrs(30)[0] == pytest.approx(2e-4 * (1 + math.cos(math.pi * 20 / 40)) / 2)
    assert [f.code for f in schedule.findings] == ["WU302"]


@needs_corpus
def test_corpus_litgpt_warmup_longer_than_run() -> None:
    schedule = only(CORPUS / "lightning-cli__Lightning-AI_litgpt__phi-2-full-warmup-gt-max-"
                             "steps.yaml")
    codes = [f.code for f in schedule.findings]
    assert "WU301" in codes
    wu301 = next(f for f in schedule.findings if f.code == "WU301")
    assert wu301.node is not None and wu301.node.location == (41, 3)
    assert "-100" in wu301.message
    wu302 = next(f for f in schedule.findings if f.code == "WU302")
    assert wu302.severity == "note"  # 1 of 200 warmup steps
    assert schedule.plan is not None and schedule.plan.lrs(99)[0] == pytest.approx(0.0002 * 0.495)


@needs_corpus
def test_corpus_third_party_schedulers_are_unresolved() -> None:
    for name in ("contact-prediction-constantwithwarmup-ratio0",
                 "dms-substitution-lora-cosinewithwarmup"):
        schedule = only(CORPUS / f"lightning-cli__genbio-ai_ModelGenerator__{name}.yaml")
        assert schedule.plan is None
        (_, why), = schedule.unresolved
        assert "not a torch.optim.lr_scheduler class" in why


@needs_corpus
def test_corpus_linearlr_used_as_decay() -> None:
    schedule = only(CORPUS / "lightning-cli__genbio-ai_ModelGenerator__rna-ss-linearlr-"
                             "decay.yaml")
    plan = schedule.plan
    assert plan is not None and plan.base_lrs == (1e-4,)
    assert plan.schedule(0) == 1.0 and plan.schedule(7500) == pytest.approx(0.1)
    assert plan.schedule.warmup_length == 0 and schedule.findings == []


@needs_corpus
def test_corpus_finetuning_scheduler_files() -> None:
    overlay = only(CORPUS / "lightning-cli__speediedan_finetuning-scheduler__explicit-reinit-"
                            "linearlr.yaml")
    assert overlay.plan is not None and overlay.plan.schedule(0) == pytest.approx(0.1)
    assert overlay.plan.schedule.warmup_length == 4
    assert overlay.unresolved  # the optimizer lr lives in the base file
    base = only(CORPUS / "lightning-cli__speediedan_finetuning-scheduler__fts-defaults.yaml")
    assert base.plan is not None and base.plan.base_lrs == (1e-5,)
    assert base.plan.unit == "epoch" and base.horizon == 1000


def test_one_cycle_stepped_past_its_total_is_torchs_error() -> None:
    (schedule,) = read_text("trainer:\n  max_epochs: 20\nlr_scheduler:\n"
                            "  class_path: torch.optim.lr_scheduler.OneCycleLR\n"
                            "  init_args:\n    max_lr: 0.1\n    total_steps: 10\n")
    (finding,) = schedule.findings
    assert finding.code == "WU310" and "Tried to step 11 times" in finding.message


def test_chained_scheduler_multiplies() -> None:
    (schedule,) = read_text(
        "optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: 1.0\n"
        "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.ChainedScheduler\n"
        "  init_args:\n    schedulers:\n"
        "      - class_path: LinearLR\n        init_args: {start_factor: 0.5, total_iters: 4}\n"
        "      - class_path: ExponentialLR\n        init_args: {gamma: 0.9}\n")
    plan = schedule.plan
    assert plan is not None
    for t in range(10):
        want = (0.5 + 0.5 * min(t, 4) / 4) * 0.9**t
        assert plan.lrs(t)[0] == pytest.approx(want, rel=1e-9)
