"""open-instruct (allenai): the HF reader's open-instruct dialect against transformers'
get_scheduler called the way open_instruct/finetune.py ``_create_scheduler`` and
dpo_tune_cache.py call it (at e6c3044a): ``num_warmup_steps = int(N * warmup_ratio)``."""

from __future__ import annotations

import warnings

import pytest
import torch
from transformers import get_scheduler

from tests.conftest import FRAMEWORK_FIXTURES, read_one
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import hf
from warmup_cli.frameworks.kit import FrameworkSchedule
from warmup_cli.vocab import RunFacts

FIXTURES = FRAMEWORK_FIXTURES / "hf"


def _schedule(name: str, text: str | None = None, per_epoch: int = 333) -> FrameworkSchedule:
    return read_one(hf, FIXTURES / name, text, facts=RunFacts(updates_per_epoch=per_epoch))


def _real(kind: str, lr: float, warmup: int, total: float, count: int) -> list[float]:
    optimizer = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = get_scheduler(kind, optimizer, num_warmup_steps=warmup,
                              num_training_steps=total)  # type: ignore[arg-type]
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(count):
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return seen


def _lrs(schedule: FrameworkSchedule, count: int) -> list[float]:
    plan = schedule.plan
    assert plan is not None, schedule.unresolved
    return [plan.lrs(k)[0] for k in range(count)]


@pytest.mark.parametrize(("name", "lr", "epochs", "ratio"), [
    ("open_instruct_sft.yaml", 2e-5, 2, 0.03),  # num_train_epochs
    ("open_instruct_dpo.yaml", 5e-7, 3, 0.1),  # dpo_tune_cache.py's num_epochs
])
def test_the_warmup_is_floored(name: str, lr: float, epochs: int, ratio: float) -> None:
    schedule = _schedule(name)
    total = epochs * 333
    warmup = int(total * ratio)  # 19 and 99; the Trainer's ceil would give 20 and 100
    assert schedule.horizon == total
    assert _lrs(schedule, total) == _real("linear", lr, warmup, total, total)
    assert any(f"= {warmup} (floored" in note for note in schedule.notes)


def test_final_lr_ratio_stretches_the_linear_decay() -> None:
    text = ("model_name_or_path: x\nwith_tracking: true\nlearning_rate: 1.0e-4\n"
            "lr_scheduler_type: linear\nwarmup_ratio: 0.05\nmax_train_steps: 1000\n"
            "final_lr_ratio: 0.1\n")
    schedule = _schedule("oi.yaml", text)
    warmup = int(1000 * 0.05)
    scaled = (1000 - 0.1 * warmup) / (1 - 0.1)
    assert _lrs(schedule, 1000) == _real("linear", 1e-4, warmup, scaled, 1000)
    assert any("one process" in note for note in schedule.notes)


def test_final_lr_ratio_is_linear_only() -> None:
    text = ("model_name_or_path: x\nwith_tracking: true\nlr_scheduler_type: cosine\n"
            "max_train_steps: 100\nfinal_lr_ratio: 0.1\n")
    schedule = _schedule("oi.yaml", text)
    assert schedule.plan is None
    assert any("NotImplementedError" in why for _, why in schedule.unresolved)


def test_detection_keeps_trainer_files_as_they_were() -> None:
    doc = load_document(FIXTURES / "open_instruct_sft.yaml")
    assert hf.detect(doc)
    text = "learning_rate: 1.0e-4\nlr_scheduler_type: linear\nwarmup_ratio: 0.1\nmax_steps: 999\n"
    trainer = read_one(hf, "args.yaml", text)
    plan = trainer.plan
    assert plan is not None
    # TrainingArguments: ceil(999 x 0.1) = 100 warmup steps
    assert _lrs(trainer, 999) == _real("linear", 1e-4, 100, 999, 999)
