"""The reader kit: typed value access, the plan builder and the WU301/WU302 checks."""

from __future__ import annotations

import pytest

from warmup_cli.configs.document import Document, load_document
from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reading,
    StopReading,
    Yaml11Note,
    plan,
    warmup_vs_run,
    zero_lr_start,
    zero_share_severity,
    zero_share_severity_lowered,
)
from warmup_cli.vocab import Code, Severity, Unit


def reading(text: str, name: str = "c.yaml", *, hydra: bool = False, auto: str | None = None,
            yaml11: Yaml11Note | None = None, stop: bool = False) -> tuple[Document, Reading]:
    doc = load_document(name, text=text)
    out = FrameworkSchedule("test", "s", doc.root, None)
    return doc, Reading(doc, out, hydra=hydra, auto=auto, yaml11=yaml11, stop=stop)


def test_missing_and_null_values_give_the_default_unless_null_is_refused() -> None:
    doc, ctx = reading("a: null\n")
    assert ctx.number(doc.root, "absent", 3) == 3
    assert ctx.number(doc.root, "a", 3) == 3
    assert not ctx.failed
    assert ctx.number(doc.root, "a", 3, null=False) == 3
    assert ctx.failed and ctx.out.unresolved[0][1] == "a is None, not a number"


def test_a_rejected_value_is_a_wu308_error_at_its_node() -> None:
    doc, ctx = reading("x: 1\nlr: abc\nflag: 1\n")
    assert ctx.number(doc.root, "lr", 0.1, label="optimizer.lr") == 0.1
    assert ctx.flag(doc.root, "flag", False) is False
    (lr, flag) = ctx.out.findings
    assert (lr.code, lr.severity, lr.message) == (Code.WU308, Severity.ERROR,
                                                  "optimizer.lr is 'abc', not a number")
    assert lr.node is not None and lr.node.location == (2, 1)
    assert flag.message == "flag is 1, not true/false"
    assert [why for _, why in ctx.out.unresolved] == [lr.message, flag.message]


def test_bools_are_not_numbers_and_yaml11_strings_are_with_the_readers_note() -> None:
    doc, ctx = reading("lr: 2e-5\non: true\n",
                       yaml11=lambda label, node, number: f"{label}: {node.value} as {number}")
    assert ctx.number(doc.root, "lr", None) == 2e-5
    assert ctx.out.notes == ["lr: 2e-5 as 2e-05"]
    assert ctx.number(doc.root, "on", None) is None and ctx.failed


def test_interpolations_and_auto_are_unresolved_only_where_the_reader_says_so() -> None:
    text = 'a: "${optim.lr}"\nb: "???"\nc: auto\n'
    doc, plain = reading(text)
    assert plain.number(doc.root, "a", None) is None
    assert plain.out.findings[0].severity is Severity.ERROR  # just a string that is no number
    doc, ctx = reading(text, hydra=True, auto="set by the launcher")
    for key in "abc":
        assert ctx.number(doc.root, key, 1.0) == 1.0
    reasons = [why for _, why in ctx.out.unresolved]
    assert "Hydra interpolation" in reasons[0] and "`???`" in reasons[1]
    assert reasons[2] == "set by the launcher"
    (auto,) = ctx.out.findings  # only "auto" is also a note of its own
    assert (auto.code, auto.severity, auto.message) == (
        Code.WU308, Severity.NOTE, 'c is "auto": set by the launcher')


def test_python_expressions_are_unresolved_with_their_source() -> None:
    doc, ctx = reading("lr = base * 2\n", name="c.py")
    assert ctx.number(doc.root, "lr", None) is None
    ((_, why),) = ctx.out.unresolved
    assert why.startswith("lr: `base * 2`") and ctx.out.findings == []


