"""The spec grammar: valid specs build the right schedule, invalid ones point at the mistake."""

from __future__ import annotations

import math
import re

import pytest

from warmup_cli.errors import SpecError
from warmup_cli.kinds import KINDS, untuned_exp_period, untuned_linear_period
from warmup_cli.schedule import Join, Product
from warmup_cli.spec import parse_spec


def test_design_example_is_linear_warmup_to_base() -> None:
    parsed = parse_spec("linear:4,base=0.1")
    assert parsed.base_lrs == (0.1,)
    factors = [parsed.schedule(e) for e in range(8)]
    assert factors == [min((e + 1) / 4, 1) for e in range(8)]
    assert factors[0] > 0  # the first update is never at LR 0
    assert 0.1 * factors[3] == 0.1


def test_join_counts_steps_from_each_phase_start() -> None:
    schedule = parse_spec("linear:10 > cosine:90,floor=0.1").schedule
    assert isinstance(schedule, Join)
    assert schedule.starts == (0, 10)
    for t in range(0, 120):
        if t < 10:
            expected = min(1.0, (t + 1) / 10)
        else:
            progress = min(t - 10, 90) / 90
            expected = 0.1 + (1.0 - 0.1) * 0.5 * (1.0 + math.cos(math.pi * progress))
        assert schedule(t) == expected
    assert schedule.warmup_length == 10
    assert schedule.length == 100
    assert schedule.phase_at(9) == "linear warmup"
    assert schedule.phase_at(10) == "cosine"


