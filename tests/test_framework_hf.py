"""The HF Trainer reader: parity with transformers.get_scheduler, fixtures and the corpus."""

from __future__ import annotations

import json
import math
import re
import warnings
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import CORPUS, FRAMEWORK_FIXTURES, finding_codes, needs_corpus, read_one
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import hf, readers
from warmup_cli.frameworks.kit import READERS, FrameworkSchedule
from warmup_cli.frameworks.upstream import transformers_optimization as optimization
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

FIXTURES = FRAMEWORK_FIXTURES / "hf"
_read = partial(read_one, hf)


def test_the_registry_gives_training_arguments_to_hf_alone() -> None:
    """A real TrainingArguments dump is claimed by hf and no other reader; a DeepSpeed config
    (which also has a scheduler and an LR) is not hf's."""
    training_args = load_document(FIXTURES / "training_args.json")
    assert [r.name for r in readers().values() if r.detect(training_args)] == ["hf"]
    (schedule,) = READERS["hf"].read(training_args, NO_FACTS)
    assert schedule.framework == "hf" and schedule.plan is not None
    deepspeed = load_document(FRAMEWORK_FIXTURES / "deepspeed" / "cosine_defaults.json")
    assert not READERS["hf"].detect(deepspeed)


# --- parity with the real transformers schedulers ------------------------------------------

LR = 1e-3
WARMUPS = (0, 1, 7, 100)
TOTALS = (10, 1000)
EXTRA = 25  # steps past N: the Trainer stops at N, the formulas keep going

CASES: list[tuple[str, dict[str, Any]]] = [
    ("linear", {}),
    ("cosine", {}),
    ("cosine", {"num_cycles": 0.3}),
    ("cosine", {"num_cycles": 1.5}),
    ("cosine_with_restarts", {}),
    ("cosine_with_restarts", {"num_cycles": 3}),
    ("polynomial", {}),
    ("polynomial", {"power": 2.0, "lr_end": 1e-5}),
    ("polynomial", {"power": 0.5}),
    ("constant", {}),
    ("constant_with_warmup", {}),
    ("inverse_sqrt", {}),
    ("inverse_sqrt", {"timescale": 50}),
    ("reduce_lr_on_plateau", {}),
    ("cosine_with_min_lr", {"min_lr_rate": 0.1}),
    ("cosine_with_min_lr", {"min_lr": 1e-5}),
    ("cosine_with_min_lr", {"min_lr_rate": 0.1, "num_cycles": 1.0}),
    ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1}),
    ("cosine_warmup_with_min_lr", {"min_lr": 1e-5, "warmup_lr_rate": 0.2}),
    ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.0, "warmup_lr_rate": 0.0}),
    ("warmup_stable_decay", {"num_decay_steps": 3}),
    ("warmup_stable_decay", {"num_decay_steps": 5, "warmup_type": "cosine",
                             "decay_type": "linear", "min_lr_ratio": 0.1}),
    ("warmup_stable_decay", {"num_decay_steps": 4, "num_stable_steps": 2,
                             "warmup_type": "1-sqrt", "decay_type": "1-sqrt"}),
    ("warmup_stable_decay", {"num_decay_steps": 300, "min_lr_ratio": 0.05}),
    ("greedy", {}),
]


def _real_lrs(name: str, warmup: int, total: int, kwargs: dict[str, Any],
              count: int) -> tuple[list[float], int | None]:
    """LRs of updates 0..count-1 from transformers, and the step that raised (if any)."""
    import torch
    from transformers.optimization import get_scheduler

    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=LR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = get_scheduler(name, optimizer, num_warmup_steps=warmup,
                                  num_training_steps=total,
                                  scheduler_specific_kwargs=dict(kwargs))
        lrs = [optimizer.param_groups[0]["lr"]]
        if name in ("reduce_lr_on_plateau", "greedy"):
            return lrs, None  # stepping needs metrics; only the starting LR is defined
        for step in range(1, count):
            optimizer.step()
            try:
                scheduler.step()
            except ZeroDivisionError:
                return lrs, step
            lrs.append(optimizer.param_groups[0]["lr"])
    return lrs, None


