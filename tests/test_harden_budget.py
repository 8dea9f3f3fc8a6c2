"""Issue 14, must-fix 3: every budget is checked while a file is parsed or its schedules are
evaluated, and a file past one is refused with a located WU001 that names the budget.

Small budgets are passed as parameters (:class:`Limits`) so that each hostile input stays
small; a few tests use the real defaults on inputs just past them. No test measures time.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.configs_support import error_of, headline
from tests.conftest import lint_file, only_code
from warmup_cli.configs import json_loader
from warmup_cli.configs.document import load_document
from warmup_cli.configs.extract import find_texts
from warmup_cli.configs.text import (
    LIMITS,
    MAX_ALIASES,
    MAX_PYTHON_TOKENS,
    MAX_SCHEDULES,
    MAX_TOKENS,
    Limits,
    Lines,
    count_tokens,
)
from warmup_cli.lint import engine
from warmup_cli.lint.settings import Settings
from warmup_cli.lint.trace import build_trace, call_units
from warmup_cli.vocab import Severity

# --- the token budget: checked before the YAML, TOML and Python parsers run ------------------


def test_tokens_are_words_and_runs_of_one_mark() -> None:
    assert count_tokens("a: [1, 2.5]  # x") == 11  # a : [ 1 , 2 . 5 ] # x
    assert count_tokens("#" * 256) == 1
    assert count_tokens("#" * 10_000) == 40  # runs of at most 256
    assert count_tokens("") == 0


@pytest.mark.parametrize("name, text", [
    ("x.yaml", "x: [" + ",".join(["1"] * 30) + "]\n"),
    ("x.toml", "x = [" + ",".join(["1"] * 30) + "]\n"),
])
def test_a_yaml_or_toml_file_past_the_token_budget_is_refused_before_parsing(
        name: str, text: str) -> None:
    err = error_of(name, text=text, limits=Limits(max_tokens=40))
    assert "more than 40 tokens (the token budget of YAML and TOML files)" in err.message
    # x : [ (or x = [) then 1 , 1 , ...: the 41st token is the 19th ",", 38 tokens after "["
    assert (err.line, err.column) == (1, text.index("[") + 1 + 38)


def test_a_python_file_past_its_token_budget_is_refused_before_ast_parse(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parse(*args: object, **kwargs: object) -> object:
        raise AssertionError("ast.parse ran")

    monkeypatch.setattr(ast, "parse", no_parse)  # the module python_loader calls
    text = "x = 1\ny = " + " + ".join(["1"] * 50) + "\n"
    err = error_of("x.py", text=text, limits=Limits(max_python_tokens=20))
    assert "more than 20 tokens (the token budget of Python files)" in err.message
    assert err.line == 2


def test_json_has_no_token_budget_but_its_scanner_counts_values() -> None:
    text = "[" + ",".join(["1"] * 30) + "]"
    assert load_document("x.json", text=text, limits=Limits(max_tokens=5)).root.as_sequence()


def test_the_default_token_budget_is_a_located_wu001(tmp_path: Path) -> None:
    text = "x = [" + ",".join(["1"] * (MAX_TOKENS // 2 + 1)) + "]\n"  # a 2.4M-element array
    hit = only_code(lint_file(tmp_path, text, "big.toml"), "WU001")
    assert hit.start.line == 1 and hit.start.column > 1
    assert f"more than {MAX_TOKENS:,} tokens (the token budget" in hit.message


def test_the_default_python_token_budget_is_a_located_wu001(tmp_path: Path) -> None:
    text = "x = " + "+".join(["1"] * (MAX_PYTHON_TOKENS // 2 + 1)) + "\n"  # the 2.4M-term sum
    hit = only_code(lint_file(tmp_path, text, "sum.py"), "WU001")
    assert f"more than {MAX_PYTHON_TOKENS:,} tokens (the token budget of Python" in hit.message
    assert (hit.start.line, hit.start.column) == (1, MAX_PYTHON_TOKENS + 3)  # "x = " first


# --- the node budget: counted while the JSON and TOML position scanners run ------------------


def _no_build(*args: object, **kwargs: object) -> object:
    raise AssertionError("the tree was built")


def test_json_values_are_counted_while_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_loader, "_build", _no_build)
    text = "[" + ",".join(str(i) for i in range(20)) + "]"
    err = error_of("x.json", text=text, limits=Limits(max_nodes=10))
    assert headline(err).startswith(f"x.json:1:{text.index('9') + 1}: more than 10 values "
                                    "(the node budget)")


def test_toml_values_are_counted_before_tomllib_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tomllib(text: str) -> object:
        raise AssertionError("tomllib ran")

    monkeypatch.setattr(tomllib, "loads", no_tomllib)
    text = "x = [" + ",".join(str(i) for i in range(20)) + "]\n"
    err = error_of("x.toml", text=text, limits=Limits(max_nodes=10))
    assert "more than 10 values (the node budget)" in err.message
    assert (err.line, err.column) == (1, text.index("8") + 1)  # the root, x, 0..7, then 8


# --- the depth budget: the TOML scanner is linear in a dotted key ---------------------------


@pytest.mark.parametrize("text", [
    "[" + ".".join(["a"] * 3000) + "]\nx = 1\n",  # 33 s before
    ".".join(["a"] * 100_000) + " = 1\n",  # 23.5 GB before
])
def test_a_toml_key_of_too_many_parts_is_refused_at_the_first_part_too_many(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tomllib(text: str) -> object:
        raise AssertionError("tomllib ran (it is quadratic in a dotted key's parts)")

    monkeypatch.setattr(tomllib, "loads", no_tomllib)
    err = error_of("x.toml", text=text)
    part = 2 * LIMITS.max_depth + 1 + text.startswith("[")  # the column of the 65th "a"
    assert headline(err) == f"x.toml:1:{part}: nesting deeper than {LIMITS.max_depth} levels"


def test_a_toml_key_at_the_depth_budget_still_loads() -> None:
    text = ".".join(["a"] * (LIMITS.max_depth - 1)) + " = 1\n"
    node = load_document("x.toml", text=text).root
    for _ in range(LIMITS.max_depth - 1):
        child = node.get("a")
        assert child is not None
        node = child
    assert node.value == 1 and node.location == (1, 2 * LIMITS.max_depth - 3)


# --- the Python loader's columns: each line is read once, not once per node -----------------


def test_python_columns_read_each_line_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = Lines.line_text

    def counted(self: Lines, line: int) -> str:
        calls.append(line)
        return real(self, line)

    monkeypatch.setattr(Lines, "line_text", counted)
    text = "x = {" + ", ".join(f"'é{i}': {i}" for i in range(300)) + "}\n"
    doc = load_document("x.py", text=text)
    x = doc.root.get("x")
    assert x is not None
    last = x.get("é299")
    assert last is not None
    assert last.location == (1, text.index("'é299'") + 1)  # characters, not bytes
    assert last.line == 1 and last.column == text.index("299}") + 1
    assert len(calls) <= 2  # was one slice of the whole line per node (10.7 s for 1.5 MB)


# --- the alias budget -----------------------------------------------------------------------

LAUGHS = """a: &a "lambda e: min(1, (e+1)/10)"
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""  # 111,111 copies of one lambda: 59 s of checking before


