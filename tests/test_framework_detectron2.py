"""detectron2 reader: fvcore's own ParamSchedulers as golden, _BASE_ inheritance, the corpus."""

from __future__ import annotations

import shutil
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
    lint_file,
    needs_corpus,
    read_one,
)
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import READERS, detectron2
from warmup_cli.vocab import NO_FACTS, Code, Severity

FIXTURES = FRAMEWORK_FIXTURES / "detectron2"
GOLDEN = golden_cases("detectron2_schedules.json")
only = partial(read_one, detectron2)


OWN_FIXTURES = sorted(p for p in FIXTURES.rglob("*.*") if p.suffix in (".yaml", ".py"))
OTHER_FIXTURES = sorted(p for p in FRAMEWORK_FIXTURES.rglob("*.*")
                        if FIXTURES not in p.parents and p.suffix in (".yaml", ".yml", ".json",
                                                                      ".py", ".toml"))


@pytest.mark.parametrize("path", OWN_FIXTURES, ids=lambda p: p.name)
def test_detects_its_own_configs(path: Path) -> None:
    doc = load_document(path)
    assert detectron2.detect(doc)
    assert READERS["detectron2"].read(doc, NO_FACTS)  # the registered reader reads it


@pytest.mark.parametrize("path", OTHER_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_does_not_detect_other_frameworks_configs(path: Path) -> None:
    assert not detectron2.detect(load_document(path))


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_matches_fvcore(case: dict[str, Any]) -> None:
    """tools/golden/detectron2_golden.py ran fvcore's schedulers through LRMultiplier on torch."""
    doc = load_document(f"{case['name']}.{case.get('ext', 'yaml')}", text=case["config"])
    assert detectron2.detect(doc)
    (schedule,) = detectron2.read(doc)
    assert_matches_lrs(schedule, case["lrs"], case.get("steps"))


def test_base_inheritance_and_zero_warmup_factor() -> None:
    schedule = only(FIXTURES / "configs" / "quick" / "child.yaml")
    plan = schedule.plan
    assert plan is not None
    assert plan.base_lrs == (0.02,)  # BASE_LR from ../../Base-Test.yaml
    assert plan.unit == "iter" and schedule.horizon == 1000  # MAX_ITER from the base
    assert plan.lrs(0) == (0.0,)
    assert plan.schedule.phase_at(500) == "multistep (drop 1)"  # the child's STEPS win
    (finding,) = schedule.findings
    assert finding.code == "WU302" and finding.severity == "warning"  # 1 of 100
    assert finding.node is not None and finding.node.location == (3, 3)


def test_base_cycle_is_reported_not_followed() -> None:
    schedule = only(FIXTURES / "loop-a.yaml")
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert "loops back" in why and node.location == (1, 1)


def test_constant_zero_warmup_past_run() -> None:
    schedule = only(FIXTURES / "warmup_past_run.yaml")
    assert sorted(finding_codes(schedule)) == ["WU301", "WU302"]
    wu302 = next(f for f in schedule.findings if f.code == "WU302")
    assert wu302.severity == "error"


def test_unknown_scheduler_name_is_unresolved_at_its_key() -> None:
    schedule = only(FIXTURES / "unknown_scheduler.yaml")
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert node.location == (2, 3) and "WarmupPolyLR" in why


def test_lazy_config_with_computed_values() -> None:
    schedule = only(FIXTURES / "lazy_unresolved.py")
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert node.location == (11, 21) and "total" in why


def test_past_max_iter_holds_the_last_value() -> None:
    schedule = only(FIXTURES / "configs" / "quick" / "child.yaml")
    assert schedule.plan is not None
    assert schedule.plan.schedule(5000) == schedule.plan.schedule(999)


@needs_corpus
def test_corpus_base_rcnn_fpn_uses_default_warmup() -> None:
    schedule = only(CORPUS / "detectron2__facebookresearch_detectron2__base-rcnn-fpn.yaml")
    plan = schedule.plan
    assert plan is not None and plan.base_lrs == (0.02,)
    assert plan.schedule(0) == 0.001  # WARMUP_FACTOR default, exactly: the linear warmup at 0
    assert plan.schedule.warmup_length == 1000  # WARMUP_ITERS default
    assert plan.schedule(60000) == 0.1  # the second MultiStep value, exactly
    assert finding_codes(schedule) == []
    assert any("defaults used" in note for note in schedule.notes)


@needs_corpus
def test_corpus_mask_rcnn_base_not_at_hand() -> None:
    schedule = only(CORPUS / "detectron2__facebookresearch_detectron2__mask-rcnn-training-"
                             "acc-test.yaml")
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert node.location == (1, 1) and "not at hand" in why


def test_an_unreadable_base_is_located_in_the_base(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("SOLVER:\n  BASE_LR: [0.1\n")
    child = tmp_path / "child.yaml"
    child.write_text("_BASE_: base.yaml\nSOLVER:\n  MAX_ITER: 100\n")
    schedule = only(child)
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert node.location == (1, 1)
    assert f"the base config base.yaml cannot be read: {tmp_path / 'base.yaml'}:" in why
    assert "invalid YAML" in why


@needs_corpus
def test_corpus_mask_rcnn_inherits_base_lr(tmp_path: Path) -> None:
    # The repository's layout: configs/Base-RCNN-FPN.yaml and configs/quick_schedules/x.yaml
    (tmp_path / "quick_schedules").mkdir()
    shutil.copy(CORPUS / "detectron2__facebookresearch_detectron2__base-rcnn-fpn.yaml",
                tmp_path / "Base-RCNN-FPN.yaml")
    child = tmp_path / "quick_schedules" / "mask_rcnn_R_50_FPN_training_acc_test.yaml"
    shutil.copy(CORPUS / "detectron2__facebookresearch_detectron2__mask-rcnn-training-"
                         "acc-test.yaml", child)
    schedule = only(child)
    plan = schedule.plan
    assert plan is not None and plan.base_lrs == (0.02,)  # BASE_LR only in the base
    # fvcore LinearParamScheduler at where 0: end * 0 + start * (1 - 0), start = WARMUP_FACTOR
    assert plan.schedule(0) == 1.0 * 0 + 0.3333333 * (1 - 0)
    assert plan.schedule.warmup_length == 100 and schedule.horizon == 6000


@needs_corpus
def test_corpus_lazyconfig_functions_are_unresolved() -> None:
    doc = load_document(CORPUS / "detectron2__facebookresearch_detectron2__lazyconfig-coco-"
                                 "schedule.py")
    found = detectron2.read(doc)
    assert [s.name for s in found] == [f"lr_multiplier_{n}x" for n in (1, 2, 3, 6, 9)]
    for schedule in found:
        assert schedule.plan is None
        (_, why), = schedule.unresolved
        assert "default_X_scheduler" in why


@pytest.mark.parametrize(("text", "needle"), [
    ("SOLVER:\n  BASE_LR: abc\n", "not a number"),
    ("SOLVER:\n  MAX_ITER: 100\n  STEPS: (100,)\n", "smaller than total number of updates"),
    ("SOLVER:\n  MAX_ITER: 100\n  STEPS: [50, 20]\n", "smaller than start epoch"),
    ("SOLVER:\n  LR_SCHEDULER_NAME: WarmupCosineLR\n  BASE_LR: 0.1\n  BASE_LR_END: 1.0\n"
     "  MAX_ITER: 10\n", "must be in [0, 1]"),
    ("SOLVER:\n  WARMUP_METHOD: exp\n  MAX_ITER: 10\n", "Unknown warmup method"),
    ("SOLVER:\n  MAX_ITER: 10.5\n", "not an integer"),
])
def test_what_detectron2_rejects_is_unresolved(text: str, needle: str) -> None:
    assert_rejected(detectron2, "bad.yaml", text, needle)


LAZY_WHOLE_RUN_WARMUP = """\
from fvcore.common.param_scheduler import ConstantParamScheduler
from detectron2.config import LazyCall as L
from detectron2.solver import WarmupParamScheduler

lr_multiplier = L(WarmupParamScheduler)(
    scheduler=L(ConstantParamScheduler)(value=1.0),
    warmup_length=1.0,
    warmup_factor=0.001,
)
train = dict(max_iter=100)
optimizer = dict(lr=0.02)
"""


@pytest.mark.parametrize(("name", "text", "needle"), [
    # WarmupParamScheduler evaluates the main schedule at where = warmup_length = 1.0: fvcore's
    # StepParamScheduler indexes past its values and ConstantParamScheduler raises.
    ("bad.yaml", "SOLVER:\n  LR_SCHEDULER_NAME: WarmupStepWithFixedGammaLR\n  MAX_ITER: 100\n"
     "  WARMUP_ITERS: 100\n", "IndexError: list index out of range"),
    ("bad.py", LAZY_WHOLE_RUN_WARMUP, "RuntimeError: where in ParamScheduler must be in [0, 1]"),
])
def test_a_warmup_as_long_as_the_run_fails_to_build(tmp_path: Path, name: str, text: str,
                                                    needle: str) -> None:
    assert_rejected(detectron2, name, text, needle)
    diagnostics = lint_file(tmp_path, text, name)
    assert [(d.code, d.severity) for d in diagnostics if needle in d.message] == [
        (Code.WU308, Severity.ERROR)]
    assert not any("reader failed" in d.message for d in diagnostics)
