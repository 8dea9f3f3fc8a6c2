"""Spec texts: grammar-aware specs over every kind (edge values: huge, tiny, at a parameter's
bounds) and mutations of them.

Parsing never raises (a ParsedText or a located ParseError), a parsed spec evaluates to finite
numbers or an EvaluationError, its normal form (what `show --format json` and `export` print)
parses back to the same factors, and `warmup show` ends with rows or one clear error.
"""

from __future__ import annotations

import json

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.strategies import spec_texts
from tests.fuzz.support import (
    check_echoed,
    check_run,
    fuzz_target,
    guarded,
    invoke,
    run_fuzz,
    same_factor,
    violation,
)
from warmup_cli.errors import WarmupError
from warmup_cli.parse import ParsedText, ParseError, TextKind, parse_text
from warmup_cli.schedule import Plan, Schedule
from warmup_cli.series import lrs_at

FIRST_STEPS = 24


def steps_to_check(schedule: Schedule) -> list[int]:
    """The first updates, and both sides of every milestone and the schedule's length (a
    bounded number of them: a multistep may have hundreds of milestones)."""
    picked = set(range(FIRST_STEPS))
    marks = [m.step for m in schedule.milestones()][:50]
    for length in (schedule.length, schedule.warmup_length):
        if length:
            marks.append(length)
    for mark in marks:
        picked.update(s for s in (mark - 1, mark, mark + 1) if s >= 0)
    return sorted(picked)


def factors(plan: Plan, steps: list[int]) -> list[tuple[int, object]]:
    """``(step, factor)``, or ``(step, the error's class)`` where the schedule fails."""
    found: list[tuple[int, object]] = []
    for step in steps:
        try:
            found.append((step, lrs_at(plan, step)[0]))
        except WarmupError as error:
            found.append((step, type(error)))
    return found


@fuzz_target
@given(spec_texts())
def parse_and_evaluate(text: str) -> None:
    outcome = guarded(lambda: parse_text(text), ())
    if outcome.known:
        return
    parsed = outcome.value
    assert isinstance(parsed, ParsedText | ParseError), parsed
    if isinstance(parsed, ParseError):
        event("refused")
        error = parsed.error
        assert error.message, text
        if error.column is not None and error.source is not None:
            assert 0 <= error.column <= len(error.source), (text, error.column)
        return
    event(f"parsed as {parsed.kind}")
    plan = Plan(parsed.schedule, parsed.base_lrs or (1.0,), text)
    steps = steps_to_check(parsed.schedule)
    evaluated = guarded(lambda: factors(plan, steps), ())
    if evaluated.known or parsed.kind is not TextKind.SPEC:
        return
    # The normal form parses back to a schedule with the very same factors.
    normal = guarded(lambda: parsed.schedule.to_spec(), ())
    if normal.known:
        return
    again = guarded(lambda: parse_text(normal.value), ())
    if again.known:
        return
    assert isinstance(again.value, ParsedText), (text, normal.value, again.value)
    replot = Plan(again.value.schedule, plan.base_lrs, normal.value)
    ours = guarded(lambda: factors(replot, steps), ())
    if ours.known:
        return
    for (step, first), (_, second) in zip(evaluated.value, ours.value, strict=True):
        if not same_factor(first, second):
            violation("normal-form", f"{text!r} prints as {normal.value!r}, whose factor at "
                                     f"step {step} is {second!r}, not {first!r}")
            return


def test_spec_texts_parse_or_refuse_and_evaluate() -> None:
    run_fuzz(parse_and_evaluate)


@fuzz_target
@given(spec_texts(), st.integers(1, 30), st.sampled_from(("csv", "json", "table", "markdown")),
       st.sampled_from(("-n", "--steps")))
def show_spec(text: str, count: int, fmt: str, unit: str) -> None:
    args = ["show", text, unit, str(count), "--format", fmt, "--color", "never"]
    run = invoke(args)
    if not check_run(run, args, frozenset({0, 2})) or run.exit_code != 0:
        return
    if fmt == "json":
        document = json.loads(run.stdout)
        assert len(document["rows"]) == count, (args, run.stdout)
    elif fmt == "table":
        check_echoed(text, run.stdout)


def test_show_any_spec_gives_rows_or_one_error() -> None:
    run_fuzz(show_spec)
