"""The DeepSpeed reader: golden series from tools/golden/deepspeed_golden.py, fixtures, corpus."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    CORPUS,
    FRAMEWORK_FIXTURES,
    GOLDEN,
    assert_matches_lrs,
    finding_codes,
    load_golden_script,
    needs_corpus,
    read_one,
)
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import READERS, deepspeed
from warmup_cli.frameworks.upstream import deepspeed_lr_schedules
from warmup_cli.vocab import NO_FACTS

FIXTURES = FRAMEWORK_FIXTURES / "deepspeed"
GOLDEN_FILES = sorted(GOLDEN.glob("deepspeed_*.json"))

_read = partial(read_one, deepspeed)


OTHER_FIXTURES = sorted(p for p in FRAMEWORK_FIXTURES.rglob("*.*")
                        if FIXTURES not in p.parents and p.suffix in (".yaml", ".yml", ".json",
                                                                      ".py", ".toml"))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_detects_its_own_configs(path: Path) -> None:
    doc = load_document(path)
    assert deepspeed.detect(doc)
    (schedule,) = READERS["deepspeed"].read(doc, NO_FACTS)  # the registered reader reads it
    assert schedule.framework == "deepspeed"


@pytest.mark.parametrize("path", OTHER_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_does_not_detect_other_frameworks_configs(path: Path) -> None:
    doc = load_document(path)
    assert not deepspeed.detect(doc)
    assert deepspeed.read(doc) == []


def test_golden_files_exist() -> None:
    assert len(GOLDEN_FILES) >= 14
    kinds = {json.loads(p.read_text())["config"]["scheduler"]["type"] for p in GOLDEN_FILES}
    assert kinds == set(deepspeed_lr_schedules.TYPES)


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.stem for p in GOLDEN_FILES])
def test_matches_golden_series(path: Path) -> None:
    golden: dict[str, Any] = json.loads(path.read_text())
    config = golden["config"]
    schedule = _read(f"{path.stem}.json", json.dumps(config))
    assert schedule.plan is not None, (schedule.unresolved, schedule.findings)
    assert schedule.plan.unit == "step"
    # WarmupLR and OneCycle set the LR itself, WarmupCosineLR and LRRangeTest multiply the
    # optimizer's (a base) by a ratio: either way the plan does DeepSpeed's own arithmetic
    assert_matches_lrs(schedule, golden["lrs"])


def test_golden_script_is_current() -> None:
    for name, text in load_golden_script("deepspeed_golden").documents().items():
        assert (GOLDEN / name).read_text() == text, name


def test_warmup_num_steps_is_at_least_two() -> None:
    (path,) = [p for p in GOLDEN_FILES if p.stem == "deepspeed_warmuplr_one_step"]
    schedule = _read(path.name, json.dumps(json.loads(path.read_text())["config"]))
    assert any("max(2, warmup_num_steps)" in note for note in schedule.notes)
    assert schedule.plan is not None and schedule.plan.schedule.warmup_length == 3


def test_warmup_cosine_rejects_lr_keys() -> None:
    schedule = _read(FIXTURES / "warmupcosine_lr_keys.json")
    assert schedule.plan is None
    assert finding_codes(schedule) == ["WU308", "WU308"]
    assert all(f.severity == "error" for f in schedule.findings)
    assert "warmup_min_ratio" in schedule.findings[0].message
    assert schedule.findings[0].node is not None
    assert schedule.findings[0].node.location == (8, 7)


def test_auto_values_are_unresolved_not_guessed() -> None:
    schedule = _read(FIXTURES / "all_auto.json")
    assert schedule.plan is None
    assert [f.code for f in schedule.findings] == ["WU308"] * 3
    assert all(f.severity == "note" for f in schedule.findings)
    assert {reason for _, reason in schedule.unresolved} == {deepspeed.AUTO_REASON}


def test_torch_scheduler_type_is_not_modelled() -> None:
    schedule = _read(FIXTURES / "torch_scheduler.json")
    assert schedule.plan is None
    (finding,) = schedule.findings
    assert finding.code == "WU308" and "torch.optim.lr_scheduler" in finding.message


def test_total_shorter_than_warmup_is_wu301() -> None:
    schedule = _read(FIXTURES / "decay_shorter_than_warmup.json")
    assert schedule.plan is not None
    (finding,) = [f for f in schedule.findings if f.code == "WU301"]
    assert finding.node is not None and finding.node.location == (6, 16)


def test_float_warmup_num_steps_raises_in_deepspeed() -> None:
    schedule = _read(FIXTURES / "float_warmup_steps.json")
    assert schedule.plan is None
    (finding,) = schedule.findings
    assert finding.code == "WU308" and "positive integer" in finding.message


def test_warmup_cosine_starts_at_zero() -> None:
    schedule = _read(FIXTURES / "cosine_defaults.json")
    assert schedule.plan is not None
    assert schedule.plan.base_lrs == (3e-4,)
    assert schedule.plan.schedule(0) == 0.0  # get_lr before the first step: 0.0
    (finding,) = [f for f in schedule.findings if f.code == "WU302"]
    # update 0 (constructor) and update 1 (iteration 0, warmup_min_ratio 0, log(1) = 0)
    assert finding.message.startswith("the first 2 updates run at LR 0")
    assert finding.severity == "note"  # 2 of 1001 warmup updates
    assert schedule.horizon == 5000


def test_non_deepspeed_files_are_not_detected() -> None:
    lightning = "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n"
    mm = "scheduler:\n  type: CosineAnnealingLR\n  T_max: 10\n"
    for text in (lightning, mm):
        assert not deepspeed.detect(load_document("x.yaml", text=text))


@needs_corpus
def test_corpus_detection() -> None:
    detected = sorted(p.name for p in CORPUS.iterdir()
                      if p.suffix in (".json", ".yaml", ".yml")
                      and deepspeed.detect(load_document(p)))
    assert detected == [
        "deepspeed__microsoft_DeepSpeedExamples__cifar-warmuplr-min0.json",
        "deepspeed__microsoft_DeepSpeedExamples__qanet-onecycle.json",
        "deepspeed__tatsu-lab_stanford_alpaca__default-offload-warmupdecaylr-auto.json",
    ]  # bing_bert's keys are its own training script's, not DeepSpeed's scheduler block


@needs_corpus
def test_corpus_cifar_zero_min_lr_is_wu302() -> None:
    schedule = _read(CORPUS / "deepspeed__microsoft_DeepSpeedExamples__cifar-warmuplr-min0.json")
    assert schedule.plan is not None
    (finding,) = schedule.findings
    assert finding.code == "WU302"
    assert finding.message.startswith("the first 2 updates run at LR 0")
    assert finding.node is not None and finding.node.location == (19, 7)  # warmup_min_lr
    assert any("fp16" in note for note in schedule.notes)
    assert schedule.horizon is None  # WarmupLR holds the peak for ever


@needs_corpus
def test_corpus_qanet_onecycle_is_wu304() -> None:
    schedule = _read(CORPUS / "deepspeed__microsoft_DeepSpeedExamples__qanet-onecycle.json")
    assert schedule.plan is not None
    (finding,) = [f for f in schedule.findings if f.code == "WU304"]
    assert "0.015" in finding.message and "0.001" in finding.message
    assert finding.node is not None and finding.node.location == (21, 6)  # cycle_max_lr


@needs_corpus
def test_corpus_alpaca_auto_is_unresolved() -> None:
    schedule = _read(CORPUS / "deepspeed__tatsu-lab_stanford_alpaca__default-offload-"
                     "warmupdecaylr-auto.json")
    assert schedule.plan is None
    assert finding_codes(schedule) == ["WU308"] * 4
    assert [r for _, r in schedule.unresolved] == [deepspeed.AUTO_REASON] * 4
