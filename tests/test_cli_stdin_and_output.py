"""Standard input (`warmup lint -`, `warmup show -`) and lint's output control: --quiet,
--exit-zero, --statistics, --output-file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmup_cli.cli.app import app
from warmup_cli.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

ZERO_START = 'lr_lambda: "lambda e: e / 4"\n'
HF = "learning_rate: 0.001\nlr_scheduler_type: linear\nwarmup_steps: 2\nmax_steps: 5\n"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_lint_reads_yaml_from_stdin_named_stdin() -> None:
    code, out, _ = run("lint", "-", stdin=ZERO_START)
    assert code == EXIT_FINDINGS
    lines = out.splitlines()
    assert lines[0].startswith("stdin:1:1: WU101")
    assert lines[1].startswith("stdin:1:1: WU102")


def test_stdin_filename_picks_the_format_and_names_the_findings() -> None:
    code, out, _ = run("lint", "-", "--stdin-filename", "configs/train.json",
                       "--output-format", "json", stdin='{"lr_lambda": "lambda e: e / 4"}')
    assert code == EXIT_FINDINGS
    found = json.loads(out)
    assert {(d["filename"], d["code"]) for d in found} == {
        ("configs/train.json", "WU101"), ("configs/train.json", "WU102")}
    # The same text as TOML is a syntax error there: the name really picks the parser.
    code, out, _ = run("lint", "-", "--stdin-filename", "x.toml", stdin="{")
    assert code == 2 and "x.toml" in out and "WU001" in out


def test_stdin_mixes_with_files_and_is_counted() -> None:
    Path("a.yaml").write_text(ZERO_START)
    code, out, _ = run("lint", "a.yaml", "-", stdin=ZERO_START)
    assert code == EXIT_FINDINGS
    assert {line.split(":")[0] for line in out.splitlines()[:-1]} == {"a.yaml", "stdin"}
    assert out.splitlines()[-1].endswith("in 2 files; 2 files checked.")


def test_show_reads_a_spec_from_stdin() -> None:
    code, out, err = run("show", "-", "-n", "4", "--format", "csv", stdin="linear:3,base=0.1\n")
    assert code == EXIT_OK, err
    _, direct, _ = run("show", "linear:3,base=0.1", "-n", "4", "--format", "csv")
    assert out == direct


def test_show_reads_a_config_from_stdin_with_its_name() -> None:
    Path("train.yaml").write_text(HF)
    _, from_file, _ = run("show", "train.yaml", "--format", "csv")
    Path("train.yaml").unlink()
    code, out, err = run("show", "-", "--stdin-filename", "train.yaml", "--format", "csv",
                         stdin=HF)
    assert code == EXIT_OK, err
    assert out == from_file and out.count("\n") == 6


def test_show_stdin_errors_are_usage_errors() -> None:
    code, _, err = run("show", "-", stdin="   \n")
    assert code == EXIT_USAGE and "standard input is empty" in err
    code, _, err = run("show", "linear:4", "--stdin-filename", "x.yaml")
    assert code == EXIT_USAGE and "applies when SCHEDULE is -" in err


def test_quiet_drops_the_summary_only() -> None:
    Path("a.yaml").write_text(ZERO_START)
    _, loud, _ = run("lint", "a.yaml")
    code, quiet, _ = run("lint", "a.yaml", "--quiet")
    assert code == EXIT_FINDINGS
    assert quiet.splitlines() == loud.splitlines()[:-1]
    assert loud.splitlines()[-1].startswith("Found 2 findings")


def test_exit_zero_turns_findings_into_success_but_not_unreadable_input() -> None:
    Path("a.yaml").write_text(ZERO_START)
    assert run("lint", "a.yaml", "--exit-zero")[0] == EXIT_OK
    Path("bad.json").write_text("{")
    assert run("lint", "bad.json", "--exit-zero")[0] == 2


def test_statistics_counts_each_rule_most_frequent_first() -> None:
    Path("a.yaml").write_text(ZERO_START)
    Path("b.yaml").write_text('lr_lambda: "lambda e: min(1.0, e / 4)"\n')
    code, out, _ = run("lint", "a.yaml", "b.yaml", "--statistics")
    assert code == EXIT_FINDINGS
    assert out.splitlines() == [
        "2  WU101  zero-lr-start  [error]",
        "1  WU102  uncapped-factor  [error]",
        "Found 3 findings (3 errors) in 2 files; 2 files checked.",
    ]
    code, _, err = run("lint", "a.yaml", "--statistics", "--output-format", "json")
    assert code == EXIT_USAGE and "--statistics applies to the text output" in err


def test_output_file_gets_the_output_and_stdout_stays_empty(tmp_path: Path) -> None:
    Path("a.yaml").write_text(ZERO_START)
    _, expected, _ = run("lint", "a.yaml", "--output-format", "sarif")
    code, out, _ = run("lint", "a.yaml", "--output-format", "sarif", "-o", "r.sarif")
    assert code == EXIT_FINDINGS and out == ""
    assert (tmp_path / "r.sarif").read_text() == expected
    code, out, _ = run("lint", "a.yaml", "--color", "always", "--output-file", "r.txt")
    assert "\x1b" not in (tmp_path / "r.txt").read_text()
    assert (tmp_path / "r.txt").read_text().splitlines()[0].startswith("a.yaml:1:1: WU101")


def test_an_unwritable_output_file_is_one_clear_error(tmp_path: Path) -> None:
    Path("a.yaml").write_text(ZERO_START)
    code, _, err = run("lint", "a.yaml", "--output-file", str(tmp_path / "no" / "r.txt"))
    assert code == EXIT_USAGE
    assert "cannot write" in err and "Traceback" not in err
