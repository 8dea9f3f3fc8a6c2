"""fairseq / Hydra reader: fairseq's own scheduler code as golden, findings, the corpus."""

from __future__ import annotations

from functools import partial
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
from warmup_cli.frameworks import fairseq
from warmup_cli.frameworks.kit import zero_share_severity

FIXTURES = FRAMEWORK_FIXTURES / "fairseq"
GOLDEN = golden_cases("fairseq_schedules.json")
only = partial(read_one, fairseq)


def test_detects_fairseq_layouts_and_not_other_frameworks() -> None:
    assert fairseq.detect(load_document(FIXTURES / "inverse_sqrt.yaml"))
    group = "# @package _group_\nwarmup_updates: 4000\nwarmup_init_lr: 1e-07\n"
    assert fairseq.detect(load_document("inverse_sqrt.yaml", text=group))
    # the same keys without Hydra's package line are not a group file
    assert not fairseq.detect(load_document("inverse_sqrt.yaml", text=group.split("\n", 1)[1]))
    # a _name that is not a name is not fairseq's, though read still reports it
    odd = "lr_scheduler:\n  _name: 3\noptimization:\n  lr: [0.1]\n"
    assert not fairseq.detect(load_document("odd.yaml", text=odd))
    assert [s.name for s in fairseq.read(load_document("odd.yaml", text=odd))] == \
        ["lr_scheduler (3)"]
    for other in ("lightning/cli_linear_cosine.yaml", "lightning/litgpt_ok.yaml",
                  "hf/cosine_cycles.yaml", "mmengine/warmup_past_run.yaml"):
        assert not fairseq.detect(load_document(FRAMEWORK_FIXTURES / other)), other


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_matches_fairseq_code(case: dict[str, Any]) -> None:
    """tools/golden/fairseq_golden.py ran fairseq 0.12.2's classes: the same LRs, bit for bit."""
    doc = load_document(f"{case['name']}.yaml", text=case["config"])
    assert fairseq.detect(doc)
    (schedule,) = fairseq.read(doc)
    assert_matches_lrs(schedule, case["lrs"])


def test_inverse_sqrt_minus_one_means_zero_first_update() -> None:
    schedule = only(FIXTURES / "inverse_sqrt.yaml")
    assert schedule.plan is not None
    assert schedule.plan.lrs(0) == (0.0,)
    # after warmup: decay_factor * n ** -0.5, decay_factor = lr * W ** 0.5
    assert schedule.plan.lrs(4000)[0] == 0.0005 * 4000**0.5 * 4000**-0.5
    assert schedule.plan.lrs(16000)[0] == 0.0005 * 4000**0.5 * 16000**-0.5
    (finding,) = schedule.findings
    assert finding.code == "WU302"
    assert finding.severity == "note"  # one update of 4000
    assert finding.node is not None and finding.node.location == (5, 3)
    assert schedule.plan.schedule.phase_at(3999) == "linear warmup"
    assert schedule.plan.schedule.phase_at(4000) == "inverse sqrt decay"


def test_zero_share_scales_severity() -> None:
    schedule = only(FIXTURES / "init_zero_constant.yaml")  # tri_stage init_lr_scale 0, W=10
    (finding,) = [f for f in schedule.findings if f.code == "WU302"]
    assert finding.severity == "warning"  # 1 of 10 updates
    assert zero_share_severity(1, 4) == "error"
    assert zero_share_severity(1, 4000) == "note"


def test_tri_stage_past_max_update() -> None:
    schedule = only(FIXTURES / "tri_stage_past_run.yaml")
    assert finding_codes(schedule) == ["WU307"]
    assert schedule.findings[0].node is not None
    assert schedule.findings[0].node.location == (5, 3)  # decay_steps
    assert schedule.horizon == 200000


def test_conflicting_lengths_and_warmup_past_run() -> None:
    schedule = only(FIXTURES / "poly_conflicting_lengths.yaml")
    assert set(finding_codes(schedule)) == {"WU305", "WU302", "WU301"}
    wu301 = next(f for f in schedule.findings if f.code == "WU301")
    assert wu301.node is not None and wu301.node.location == (3, 3)


