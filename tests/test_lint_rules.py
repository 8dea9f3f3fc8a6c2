"""Every lint rule: its documented bad example fires, its good example is clean, and the
details each rule promises (counts, steps, columns, severities, thresholds) are right."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import codes_of, lint_file, only_code
from warmup_cli.errors import WarmupError
from warmup_cli.lint.diagnostics import Diagnostic, Severity
from warmup_cli.lint.rules import RULES, expand_selectors, find_rule
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings

BUILTIN = sorted(code for code in RULES if code[2] in "01")
FRAMEWORK = sorted(code for code in RULES if code.startswith("WU3"))
SUFFIXES = {"yaml": ".yaml", "json": ".json", "python": ".py"}
# Notes a framework rule's good example is allowed to keep, because the reader reports them on
# every such config: HF warmups all start from factor 0 (WU302, a note for HF).
EXPECTED_NOTES = {"WU303": {"WU302"}}


def lint_arg(text: str, settings: Settings | None = None) -> list[Diagnostic]:
    return lint([text], settings or Settings()).diagnostics


# --- the catalogue --------------------------------------------------------------------------

def test_catalogue_has_the_issue_rules_with_stable_codes() -> None:
    expected = {
        "WU001": "unreadable-config", "WU002": "unsafe-expression", "WU003": "invalid-schedule",
        "WU101": "zero-lr-start", "WU102": "uncapped-factor", "WU103": "evaluation-error",
        "WU104": "negative-factor", "WU105": "staircase-warmup", "WU106": "first-step-spike",
        "WU107": "abrupt-jump", "WU108": "peak-not-reached", "WU109": "long-warmup",
        "WU110": "non-monotonic-warmup",
    }
    assert {code: RULES[code].name for code in BUILTIN} == expected
    for rule in RULES.values():
        assert rule.summary and rule.explanation and rule.bad and rule.good
        assert rule.anchor == f"README.md#{rule.code.lower()}-{rule.name}"


@pytest.mark.parametrize("code", BUILTIN)
def test_documented_bad_example_fires(tmp_path: Path, code: str) -> None:
    assert code in codes_of(lint_file(tmp_path, RULES[code].bad + "\n"))


@pytest.mark.parametrize("code", BUILTIN)
def test_documented_good_example_is_clean(tmp_path: Path, code: str) -> None:
    assert lint_file(tmp_path, RULES[code].good + "\n") == []


def test_catalogue_has_the_framework_rules() -> None:
    expected = {
        "WU301": ("warmup-longer-than-run", "error"), "WU302": ("zero-lr-first-update",
                                                               "note…error"),
        "WU303": ("warmup-ignored", "warning"),
        "WU304": ("peak-disagrees-with-optimizer-lr", "warning"),
        "WU305": ("conflicting-run-lengths", "warning"),
        "WU306": ("cosine-period-mismatch", "warning"),
        "WU307": ("decay-never-finishes", "warning"),
        "WU308": ("unresolved-value", "note…error"),
        "WU309": ("gap-between-phases", "warning"),
        "WU310": ("torch-scheduler-rejected", "error"),
    }
    assert {code: (RULES[code].name, RULES[code].severity_text) for code in FRAMEWORK} \
        == expected
    assert not any(RULES[code].blocking or RULES[code].fixed for code in FRAMEWORK)
    assert {RULES[code].example_format for code in RULES} == set(SUFFIXES)


def lint_example(tmp_path: Path, code: str, which: str) -> list[Diagnostic]:
    rule = RULES[code]
    name = f"config{SUFFIXES[rule.example_format]}"
    return lint_file(tmp_path, getattr(rule, which) + "\n", name=name)


@pytest.mark.parametrize("code", FRAMEWORK)
def test_framework_bad_example_fires(tmp_path: Path, code: str) -> None:
    if code == "WU310":
        pytest.importorskip("torch")  # the Lightning reader steps the real torch class
    assert code in codes_of(lint_example(tmp_path, code, "bad"))


@pytest.mark.parametrize("code", FRAMEWORK)
def test_framework_good_example_is_clean(tmp_path: Path, code: str) -> None:
    if code == "WU310":
        pytest.importorskip("torch")
    found = lint_example(tmp_path, code, "good")
    allowed = EXPECTED_NOTES.get(code, set())
    assert [d for d in found if d.code not in allowed or d.severity is not Severity.NOTE] == []


def test_framework_examples_are_what_the_docs_say(tmp_path: Path) -> None:
    # The two scaled rules: the documented examples show a warning and an error.
    assert only_code(lint_example(tmp_path, "WU302", "bad"), "WU302").severity is Severity.WARNING
    hit = only_code(lint_example(tmp_path, "WU308", "bad"), "WU308")
    assert hit.severity is Severity.ERROR and "not a transformers SchedulerType" in hit.message
    # WU301 replaces the generic WU108 on the same schedule.
    assert codes_of(lint_example(tmp_path, "WU301", "bad")) == ["WU301"]


def test_selectors_expand_codes_prefixes_slugs_and_all() -> None:
    assert expand_selectors(["WU105"]) == {"WU105"}
    assert expand_selectors(["staircase-warmup"]) == {"WU105"}
    assert expand_selectors(["WU0"]) == {"WU001", "WU002", "WU003"}
    assert expand_selectors(["WU3"]) == set(FRAMEWORK)
    assert expand_selectors(["gap-between-phases"]) == {"WU309"}
    assert expand_selectors(["wu10"]) == {f"WU10{i}" for i in range(1, 10)}
    assert expand_selectors(["ALL"]) == set(RULES)
    assert find_rule("ZERO-LR-START") is RULES["WU101"]
    assert find_rule("wu101") is RULES["WU101"]
    with pytest.raises(WarmupError, match="unknown rule selector 'WU9'"):
        expand_selectors(["WU9"])
    with pytest.raises(WarmupError) as caught:
        expand_selectors(["zero-lr-strat"])
    assert caught.value.hint == "did you mean 'zero-lr-start'?"


# --- WU101 zero-lr-start ------------------------------------------------------------------

@pytest.mark.parametrize(("warmup", "severity", "share"), [
    (2000, Severity.NOTE, "0.05%"),  # one zero step of 2,000
    (50, Severity.WARNING, "2%"),
    (4, Severity.ERROR, "25%"),  # a whole epoch out of four
])
def test_zero_start_severity_scales_with_the_share_of_the_warmup(
        tmp_path: Path, warmup: int, severity: Severity, share: str) -> None:
    text = f'max_steps: 10000\nlr_lambda: "lambda s: min(1.0, s / {warmup})"\n'
    found = lint_file(tmp_path, text)
    hit = only_code(found, "WU101")
    assert hit.severity is severity
    assert f"1 of {warmup:,} warmup updates ({share})" in hit.message
    assert "the first update gets LR 0" in hit.message


def test_zero_start_counts_every_leading_zero(tmp_path: Path) -> None:
    hit = only_code(lint_arg("lambda e: 0 if e < 3 else min(1.0, (e - 2) / 7)"), "WU101")
    assert "the first 3 updates get LR 0 (factor 0 at steps 0-2)" in hit.message
    assert "3 of 9 warmup updates" in hit.message


def test_zero_start_counts_zeros_beyond_the_dense_prefix_exactly(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'max_steps: 200000\n'
                                'lr_lambda: "lambda s: 0 if s < 12345 else min(1.0, s / 20000)"\n')
    assert "the first 12,345 updates get LR 0" in only_code(found, "WU101").message


def test_all_zero_schedule_is_an_error() -> None:
    hit = only_code(lint_arg("lambda e: 0 * e"), "WU101")
    assert hit.severity is Severity.ERROR
    assert "every update" in hit.message


def test_warmups_starting_above_zero_are_clean() -> None:
    assert lint_arg("linear:4") == []
    assert lint_arg("lambda e: min(1.0, (e + 1) / 4)") == []


# --- WU102 uncapped-factor ----------------------------------------------------------------

def test_uncapped_says_where_it_passes_one_and_how_large_it_gets(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'lr: 0.1\nepochs: 10\nlr_lambda: "lambda e: e / 4"\n')
    message = only_code(found, "WU102").message
    assert "passes 1 at step 5" in message  # f(4) = 1.0 exactly, f(5) = 1.25
    assert "2.25 at step 9" in message
    assert "epochs = 10 at line 2" in message
    assert "LR 0.225 with base LR 0.1" in message


def test_capped_or_decaying_factors_above_one_are_not_uncapped() -> None:
    assert "WU102" not in codes_of(lint_arg("lambda e: min(2.0, (e + 1) / 4)"))
    assert "WU102" not in codes_of(lint_arg("lambda e: 2.0 * 0.9 ** e"))


# --- WU103 evaluation-error ----------------------------------------------------------------

def test_noam_at_step_zero_is_located_at_the_failing_operator() -> None:
    text = "lambda s: 512 ** -0.5 * min(s ** -0.5, s * 4000 ** -1.5)"
    found = lint_arg(text)
    assert codes_of(found) == ["WU103"]  # the other checks need a whole trace
    hit = found[0]
    assert "ZeroDivisionError at step 0" in hit.message
    assert hit.start.column == text.index("s ** -0.5") + 3  # the `**` of s ** -0.5, 1-based


@pytest.mark.parametrize(("text", "expected"), [
    ("lambda s: 1 / (s - 5)", "ZeroDivisionError at step 5"),
    ("lambda s: math.log(s)", "ValueError at step 0"),
    ("lambda s: math.inf", "returned inf at step 0"),
])
def test_raising_or_non_finite_factors(text: str, expected: str) -> None:
    assert expected in only_code(lint_arg(text), "WU103").message


# --- WU104 negative-factor ------------------------------------------------------------------

def test_negative_factor_names_the_first_negative_step_exactly(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'max_steps: 100000\nlr_lambda: "lambda s: 1 - s / 60000"\n')
    message = only_code(found, "WU104").message
    assert "negative at step 60,001" in message  # between two sparse samples: bisected
    assert "reaches -0.66665" in message


# --- WU105 staircase-warmup ---------------------------------------------------------------

def test_staircase_is_located_at_the_floor_division_inside_the_string(tmp_path: Path) -> None:
    line = '  lr_lambda: "lambda epoch: min(epoch // 4, 1)"'
    found = lint_file(tmp_path, f"epochs: 20\nscheduler:\n{line}\n")
    hit = only_code(found, "WU105")
    assert (hit.start.line, hit.start.column) == (3, line.index("//") + 1)
    assert "holds 0.0 for steps 0-3, then jumps to 1.0 at step 4" in hit.message


def test_staircase_of_int_is_located_at_the_call() -> None:
    text = "lambda e: int(e / 3) / 4 if e < 12 else 1.0"
    hit = only_code(lint_arg(text), "WU105")
    assert hit.start.column == text.index("int(") + 1
    assert "`int()`" in hit.message


def test_step_decay_by_floor_division_is_not_a_staircase_warmup() -> None:
    assert lint_arg("lambda e: min(1.0, (e + 1) / 5) * 0.1 ** (e // 30)") == []


# --- WU106 first-step-spike ---------------------------------------------------------------

def test_spike_at_step_zero() -> None:
    hit = only_code(lint_arg("lambda s: 1 if s == 0 else min(1.0, s / 100)"), "WU106")
    assert "step 0 gets factor 1.0 but step 1 gets 0.01 (100x lower)" in hit.message
    # the drop from step 0 to 1 is the spike's, not a non-monotonic warmup's
    assert "WU110" not in codes_of(lint_arg("lambda s: 0.5 if s == 0 else min(1.0, s / 100)"))


def test_a_plain_decay_is_not_a_spike() -> None:
    assert "WU106" not in codes_of(lint_arg("lambda e: 0.05 ** e"))


# --- WU107 abrupt-jump --------------------------------------------------------------------

def test_constant_warmup_spec_jumps_at_its_end() -> None:
    hit = only_code(lint_arg("constant-warmup:5,factor=0.1"), "WU107")
    assert "jumps from 0.1 to 1.0 (10x) between steps 4 and 5 at the end of the warmup" \
        in hit.message


def test_jump_between_sparse_samples_is_found_exactly(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'max_steps: 100000\n'
                                'lr_lambda: "lambda s: 0.1 if s < 54321 else 1.0"\n')
    assert "between steps 54,320 and 54,321" in only_code(found, "WU107").message


def test_jump_ratio_is_configurable() -> None:
    text = "lambda e: 0.1 if e < 5 else 1.0"
    assert "WU107" in codes_of(lint_arg(text))
    assert "WU107" not in codes_of(lint_arg(text, Settings(max_jump_ratio=20.0)))


@pytest.mark.parametrize("text", [
    "lambda e: min(1.0, (e + 1) / 2)",  # 0.5 -> 1: a short ramp, not a jump
    "lambda s: min(1.0, 0.001 + 0.999 * s / 10)",  # 0.001 -> 0.1: big ratio, small step
    "lambda s: min(1.0, ((s + 1) / 50) ** 2)",
])
def test_ramps_are_not_jumps(text: str) -> None:
    assert "WU107" not in codes_of(lint_arg(text))


# --- WU108 peak-not-reached / WU109 long-warmup -------------------------------------------

def test_warmup_longer_than_the_run(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'train:\n  max_steps: 100\n  warmup: "linear:200"\n')
    message = only_code(found, "WU108").message
    assert "the warmup lasts 200 updates but the run (max_steps = 100 at line 2) has 100" \
        in message
    assert "only reaches 0.5 of its peak" in message


def test_peak_not_reached_needs_a_known_run_length() -> None:
    text = "lambda s: min(1.0, (s + 1) / 5000)"
    assert lint_arg(text) == []  # the default horizon is a guess, not a run
    assert "WU108" in codes_of(lint_arg(text, Settings(horizon=1000)))


def test_long_warmup_share_is_configurable(tmp_path: Path) -> None:
    text = 'max_steps: 100\nwarmup: "linear:40 > cosine:60"\n'
    assert "the warmup takes 40 of the 100 updates" in only_code(lint_file(tmp_path, text),
                                                            "WU109").message
    assert lint_file(tmp_path, text, settings=Settings(max_warmup_share=0.5)) == []


# --- WU110 non-monotonic-warmup -------------------------------------------------------------

def test_dip_before_the_peak() -> None:
    hit = only_code(lint_arg("lambda e: (e + 1) / 10 if e < 9 else min(1.0, (e + 1) / 20)"),
                    "WU110")
    assert "drops from 0.9 to 0.5 at step 9" in hit.message
    assert "peak (1.0 at step 19)" in hit.message


def test_decay_after_the_peak_is_not_a_dip() -> None:
    assert lint_arg("linear:10 > cosine:90") == []