def test_counts_bounds_choices_and_lists() -> None:
    doc, ctx = reading("w: 5.0\nn: 0\nk: cos\nsteps: (10, 20)\nlr: 0.1\n")
    assert ctx.count(doc.root, "w", 1) == 5
    assert ctx.count(doc.root, "w", 1, whole_floats=False) == 1
    assert ctx.count(doc.root, "n", 1, low=1, consequence="it divides by it") == 1
    assert ctx.choice(doc.root, "k", "linear", ("linear", "cosine")) == "linear"
    assert ctx.numbers(doc.root, "steps", None) == [10, 20]
    assert ctx.numbers(doc.root, "lr", None, scalar=True) == [0.1]
    assert [why for _, why in ctx.out.unresolved] == [
        "w must be an integer >= 0, got 5.0", "n must be a positive integer, got 0 "
        "(it divides by it)", "k 'cos' is not one of linear, cosine"]


def test_like_types_a_value_like_its_default() -> None:
    doc, ctx = reading("a: 3\nb: 2.0\nc: (1, 2)\nd: x\ne: true\nf: 2.5\n")
    got = [ctx.like(doc.root, key, default) for key, default in
           (("a", 1.0), ("b", 1), ("c", (5,)), ("d", "y"), ("e", False))]
    assert got == [3, 2, (1, 2), "x", True] and not ctx.failed
    assert ctx.like(doc.root, "b", 1, whole_floats=False, consequence="yacs requires one") == 1
    assert ctx.like(doc.root, "f", 7) == 7
    assert [why for _, why in ctx.out.unresolved] == [
        "b is 2.0, not an integer (yacs requires one)", "f is 2.5, not an integer"]


def test_stop_mode_raises_after_recording() -> None:
    doc, ctx = reading("lr: abc\n", stop=True)
    with pytest.raises(StopReading):
        ctx.number(doc.root, "lr", 1.0)
    assert len(ctx.out.unresolved) == 1 and len(ctx.out.findings) == 1
    doc, lax = reading("a: 1\n")
    lax.missing(doc.root, "the optimizer lr is not here")
    assert not lax.failed
    with pytest.raises(StopReading):
        lax.fail(doc.root, "cannot", rejected=True)
    assert lax.failed and lax.out.findings[0].severity is Severity.ERROR


def test_plan_and_the_two_warmup_checks() -> None:
    doc, ctx = reading("a: 1\n")
    out = ctx.out

    def fn(k: int) -> float:
        return min(k, 4) / 4

    built = plan(out, fn, 0.5, Unit.STEP, "test linear", "test linear(warmup=4)", warmup=4,
                 total=4, phases=[(0, "warmup")], source="test")
    assert out.plan is built and built.base_lrs == (0.5,) and built.unit == "step"
    assert built.lrs(2) == (0.5 * fn(2),)
    assert warmup_vs_run(out, 4, 4, doc.root, None, Unit.STEP)
    assert not warmup_vs_run(out, 4, 4, doc.root, None, Unit.STEP, longer_only=True)
    assert not warmup_vs_run(out, 3, 4, doc.root, None, Unit.STEP)
    assert zero_lr_start(out, fn, 4, None, Unit.STEP, why="it starts at 0") == 1
    wu301, wu302 = out.findings
    assert wu301.message == ("the warmup (4 steps) is as long as the run (4 steps): the LR "
                             "never reaches its peak") and wu301.severity is None
    assert wu302.message == ("the first step runs at LR 0, 1 of the 4 warmup steps (25.0%): "
                             "it starts at 0")
    assert wu302.severity is Severity.ERROR and wu302.node is out.node


@pytest.mark.parametrize(("zeros", "warmup", "generic", "lowered"), [
    (1, 4, Severity.ERROR, Severity.WARNING),
    (1, 100, Severity.WARNING, Severity.NOTE),
    (1, 1000, Severity.NOTE, Severity.NOTE),
])
def test_zero_share_severity_policies(zeros: int, warmup: int, generic: Severity,
                                      lowered: Severity) -> None:
    assert zero_share_severity(zeros, warmup) is generic
    assert zero_share_severity_lowered(zeros, warmup) is lowered
