"""Issue 11, defect 6: ``show`` says what lint knows about the schedule it prints (warnings on
stderr under the table, never in machine formats), and a series still rising at its end is
marked so, not as a peak."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.output_support import in_pipe
from warmup_cli.cli import app
from warmup_cli.lint.shown import shown_findings
from warmup_cli.pipeline import RunLength, ShowRequest, show

runner = CliRunner()
TABLE = ("--format", "table", "--no-plot")


def notes_column(stdout: str) -> dict[str, str]:
    rows = [[cell.strip() for cell in line.split("│")[1:-1]]
            for line in stdout.splitlines() if line.startswith("│")]
    return {cells[0]: cells[-1] for cells in rows}


def test_a_factor_still_growing_at_the_end_is_no_peak() -> None:
    result = runner.invoke(app, ["show", "lambda e: e / 4", "-n", "6", *TABLE])
    assert result.exit_code == 0, result.output
    notes = notes_column(result.stdout)
    assert notes["5"] == "still rising"
    assert "peak" not in result.stdout


def test_lint_findings_are_warnings_under_the_table() -> None:
    result = runner.invoke(app, ["show", "lambda e: e / 4", "-n", "6", *TABLE])
    lines = result.stderr.splitlines()
    assert [line.split()[1] for line in lines] == ["WU101", "WU102"]
    assert lines[0].startswith("warning: WU101 [error] the first update gets LR 0 (factor 0 "
                               "at step 0)")
    assert lines[1].endswith("(warmup lint --explain WU102)")


def test_a_warmup_longer_than_the_rows_shown_is_wu108_and_still_rising() -> None:
    result = runner.invoke(app, ["show", "linear:4", "-n", "3", *TABLE])
    assert notes_column(result.stdout)["2"] == "still rising"
    assert result.stderr.startswith("warning: WU108 [error] the warmup lasts 4 updates but the "
                                    "run (as shown) has 3")


def test_a_real_peak_is_still_a_peak_and_a_clean_schedule_is_quiet() -> None:
    result = runner.invoke(app, ["show", "linear:4", "-n", "4", *TABLE])
    assert notes_column(result.stdout)["3"] == "end of warmup; peak"
    assert result.stderr == ""


def test_machine_formats_carry_no_findings() -> None:
    for fmt in ("csv", "json", "jsonl", "markdown", "tsv"):
        done = in_pipe("show", "lambda e: e / 4", "-n", "6", "--format", fmt)
        assert done.returncode == 0 and done.stderr == "", (fmt, done.stderr)
        assert "WU10" not in done.stdout


def test_findings_are_those_lint_makes_for_that_run() -> None:
    shown = show(ShowRequest("lambda e: e / 4", RunLength(epochs=6)))
    found = shown_findings("lambda e: e / 4", shown.plan, 6)
    assert [f.code for f in found] == ["WU101", "WU102"]
    linted = runner.invoke(app, ["lint", "lambda e: e / 4", "--horizon", "6"]).stdout
    for finding in found:  # the same finding (show also knows the base LR it prints)
        assert f"{finding.code} [{finding.severity}] {finding.message.split(':')[0]}:" in linted


def test_a_config_gets_the_wu1xx_findings_lint_makes_on_it(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text('lr_lambda: "lambda e: e / 4"\nepochs: 6\n')
    shown = runner.invoke(app, ["show", str(config), *TABLE])
    linted = runner.invoke(app, ["lint", str(config)])
    lint_lines = [line for line in linted.stdout.splitlines() if " WU1" in line]
    assert len(lint_lines) == 2
    expected = []
    for line in lint_lines:  # path:line:col: WU101 [error] message
        place, rest = line.split(": ", 1)
        code, severity, message = rest.split(" ", 2)
        expected.append(f"warning: {code} {severity} {place}: {message} "
                        f"(warmup lint --explain {code})")
    assert shown.stderr.splitlines() == expected


def test_an_hf_warmup_is_lints_wu302_note_not_a_wu101_warning(tmp_path: Path) -> None:
    config = tmp_path / "hf.yaml"
    config.write_text("learning_rate: 0.001\nlr_scheduler_type: linear\nwarmup_steps: 100\n"
                      "max_steps: 1000\n")
    shown = runner.invoke(app, ["show", str(config), *TABLE])
    assert shown.exit_code == 0, shown.output
    assert "WU101" not in shown.stderr  # lint reports the zero first update as WU302
    assert "WU302" in runner.invoke(app, ["lint", str(config)]).stdout
