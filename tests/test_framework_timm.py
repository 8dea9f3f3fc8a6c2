"""The timm / Swin reader: golden series from tools/golden/timm_golden.py, the real timm
scheduler classes when an unpacked timm wheel is available, fixtures and the corpus."""

from __future__ import annotations

import importlib.util
import json
import os
import types
import warnings
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
    timm_scheduler,
)
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import readers, timm
from warmup_cli.frameworks.kit import READERS, FrameworkSchedule
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

FIXTURES = FRAMEWORK_FIXTURES / "timm"
GOLDEN_FILES = sorted(GOLDEN.glob("timm_*.json"))
# An unpacked timm wheel (a folder holding timm/), e.g. from `pip download --no-deps timm`.
def _timm_dir() -> str | None:
    """Where the real timm lives: WARMUP_CLI_TIMM_DIR, or the site-packages that `make test`
    installs it into (with --no-deps: its scheduler modules need only torch). find_spec only
    locates the package; timm/__init__ (which imports torchvision) is never run."""
    if os.environ.get("WARMUP_CLI_TIMM_DIR"):
        return os.environ["WARMUP_CLI_TIMM_DIR"]
    spec = importlib.util.find_spec("timm")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


TIMM_DIR = _timm_dir()


_read = partial(read_one, timm)


def _golden_schedule(golden: dict[str, Any], name: str) -> FrameworkSchedule:
    config = golden["config"]
    per_update = golden["unit"] == "step" and golden["updates_per_epoch"] > 1
    steps = golden["updates_per_epoch"] if per_update else None
    return _read(f"{name}.json", json.dumps(config),
                 facts=RunFacts(updates_per_epoch=steps))


def test_the_registry_gives_train_py_and_swin_configs_to_timm_alone() -> None:
    """timm train.py arguments and a Swin yacs config are claimed by timm and no other reader;
    a detectron2 config (upper-case yacs keys too) is not timm's."""
    for name in ("args_warmup_lr_zero.yaml", "swin_defaults.yaml"):
        doc = load_document(FIXTURES / name)
        assert [r.name for r in readers().values() if r.detect(doc)] == ["timm"], name
        (schedule,) = READERS["timm"].read(doc, NO_FACTS)
        assert schedule.framework == "timm" and schedule.plan is not None, name
    detectron2 = load_document(FRAMEWORK_FIXTURES / "detectron2" / "configs" / "quick" /
                               "child.yaml")
    assert not READERS["timm"].detect(detectron2)


def test_golden_files_exist() -> None:
    assert len(GOLDEN_FILES) >= 23
    scheds = {json.loads(p.read_text())["config"].get("sched") for p in GOLDEN_FILES}
    assert set(timm.SCHEDS) <= scheds


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=[p.stem for p in GOLDEN_FILES])
def test_matches_golden_series(path: Path) -> None:
    golden = json.loads(path.read_text())
    schedule = _golden_schedule(golden, path.stem)
    assert schedule.plan is not None
    expected_unit = "epoch" if golden["updates_per_epoch"] == 1 else "step"
    assert schedule.plan.unit == expected_unit
    # the plan's LR is timm's _get_lr itself, not lr_t / lr * lr: bit for bit
    assert_matches_lrs(schedule, golden["lrs"])
    # the run length is the number of LRs the training loop used
    assert schedule.horizon == len(golden["lrs"])


def test_golden_script_is_current() -> None:
    for name, text in load_golden_script("timm_golden").documents().items():
        assert (GOLDEN / name).read_text() == text, name


