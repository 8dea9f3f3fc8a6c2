"""The lint's view of a schedule: the very factor function LambdaLR is given, sampled so that
long runs stay cheap while crossings and jumps between samples are still found exactly."""

from __future__ import annotations

import pytest

from warmup_cli.lint.trace import DENSE_PREFIX, SPARSE_POINTS, build_trace, profile
from warmup_cli.parse import parse_schedule_text
from warmup_cli.schedule import FunctionSchedule, Schedule


def schedule_of(text: str) -> Schedule:
    return parse_schedule_text(text).schedule


def counting(fn: object) -> tuple[FunctionSchedule, list[int]]:
    calls: list[int] = []

    def wrapped(step: int) -> float:
        calls.append(step)
        return fn(step)  # type: ignore[operator, no-any-return]

    return FunctionSchedule(fn=wrapped, label="counted", spec="counted"), calls


def test_short_runs_are_evaluated_at_every_step() -> None:
    trace = build_trace(schedule_of("lambda e: min(1.0, (e + 1) / 4)"), 300)
    assert trace.steps == list(range(300))
    assert trace.values[:5] == [0.25, 0.5, 0.75, 1.0, 1.0]


def test_long_runs_cost_a_bounded_number_of_evaluations() -> None:
    schedule, calls = counting(lambda s: min(1.0, (s + 1) / 2000))
    trace = build_trace(schedule, 10**9)
    assert trace.steps[:DENSE_PREFIX] == list(range(DENSE_PREFIX))
    assert trace.steps[-1] == 10**9 - 1
    assert len(calls) <= DENSE_PREFIX + SPARSE_POINTS + 2
    before = len(calls)
    shape = profile(trace)
    assert shape.peak_step == 1999  # found between two samples by bisection
    assert len(calls) - before < 40


def test_milestones_and_their_neighbours_are_always_sampled() -> None:
    trace = build_trace(schedule_of("linear:70000 > cosine:930000"), 1_000_000)
    assert {69_999, 70_000, 70_001} <= set(trace.steps)


def test_steepest_finds_one_jump_between_samples() -> None:
    schedule, _ = counting(lambda s: 0.1 if s < 777_777 else 1.0)
    trace = build_trace(schedule, 2_000_000)
    index = next(i for i, v in enumerate(trace.values) if v == 1.0)
    assert trace.steepest(index) == (777_777, 0.1, 1.0)


def test_evaluation_stops_at_the_first_failure_with_its_step() -> None:
    trace = build_trace(schedule_of("lambda s: 1 / (s - 7)"), 100)
    assert trace.failure is not None and trace.failure.step == 7
    assert trace.steps == list(range(7))


def test_a_failure_outside_the_fast_path_is_still_named() -> None:
    # A plain Python function (a framework's formula) that returns a non-number.
    schedule, _ = counting(lambda s: "oops" if s == 3 else 1.0)
    trace = build_trace(schedule, 10)
    assert trace.failure is not None and trace.failure.step == 3
    assert "not a finite number" in trace.failure.message


@pytest.mark.parametrize(("text", "base", "steps"), [
    ("lambda epoch: min(epoch / 4, 1.0)", 0.1, 12),
    ("lambda epoch: 0.95 ** epoch", 0.01, 30),
    ("linear:5 > cosine:20,floor=0.1", 3e-4, 30),
    ("lambda s: 512 ** -0.5 * min((s + 1) ** -0.5, (s + 1) * 40 ** -1.5)", 1.0, 100),
    ("lambda epoch: min(epoch // 4, 1)", 0.5, 10),
])
def test_the_lints_view_agrees_with_a_real_lambdalr(text: str, base: float, steps: int) -> None:
    torch = pytest.importorskip("torch")
    trace = build_trace(schedule_of(text), steps)
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=base)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=trace.fn)
    seen = []
    for _ in range(steps):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert trace.steps == list(range(steps))
    assert seen == [base * value for value in trace.values]
    # What WU101 counts as LR-0 updates is what torch applies to the first updates.
    zeros = profile(trace).leading_zeros
    assert all(lr == 0 for lr in seen[:zeros]) and (zeros == steps or seen[zeros] > 0)
