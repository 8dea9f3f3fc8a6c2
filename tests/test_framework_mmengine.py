"""MMEngine reader: MMEngine's own schedulers as golden, structural findings, the corpus."""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    CORPUS,
    FRAMEWORK_FIXTURES,
    assert_matches_lrs,
    assert_rejected,
    finding_codes,
    golden_cases,
    needs_corpus,
    read_one,
)
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import mmengine
from warmup_cli.frameworks.kit import FrameworkSchedule
from warmup_cli.vocab import RunFacts

FIXTURES = FRAMEWORK_FIXTURES / "mmengine"
GOLDEN = golden_cases("mmengine_schedules.json")
only = partial(read_one, mmengine)


def codes(schedule: FrameworkSchedule) -> list[str]:
    return sorted(finding_codes(schedule))


@pytest.mark.parametrize(("path", "expected"), [
    (FIXTURES / "tmax_gap_overrun.py", True),  # param_scheduler
    (FIXTURES / "legacy_step.py", True),  # mmcv lr_config with a policy
    (FIXTURES / "warmup_past_run.yaml", True),
    (FRAMEWORK_FIXTURES / "detectron2" / "lazy_unresolved.py", False),  # fvcore param schedulers
    (FRAMEWORK_FIXTURES / "detectron2" / "warmup_past_run.yaml", False),
    (FRAMEWORK_FIXTURES / "hf" / "warmup_longer.yaml", False),
])
def test_detects_mmengine_configs_only(path: Path, expected: bool) -> None:
    assert mmengine.detect(load_document(path)) is expected


def test_lr_config_without_policy_is_not_a_schedule() -> None:
    doc = load_document("a.py", text="lr_config = dict(warmup='linear')\n")
    assert not mmengine.detect(doc) and mmengine.read(doc) == []


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_matches_mmengine_code(case: dict[str, Any]) -> None:
    """tools/golden/mmengine_golden.py ran mmengine 0.10.7's (and mmdet's) scheduler classes."""
    doc = load_document(f"{case['name']}.py", text=case["config"])
    (schedule,) = mmengine.read(doc, RunFacts(updates_per_epoch=case.get("iters_per_epoch")))
    assert_matches_lrs(schedule, case["lrs"])


def test_start_factor_zero() -> None:
    schedule = only(FIXTURES / "start_factor_zero.py")
    assert schedule.plan is None  # MMEngine divides by zero at the second step
    (finding,) = schedule.findings
    assert (finding.code, finding.severity) == ("WU302", "error")
    assert finding.node is not None and finding.node.location == (4, 27)


def test_cosine_mismatch_gap_and_overrun() -> None:
    schedule = only(FIXTURES / "tmax_gap_overrun.py")
    assert codes(schedule) == ["WU306", "WU307", "WU309"]
    wu306 = next(f for f in schedule.findings if f.code == "WU306")
    assert wu306.node is not None and wu306.node.location == (6, 36)  # T_max=
    assert "rises again" in wu306.message
    plan = schedule.plan
    assert plan is not None and plan.unit == "epoch"
    assert plan.schedule.phase_at(4) == "constant (no scheduler)"  # the gap, flat at base
    assert plan.schedule(3) == plan.schedule(4) == 1.0


def test_warmup_longer_than_run() -> None:
    schedule = only(FIXTURES / "warmup_past_run.yaml")  # a single dict, not a list
    assert codes(schedule) == ["WU301"]
    assert schedule.plan is not None and schedule.plan.schedule(0) == 0.5


def test_legacy_lr_config_step_with_warmup() -> None:
    path = FIXTURES / "legacy_step.py"
    assert only(path).plan is None  # needs the epoch length
    schedule = only(path, facts=RunFacts(updates_per_epoch=100))
    plan = schedule.plan
    assert plan is not None and plan.unit == "iter"
    # mmcv LrUpdaterHook.get_warmup_lr (linear): regular_lr * (1 - (1 - k / iters) * (1 -
    # ratio)); warmup_ratio is the start factor; StepLrUpdaterHook: base * gamma ** passed
    assert plan.lrs(0)[0] == 0.02 * 0.1**0 * (1 - (1 - 0 / 50) * (1 - 0.001))
    assert plan.lrs(50)[0] == 0.02 * 0.1**0
    assert plan.lrs(800)[0] == 0.02 * 0.1**1  # epoch 8
    assert any("starting multiplier" in note for note in schedule.notes)


def test_iters_per_epoch_must_be_positive() -> None:
    with pytest.raises(ValueError):
        only(FIXTURES / "tmax_gap_overrun.py", facts=RunFacts(updates_per_epoch=0))


@needs_corpus
def test_corpus_schedule_1x_needs_epoch_length() -> None:
    path = CORPUS / "mmengine__open-mmlab_mmdetection__schedule-1x.py"
    schedule = only(path)
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert "pass --updates-per-epoch N" in why and node.location == (7, 1)
    resolved = only(path, facts=RunFacts(updates_per_epoch=1000))
    plan = resolved.plan
    assert plan is not None and resolved.horizon == 12000
    # MMEngine's chainable _get_value: LinearLR starts at lr * start_factor and multiplies
    # the LR in the optimizer until end (then leaves it), MultiStepLR multiplies it by gamma
    # at the milestone iteration (epoch 8 x 1000)
    assert plan.lrs(0)[0] == 0.02 * 0.001
    assert plan.lrs(501)[0] == plan.lrs(500)[0] == plan.lrs(499)[0] != 0.02  # the recursion's
    assert plan.lrs(8000)[0] == plan.lrs(7999)[0] * 0.1**1
    assert codes(resolved) == []