def test_product_multiplies_at_global_steps() -> None:
    schedule = parse_spec("exp:50 * step:30,gamma=0.5").schedule
    assert isinstance(schedule, Product)
    for t in (0, 1, 29, 30, 31, 100):
        assert schedule(t) == (1.0 - math.exp(-(t + 1) / 50.0)) * 0.5 ** (t // 30)


def test_several_base_lrs_and_whitespace() -> None:
    parsed = parse_spec("  linear : 4 , base = [0.1, 0.01] > cosine:10 ")
    assert parsed.base_lrs == (0.1, 0.01)


def test_parentheses_group_a_join_inside_a_product() -> None:
    schedule = parse_spec("(linear:5 > constant) * exponential:0.9").schedule
    assert schedule(2) == min(1.0, 3 / 5) * 0.9**2


def test_untuned_periods_match_pytorch_warmup_arithmetic() -> None:
    assert untuned_linear_period(0.999) == 1999
    assert untuned_exp_period(0.999) == 999
    schedule = parse_spec("untuned-linear").schedule
    assert schedule.length == 1999
    assert schedule(0) == 1 / 1999


def test_noam_peak_matches_vaswani() -> None:
    schedule = parse_spec("noam:4000,d_model=512").schedule
    values = [schedule(t) for t in range(10_000)]
    peak = max(values)
    assert values.index(peak) == 3999  # update number 4000
    # the kind's formula at s = 4000: scale * d_model^-0.5 * min(s^-0.5, s * warmup^-1.5)
    assert peak == 1.0 * 512**-0.5 * min(4000**-0.5, 4000 * 4000**-1.5)
    assert f"{peak:.4g}" == "0.0006988"


def test_inv_sqrt_timescale_defaults_to_the_warmup() -> None:
    schedule = parse_spec("linear:100 > inv-sqrt").schedule
    assert schedule.to_spec() == "linear:100 > inv-sqrt:100"
    assert schedule(100 + 300) == 1.0 / math.sqrt((300 + 100) / 100)
    assert parse_spec("inv-sqrt").schedule.to_spec() == "inv-sqrt:10000"


@pytest.mark.parametrize(
    "spec",
    [
        "linear:4",
        "linear:500 > cosine:9500,floor=0.1",
        "exp:100.0 * cosine:1000",
        "linear:10 > wsd:100,20,shape=cosine",
        "constant-warmup:5,factor=0.2 > multistep:[30,60],gamma=0.5",
        "(linear:5 > constant) * exponential:0.9",
        "radam * step:30",
    ],
)
def test_normalized_spec_round_trips(spec: str) -> None:
    first = parse_spec(spec).schedule
    again = parse_spec(first.to_spec()).schedule
    assert again.to_spec() == first.to_spec()
    assert [again(t) for t in range(0, 200, 7)] == [first(t) for t in range(0, 200, 7)]


def test_every_kind_builds_with_its_defaults() -> None:
    examples = {"multistep": "multistep:[3,6]", "wsd": "wsd:5,5", "exponential": "exponential:0.9"}
    for name, kind in KINDS.items():
        required = [p for p in kind.params if p.required]
        spec = examples.get(name) or name + (":" + ",".join("3" for _ in required) if required
                                             else "")
        schedule = parse_spec(spec).schedule
        for t in range(20):
            value = schedule(t)
            assert math.isfinite(value) and value >= 0, (spec, t, value)


@pytest.mark.parametrize(
    ("spec", "message", "column", "hint"),
    [
        ("linaer:4", "unknown schedule kind 'linaer'", 0, "did you mean the kind 'linear'?"),
        ("linear:4,bse=0.1", "linear has no option 'bse'", 9, "did you mean the option 'base'?"),
        ("linear:4 > cosin:10", "unknown schedule kind 'cosin'", 11, "'cosine'"),
        ("linear", "linear needs period", 0, "linear:N"),
        ("linear:4.5", "linear period must be a whole number, not 4.5", 7, None),
        ("linear:0", "linear period must be >= 1, not 0", 7, None),
        ("cosine:10,floor=x", "cosine floor must be a number, not 'x'", 16, None),
        ("exp:10 > cosine:5", "exp warmup never ends", 0, "len=N"),
        ("linear:4,,", "expected an argument but found ','", 9, None),
        ("linear:4 $", "unexpected character '$'", 9, None),
        ("linear:4 cosine:3", "unexpected 'cosine'", 9, "'>'"),
        ("linear:period=3,4", "period is given twice", 16, None),
        ("wsd:1,2,shape=cosin", "wsd shape must be one of linear, cosine, sqrt", 14, "'cosine'"),
        ("multistep:[3,1]", "milestones must be in increasing order", 10, None),
        ("linear:4,base=0.1,base=0.2", "base is given twice", 18, None),
        ("linear:4,base=-1", "base learning rates must be finite and not negative", 14, None),
        ("(linear:4", "expected ')'", 9, None),
        ("untuned-linear:beta2=0.5", "must be > 0.6", 21, None),
        ("", "the spec is empty", None, None),
    ],
)
def test_invalid_specs_point_at_the_mistake(spec: str, message: str, column: int | None,
                                            hint: str | None) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(spec)
    error = caught.value
    assert message in error.message
    assert error.column == column
    assert error.exit_code == 2
    if hint:
        assert error.hint and hint in error.hint
    if column is not None:
        caret_line = error.render().splitlines()[2]
        assert caret_line.index("^") - 2 == column


def test_spec_length_is_bounded() -> None:
    with pytest.raises(SpecError, match="limit is 2000"):
        parse_spec("linear:4 > " * 300 + "constant")


def readme_kind_rows() -> dict[str, list[str]]:
    """The README's kinds table: name -> its cells (role, formula, parameters)."""
    from tests.conftest import ROOT

    rows: dict[str, list[str]] = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        match = re.match(r"\| `([a-z0-9-]+)`(?: \(alias(?:es)? [^)]*\))? \|(.*)\|$", line)
        if match and match.group(1) in KINDS:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def test_readme_documents_every_kind_and_the_grammar() -> None:
    from tests.conftest import ROOT

    rows = readme_kind_rows()
    assert list(rows) == list(KINDS)
    for name, kind in KINDS.items():
        role, _formula, parameters = rows[name]
        assert role == kind.role, name
        # Every parameter by its own name, positional ones as <name>, and nothing else.
        items = re.split(r", (?![^\[]*\])", parameters)  # not inside a [list] default
        documented = [item.split("=")[0].strip("`<>") for item in items]
        assert documented == [p.name for p in kind.params], (name, parameters)
        for param in kind.params:
            if param.name in kind.positional:
                assert f"`<{param.name}>`" in parameters, (name, param.name)
    assert "sequence = product" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("step / 4", "lambda"),  # starts with the kind name `step`, but is an expression
        ("exp(-t / 5)", "lambda"),
        ("step * 2", "lambda"),
        ("step:3,gamma=0.5", "step"),
        ("constant", "constant"),
    ],
)
def test_texts_that_start_with_a_kind_name(text: str, kind: str) -> None:
    from warmup_cli.parse import parse_schedule_text

    assert parse_schedule_text(text).schedule.phase_at(0) == kind


@pytest.mark.parametrize("text", ["cosine", "exponential", "linear * cosine"])
def test_a_lone_kind_without_arguments_is_a_spec_error(text: str) -> None:
    from warmup_cli.parse import parse_schedule_text

    with pytest.raises(SpecError, match="needs"):
        parse_schedule_text(text)