def test_alias_references_are_counted_inside_expanded_copies() -> None:
    text = "a: &a [1, 2]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"  # 3 + 3 + 3 * 3 references
    assert load_document("x.yaml", text=text, limits=Limits(max_aliases=15)).root
    err = error_of("x.yaml", text=text, limits=Limits(max_aliases=10))
    assert headline(err).startswith("x.yaml:3:4: more than 10 YAML alias references to "
                                    "expand (the alias budget)")


def test_a_file_past_the_default_alias_budget_is_a_located_wu001(tmp_path: Path) -> None:
    hit = only_code(lint_file(tmp_path, LAUGHS), "WU001")
    assert (hit.start.line, hit.start.column) == (5, 4)  # &e: its copies pass the budget
    assert f"more than {MAX_ALIASES:,} YAML alias references" in hit.message


# --- the schedule budget --------------------------------------------------------------------


def _lambdas(count: int) -> str:
    return "s:\n" + "".join(f'  - "lambda e: min(1, (e + 1) / {i})"\n' for i in range(1, count + 1))


def test_find_texts_refuses_one_text_past_the_schedule_budget() -> None:
    doc = load_document("x.yaml", text=_lambdas(4))
    assert len(find_texts(doc, limits=Limits(max_schedules=4))) == 4
    with pytest.raises(Exception) as info:
        find_texts(doc, limits=Limits(max_schedules=3))
    assert str(info.value).startswith("x.yaml:5:5: more than 3 schedule texts")


def test_eval_bodies_count_towards_the_schedule_budget() -> None:
    doc = load_document("x.yaml", text="a: '${eval:1+2} ${eval:3+4} ${eval:5+6}'\n")
    with pytest.raises(Exception, match="the schedule budget"):
        find_texts(doc, limits=Limits(max_schedules=2))


def test_a_file_past_the_default_schedule_budget_is_a_located_wu001(tmp_path: Path) -> None:
    hit = only_code(lint_file(tmp_path, _lambdas(MAX_SCHEDULES + 1)), "WU001")
    assert (hit.start.line, hit.start.column) == (MAX_SCHEDULES + 2, 5)
    assert f"more than {MAX_SCHEDULES} schedule texts" in hit.message
    assert "(the schedule budget)" in hit.message


# --- check results are remembered: aliased copies are checked once ---------------------------