@pytest.mark.skipif(not TIMM_DIR, reason="timm is not installed (make test installs it)")
def test_real_timm_schedulers() -> None:
    """The reader against timm's own classes, imported from timm/scheduler/*.py only (the
    package __init__ imports torchvision, the scheduler modules need just torch)."""
    torch = pytest.importorskip("torch")
    assert TIMM_DIR is not None
    scheduler = timm_scheduler()
    create_scheduler_v2, scheduler_kwargs = scheduler.create_scheduler_v2, \
        scheduler.scheduler_kwargs
    for path in GOLDEN_FILES:
        golden = json.loads(path.read_text())
        if golden["kind"] != "train.py":
            continue  # Swin needs timm 0.4.12 (t_mul=); its classes are transcribed instead
        schedule = _golden_schedule(golden, path.stem)
        assert schedule.plan is not None
        args = types.SimpleNamespace(**schedule.plan.schedule.describe()["params"])
        args.decay_epochs = golden["config"].get("decay_epochs", 90)
        args.decay_milestones = golden["config"].get("decay_milestones", [90, 180, 270])
        args.decay_rate = golden["config"].get("decay_rate", 0.1)
        args.lr_cycle_mul = golden["config"].get("lr_cycle_mul", 1.0)
        args.lr_cycle_decay = golden["config"].get("lr_cycle_decay", 0.5)
        args.lr_cycle_limit = golden["config"].get("lr_cycle_limit", 1)
        args.lr_k_decay = golden["config"].get("lr_k_decay", 1.0)
        args.sched_on_updates = golden["config"].get("sched_on_updates", False)
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=args.lr)
        updates = golden["updates_per_epoch"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler, epochs = create_scheduler_v2(optimizer, **scheduler_kwargs(args),
                                                    updates_per_epoch=updates)
        real: list[float] = []
        count = 0
        for epoch in range(epochs):  # timm train.py's loop
            if not args.sched_on_updates:
                real.append(optimizer.param_groups[0]["lr"])
            for _ in range(updates):
                if args.sched_on_updates:
                    real.append(optimizer.param_groups[0]["lr"])
                count += 1
                if scheduler is not None:
                    scheduler.step_update(num_updates=count)
            if scheduler is not None:
                scheduler.step(epoch + 1)
        assert real == golden["lrs"], path.stem
        assert_matches_lrs(schedule, real)


# --- fixtures -------------------------------------------------------------------------------


def test_warmup_lr_zero_is_wu302() -> None:
    schedule = _read(FIXTURES / "args_warmup_lr_zero.yaml")
    assert schedule.plan is not None and schedule.plan.unit == "epoch"
    (finding,) = schedule.findings
    assert finding.code == "WU302" and finding.severity == "error"  # 1 of 4 epochs: 25 %
    assert finding.message.startswith("the first epoch runs at LR 0, 1 of 4")
    assert finding.node is not None and finding.node.location == (7, 1)


def test_unknown_sched_is_wu308() -> None:
    schedule = _read(FIXTURES / "args_unknown_sched.yaml")
    assert schedule.plan is None
    assert finding_codes(schedule) == ["WU308"]
    assert schedule.findings[0].severity == "error"


def test_wsd_is_not_modelled() -> None:
    schedule = _read(FIXTURES / "args_wsd.yaml")
    assert schedule.plan is None
    assert [(f.code, f.severity) for f in schedule.findings] == [("WU308", "note")]


def test_warmup_longer_than_run_is_wu301() -> None:
    schedule = _read(FIXTURES / "args_warmup_too_long.yaml")
    assert schedule.plan is not None
    (finding,) = [f for f in schedule.findings if f.code == "WU301"]
    assert finding.node is not None and finding.node.location == (4, 1)


def test_plateau_on_updates_is_rejected() -> None:
    schedule = _read(FIXTURES / "args_plateau_updates.yaml")
    assert schedule.plan is None
    assert finding_codes(schedule) == ["WU308"]


def test_sched_on_updates_without_updates_per_epoch() -> None:
    (path,) = [p for p in GOLDEN_FILES if p.stem == "timm_cosine_on_updates"]
    config = json.loads(path.read_text())["config"]
    schedule = _read("x.json", json.dumps(config))
    assert schedule.plan is not None and schedule.plan.unit == "epoch"
    assert any("shown per epoch" in note for note in schedule.notes)


def test_swin_warmup_as_long_as_run() -> None:
    schedule = _read(FIXTURES / "swin_warmup_whole_run.yaml")
    assert schedule.plan is None
    (finding,) = schedule.findings
    assert finding.code == "WU301" and "t_initial > 0" in finding.message


def test_swin_defaults() -> None:
    schedule = _read(FIXTURES / "swin_defaults.yaml", facts=RunFacts(updates_per_epoch=10))
    assert schedule.plan is not None
    assert schedule.plan.base_lrs == (5e-4,)
    assert schedule.horizon == 3000
    assert schedule.plan.schedule.warmup_length == 201
    assert schedule.findings == []


def test_other_files_are_not_detected() -> None:
    hf_like = "learning_rate: 1.0e-4\nlr_scheduler_type: cosine\nmax_steps: 10\n"
    detectron = "SOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 100\n"
    for text in (hf_like, detectron):
        assert not timm.detect(load_document("x.yaml", text=text))


# --- the corpus -----------------------------------------------------------------------------

@needs_corpus
def test_corpus_detection() -> None:
    detected = sorted(p.name for p in CORPUS.iterdir()
                      if p.suffix in (".json", ".yaml", ".yml") and timm.detect(load_document(p)))
    assert detected == ["timm__NVlabs_MambaVision__mambavision-tiny-1k.yaml",
                        "timm__microsoft_Swin-Transformer__swin-base-384-finetune-yacs.yaml"]


@needs_corpus
def test_corpus_mambavision_has_only_the_lr_ep_note() -> None:
    schedule = _read(CORPUS / "timm__NVlabs_MambaVision__mambavision-tiny-1k.yaml")
    # lr_ep is MambaVision's own train.py flag (commit 0f799d50): false steps the scheduler with
    # step_update before every batch, true with step(epoch + 1); the reader does not model it
    (finding,) = schedule.findings
    assert (finding.code, finding.severity) == (Code.WU308, Severity.NOTE)
    assert finding.node is not None and finding.node.line == 66
    assert finding.message.startswith("lr_ep is not read by the timm reader")
    assert schedule.plan is not None and schedule.plan.unit == "epoch"
    assert schedule.horizon == 320  # t_initial 310 + cooldown 10
    golden = json.loads((GOLDEN / "timm_cosine_mambavision.json").read_text())
    assert_matches_lrs(schedule, golden["lrs"])


@needs_corpus
def test_corpus_swin_strings_are_numbers() -> None:
    name = "timm__microsoft_Swin-Transformer__swin-base-384-finetune-yacs.yaml"
    schedule = _read(CORPUS / name, facts=RunFacts(updates_per_epoch=4))
    assert schedule.plan is not None and schedule.plan.base_lrs == (2e-05,)
    assert sum("string under YAML 1.1" in note for note in schedule.notes) == 3  # the LRs
    assert schedule.findings == []
    golden = json.loads((GOLDEN / "timm_swin_cosine_finetune.json").read_text())
    assert_matches_lrs(schedule, golden["lrs"])
    per_epoch = _read(CORPUS / name)
    assert per_epoch.plan is not None and per_epoch.plan.unit == "epoch"
    assert any("1 iteration per epoch" in note for note in per_epoch.notes)


# --- keys the reader does not read (issue 10 item 5) --------------------------------------------

def _unread_notes(text: str) -> list[tuple[int, str]]:
    from warmup_cli.configs.document import load_document
    from warmup_cli.frameworks import timm as timm_reader
    from warmup_cli.vocab import Code, Severity

    (schedule,) = timm_reader.read(load_document("args.yaml", text=text))
    return [(f.node.line if f.node is not None else 0, f.message) for f in schedule.findings
            if f.code is Code.WU308 and f.severity is Severity.NOTE and "not read" in f.message]


def test_timm_unread_schedule_key_is_noted_at_the_key() -> None:
    text = "sched: cosine\nlr: 0.1\nepochs: 10\nwarmup_epochs: 2\nlr_ep: true\n"
    ((line, message),) = _unread_notes(text)
    assert line == 5 and message.startswith("lr_ep is not read by the timm reader")


def test_timm_read_and_non_schedule_keys_are_not_noted() -> None:
    text = ("sched: cosine\nlr: 0.1\nepochs: 10\nwarmup_epochs: 2\nwarmup_lr: 1.0e-05\n"
            "min_lr: 0.0\nwarmup_prefix: false\ncooldown_epochs: 0\ndecay_epochs: 90\n"
            "decay_milestones: [90]\ndecay_rate: 0.1\nlr_cycle_mul: 1.0\nlr_cycle_decay: 0.5\n"
            "lr_cycle_limit: 1\nlr_k_decay: 1.0\nsched_on_updates: false\nlr_noise: null\n"
            "lr_noise_pct: 0.67\nlr_noise_std: 1.0\nlr_base: 0.1\nlr_base_size: 256\n"
            "lr_base_scale: ''\nlayer_decay: null\nweight_decay: 0.05\nmodel_ema: true\n"
            "model_ema_decay: 0.9998\nmodel_ema_warmup: true\nsmoothing: 0.1\n")
    assert _unread_notes(text) == []


def test_swin_unread_schedule_keys_are_noted_read_ones_are_not() -> None:
    text = ("TRAIN:\n  EPOCHS: 30\n  WARMUP_EPOCHS: 5\n  BASE_LR: 2.0e-05\n  WARMUP_LR: 2.0e-08\n"
            "  MIN_LR: 2.0e-07\n  WEIGHT_DECAY: 1.0e-08\n  LAYER_DECAY: 0.9\n"
            "  LR_SCHEDULER:\n    NAME: cosine\n    DECAY_EPOCHS: 30\n    WARMUP_PREFIX: true\n"
            "    LR_WARMUP_SHAPE: cubic\n")
    assert [(line, message.split()[0]) for line, message in _unread_notes(text)] == \
        [(8, "LAYER_DECAY"), (13, "LR_WARMUP_SHAPE")]