def test_cosine_period_longer_than_run() -> None:
    schedule = only(FIXTURES / "cosine_period_too_long.yaml")
    assert finding_codes(schedule) == ["WU307"]
    assert schedule.plan is not None
    # warmup_init_lr -1 -> min_lr: warmup_init_lr + 0 * lr_step
    assert schedule.plan.lrs(0)[0] == 1e-6 + 0 * ((0.001 - 1e-6) / 100)


def test_hydra_interpolations_are_never_evaluated() -> None:
    schedule = only(FIXTURES / "interpolations.yaml")
    assert schedule.plan is None
    reasons = {node.location: why for node, why in schedule.unresolved}
    assert "never evaluates" in reasons[(3, 3)]
    assert "interpolation" in reasons[(5, 3)]


def test_axolotl_style_scheduler_name_is_not_fairseq() -> None:
    assert not fairseq.detect(load_document(FIXTURES / "axolotl_like.yaml"))


@needs_corpus
def test_corpus_inverse_sqrt_group_file() -> None:
    schedule = only(CORPUS / "fairseq__facebookresearch_fairseq__hydra-2020-lr-scheduler-"
                             "inverse-sqrt.yaml")
    assert schedule.plan is not None and schedule.plan.schedule(0) == 0.0
    assert finding_codes(schedule) == ["WU302"]
    assert any("optimization.lr" in why for _, why in schedule.unresolved)


@needs_corpus
def test_corpus_cosine_2020_max_lr_is_the_peak() -> None:
    schedule = only(CORPUS / "fairseq__facebookresearch_fairseq__hydra-2020-lr-scheduler-"
                             "cosine.yaml")
    assert schedule.plan is None  # lr (the floor) and max_update live in other groups
    assert schedule.unresolved
    assert any("max_lr 1 is the peak" in note for note in schedule.notes)


@needs_corpus
def test_corpus_roberta_rte() -> None:
    schedule = only(CORPUS / "fairseq__facebookresearch_fairseq__roberta-finetuning-rte.yaml")
    assert schedule.plan is not None and schedule.plan.base_lrs == (2e-05,)
    assert sorted(finding_codes(schedule)) == ["WU302", "WU305"]
    # polynomial_decay at the end of the warmup: warmup_factor * lr, 122 / 122 = 1
    assert schedule.plan.lrs(122)[0] == 122 / float(122) * 2e-05


@needs_corpus
def test_corpus_tri_stage() -> None:
    past = only(CORPUS / "fairseq__facebookresearch_fairseq__wav2vec-vox-960h-2-tristage.yaml")
    assert finding_codes(past) == ["WU307"]
    ratio = only(CORPUS / "fairseq__facebookresearch_fairseq__wav2vec-base-960h-tristage-"
                          "ratio.yaml")
    assert finding_codes(ratio) == []
    assert ratio.plan is not None
    assert ratio.plan.schedule.phase_at(32000) == "hold"  # int(320000 * 0.1)
    assert ratio.plan.schedule.phase_at(160000) == "exponential decay"


@needs_corpus
def test_corpus_audiocraft_counts_from_one() -> None:
    schedule = only(CORPUS / "hydra__facebookresearch_audiocraft__audiogen-base-inverse-sqrt-"
                             "init0.yaml")
    assert schedule.plan is not None
    assert schedule.plan.lrs(0)[0] == 0.0 + 1 * ((5e-4 - 0.0) / 3000)  # step 1 of 3000
    assert "WU302" not in finding_codes(schedule)


@pytest.mark.parametrize(("text", "needle"), [
    ("lr_scheduler:\n  _name: cosine\n  t_mult: 0\noptimization:\n  lr: [0.1]\n"
     "  max_update: 10\n", "math domain error"),
    ("lr_scheduler:\n  _name: tri_stage\n  phase_ratio: [0.5, 0.6]\noptimization:\n"
     "  lr: [0.1]\n  max_update: 10\n", "add up to 1"),
    ("lr_scheduler:\n  _name: inverse_sqrt\n  warmup_updates: 0\noptimization:\n  lr: [0.1]\n",
     "ZeroDivisionError"),
    ("lr_scheduler:\n  _name: cosine\n  max_lr: 0.01\noptimization:\n  lr: [0.1]\n"
     "  max_update: 10\n", "max_lr > min_lr"),
    ("lr_scheduler:\n  _name: fixed\noptimization:\n  lr: [0.1]\n", "not supported"),
    ("lr_scheduler:\n  _name: inverse_sqrt\noptimization:\n  lr: [0.1, 0.2]\n", "ValueError"),
])
def test_what_fairseq_rejects_is_unresolved(text: str, needle: str) -> None:
    assert_rejected(fairseq, "bad.yaml", text, needle)