def test_copies_of_one_schedule_are_traced_once(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    traced: list[str] = []
    real = build_trace

    def counted(schedule: object, *args: object) -> object:
        traced.append(str(schedule))
        return real(schedule, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "build_trace", counted)
    monkeypatch.setattr(engine, "_CHECKED", type(engine._CHECKED)())
    text = ('a: &a "lambda e: 0.1 if e < 5 else 1.0"\n'
            + "".join(f"b{i}: *a\n" for i in range(100)))
    found = lint_file(tmp_path, text)
    assert len([d for d in found if d.code == "WU107"]) == 101  # every copy, at its place
    assert len({d.start for d in found if d.code == "WU107"}) == 101
    assert len(traced) == 1


def test_remembered_results_depend_on_the_settings(tmp_path: Path) -> None:
    text = 'lr_lambda: "lambda e: 0.1 if e < 5 else 1.0"\n'
    assert "WU107" in {d.code for d in lint_file(tmp_path, text)}
    lenient = Settings(max_jump_ratio=100.0)
    assert "WU107" not in {d.code for d in lint_file(tmp_path, text, settings=lenient)}


# --- the evaluation budget ------------------------------------------------------------------


def test_a_file_past_the_evaluation_budget_gets_one_located_wu001(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "LIMITS", Limits(max_evaluation_work=10_000))
    monkeypatch.setattr(engine, "_CHECKED", type(engine._CHECKED)())
    text = "".join(f's{i}: "lambda e: min(1.0, (e + 1) / {10 + i})"\n' for i in range(6))
    found = lint_file(tmp_path, text)
    hit = only_code(found, "WU001")
    assert hit.severity is Severity.ERROR
    assert hit.start.line > 1 and hit.start.column == 1  # the schedule that spent it
    assert "the evaluation budget of 10,000 operations is spent for this file" in hit.message
    assert "the ones after it in the file were not evaluated" in hit.message


def test_big_integers_cost_more_of_the_evaluation_budget() -> None:
    from warmup_cli.expr import compile_expression
    from warmup_cli.expr.closures import WorkMeter

    small, big = WorkMeter(10**9), WorkMeter(10**9)
    compile_expression("lambda e: (e + 3) * (e + 5)").metered(small)(7)
    compile_expression("lambda e: ((1 << 4000) + e) * 3 and 1").metered(big)(7)
    assert small.used == 4  # +, +, *, and the call
    # + and * give ints of about 4,001 bits: 1 + 62 units each; `and` and the call 1 each
    assert big.used == 2 * (1 + 62) + 1 + 1


def test_a_spent_budget_stops_the_trace() -> None:
    from warmup_cli.expr.closures import WorkExceeded, WorkMeter
    from warmup_cli.parse import ParsedText, parse_text

    parsed = parse_text("linear:100 > cosine:900")
    assert isinstance(parsed, ParsedText)
    meter = WorkMeter(100)
    with pytest.raises(WorkExceeded):
        build_trace(parsed.schedule, 1000, meter)
    # A join is paid for all its calls up front: refused before any of them runs.
    assert meter.used == 1000 * call_units(parsed.schedule)


# --- metering never changes a value ---------------------------------------------------------

METERED_CASES = [
    "lambda e: min(1.0, (e + 1) / 500)",
    "lambda epoch: 0.5 * (1 + math.cos(math.pi * epoch / 90)) if epoch >= 10 else epoch / 10",
    "lambda s: 0.95 ** (s // 30)",
    "lambda e: (e + 3) ** 40 % 97 / 97",
    "lambda e: float(((1 << 2000) + e) // ((1 << 1990) + 1)) / 1e300",
    "lambda e: round(e / 7, 3) - int(e / 7) + (e % 5 == 0) + max(e, 2, 3) - min(e, 9)",
    "lambda e: e and 1 / e or 0.25",
    "lambda e: 1 < e < 10",
    "lambda e: -e if e % 2 else +e",
    "lambda e: math.hypot(e, 3, 4) / (1 + abs(-e)) + pow(2, e % 9) + (e << 3) * 1e-6",
    "step / 1000",
    "0.5",
]


@pytest.mark.parametrize("text", METERED_CASES)
def test_a_metered_lambda_gives_the_same_values_and_errors(text: str) -> None:
    from warmup_cli.errors import EvaluationError
    from warmup_cli.expr import compile_expression
    from warmup_cli.expr.closures import WorkMeter

    compiled = compile_expression(text)
    meter = WorkMeter(10**12)
    metered = compiled.metered(meter)
    for step in [*range(0, 300), 10**6 + 1, 2**40, 2**62 + 7]:
        try:
            want: object = compiled(step)
        except EvaluationError as error:
            with pytest.raises(EvaluationError) as info:
                metered(step)
            assert (info.value.message, info.value.column) == (error.message, error.column)
            continue
        got = metered(step)
        assert type(got) is type(want) and (got == want or (got != got and want != want)), step
    assert meter.used > 0
