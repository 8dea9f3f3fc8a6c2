"""Every lint rule: its documented bad example fires, its good example is clean, and the
details each rule promises (counts, steps, columns, severities, thresholds) are right."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import codes_of, lint_file, only_code
from warmup_cli.errors import WarmupError
from warmup_cli.lint.diagnostics import Diagnostic, Severity
from warmup_cli.lint.rules import (
    RULES,
    expand_selectors,
    find_rule,
    framework,
    register_rule,
    schedule,
    script,
)
from warmup_cli.lint.rules import input as input_rules
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.vocab import Code

BUILTIN = sorted(code for code in RULES if code[2] in "01")
FRAMEWORK = sorted(code for code in RULES if code.startswith("WU3"))
SUFFIXES = {"yaml": ".yaml", "json": ".json", "python": ".py"}
# Notes a framework rule's good example is allowed to keep, because the reader reports them on
# every such config: HF warmups all start from factor 0 (WU302, a note for HF).
EXPECTED_NOTES = {Code.WU303: {Code.WU302}}
LINT_PACKAGE = Path(__file__).resolve().parents[1] / "warmup_cli" / "lint"
CODE_TEXT = re.compile(r"WU\d{3}")


def lint_arg(text: str, settings: Settings | None = None) -> list[Diagnostic]:
    return lint([text], settings or Settings()).diagnostics


# --- the catalogue --------------------------------------------------------------------------

def test_catalogue_has_the_issue_rules_with_stable_codes() -> None:
    expected = {
        Code.WU001: "unreadable-config", Code.WU002: "unsafe-expression",
        Code.WU003: "invalid-schedule", Code.WU101: "zero-lr-start",
        Code.WU102: "uncapped-factor", Code.WU103: "evaluation-error",
        Code.WU104: "negative-factor", Code.WU105: "staircase-warmup",
        Code.WU106: "first-step-spike", Code.WU107: "abrupt-jump",
        Code.WU108: "peak-not-reached", Code.WU109: "long-warmup",
        Code.WU110: "non-monotonic-warmup",
    }
    assert {code: RULES[code].name for code in BUILTIN} == expected
    for rule in RULES.values():
        assert rule.summary and rule.explanation and rule.bad and rule.good
        assert rule.anchor == f"README.md#{rule.code.lower()}-{rule.name}"


def test_every_code_has_exactly_one_rule_in_one_family() -> None:
    families = [*input_rules.FAMILY, *schedule.FAMILY, *framework.FAMILY, *script.FAMILY]
    assert Counter(rule.code for rule in families) == Counter(set(Code))
    assert list(RULES) == sorted(Code)
    assert all(RULES[code].code is code for code in Code)
    assert all(isinstance(rule.code, Code) for rule in RULES.values())


def test_schedule_rules_carry_their_check_and_the_others_none() -> None:
    # WU0xx are reported while reading the input, WU3xx by the framework readers.
    for code, rule in RULES.items():
        assert (rule.check is not None) == code.startswith("WU1"), code
        assert not rule.reads_failure or rule.check is not None, code
    assert [code for code, rule in RULES.items() if rule.reads_failure] == [Code.WU103]


@pytest.mark.parametrize("code", [code for code in BUILTIN if code.startswith("WU1")])
def test_a_schedule_rule_alone_finds_its_bad_example(tmp_path: Path, code: Code) -> None:
    # Only this rule's check runs (and the fixed WU001): its hit carries its own code.
    alone = Settings(enabled=frozenset({code}))
    assert codes_of(lint_file(tmp_path, RULES[code].bad + "\n", settings=alone)) == [code]


def test_a_code_names_one_rule() -> None:
    taken = RULES[Code.WU101]
    assert register_rule(taken) is taken  # registering the same rule again is harmless
    with pytest.raises(ValueError, match="WU101 is already taken by zero-lr-start"):
        register_rule(dataclasses.replace(taken, name="other"))
    assert RULES[Code.WU101] is taken


def _code_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.name}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and CODE_TEXT.fullmatch(node.value)]


def test_lint_names_codes_by_their_enum_member_only() -> None:
    # A rule is linked to its findings by its typed Code, never by a string spelling it.
    found = [hit for path in sorted(LINT_PACKAGE.rglob("*.py")) for hit in _code_literals(path)]
    assert found == []


@pytest.mark.parametrize("code", BUILTIN)
def test_documented_bad_example_fires(tmp_path: Path, code: Code) -> None:
    assert code in codes_of(lint_file(tmp_path, RULES[code].bad + "\n"))


@pytest.mark.parametrize("code", BUILTIN)
def test_documented_good_example_is_clean(tmp_path: Path, code: Code) -> None:
    assert lint_file(tmp_path, RULES[code].good + "\n") == []


def test_catalogue_has_the_framework_rules() -> None:
    expected = {
        Code.WU301: ("warmup-longer-than-run", "error"),
        Code.WU302: ("zero-lr-first-update", "note…error"),
        Code.WU303: ("warmup-ignored", "warning"),
        Code.WU304: ("peak-disagrees-with-optimizer-lr", "warning"),
        Code.WU305: ("conflicting-run-lengths", "warning"),
        Code.WU306: ("cosine-period-mismatch", "warning"),
        Code.WU307: ("decay-never-finishes", "warning"),
        Code.WU308: ("unresolved-value", "note…error"),
        Code.WU309: ("gap-between-phases", "warning"),
        Code.WU310: ("torch-scheduler-rejected", "error"),
    }
    assert {code: (RULES[code].name, RULES[code].severity_text) for code in FRAMEWORK} \
        == expected
    assert not any(RULES[code].blocking or RULES[code].fixed for code in FRAMEWORK)
    assert {RULES[code].example_format for code in RULES} == set(SUFFIXES)


def lint_example(tmp_path: Path, code: Code, which: str) -> list[Diagnostic]:
    rule = RULES[code]
    name = f"config{SUFFIXES[rule.example_format]}"
    return lint_file(tmp_path, getattr(rule, which) + "\n", name=name)


@pytest.mark.parametrize("code", FRAMEWORK)
def test_framework_bad_example_fires(tmp_path: Path, code: Code) -> None:
    if code == Code.WU310:
        pytest.importorskip("torch")  # the Lightning reader steps the real torch class
    assert code in codes_of(lint_example(tmp_path, code, "bad"))


@pytest.mark.parametrize("code", FRAMEWORK)
def test_framework_good_example_is_clean(tmp_path: Path, code: Code) -> None:
    if code == Code.WU310:
        pytest.importorskip("torch")
    found = lint_example(tmp_path, code, "good")
    allowed = EXPECTED_NOTES.get(code, set())
    assert [d for d in found if d.code not in allowed or d.severity is not Severity.NOTE] == []


def test_framework_examples_are_what_the_docs_say(tmp_path: Path) -> None:
    # The two scaled rules: the documented examples show a warning and an error.
    zero = only_code(lint_example(tmp_path, Code.WU302, "bad"), Code.WU302)
    assert zero.severity is Severity.WARNING
    hit = only_code(lint_example(tmp_path, Code.WU308, "bad"), Code.WU308)
    assert hit.severity is Severity.ERROR and "not a transformers SchedulerType" in hit.message
    # WU301 replaces the generic WU108 on the same schedule.
    assert codes_of(lint_example(tmp_path, Code.WU301, "bad")) == [Code.WU301]


def test_selectors_expand_codes_prefixes_slugs_and_all() -> None:
    assert expand_selectors(["WU105"]) == {Code.WU105}
    assert expand_selectors(["staircase-warmup"]) == {Code.WU105}
    assert expand_selectors(["WU0"]) == {Code.WU001, Code.WU002, Code.WU003}
    assert expand_selectors(["WU3"]) == set(FRAMEWORK)
    assert expand_selectors(["gap-between-phases"]) == {Code.WU309}
    assert expand_selectors(["wu10"]) == {Code(f"WU10{i}") for i in range(1, 10)}
    assert expand_selectors(["ALL"]) == set(RULES)
    assert find_rule("ZERO-LR-START") is RULES[Code.WU101]
    assert find_rule("wu101") is RULES[Code.WU101]
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
    hit = only_code(found, Code.WU101)
    assert hit.severity is severity
    assert f"1 of {warmup:,} warmup updates ({share})" in hit.message
    assert "the first update gets LR 0" in hit.message


def test_zero_start_counts_every_leading_zero(tmp_path: Path) -> None:
    hit = only_code(lint_arg("lambda e: 0 if e < 3 else min(1.0, (e - 2) / 7)"), Code.WU101)
    assert "the first 3 updates get LR 0 (factor 0 at steps 0-2)" in hit.message
    assert "3 of 9 warmup updates" in hit.message


def test_zero_start_counts_zeros_beyond_the_dense_prefix_exactly(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'max_steps: 200000\n'
                                'lr_lambda: "lambda s: 0 if s < 12345 else min(1.0, s / 20000)"\n')
    assert "the first 12,345 updates get LR 0" in only_code(found, Code.WU101).message


def test_all_zero_schedule_is_an_error() -> None:
    hit = only_code(lint_arg("lambda e: 0 * e"), Code.WU101)
    assert hit.severity is Severity.ERROR
    assert "every update" in hit.message


def test_warmups_starting_above_zero_are_clean() -> None:
    assert lint_arg("linear:4") == []
    assert lint_arg("lambda e: min(1.0, (e + 1) / 4)") == []


# --- WU102 uncapped-factor ----------------------------------------------------------------

def test_uncapped_says_where_it_passes_one_and_how_large_it_gets(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'lr: 0.1\nepochs: 10\nlr_lambda: "lambda e: e / 4"\n')
    message = only_code(found, Code.WU102).message
    assert "passes 1 at step 5" in message  # f(4) = 1.0 exactly, f(5) = 1.25
    assert "2.25 at step 9" in message
    assert "epochs = 10 at line 2" in message
    assert "LR 0.225 with base LR 0.1" in message


def test_capped_or_decaying_factors_above_one_are_not_uncapped() -> None:
    assert Code.WU102 not in codes_of(lint_arg("lambda e: min(2.0, (e + 1) / 4)"))
    assert Code.WU102 not in codes_of(lint_arg("lambda e: 2.0 * 0.9 ** e"))


# --- WU103 evaluation-error ----------------------------------------------------------------

def test_noam_at_step_zero_is_located_at_the_failing_operator() -> None:
    text = "lambda s: 512 ** -0.5 * min(s ** -0.5, s * 4000 ** -1.5)"
    found = lint_arg(text)
    assert codes_of(found) == [Code.WU103]  # the other checks need a whole trace
    hit = found[0]
    assert "ZeroDivisionError at step 0" in hit.message
    assert hit.start.column == text.index("s ** -0.5") + 3  # the `**` of s ** -0.5, 1-based


@pytest.mark.parametrize(("text", "expected"), [
    ("lambda s: 1 / (s - 5)", "ZeroDivisionError at step 5"),
    ("lambda s: math.log(s)", "ValueError at step 0"),
    ("lambda s: math.inf", "returned inf at step 0"),
])
def test_raising_or_non_finite_factors(text: str, expected: str) -> None:
    assert expected in only_code(lint_arg(text), Code.WU103).message


# --- WU104 negative-factor ------------------------------------------------------------------

def test_negative_factor_names_the_first_negative_step_exactly(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'max_steps: 100000\nlr_lambda: "lambda s: 1 - s / 60000"\n')
    message = only_code(found, Code.WU104).message
    assert "negative at step 60,001" in message  # between two sparse samples: bisected
    assert "reaches -0.66665" in message


# --- WU105 staircase-warmup ---------------------------------------------------------------

def test_staircase_is_located_at_the_floor_division_inside_the_string(tmp_path: Path) -> None:
    line = '  lr_lambda: "lambda epoch: min(epoch // 4, 1)"'
    found = lint_file(tmp_path, f"epochs: 20\nscheduler:\n{line}\n")
    hit = only_code(found, Code.WU105)
    assert (hit.start.line, hit.start.column) == (3, line.index("//") + 1)
    assert "holds 0.0 for steps 0-3, then jumps to 1.0 at step 4" in hit.message


def test_staircase_of_int_is_located_at_the_call() -> None:
    text = "lambda e: int(e / 3) / 4 if e < 12 else 1.0"
    hit = only_code(lint_arg(text), Code.WU105)
    assert hit.start.column == text.index("int(") + 1
    assert "`int()`" in hit.message


def test_step_decay_by_floor_division_is_not_a_staircase_warmup() -> None:
    assert lint_arg("lambda e: min(1.0, (e + 1) / 5) * 0.1 ** (e // 30)") == []


# --- WU106 first-step-spike ---------------------------------------------------------------

def test_spike_at_step_zero() -> None:
    hit = only_code(lint_arg("lambda s: 1 if s == 0 else min(1.0, s / 100)"), Code.WU106)
    assert "step 0 gets factor 1.0 but step 1 gets 0.01 (100x lower)" in hit.message
    # the drop from step 0 to 1 is the spike's, not a non-monotonic warmup's
    assert Code.WU110 not in codes_of(lint_arg("lambda s: 0.5 if s == 0 else min(1.0, s / 100)"))


def test_a_plain_decay_is_not_a_spike() -> None:
    assert Code.WU106 not in codes_of(lint_arg("lambda e: 0.05 ** e"))


# --- WU107 abrupt-jump --------------------------------------------------------------------

def test_constant_warmup_spec_jumps_at_its_end() -> None:
    hit = only_code(lint_arg("constant-warmup:5,factor=0.1"), Code.WU107)
    assert "jumps from 0.1 to 1.0 (10x) between steps 4 and 5 at the end of the warmup" \
        in hit.message


def test_jump_between_sparse_samples_is_found_exactly(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'max_steps: 100000\n'
                                'lr_lambda: "lambda s: 0.1 if s < 54321 else 1.0"\n')
    assert "between steps 54,320 and 54,321" in only_code(found, Code.WU107).message


def test_jump_ratio_is_configurable() -> None:
    text = "lambda e: 0.1 if e < 5 else 1.0"
    assert Code.WU107 in codes_of(lint_arg(text))
    assert Code.WU107 not in codes_of(lint_arg(text, Settings(max_jump_ratio=20.0)))


@pytest.mark.parametrize("text", [
    "lambda e: min(1.0, (e + 1) / 2)",  # 0.5 -> 1: a short ramp, not a jump
    "lambda s: min(1.0, 0.001 + 0.999 * s / 10)",  # 0.001 -> 0.1: big ratio, small step
    "lambda s: min(1.0, ((s + 1) / 50) ** 2)",
])
def test_ramps_are_not_jumps(text: str) -> None:
    assert Code.WU107 not in codes_of(lint_arg(text))


# --- WU108 peak-not-reached / WU109 long-warmup -------------------------------------------

def test_warmup_longer_than_the_run(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'train:\n  max_steps: 100\n  warmup: "linear:200"\n')
    message = only_code(found, Code.WU108).message
    assert "the warmup lasts 200 updates but the run (max_steps = 100 at line 2) has 100" \
        in message
    assert "only reaches 0.5 of its peak" in message


def test_peak_not_reached_needs_a_known_run_length() -> None:
    text = "lambda s: min(1.0, (s + 1) / 5000)"
    assert lint_arg(text) == []  # the default horizon is a guess, not a run
    assert Code.WU108 in codes_of(lint_arg(text, Settings(horizon=1000)))


def test_long_warmup_share_is_configurable(tmp_path: Path) -> None:
    text = 'max_steps: 100\nwarmup: "linear:40 > cosine:60"\n'
    assert "the warmup takes 40 of the 100 updates" in only_code(lint_file(tmp_path, text),
                                                            Code.WU109).message
    assert lint_file(tmp_path, text, settings=Settings(max_warmup_share=0.5)) == []


# --- WU110 non-monotonic-warmup -------------------------------------------------------------

def test_dip_before_the_peak() -> None:
    hit = only_code(lint_arg("lambda e: (e + 1) / 10 if e < 9 else min(1.0, (e + 1) / 20)"),
                    Code.WU110)
    assert "drops from 0.9 to 0.5 at step 9" in hit.message
    assert "peak (1.0 at step 19)" in hit.message


def test_decay_after_the_peak_is_not_a_dip() -> None:
    assert lint_arg("linear:10 > cosine:90") == []
