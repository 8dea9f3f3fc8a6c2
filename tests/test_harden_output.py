"""Output a hostile input cannot abuse (issue 14): user text in the exported snippet, rich
markup and control characters in what is printed, non-UTF-8 file names, and a stdout that
is full or closed."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.cli.output import print_notes
from warmup_cli.render.safe_text import escape_controls, json_text, utf8_bytes
from warmup_cli.resolve import resolve
from warmup_cli.series import View, rows

runner = CliRunner()

SARIF_SCHEMA = Path(__file__).resolve().parents[1].parent / "shared" / "schemas" \
    / "sarif-schema-2.1.0.json"
# A key that, printed raw, is a GitHub workflow command on a line of its own.
INJECTED_KEY = "lr_sched\n::error file=README.md,line=1::INJECTED"
OSC52 = "\x1b]52;c;SGVsbG8=\x07"  # writes "Hello" to the terminal's clipboard
LINT_FORMATS = ("text", "json", "github", "sarif", "junit")


def warmup(*args: str, env: dict[str, str], cwd: Path | None = None
           ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "warmup_cli", *args], capture_output=True,
                          timeout=120, env=env, cwd=cwd)


# --- export: the snippet carries no user text except as a literal ---------------------------

def payload(marker: Path, quote: str) -> str:
    # The sandbox accepts it (the payload is a comment); the comment closes the docstring.
    return (f"lambda e: min(1, (e + 1) / 4)  # {quote}; "
            f"__import__('os').system('touch {marker}'); {quote}")


@pytest.mark.parametrize("quote", ['"""', "'''"])
def test_exported_snippet_never_runs_a_payload_from_the_source(tmp_path: Path,
                                                               quote: str) -> None:
    marker = tmp_path / "marker"
    source = payload(marker, quote)
    result = runner.invoke(app, ["export", source, "--to", "python"])
    assert result.exit_code == 0, result.output
    script = tmp_path / "schedule.py"
    script.write_text(result.stdout)
    done = subprocess.run([sys.executable, str(script), "8"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    expected = [row.lrs for row in rows(resolve(source).plan, View(8))]
    assert [tuple(map(float, line.split()[1:])) for line in done.stdout.splitlines()] \
        == expected
    # The source is there, as the literal SOURCE and nowhere else; no comment of the user's.
    module = ast.parse(result.stdout)
    sources = [node.value for node in module.body if isinstance(node, ast.Assign)
               and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["SOURCE"]]
    assert len(sources) == 1 and ast.literal_eval(sources[0]) == source
    assert result.stdout.count("__import__") == 1
    assert "    return min(1, (e + 1) / 4)\n" in result.stdout


def test_exported_source_with_line_breaks_and_controls_stays_one_literal() -> None:
    from warmup_cli.export import to_python

    plan = resolve("linear:4").plan
    hostile = 'x.yaml\n"""\nimport os\r\x00\x1b\u2028'
    text = to_python(type(plan)(plan.schedule, plan.base_lrs, hostile, plan.unit))
    module = ast.parse(text)  # NUL, CR and U+2028 would each break or split the file raw
    assert [line for line in text.splitlines() if line.startswith("import os")] == []
    assigned = {t.id: node.value for node in module.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(assigned["SOURCE"]) == hostile


def test_exported_json_is_json_whatever_the_source() -> None:
    result = runner.invoke(app, ["export", "lambda e: 1  # \x1b]52;c;x\x07 \"\"\" [/]",
                                 "--to", "json"])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert json.loads(result.stdout)["source"].endswith('\x1b]52;c;x\x07 """ [/]')


# --- rich markup in user text -----------------------------------------------------------------

def test_markup_in_a_lambda_is_quoted_in_the_error() -> None:
    result = runner.invoke(app, ["show", "lambda e: e[/]", "-n", "3"])
    assert result.exit_code == 2
    assert "  lambda e: e[/]\n" in result.stderr
    assert "MarkupError" not in result.stderr + result.stdout


@pytest.mark.parametrize("comment", ["# [/]", "# [bold red]X[/]"])
def test_markup_in_a_lambda_comment_is_text_in_the_table(comment: str) -> None:
    source = f"lambda e: 1 {comment}"
    result = runner.invoke(app, ["show", source, "-n", "3", "--format", "table", "--no-plot"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{source}  ·  base lr")


def test_markup_in_a_lambda_comment_is_text_in_compare_headers_and_plot() -> None:
    result = runner.invoke(app, ["compare", "lambda e: 1 # [/]", "linear:2", "-n", "3",
                                 "--format", "table", "--plot", "--plot-width", "60"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "lr_0: lambda e: 1 # [/]" in result.stdout


def test_markup_in_an_mmengine_value_is_quoted_in_the_error(tmp_path: Path) -> None:
    config = tmp_path / "mm.py"
    config.write_text('param_scheduler = [dict(type="CosineAnnealingLR", T_max=foo("[/]"), '
                      "by_epoch=True)]\n")
    result = runner.invoke(app, ["show", str(config), "-n", "3"])
    assert result.exit_code == 2
    assert 'T_max: `foo("[/]")` calls foo()' in result.stderr


def test_markup_and_controls_in_a_note_are_text(tmp_path: Path) -> None:
    config = tmp_path / "ds.json"
    config.write_text(json.dumps({
        "optimizer": {"type": "Adam", "params": {"lr": 0.001}},
        "scheduler": {"type": "WarmupLR",
                      "params": {"warmup_type": "[/][bold]x", "warmup_num_steps": 10}}}))
    result = runner.invoke(app, ["show", str(config), "-n", "2", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert "note: warmup_type '[/][bold]x' is unknown" in result.stderr


def test_print_notes_escapes_markup_and_controls(capsys: pytest.CaptureFixture[str]) -> None:
    print_notes([f"[bold]x[/] {INJECTED_KEY} {OSC52}"])
    err = capsys.readouterr().err
    assert err == ("note: [bold]x[/] lr_sched\\n::error file=README.md,line=1::INJECTED "
                   "\\x1b]52;c;SGVsbG8=\\x07\n")


def test_markup_in_an_unknown_rule_is_quoted() -> None:
    result = runner.invoke(app, ["lint", "--explain", "[/]"])
    assert result.exit_code == 2
    assert "unknown rule '[/]'" in result.stderr


def test_rules_table_cells_are_text() -> None:
    from rich.text import Text

    from warmup_cli.lint.docs import rules_table

    table = rules_table()
    assert all(isinstance(cell, Text) for column in table.columns for cell in column.cells)


# --- control characters: one line per finding, no raw escape sequence -----------------------

@pytest.fixture
def hostile_config(tmp_path: Path) -> Path:
    config = tmp_path / "hostile.json"
    config.write_text(json.dumps({f"{INJECTED_KEY}{OSC52}": "linear:0"}))
    return config


@pytest.mark.parametrize("output_format", LINT_FORMATS)
def test_a_key_never_starts_a_workflow_command(hostile_config: Path, plain_env: dict[str, str],
                                               output_format: str) -> None:
    done = warmup("lint", str(hostile_config), "--output-format", output_format,
                  env={**plain_env, "FORCE_COLOR": "1"})
    assert done.returncode == 0, done.stderr  # a note: the key is in a layout no reader knows
    out = done.stdout.decode()
    assert "INJECTED" in out
    ours = re.compile(r"::(error|warning|notice) title=warmup \(WU\d{3}\),file=")
    for line in out.splitlines():  # github: every line one command of ours; else none at all
        assert not line.startswith("::") or (output_format == "github" and ours.match(line))
    assert "\x1b]" not in out and "\x07" not in out  # no OSC sequence, colour or not


def test_text_output_escapes_the_key(hostile_config: Path) -> None:
    result = runner.invoke(app, ["lint", str(hostile_config), "--color", "always"])
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # the colours rich adds
    assert "lr_sched\\n::error file=README.md,line=1::INJECTED" in plain
    assert "\x1b]" not in result.stdout


def test_show_errors_escape_the_key(hostile_config: Path, plain_env: dict[str, str]) -> None:
    done = warmup("show", str(hostile_config), env=plain_env)
    assert done.returncode == 2
    err = done.stderr.decode()
    assert "lr_sched\\n::error" in err and "INJECTED\\x1b]52;c;SGVsbG8=\\x07" in err
    assert not any(line.startswith("::") for line in err.splitlines())


def test_error_caret_stays_under_the_escaped_character() -> None:
    result = runner.invoke(app, ["show", "linear:4,\x1b[2Jfoo=1"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    quoted = lines.index("  linear:4,\\x1b[2Jfoo=1")
    assert lines[quoted + 1] == "  " + " " * len("linear:4,") + "^"
    assert "\x1b" not in result.stderr


def test_junit_with_controls_in_a_key_is_xml(hostile_config: Path) -> None:
    result = runner.invoke(app, ["lint", str(hostile_config), "--output-format", "junit"])
    root = ET.fromstring(result.stdout)
    messages = [failure.get("message", "") for failure in root.iter("failure")]
    assert any("lr_sched\\n::error" in message for message in messages)
    assert any("\\x1b]52" in message for message in messages)


def test_json_keeps_the_exact_key(hostile_config: Path) -> None:
    result = runner.invoke(app, ["lint", str(hostile_config), "--output-format", "json"])
    messages = [found["message"] for found in json.loads(result.stdout)]
    assert any(INJECTED_KEY in message for message in messages)


# --- a file name that is not UTF-8 ------------------------------------------------------------

@pytest.fixture
def non_utf8_config(tmp_path: Path) -> Path:
    try:
        config = tmp_path / os.fsdecode(b"bad\xff.json")
        config.write_text(json.dumps({"lr_lambda": "lambda e: e"}))
    except (OSError, UnicodeError):
        pytest.skip("this file system takes no non-UTF-8 names")
    return config


@pytest.mark.parametrize("output_format", LINT_FORMATS)
def test_a_non_utf8_file_name_in_every_lint_format(non_utf8_config: Path,
                                                   plain_env: dict[str, str],
                                                   output_format: str) -> None:
    done = warmup("lint", ".", "--output-format", output_format, cwd=non_utf8_config.parent,
                  env=plain_env)
    assert done.returncode == 1, done.stderr
    assert b"\xff" not in done.stdout
    out = done.stdout.decode("utf-8")  # valid UTF-8
    if output_format in ("text", "github", "junit"):
        assert "bad\\xff.json" in out
    if output_format == "json":
        assert {found["filename"] for found in json.loads(out)} == {"bad\\xff.json"}
    elif output_format == "junit":
        ET.fromstring(out)
    elif output_format == "sarif":
        log = json.loads(out)
        uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for result in log["runs"][0]["results"]}
        assert uris == {"bad%FF.json"}
        if not SARIF_SCHEMA.exists():
            pytest.skip("shared/schemas/sarif-schema-2.1.0.json is not here")
        import jsonschema

        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))


# --- the escaper ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("plain text, é, ·, ⋮ and C:\\dir", "plain text, é, ·, ⋮ and C:\\dir"),
    ("a\nb\rc\td", "a\\nb\\rc\\td"),
    ("\x00\x1b\x7f\x85\x9b", "\\x00\\x1b\\x7f\\x85\\x9b"),
    ("\u2028\u2029\u202e\u2066\ufeff", "\\u2028\\u2029\\u202e\\u2066\ufeff"),
    ("\ufffe\uffff", "\\ufffe\\uffff"),
    ("bad\udcff\udc80", "bad\\xff\\x80"),
    ("\ud800", "\\ud800"),
])
def test_escape_controls(raw: str, shown: str) -> None:
    assert escape_controls(raw) == shown
    assert escape_controls(shown) == shown  # nothing left to escape
    assert shown.isprintable() or "\ufeff" in shown


def test_json_text_is_printable_and_reads_back() -> None:
    value = {"k\n\x1b": "\x7f\x9b\u2028\u202e é"}
    text = json_text(value)
    assert text.isprintable() and json.loads(text) == value
    assert "é" in text  # readable, not \\u00e9
    assert json.loads(json_text(["bad\udcff"])) == ["bad\\xff"]


def test_utf8_bytes_gives_back_a_file_names_bytes() -> None:
    assert utf8_bytes(os.fsdecode(b"bad\xff")) == b"bad\xff"
    assert utf8_bytes("é") == "é".encode()
    assert utf8_bytes("\ud800") == b"\\ud800"


# --- a stdout that cannot take the output -----------------------------------------------------

COMMANDS = [
    ("show", "linear:4", "-n", "3", "--format", "csv"),
    ("show", "linear:100 > cosine:100000", "--steps", "100000", "--format", "csv"),
    ("show", "linear:4", "-n", "3", "--format", "table"),
    ("compare", "linear:4", "cosine:5", "-n", "3", "--format", "csv"),
    ("export", "linear:4"),
    ("kinds",),
    ("rules",),
    ("lint", "linear:4"),
    ("lint", "linear:4", "--output-format", "sarif"),
    ("lint", "--explain", "WU101"),
]


def _all_fail_alike(processes: list[subprocess.Popen[bytes]], message: str) -> None:
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 2, (process.args, err)
        assert err.decode() == f"error: cannot write the output: {message}\n", process.args


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("unbuffered", [False, True])  # python -u has no buffer layer
def test_a_full_stdout_is_one_line_and_exit_2(plain_env: dict[str, str],
                                              unbuffered: bool) -> None:
    env = {k: v for k, v in plain_env.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "w") as full:
        processes = [subprocess.Popen([sys.executable, "-m", "warmup_cli", *command],
                                      stdout=full, stderr=subprocess.PIPE, env=env)
                     for command in COMMANDS]
        _all_fail_alike(processes, "No space left on device")


def test_a_closed_stdout_is_one_line_and_exit_2(plain_env: dict[str, str]) -> None:
    processes = [subprocess.Popen(["sh", "-c", 'exec "$0" -m warmup_cli "$@" >&-',
                                   sys.executable, *command],
                                  stderr=subprocess.PIPE, env=plain_env)
                 for command in COMMANDS]
    _all_fail_alike(processes, "stdout is closed")


def test_a_read_only_stdout_is_one_line_and_exit_2(tmp_path: Path,
                                                   plain_env: dict[str, str]) -> None:
    target = tmp_path / "read-only"
    target.write_text("")
    with target.open("r") as read_only:
        processes = [subprocess.Popen([sys.executable, "-m", "warmup_cli", *COMMANDS[0]],
                                      stdout=read_only, stderr=subprocess.PIPE, env=plain_env)]
        _all_fail_alike(processes, "Bad file descriptor")