# --- keys no fairseq scheduler reads, YAML 1.1 number strings (issue 10 item 5) -----------------

def _wu308_notes(text: str, name: str = "config.yaml") -> list[tuple[int, str]]:
    from warmup_cli.configs.document import load_document
    from warmup_cli.frameworks import fairseq
    from warmup_cli.vocab import Code, Severity

    (schedule,) = fairseq.read(load_document(name, text=text))
    return [(f.node.line if f.node is not None else 0, f.message)
            for f in schedule.findings if f.code is Code.WU308 and f.severity is Severity.NOTE]


def test_an_unread_schedule_key_is_noted_at_the_key() -> None:
    text = ("lr_scheduler:\n  _name: inverse_sqrt\n  warmup_updates: 10\n"
            "  lr_warmup_shape: cubic\n")
    ((line, message),) = _wu308_notes(text)
    assert line == 4 and "lr_warmup_shape is not read by the fairseq reader" in message


def test_read_keys_and_non_schedule_keys_are_not_noted() -> None:
    # every key the scheduler reads; the model EMA, a disabled stop_min_lr, other settings
    text = ("lr_scheduler: inverse_sqrt\nwarmup_updates: 10\nwarmup_init_lr: 0.0\nlr: [0.1]\n"
            "max_update: 100\nema_decay: 0.999\nema_start_update: 0\nstop_min_lr: -1.0\n"
            "reset_lr_scheduler: false\nclip_norm: 0.0\nweight_decay: 0.01\n")
    assert _wu308_notes(text) == []
    noted = _wu308_notes(text.replace("stop_min_lr: -1.0", "stop_min_lr: 1.0e-09"))
    assert [line for line, message in noted if "stop_min_lr" in message] == [8]


def test_audiocraft_warmup_is_read_and_other_sections_are_not_noted() -> None:
    text = ("optim:\n  lr: 0.0005\nschedule:\n  lr_scheduler: inverse_sqrt\n"
            "  inverse_sqrt:\n    warmup: 3000\n    warmup_init_lr: 0.0\n")
    assert _wu308_notes(text) == []


def test_yaml11_number_strings_are_noted_on_every_key_lr_included() -> None:
    from warmup_cli.configs.document import load_document
    from warmup_cli.frameworks import fairseq

    for text, key in [("lr_scheduler: inverse_sqrt\nwarmup_updates: 10\nlr: 5e-4\n", "lr"),
                      ("optimization:\n  lr: [5e-4]\n  max_update: 100\n"
                       "lr_scheduler:\n  _name: inverse_sqrt\n  warmup_updates: 10\n", "lr"),
                      ("optimization:\n  lr: [0.1]\n  max_update: 100\n"
                       "lr_scheduler:\n  _name: inverse_sqrt\n  warmup_updates: 10\n"
                       "  warmup_init_lr: 1e-7\n", "warmup_init_lr")]:
        (schedule,) = fairseq.read(load_document("config.yaml", text=text))
        noted = [n for n in schedule.notes if n.startswith(f"{key}: ") and "YAML 1.1" in n]
        assert len(noted) == 1 and "OmegaConf reads it as" in noted[0], (text, schedule.notes)
        assert schedule.plan is not None
    # a float written with a dot is a float to every loader: no note
    (schedule,) = fairseq.read(load_document("config.yaml", text=(
        "lr_scheduler: inverse_sqrt\nwarmup_updates: 10\nlr: 5.0e-4\n")))
    assert not [n for n in schedule.notes if "YAML 1.1" in n]