@needs_corpus
def test_corpus_selfsup_converted_warmup() -> None:
    schedule = only(CORPUS / "mmengine__open-mmlab_mmselfsup__adamw-coslr-300e.py",
                    facts=RunFacts(updates_per_epoch=50))
    assert schedule.plan is not None and schedule.plan.schedule.warmup_length == 2000
    assert schedule.plan.lrs(0)[0] == 6e-4 * 1e-4  # LinearLR: lr * start_factor
    assert codes(schedule) == []


@needs_corpus
def test_corpus_legacy_lr_config() -> None:
    path = CORPUS / "mmengine__open-mmlab_mmselfsup__adamw-coslr-300e-legacy-mmcv-lr-config.py"
    assert only(path).plan is None
    schedule = only(path, facts=RunFacts(updates_per_epoch=10))
    assert schedule.plan is not None
    # CosineAnnealingLrUpdaterHook at progress 0 (annealing_cos(base, min_lr 0, 0)) under the
    # linear warmup of 40 epochs x 10 iterations, from warmup_ratio 1e-4
    regular = 0.0 + 0.5 * (6e-4 - 0.0) * (math.cos(math.pi * 0.0) + 1)
    assert schedule.plan.lrs(0)[0] == regular * (1 - (1 - 0 / 400) * (1 - 1e-4))


@needs_corpus
def test_corpus_conditional_values_are_unresolved() -> None:
    schedule = only(CORPUS / "mmengine__SimonBon_MCA__train-cfg-conditional-expr.py")
    assert schedule.plan is None
    whys = [why for _, why in schedule.unresolved]
    assert whys and all("runtime condition" in why for why in whys)


@needs_corpus
def test_corpus_rtmdet_base_refs_and_gap() -> None:
    schedule = only(CORPUS / "mmengine__open-mmlab_mmyolo__rtmdet-tiny-40e-cat.py")
    assert schedule.plan is None
    located = {node.location: why for node, why in schedule.unresolved}
    assert "_base_" in located[(46, 9)] and "_base_" in located[(53, 9)]
    assert codes(schedule) == ["WU309"]


@needs_corpus
def test_corpus_yolox_tmax_and_gap() -> None:
    schedule = only(CORPUS / "mmengine__open-mmlab_mmyolo__yolox-s-40e-cat-quadratic-warmup.py")
    assert codes(schedule) == ["WU306", "WU309"]
    wu309 = next(f for f in schedule.findings if f.code == "WU309")
    assert "epoch 3" in wu309.message and "epoch 5" in wu309.message
    assert any("_base_" in why for _, why in schedule.unresolved)


@pytest.mark.parametrize(("text", "needle"), [
    ("param_scheduler = [dict(type='LinearLR', begin=5, end=5, by_epoch=False)]\n",
     "end should be larger than begin"),
    ("param_scheduler = [dict(type='OneCycleLR', eta_max=0.1)]\n", "not a scheduler"),
    ("param_scheduler = [dict(type='ConstantLR', factor=0, begin=0, end=3)]\n"
     "optim_wrapper = dict(optimizer=dict(lr=0.1))\ntrain_cfg = dict(max_epochs=10)\n",
     "ZeroDivisionError"),
    ("param_scheduler = [dict(type='StepLR', step_size=0, by_epoch=False, begin=0, end=9)]\n"
     "optim_wrapper = dict(optimizer=dict(lr=0.1))\n", "ZeroDivisionError"),
    ("param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.1)]\n", "absolute eta_min"),
    ("param_scheduler = [dict(type='MultiStepLR', milestones='x')]\n",
     "milestones is 'x', not a list of numbers"),
    ("param_scheduler = [dict(type='MultiStepLR', milestones=[2, 'x'])]\n",
     "milestones is 'x', not a number"),
    ("param_scheduler = [dict(type='MultiStepLR', milestones=3)]\n", "not a list of numbers"),
    ("param_scheduler = 'abc'\n", "not a dict"),
    ("lr_config = dict(policy=None)\n", "legacy mmcv policy None is not reproduced"),
    ("lr_config = dict(policy='poly', power=1.0)\n", "legacy mmcv policy 'poly' is not reproduced"),
])
def test_what_mmengine_rejects_is_unresolved(text: str, needle: str) -> None:
    assert_rejected(mmengine, "bad.py", text, needle)


def test_zero_t_max_means_end_minus_begin() -> None:
    text = ("optim_wrapper = dict(optimizer=dict(lr=0.1))\n"
            "param_scheduler = [dict(type='CosineAnnealingLR', T_max=0, by_epoch=False, "
            "begin=0, end=10)]\n")
    (schedule,) = mmengine.read(load_document("t.py", text=text))
    assert schedule.findings == [] and schedule.plan is not None
