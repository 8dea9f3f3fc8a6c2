"""Lightning CLI reader: its plans are torch's own numbers (compared with == against the real
classes stepped here), torch's own errors as findings, litgpt, the corpus."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

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


# The real torch classes, built and stepped here on their own ----------------------------------
# torch's chainable classes multiply the previous LR at every step, which rounds differently from
# the closed forms in torch's documentation in the last bits: the plan must be torch's own
# numbers, so each is compared (==) with the class stepped independently of the reader.

def torch_lrs(build: Callable[[Any], Any], base: float, count: int) -> list[float]:
    """The LR of steps 0..count-1 of ``build(optimizer)`` over an SGD at ``base``, stepped as
    ``optimizer.step(); scheduler.step()``."""
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = build(optimizer)
        lrs = []
        for _ in range(count):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return lrs


def lr_series(schedule: FrameworkSchedule, count: int) -> list[float]:
    assert schedule.plan is not None
    return [schedule.plan.lrs(t)[0] for t in range(count)]


def test_linear_lr_is_torchs() -> None:
    from torch.optim.lr_scheduler import LinearLR

    plan = cli("LinearLR", "    start_factor: 0.25\n    end_factor: 0.9\n    total_iters: 8\n")
    assert lr_series(plan, 20) == torch_lrs(
        lambda o: LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8), 0.1, 20)
    assert plan.plan is not None and plan.plan.unit == "epoch" and plan.horizon == 40
    assert plan.plan.schedule.warmup_length == 8


def test_cosine_annealing_is_torchs() -> None:
    from torch.optim.lr_scheduler import CosineAnnealingLR

    plan = cli("CosineAnnealingLR", "    T_max: 30\n    eta_min: 0.001\n")
    assert lr_series(plan, 40) == torch_lrs(
        lambda o: CosineAnnealingLR(o, T_max=30, eta_min=0.001), 0.1, 40)


def test_step_multistep_exponential_are_torchs() -> None:
    from torch.optim.lr_scheduler import ExponentialLR, MultiStepLR, StepLR

    step = cli("StepLR", "    step_size: 7\n    gamma: 0.5\n")
    multi = cli("MultiStepLR", "    milestones: [5, 12, 30]\n    gamma: 0.3\n")
    expo = cli("ExponentialLR", "    gamma: 0.95\n")
    assert lr_series(step, 40) == torch_lrs(lambda o: StepLR(o, 7, gamma=0.5), 0.1, 40)
    assert lr_series(multi, 40) == torch_lrs(
        lambda o: MultiStepLR(o, [5, 12, 30], gamma=0.3), 0.1, 40)
    assert lr_series(expo, 40) == torch_lrs(lambda o: ExponentialLR(o, 0.95), 0.1, 40)


def test_warm_restarts_are_torchs() -> None:
    from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

    plan = cli("CosineAnnealingWarmRestarts", "    T_0: 4\n    T_mult: 2\n    eta_min: 0.0\n")
    assert lr_series(plan, 28) == torch_lrs(
        lambda o: CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.0), 0.1, 28)


def test_one_cycle_is_torchs_and_model_level_interval() -> None:
    from torch.optim.lr_scheduler import OneCycleLR

    schedule = only(FIXTURES / "model_level_onecycle.yaml")
    plan = schedule.plan
    assert plan is not None and plan.unit == "step" and schedule.horizon == 100
    assert lr_series(schedule, 100) == torch_lrs(
        lambda o: OneCycleLR(o, max_lr=0.01, total_steps=100), 0.01, 100)


def test_sequential_warmup_then_cosine() -> None:
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    schedule = only(FIXTURES / "cli_linear_cosine.yaml")
    plan = schedule.plan
    assert plan is not None and plan.base_lrs == (1e-3,)  # "1e-3" is a str under PyYAML
    assert plan.schedule.warmup_length == 5
    # the cosine's t = 24 of T_max 25 is the last of the 30 epochs; later epochs hold it
    assert lr_series(schedule, 30) == torch_lrs(lambda o: SequentialLR(o, [
        LinearLR(o, start_factor=0.1, total_iters=5),
        CosineAnnealingLR(o, T_max=25, eta_min=1e-5)], milestones=[5]), 1e-3, 30)
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


def test_metric_driven_scheduler_is_unresolved() -> None:
    schedule = only(FIXTURES / "plateau.yaml")
    assert schedule.plan is None
    (_, why), = schedule.unresolved
    assert "validation metrics" in why


def test_unknown_keyword_is_torchs_type_error() -> None:
    (schedule,) = read_text("lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n"
                            "  init_args:\n    step_size: 3\n    gama: 0.1\n")
    (finding,) = schedule.findings
    assert finding.code == "WU310" and "gama" in finding.message
    assert finding.node is not None and finding.node.location == (5, 5)


def litgpt_lrs(warmup: int, max_steps: int, base: float, count: int) -> list[float]:
    """litgpt/finetune/full.py get_lr_scheduler, built here from torch's classes."""
    from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR, SequentialLR

    return torch_lrs(lambda o: SequentialLR(o, [
        LambdaLR(o, lambda step: step / warmup),
        CosineAnnealingLR(o, T_max=max_steps - warmup)], milestones=[warmup]), base, count)


def test_litgpt_fixture() -> None:
    schedule = only(FIXTURES / "litgpt_ok.yaml")
    plan = schedule.plan
    assert plan is not None and plan.lrs(0) == (0.0,)
    assert lr_series(schedule, 50) == litgpt_lrs(10, 50, 2e-4, 50)
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
    assert lr_series(schedule, 100) == litgpt_lrs(200, 100, 0.0002, 100)
    assert schedule.plan is not None and schedule.plan.lrs(99)[0] == 0.0002 * 99 / 200


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
    from torch.optim.lr_scheduler import LinearLR

    plan = schedule.plan
    assert plan is not None and plan.base_lrs == (1e-4,)
    assert plan.schedule(0) == 1.0
    assert lr_series(schedule, 7501) == torch_lrs(
        lambda o: LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=7500), 1e-4, 7501)
    assert plan.schedule.warmup_length == 0 and schedule.findings == []


@needs_corpus
def test_corpus_finetuning_scheduler_files() -> None:
    overlay = only(CORPUS / "lightning-cli__speediedan_finetuning-scheduler__explicit-reinit-"
                            "linearlr.yaml")
    assert overlay.plan is not None and overlay.plan.schedule(0) == 0.1  # start_factor
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
    from torch.optim.lr_scheduler import ChainedScheduler, ExponentialLR, LinearLR

    assert lr_series(schedule, 10) == torch_lrs(lambda o: ChainedScheduler([
        LinearLR(o, start_factor=0.5, total_iters=4), ExponentialLR(o, gamma=0.9)]), 1.0, 10)