def _ours(name: str, warmup: int, total: int, kwargs: dict[str, Any]) -> FrameworkSchedule:
    config = {"learning_rate": LR, "lr_scheduler_type": name, "warmup_steps": warmup,
              "max_steps": total, "lr_scheduler_kwargs": kwargs}
    return _read("parity.json", json.dumps(config))


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{n}-{json.dumps(k, sort_keys=True)}" for n, k in CASES])
def test_parity_with_transformers(name: str, kwargs: dict[str, Any]) -> None:
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("torch")
    from transformers.trainer_utils import SchedulerType

    if name not in {member.value for member in SchedulerType}:
        pytest.skip(f"the installed transformers {transformers.__version__} has no {name!r}")
    compared = 0
    for total in TOTALS:
        for warmup in WARMUPS:
            expected, raised_at = _real_lrs(name, warmup, total, kwargs, total + EXTRA)
            schedule = _ours(name, warmup, total, kwargs)
            assert schedule.plan is not None, (schedule.unresolved, schedule.findings)
            assert schedule.plan.unit == "step"
            assert schedule.plan.base_lrs == (LR,)
            # Same formulas, same operation order: every value is bit for bit the library's.
            for step, want in enumerate(expected):
                (got,) = schedule.plan.lrs(step)
                assert got == want, (name, warmup, total, step, got, want)
                compared += 1
            if raised_at is not None:
                # transformers divides by zero there (polynomial with W == N): so do we.
                with pytest.raises(ZeroDivisionError):
                    schedule.plan.lrs(raised_at)
    assert compared >= len(TOTALS) * len(WARMUPS)


def test_warmup_steps_rule_matches_training_arguments() -> None:
    """TrainingArguments.get_warmup_steps (transformers 5): int(w) if w >= 1 else ceil(N*w)."""
    transformers = pytest.importorskip("transformers")
    if int(transformers.__version__.split(".")[0]) < 5:
        pytest.skip("transformers 4.x reads warmup_steps as an integer")
    from transformers import TrainingArguments

    for warmup_steps in (0, 0.1, 0.06, 0.5, 3, 10.7):
        for total in (50, 333, 1000):
            args = SimpleNamespace(warmup_steps=warmup_steps)
            want = TrainingArguments.get_warmup_steps(args, total)  # type: ignore[arg-type]
            schedule = _read("w.json", json.dumps({
                "learning_rate": LR, "lr_scheduler_type": "linear",
                "warmup_steps": warmup_steps, "max_steps": total}))
            assert schedule.plan is not None
            assert schedule.plan.schedule.warmup_length == want, (warmup_steps, total)


# --- fixtures -------------------------------------------------------------------------------


def test_json_string_kwargs_and_min_lr() -> None:
    schedule = _read(FIXTURES / "trl_json_kwargs.yaml")
    assert schedule.plan is not None
    params = schedule.plan.schedule.describe()["params"]
    # min_lr "1e-5" arrives as a string inside the JSON and _convert_str_dict makes it a float;
    # min_lr_rate = min_lr / learning_rate, as get_cosine_with_min_lr_schedule_with_warmup_lr_rate.
    assert params["min_lr_rate"] == 1e-5 / 1e-4
    fn = optimization.cosine_warmup_min_lr_lambda(10, 200, 0.5, 1e-5 / 1e-4, 0.1)
    assert [schedule.plan.schedule(t) for t in range(300)] == [fn(t) for t in range(300)]
    # warmup_lr_rate: the first update is not at 0, so no WU302.
    assert "WU302" not in finding_codes(schedule)


