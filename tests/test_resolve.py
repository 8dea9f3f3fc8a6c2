"""One road from text to plan: ``parse.classify``/``parse_text`` and ``resolve``, and the
commands that reach a plan through them (``show``, ``compare``, ``export``)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.errors import ConfigError, ExpressionError, SpecError, WarmupError
from warmup_cli.parse import ParsedText, ParseError, TextKind, classify, parse_text
from warmup_cli.resolve import Selection, resolve
from warmup_cli.vocab import RunFacts, Unit

FIXTURES = Path(__file__).parent / "fixtures"
LAMBDA_CONFIG = FIXTURES / "show" / "lambda_config.yaml"  # lr 0.1, min((epoch + 1) / 4, 1)
TWO_LAMBDAS = FIXTURES / "show" / "two_lambdas.yaml"
HF_CONFIG = FIXTURES / "frameworks" / "hf" / "constant_with_warmup.yaml"
DEEPSPEED_CONFIG = FIXTURES / "frameworks" / "deepspeed" / "cosine_defaults.json"

runner = CliRunner()


def lr_column(text: str, column: str = "lr") -> list[float]:
    return [float(row[column]) for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize(("text", "kind"), [
    ("lambda e: e / 4", TextKind.LAMBDA),
    ("lambda e: min(1, e) # see configs/a.yaml", TextKind.LAMBDA),
    ("linear:4,base=0.1", TextKind.SPEC),
    ("linear:500 > cosine:9500", TextKind.SPEC),
    ("(linear:4 * cosine:10)", TextKind.SPEC),
    ("step / 4", TextKind.SPEC),  # starts with a kind; parse_text reads it as an expression
    ("min(1, (e + 1) / 4)", TextKind.EXPRESSION),
    ("2 * e", TextKind.EXPRESSION),  # `*` is multiplication here, not a glob
    ("lineer:4", TextKind.EXPRESSION),  # a mistyped kind: parse_text gives the spec error
    ("foo", TextKind.NAME),
    ("missing.yaml", TextKind.PATH),
    ("cosine.yaml", TextKind.PATH),
    ("configs/x.yaml", TextKind.PATH),
    ("configs/x", TextKind.PATH),
    ("*.yaml", TextKind.PATH),
    (str(LAMBDA_CONFIG), TextKind.FILE),
    (str(FIXTURES), TextKind.DIRECTORY),
])
def test_classify(text: str, kind: TextKind) -> None:
    assert classify(text) is kind


def test_classify_never_touches_a_lambda_as_a_path(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lambda e: e").write_text("x")  # a file with a lambda's name
    assert classify("lambda e: e") is TextKind.LAMBDA


@pytest.mark.parametrize(("text", "error", "message"), [
    ("lineer:4", SpecError, "unknown schedule kind 'lineer'"),
    ("cosine", SpecError, "cosine needs len"),
    ("lambda e: __import__('os')", ExpressionError, ""),
    ("min(1, e", ExpressionError, "invalid syntax"),
])
def test_parse_text_returns_the_located_error(text: str, error: type[WarmupError],
                                              message: str) -> None:
    parsed = parse_text(text)
    assert isinstance(parsed, ParseError)
    assert isinstance(parsed.error, error)
    assert message in parsed.error.message


def test_parse_text_names_the_base_only_for_base_in_a_spec() -> None:
    spec = parse_text("linear:4,base=0.5")
    commented = parse_text("lambda e: min(1, (e + 1) / 4)  # base=2")
    assert isinstance(spec, ParsedText) and spec.base_lrs == (0.5,)
    assert isinstance(commented, ParsedText) and commented.base_lrs == ()
    assert commented.expression is not None


def test_parse_text_with_a_kind_parses_only_as_that_kind() -> None:
    # The config extractor reads a value under a schedule key as a spec, without the fallback.
    assert isinstance(parse_text("exp(-t / 5)"), ParsedText)
    assert isinstance(parse_text("exp(-t / 5)", TextKind.SPEC), ParseError)


@pytest.mark.parametrize("argument", ["missing.yaml", "configs/missing.yaml", "a/b.json"])
def test_a_missing_file_is_reported_as_a_missing_file(argument: str) -> None:
    with pytest.raises(ConfigError, match=f"no such file: {argument}"):
        resolve(argument)
    for command in (["show", argument], ["export", argument],
                    ["compare", argument, "linear:4"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert f"error: no such file: {argument}" in result.stderr
        assert "Traceback" not in result.stderr and "attribute access" not in result.stderr


def test_a_directory_is_not_a_schedule() -> None:
    result = runner.invoke(app, ["show", str(FIXTURES)])
    assert result.exit_code == 2
    assert f"{FIXTURES} is a directory" in result.stderr


def test_selection_applies_to_config_files_only() -> None:
    with pytest.raises(WarmupError, match="config files only"):
        resolve("linear:4", selection=Selection(framework="hf"))


def test_resolve_config_states_its_base_and_run() -> None:
    resolved = resolve(str(LAMBDA_CONFIG))
    assert resolved.plan.base_lrs == (0.1,) and resolved.names_base
    assert resolved.horizon == 10
    assert resolve(str(LAMBDA_CONFIG), base_lrs=(0.5,)).plan.base_lrs == (0.5,)
    assert resolve(str(LAMBDA_CONFIG), default_base_lrs=(0.5,)).plan.base_lrs == (0.1,)


def test_resolve_framework_config_takes_run_facts() -> None:
    # constant_with_warmup.yaml counts its run in epochs: the facts state the run length.
    resolved = resolve(str(HF_CONFIG), RunFacts(total_steps=7))
    assert resolved.plan.unit is Unit.STEP
    assert resolved.horizon == 7


# --- compare ----------------------------------------------------------------------------------

def test_compare_base_reaches_a_lambda_whose_text_contains_base() -> None:
    text = "lambda e: min(1, (e + 1) / 4)  # base=2"
    result = runner.invoke(app, ["compare", text, "linear:4,base=0.5", "--base", "0.1",
                                 "-n", "6", "--format", "csv"])
    assert result.exit_code == 0, result.output
    factors = [min(1, (e + 1) / 4) for e in range(6)]
    assert lr_column(result.stdout, "lr_0") == [0.1 * f for f in factors]
    assert lr_column(result.stdout, "lr_1") == [0.5 * f for f in factors]  # its own base=


def test_compare_config_files_shows_what_show_shows() -> None:
    args = ["--steps", "12", "--format", "csv"]
    compared = runner.invoke(app, ["compare", str(DEEPSPEED_CONFIG), str(HF_CONFIG), *args])
    assert compared.exit_code == 0, compared.output
    for column, path in (("lr_0", DEEPSPEED_CONFIG), ("lr_1", HF_CONFIG)):
        shown = runner.invoke(app, ["show", str(path), *args])
        assert shown.exit_code == 0, shown.output
        assert lr_column(compared.stdout, column) == lr_column(shown.stdout)


def test_compare_picks_a_schedule_of_a_config() -> None:
    result = runner.invoke(app, ["compare", str(TWO_LAMBDAS), "linear:2", "--schedule",
                                 "0.5 ** e", "-n", "4", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert lr_column(result.stdout, "lr_0") == [0.1 * 0.5 ** e for e in range(4)]


def test_compare_refuses_schedules_stepped_in_different_units() -> None:
    result = runner.invoke(app, ["compare", str(DEEPSPEED_CONFIG), "linear:3", "-n", "4"])
    assert result.exit_code == 2
    assert "stepped in different units" in result.stderr and "--steps" in result.stderr
    fixed = runner.invoke(app, ["compare", str(DEEPSPEED_CONFIG), "linear:3", "--steps", "4",
                                "--format", "csv"])
    assert fixed.exit_code == 0, fixed.output


def test_compare_selection_needs_a_config() -> None:
    result = runner.invoke(app, ["compare", "linear:2", "linear:3", "--framework", "hf"])
    assert result.exit_code == 2
    assert "config files only" in result.stderr


# --- export -----------------------------------------------------------------------------------

def test_export_config_snippet_reproduces_show(tmp_path: Path) -> None:
    exported = runner.invoke(app, ["export", str(LAMBDA_CONFIG)])
    assert exported.exit_code == 0, exported.output
    script = tmp_path / "snippet.py"
    script.write_text(exported.stdout)
    printed = subprocess.run([sys.executable, str(script), "10"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    shown = runner.invoke(app, ["show", str(LAMBDA_CONFIG), "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    assert [float(line.split()[1]) for line in printed] == lr_column(shown.stdout)


def test_export_framework_config_as_json() -> None:
    result = runner.invoke(app, ["export", str(HF_CONFIG), "--to", "json", "--steps", "20"])
    assert result.exit_code == 0, result.output
    described = json.loads(result.stdout)
    assert described["unit"] == "step" and described["base_lrs"] == [3e-5]
    assert described["warmup"] == 4
    as_python = runner.invoke(app, ["export", str(HF_CONFIG), "--steps", "20"])
    assert as_python.exit_code == 2 and "--to json" in as_python.stderr


def test_export_picks_a_schedule() -> None:
    several = runner.invoke(app, ["export", str(TWO_LAMBDAS), "--to", "json"])
    assert several.exit_code == 2 and "pick one with --schedule" in several.stderr
    picked = runner.invoke(app, ["export", str(TWO_LAMBDAS), "--to", "json", "-s", "0.5 ** e"])
    assert picked.exit_code == 0, picked.output
    assert json.loads(picked.stdout)["base_lrs"] == [0.1]
