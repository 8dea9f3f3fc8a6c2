"""axolotl's own cosines (issue 10 item 4) read by the HF reader, against golden series that
tools/golden/axolotl_golden.py makes with axolotl's real ``utils/schedulers.py`` (axolotl
0.19.0's wheel, identical to axolotl-ai-cloud/axolotl at 067b021c)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import GOLDEN, read_one
from warmup_cli.frameworks import hf
from warmup_cli.vocab import Code, Severity

BASE = "base_model: x\nmicro_batch_size: 1\nlearning_rate: 0.0002\nlr_scheduler: cosine\n"


@pytest.mark.parametrize(("golden", "keys"), [
    ("axolotl_cosine_quadratic_warmup.json", "lr_quadratic_warmup: true\n"),
    ("axolotl_cosine_min_lr.json", "cosine_min_lr_ratio: 0.1\n"),
    ("axolotl_cosine_decay_constant.json",
     "cosine_min_lr_ratio: 0.1\ncosine_constant_lr_ratio: 0.8\n"),
])
def test_axolotl_cosines_match_axolotl(golden: str, keys: str) -> None:
    case = json.loads((GOLDEN / golden).read_text())
    kwargs = case["kwargs"]
    text = (BASE + keys + f"warmup_steps: {kwargs['num_warmup_steps']}\n"
            f"max_steps: {kwargs['num_training_steps']}\n")
    schedule = read_one(hf, "axolotl.yaml", text)
    plan = schedule.plan
    assert plan is not None, schedule.unresolved
    assert [plan.lrs(k)[0] for k in range(len(case["lrs"]))] == case["lrs"]


def test_quadratic_warmup_wins_over_the_floor() -> None:
    text = BASE + "lr_quadratic_warmup: true\ncosine_min_lr_ratio: 0.1\nmax_steps: 100\n"
    schedule = read_one(hf, "axolotl.yaml", text)
    assert schedule.plan is not None
    assert any("uses the quadratic warmup" in note for note in schedule.notes)


def test_a_ratio_outside_0_1_fails_axolotls_assertion() -> None:
    schedule = read_one(hf, "axolotl.yaml", BASE + "cosine_min_lr_ratio: 1.5\nmax_steps: 10\n")
    assert schedule.plan is None
    (error,) = [f for f in schedule.findings if f.code is Code.WU308]
    assert error.severity is Severity.ERROR and "assertion" in error.message


def test_transformers_dialect_ignores_axolotl_keys() -> None:
    text = ("learning_rate: 0.0002\nlr_scheduler_type: cosine\nwarmup_steps: 7\nmax_steps: 60\n"
            "cosine_min_lr_ratio: 0.1\n")
    schedule = read_one(hf, "args.yaml", text)
    plan = schedule.plan
    assert plan is not None
    assert plan.schedule(59) < 0.01  # transformers' cosine goes to 0: no floor