def test_constant_with_warmup_does_not_need_the_run_length() -> None:
    schedule = _read(FIXTURES / "constant_with_warmup.yaml")
    assert schedule.plan is not None
    assert schedule.horizon is None
    assert [schedule.plan.schedule(t) for t in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    (finding,) = [f for f in schedule.findings if f.code == "WU302"]
    assert finding.severity == "warning"  # 1 of 4 steps (25 %): generic error, HF one lower
    assert finding.node is not None and finding.node.location == (3, 1)


def test_epochs_need_steps_per_epoch() -> None:
    path = FIXTURES / "cosine_cycles.yaml"
    text = path.read_text().replace("max_steps: 100", "num_train_epochs: 2.5")
    unresolved = _read(path, text)
    assert unresolved.plan is None
    ((node, reason),) = unresolved.unresolved
    assert reason.startswith(hf.UNKNOWN_RUN_LENGTH)
    assert node.location == (6, 1)  # the num_train_epochs key
    resolved = _read(path, text, facts=RunFacts(updates_per_epoch=41))
    assert resolved.plan is not None
    assert resolved.horizon == math.ceil(2.5 * 41)  # Trainer: ceil(num_train_epochs * updates)
    assert any("supplied by the caller" in note for note in resolved.notes)


def test_unknown_scheduler_is_wu308() -> None:
    schedule = _read(FIXTURES / "unknown_scheduler.yaml")
    assert schedule.plan is None
    (finding,) = schedule.findings
    assert finding.code == "WU308" and finding.severity == "error"
    assert "cosine_with_warmup" in finding.message
    assert finding.node is not None and finding.node.location == (2, 1)


def test_warmup_longer_than_run() -> None:
    schedule = _read(FIXTURES / "warmup_longer.yaml")
    assert schedule.plan is not None
    (finding,) = [f for f in schedule.findings if f.code == "WU301"]
    assert "longer than the run" in finding.message and "49.5%" in finding.message  # 99/200
    assert finding.node is not None and finding.node.location == (3, 1)


def test_wsd_decay_never_finishes() -> None:
    schedule = _read(FIXTURES / "wsd_overrun.yaml")
    assert schedule.plan is not None
    (finding,) = [f for f in schedule.findings if f.code == "WU307"]
    assert "1200" in finding.message
    assert finding.node is not None and finding.node.location == (4, 3)
    # warmup with min_lr_ratio 0.1 starts at 0.1, not 0
    assert "WU302" not in finding_codes(schedule)
    assert schedule.plan.schedule.phase_at(950) == "cosine decay"


def test_cosine_cycles_is_wu306() -> None:
    schedule = _read(FIXTURES / "cosine_cycles.yaml")
    (finding,) = [f for f in schedule.findings if f.code == "WU306"]
    assert "rises again" in finding.message
    assert finding.node is not None and finding.node.location == (4, 3)


def test_axolotl_adds_a_default_warmup() -> None:
    schedule = _read(FIXTURES / "axolotl_default_warmup.yml")
    assert schedule.plan is not None
    assert schedule.plan.schedule.warmup_length == 30  # min(int(0.03 * 1000), 100)
    assert any("axolotl adds" in note for note in schedule.notes)


def test_string_number_is_read_with_a_note() -> None:
    schedule = _read(FIXTURES / "string_lr.yaml")
    assert schedule.plan is not None and schedule.plan.base_lrs == (2e-05,)
    assert any("string under YAML 1.1" in note for note in schedule.notes)


def test_plateau_ignores_warmup() -> None:
    schedule = _read(FIXTURES / "plateau_warmup.yaml")
    assert schedule.plan is not None
    assert [schedule.plan.schedule(t) for t in range(3)] == [1, 1, 1]
    (finding,) = [f for f in schedule.findings if f.code == "WU303"]
    assert finding.node is not None and finding.node.location == (3, 1)
    assert any("metrics" in note for note in schedule.notes)


def test_polynomial_lr_end_above_lr_is_wu308() -> None:
    schedule = _read(FIXTURES / "polynomial_bad_lr_end.yaml")
    assert schedule.plan is None
    assert finding_codes(schedule) == ["WU308"]


def test_training_arguments_json_dump() -> None:
    schedule = _read(FIXTURES / "training_args.json")
    assert schedule.plan is not None
    assert schedule.plan.schedule.warmup_length == 60  # ceil(1000 * 0.06)
    assert "WU305" in finding_codes(schedule)
    fn = optimization.polynomial_lambda(60, 1000, 1e-07, 2.0, 5e-05)
    assert [schedule.plan.lrs(t)[0] for t in range(1010)] == [5e-05 * fn(t) for t in range(1010)]


def test_non_hf_files_are_not_detected(tmp_path: Path) -> None:
    lightning = "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\noptimizer: {}\n"
    timm_args = "sched: cosine\nlr: 0.1\nepochs: 10\nwarmup_epochs: 2\n"
    for text in (lightning, timm_args):
        assert not hf.detect(load_document("x.yaml", text=text))


# --- the corpus (../shared/corpus, when present) --------------------------------------------

def _corpus(name: str, **kwargs: Any) -> FrameworkSchedule:
    return _read(CORPUS / name, **kwargs)


@needs_corpus
def test_corpus_every_hf_file_is_detected() -> None:
    names = sorted(p.name for p in CORPUS.glob("hf-*"))
    assert len(names) == 10
    for name in names:
        assert hf.detect(load_document(CORPUS / name)), name
    others = [p for p in CORPUS.iterdir() if not p.name.startswith("hf-") and
              p.suffix in (".yaml", ".yml", ".json")]
    for path in others:
        assert not hf.detect(load_document(path)), path.name


@needs_corpus
def test_corpus_zephyr_is_clean() -> None:
    schedule = _corpus("hf-trl__huggingface_alignment-handbook__zephyr-7b-beta-sft-full.yaml")
    assert schedule.findings == []
    assert schedule.plan is None  # 1 epoch of an unknown dataset
    resolved = _corpus("hf-trl__huggingface_alignment-handbook__zephyr-7b-beta-sft-full.yaml",
                       facts=RunFacts(updates_per_epoch=500))
    assert resolved.plan is not None
    assert resolved.plan.schedule.warmup_length == 50  # ceil(500 * 0.1)
    assert [f.code for f in resolved.findings] == ["WU302"]
    assert resolved.findings[0].severity == "note"  # 1 of 50 steps


@needs_corpus
def test_corpus_axolotl_constant_with_warmup_ratio_is_wu303() -> None:
    schedule = _corpus(
        "hf-axolotl__axolotl-ai-cloud_axolotl__deepseek-v4-constant-with-warmup-ratio.yaml")
    assert finding_codes(schedule) == ["WU303"]
    assert schedule.findings[0].node is not None
    assert schedule.findings[0].node.location == (55, 1)  # warmup_ratio
    assert schedule.plan is not None  # constant needs no run length


@needs_corpus
def test_corpus_replit_empty_scheduler_is_wu303() -> None:
    schedule = _corpus("hf-axolotl__axolotl-ai-cloud_axolotl__replit-3b-lora-empty-scheduler.yml")
    assert finding_codes(schedule) == ["WU303"]
    assert schedule.findings[0].node is not None
    assert schedule.findings[0].node.location == (34, 1)  # lr_scheduler:
    assert "'cosine'" in schedule.findings[0].message
    assert schedule.plan is None
    resolved = _corpus(
        "hf-axolotl__axolotl-ai-cloud_axolotl__replit-3b-lora-empty-scheduler.yml",
        facts=RunFacts(updates_per_epoch=100))
    assert resolved.plan is not None
    assert resolved.plan.schedule.describe()["type"] == "cosine"
    assert resolved.plan.schedule.warmup_length == 40  # axolotl: int(0.1 * 400)


@needs_corpus
@pytest.mark.parametrize("name", [
    "hf-axolotl__axolotl-ai-cloud_axolotl__tinyllama-pretrain.yml",
    "hf-llamafactory__hiyouga_LLaMA-Factory__megatron-bridge-llama3-sft.yaml",
])
def test_corpus_conflicting_run_lengths_are_wu305(name: str) -> None:
    schedule = _corpus(name)
    (finding,) = [f for f in schedule.findings if f.code == "WU305"]
    assert "max_steps wins" in finding.message
    assert schedule.plan is not None


@needs_corpus
def test_corpus_tinyllama_warmup_is_20_steps() -> None:
    schedule = _corpus("hf-axolotl__axolotl-ai-cloud_axolotl__tinyllama-pretrain.yml")
    assert schedule.plan is not None
    assert schedule.plan.schedule.warmup_length == 20
    assert schedule.horizon == 200


@needs_corpus
def test_corpus_float_warmup_steps_is_a_ratio() -> None:
    schedule = _corpus(
        "hf-axolotl__axolotl-ai-cloud_axolotl__qwen3-30b-ep-lora-float-warmup-steps.yaml")
    assert schedule.plan is not None
    assert schedule.plan.schedule.warmup_length == 5  # ceil(50 * 0.1)
    assert any(re.search(r"warmup_steps 0\.1 < 1 is a ratio", n) for n in schedule.notes)


@needs_corpus
def test_corpus_smollm3_nested_kwargs() -> None:
    schedule = _corpus("hf-trl__huggingface_alignment-handbook__smollm3-sft-cosine-min-lr"
                       ".excerpt.yaml", facts=RunFacts(updates_per_epoch=1000))
    assert schedule.plan is not None
    assert schedule.horizon == 5000
    assert schedule.plan.schedule.warmup_length == 150  # ceil(5000 * 0.03)
    fn = optimization.cosine_lambda(150, 5000, 0.5, 0.1)
    assert [schedule.plan.schedule(t) for t in range(5000)] == [fn(t) for t in range(5000)]
    # the floor: factor 0.1 of 2e-05 at the end
    assert schedule.plan.lrs(5000)[0] == 2e-05 * fn(5000)  # LambdaLR: base * lr_lambda


@needs_corpus
def test_corpus_short_warmup_of_ebft() -> None:
    schedule = _corpus("hf-axolotl__axolotl-ai-cloud_axolotl__llama-1b-ebft-strided.yaml")
    (finding,) = [f for f in schedule.findings if f.code == "WU302"]
    assert finding.severity == "warning"  # 1 of 2 warmup steps at LR 0


@needs_corpus
def test_corpus_inverse_sqrt_needs_no_run_length() -> None:
    schedule = _corpus("hf-trl__huggingface_alignment-handbook__zephyr-141b-orpo-inverse-sqrt"
                       ".yaml")
    assert schedule.plan is not None
    assert schedule.plan.schedule.describe()["params"]["timescale"] == 100


def test_a_negative_learning_rate_is_what_the_optimizer_refuses() -> None:
    doc = load_document("neg.yaml", text="learning_rate: -4\nlr_scheduler_type: linear\n"
                                          "max_steps: 100\n")
    (schedule,) = hf.read(doc)
    assert schedule.plan is None
    assert [(f.code, f.severity) for f in schedule.findings if "learning_rate" in f.message] \
        == [(Code.WU308, Severity.ERROR)]
