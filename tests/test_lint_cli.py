"""``warmup lint`` and ``warmup rules`` through the real Typer app: exit codes, selection,
pyproject settings, suppressions, output formats, bad input, the corpus, and start-up cost."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import warmup_cli.cli.lint  # noqa: F401  (registers lint and rules on the app)
from warmup_cli.cli import app
from warmup_cli.lint.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "lint"
CORPUS = ROOT.parent / "shared" / "corpus"
STAIRS = "lambda epoch: min(epoch // 4, 1)"  # WU101 (error) and WU105 (warning)
LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<code>WU\d{3}) \[(?P<sev>\w+)\] ")


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # No pyproject.toml of the checkout (or above it) leaks into these tests.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def findings(stdout: str) -> list[tuple[str, int, int, str, str]]:
    return [(m["path"], int(m["line"]), int(m["col"]), m["code"], m["sev"])
            for m in map(LINE.match, stdout.splitlines()) if m]


def codes(stdout: str) -> list[str]:
    return [found[3] for found in findings(stdout)]


# --- exit codes ------------------------------------------------------------------------------

def test_clean_input_exits_0() -> None:
    code, out, _ = run("lint", str(FIXTURES / "clean.yaml"), "linear:4")
    assert (code, out) == (0, "All checks passed (1 schedule and 1 file checked).\n")


def test_findings_exit_1_with_located_lines_and_a_summary() -> None:
    code, out, _ = run("lint", str(FIXTURES / "schedules.yaml"))
    assert code == 1
    path = str(FIXTURES / "schedules.yaml")
    assert findings(out) == [
        (path, 7, 3, "WU101", "error"),
        (path, 7, 39, "WU105", "warning"),
        (path, 9, 3, "WU108", "error"),
        (path, 12, 47, "WU103", "error"),
    ]
    assert out.splitlines()[-1] == \
        "Found 4 findings (3 errors, 1 warning) in 1 file; 1 file checked."


def test_fail_on_picks_the_failing_severity() -> None:
    warning_only = "constant-warmup:5,factor=0.1"  # WU107, a warning
    assert run("lint", warning_only)[0] == 1  # default: warnings fail
    assert run("lint", warning_only, "--fail-on", "error")[0] == 0
    note_only = "lambda s: min(1.0, s / 2000)"  # one zero step of 2,000: a note
    code, out, _ = run("lint", note_only, "--horizon", "10000")
    assert (code, codes(out)) == (0, ["WU101"])
    assert run("lint", note_only, "--horizon", "10000", "--fail-on", "note")[0] == 1


def test_no_targets_or_a_bad_option_is_a_usage_error() -> None:
    code, out, err = run("lint")
    assert code == 2 and out == "" and "nothing to lint" in err
    code, _, err = run("lint", STAIRS, "--select", "WU9")
    assert code == 2 and "unknown rule selector 'WU9'" in err
    assert run("lint", STAIRS, "--fail-on", "fatal")[0] == 2


# --- rule selection ---------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "expected"), [
    ((), ["WU101", "WU105"]),
    (("--select", "WU105"), ["WU105"]),
    (("--ignore", "zero-lr-start"), ["WU105"]),
    (("--select", "WU0"), []),
    (("--select", "WU101", "--extend-select", "staircase-warmup"), ["WU101", "WU105"]),
    (("--select", "WU105,WU101"), ["WU101", "WU105"]),
    (("--select", "ALL", "--ignore", "WU1"), []),
])
def test_select_ignore_extend_select(options: tuple[str, ...], expected: list[str]) -> None:
    assert codes(run("lint", STAIRS, *options)[1]) == expected


# --- pyproject.toml ---------------------------------------------------------------------------

def write_pyproject(directory: Path, table: str) -> None:
    text = f"[project]\nname = 'x'\n\n[tool.warmup-cli]\n{table}"
    (directory / "pyproject.toml").write_text(text)


def test_pyproject_settings_apply_and_the_command_line_wins(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'ignore = ["WU105"]\n')
    assert codes(run("lint", STAIRS)[1]) == ["WU101"]
    # --ignore replaces the table's ignore instead of adding to it
    assert codes(run("lint", STAIRS, "--ignore", "WU101")[1]) == ["WU105"]
    assert codes(run("lint", STAIRS, "--isolated")[1]) == ["WU101", "WU105"]


def test_pyproject_is_found_upward_past_ones_without_the_table(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_pyproject(tmp_path, 'select = ["staircase-warmup"]\nfail-on = "error"\n')
    deeper = tmp_path / "sub" / "deeper"
    deeper.mkdir(parents=True)
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    monkeypatch.chdir(deeper)
    code, out, _ = run("lint", STAIRS)
    assert (code, codes(out)) == (0, ["WU105"])  # a warning, and fail-on is error


def test_pyproject_horizon_and_shares(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "horizon = 100\nmax-warmup-share = 0.5\n")
    assert codes(run("lint", "lambda s: min(1.0, (s + 1) / 5000)")[1]) == ["WU108"]
    assert codes(run("lint", "linear:40 > cosine:60")[1]) == []  # 40 % < 0.5
    assert codes(run("lint", "linear:40 > cosine:60", "--max-warmup-share", "0.3")[1]) \
        == ["WU109"]


def test_per_file_ignores(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.warmup-cli.per-file-ignores]\n"legacy/*.yaml" = ["WU1"]\n')
    (tmp_path / "legacy").mkdir()
    text = f'epochs: 20\nlr_lambda: "{STAIRS}"\n'
    (tmp_path / "legacy" / "old.yaml").write_text(text)
    (tmp_path / "new.yaml").write_text(text)
    out = run("lint", "legacy/old.yaml", "new.yaml")[1]
    assert {found[0] for found in findings(out)} == {"new.yaml"}


@pytest.mark.parametrize(("table", "message"), [
    ('ignroe = ["WU105"]\n', "unknown key 'ignroe'"),
    ("horizon = -3\n", "horizon must be a positive whole number"),
    ('fail-on = "fatal"\n', "fail-on must be one of error, warning, note"),
    ('select = ["WU9"]\n', "unknown rule selector 'WU9'"),
    ("horizon = \n", "invalid TOML"),
])
def test_bad_pyproject_settings_are_usage_errors(tmp_path: Path, table: str, message: str) -> None:
    write_pyproject(tmp_path, table)
    code, out, err = run("lint", STAIRS)
    assert code == 2 and out == ""
    assert message in err


# --- suppressions -------------------------------------------------------------------------------

def test_noqa_comments_silence_their_line_only() -> None:
    path = str(FIXTURES / "suppressed.yaml")
    assert findings(run("lint", path)[1]) == [
        (path, 3, 3, "WU101", "error"),  # line 3 silences WU105 only
        (path, 7, 3, "WU101", "error"),  # no comment on line 7
        (path, 7, 39, "WU105", "warning"),
    ]


def test_noqa_in_python_configs(tmp_path: Path) -> None:
    other = f"other = dict(lr_lambda={STAIRS})  # warmup: noqa: WU101"
    sched = f"sched = dict(lr_lambda={STAIRS})  # warmup: noqa"
    (tmp_path / "c.py").write_text(f"epochs = 20\n{sched}\n{other}\n")
    assert findings(run("lint", "c.py")[1]) == [("c.py", 3, other.index("//") + 1, "WU105",
                                                 "warning")]


# --- output formats through the CLI ------------------------------------------------------------

def test_machine_formats_go_to_stdout_without_a_summary() -> None:
    code, out, _ = run("lint", STAIRS, "--output-format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(d["code"], d["filename"], d["location"]) for d in data] == [
        ("WU101", "<arg1>", {"row": 1, "column": 1}),
        ("WU105", "<arg1>", {"row": 1, "column": STAIRS.index("//") + 1}),
    ]
    out = run("lint", STAIRS, "--output-format", "github")[1]
    assert out.startswith("::error title=warmup (WU101),file=<arg1>,line=1,col=1::")
    assert json.loads(run("lint", STAIRS, "--output-format", "sarif")[1])["version"] == "2.1.0"
    assert "<testsuites" in run("lint", STAIRS, "--output-format", "junit")[1]


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    assert "\x1b[" not in run("lint", STAIRS)[1]
    assert "\x1b[" in run("lint", STAIRS, "--color", "always")[1]


# --- explain and rules ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["WU105", "staircase-warmup", "wu105"])
def test_explain_by_code_or_slug(name: str) -> None:
    code, out, _ = run("lint", "--explain", name)
    assert code == 0
    assert out.startswith("WU105 staircase-warmup [warning]\n")
    assert "Bad:\n\n    lr_lambda: \"lambda epoch: min(epoch // 4, 1)\"" in out
    assert "Good:\n" in out


def test_explain_unknown_rule() -> None:
    code, _, err = run("lint", "--explain", "WU999")
    assert code == 2 and "unknown rule 'WU999'" in err


def test_rules_lists_every_rule() -> None:
    code, out, _ = run("rules")
    assert code == 0
    for rule in RULES.values():
        assert rule.code in out and rule.name in out
    assert "note…error" in out  # WU101's scaled severity


# --- bad input: located WU001/WU002, exit 2, the other files still linted ------------------------

def deep_yaml() -> str:
    return "a: " + "[" * 100 + "]" * 100 + "\n"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.yaml", "a: [1\nb: 2\n", "invalid YAML"),
    ("bad.json", '{"a": }\n', "invalid JSON"),
    ("bad.toml", "a = \n", "invalid TOML"),
    ("bad.py", "x = (\n", "invalid Python"),
    ("binary.yaml", b"\x00\x01\x02binary", "binary"),
    ("deep.yaml", deep_yaml(), "nesting"),
    ("huge.yaml", "x" * (5 * 2**20 + 10), "the limit is 5 MB"),
])
def test_unreadable_files_are_located_findings(tmp_path: Path, name: str, content: str | bytes,
                                               message: str) -> None:
    bad = tmp_path / name
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content)
    (tmp_path / "good.yaml").write_text(f'epochs: 20\nlr_lambda: "{STAIRS}"\n')
    code, out, _ = run("lint", name, "good.yaml")
    assert code == 2
    found = findings(out)
    assert found[0][0] == name and found[0][3:] == ("WU001", "error")
    assert message.lower() in out.lower()
    assert [f[3] for f in found[1:]] == ["WU101", "WU105"]  # the good file is still linted


def test_located_parse_errors_keep_their_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{\n  "a": 1,\n  "b": }\n')
    (found,) = findings(run("lint", "bad.json")[1])
    assert found[:3] == ("bad.json", 3, 8)


def test_missing_paths_symlink_loops_and_empty_globs(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "a.yaml").write_text(f'epochs: 20\nlr_lambda: "{STAIRS}"\n')
    os.symlink("..", tmp_path / "configs" / "loop")
    code, out, _ = run("lint", "configs", "missing.yaml", "nothing/*.yml")
    assert code == 2
    by_path = {found[0]: found[3] for found in findings(out)}
    assert by_path["missing.yaml"] == "WU001"
    assert by_path["nothing/*.yml"] == "WU001"
    assert any("loop" in path for path, c in by_path.items() if c == "WU001")
    assert "symlink loop" in out
    assert by_path["configs/a.yaml"] in {"WU101", "WU105"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "secret.yaml"
    bad.write_text("a: 1\n")
    bad.chmod(0)
    code, out, _ = run("lint", "secret.yaml")
    assert code == 2 and codes(out) == ["WU001"]


def test_hostile_expressions_are_reported_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    payload = f"__import__('os').system('touch {marker}')"
    (tmp_path / "c.yaml").write_text(f'lr_lambda: "lambda e: {payload}"\n'
                                     f"eval: ${{eval:\"{payload}\"}}\n")
    (tmp_path / "c.py").write_text(f"import os\nos.system('touch {marker}')\n"
                                   f"sched = dict(lr_lambda=lambda e: {payload})\n")
    code, out, _ = run("lint", "c.yaml", "c.py", f"lambda e: {payload}")
    assert code == 2
    assert codes(out) == ["WU002"] * 4
    assert not marker.exists()
    assert all("call of '__import__' is not allowed" in line
               for line in out.splitlines() if "WU002" in line)


# --- the shared corpus ----------------------------------------------------------------------------

CORPUS_SUFFIXES = {".yaml", ".yml", ".json", ".py"}
CORPUS_FILES = sorted(p for p in CORPUS.glob("*") if p.suffix in CORPUS_SUFFIXES) \
    if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not here")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_files_never_crash(path: Path) -> None:
    code, out, _ = run("lint", str(path))
    assert code in (0, 1, 2)
    lines = out.splitlines()
    assert lines[-1] == "All checks passed (1 file checked)." or lines[-1].startswith("Found ")
    assert all(LINE.match(line) for line in lines[:-1])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_corpus_lambda_files() -> None:
    safari = CORPUS / "lambda__HazyResearch_safari__pile-base-eval-expressions.yaml"
    code, out, _ = run("lint", str(safari))
    assert code == 2
    # Only the shell-out is unsafe: the arithmetic ${eval:...} bodies pass the sandbox.
    (found,) = [f for f in findings(out) if f[3] == "WU002"]
    row = safari.read_text().splitlines()[found[1] - 1]
    assert "gpu_mem" in row and row[found[2] - 1:].startswith("__import__")
    # fish-diffusion's lr_lambda is a call of its own class, not a lambda: nothing generic
    # to say (framework readers, WU3xx, may have their own opinion).
    fish = CORPUS / "lambda__fishaudio_fish-diffusion__warmup-cosine-lambdalr.py"
    code, out, _ = run("lint", str(fish))
    assert code != 2 and not [f for f in findings(out) if f[3] < "WU300"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_qqtools_lambda_is_clean(tmp_path: Path) -> None:
    markdown = (CORPUS / "lambda__kzhoa_qqtools__qconfig-doc-lambda-and-warmup.excerpt.md")
    blocks = re.findall(r"```yaml\n(.*?)```", markdown.read_text(), re.DOTALL)
    block = next(b for b in blocks if "lr_lambda" in b)
    (tmp_path / "qq.yaml").write_text(block)
    assert "lambda epoch: 0.95 ** epoch" in block
    assert run("lint", "qq.yaml", "--horizon", "100")[:2] == \
        (0, "All checks passed (1 file checked).\n")


# --- start-up cost --------------------------------------------------------------------------------

def test_lint_never_imports_torch_or_plotext() -> None:
    code = (
        "import sys\n"
        "import warmup_cli.cli.lint\n"
        "from warmup_cli.cli import app\n"
        "from typer.testing import CliRunner\n"
        # --jobs 1: the files are linted in this process, whose modules are looked at
        f"r = CliRunner().invoke(app, ['lint', '--jobs', '1', {str(FIXTURES)!r}, 'lambda e: e / 4',"
        " '--output-format', 'sarif'])\n"
        "print(r.exit_code, sorted(m for m in ('torch', 'plotext', 'transformers')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.split("\n")[-2] == "1 []"


# --- documentation and CI integration -------------------------------------------------------------

def test_unreadable_files_cannot_be_deselected(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [1\n")
    code, out, _ = run("lint", "bad.yaml", "--select", "WU105", "--ignore", "WU001")
    assert (code, codes(out)) == (2, ["WU001"])


def test_readme_section_documents_every_rule_and_option() -> None:
    text = (ROOT / "README.md").read_text()
    for rule in RULES.values():
        assert f"| {rule.code} | {rule.name} | {rule.severity_text} |" in text
        assert f"#### {rule.code} {rule.name}\n" in text  # the anchor rule.anchor points at
    for option in ("--select", "--extend-select", "--ignore", "--fail-on", "--horizon",
                   "--max-warmup-share", "--max-jump-ratio", "--schedule-keys",
                   "--output-format", "--explain", "--isolated", "per-file-ignores",
                   "--updates-per-epoch",
                   "# warmup: noqa"):
        assert option in text


def test_pre_commit_hook_definition() -> None:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "warmup-lint"
    assert hook["entry"] == "warmup lint"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["yaml", "json", "toml", "python"]


def test_a_layout_no_reader_knows_is_located_not_silent(tmp_path: Path) -> None:
    (tmp_path / "custom.yaml").write_text("model: bert\ntrain:\n  warmup_proportion: 0.06\n")
    code, out, _ = run("lint", "custom.yaml")
    assert code == 0  # a note: it does not fail CI, it tells what was not checked
    assert findings(out) == [("custom.yaml", 3, 3, "WU308", "note")]
    assert "train.warmup_proportion are in a layout no reader knows" in out
    (tmp_path / "quiet.yaml").write_text(
        "train:\n  warmup_proportion: 0.06  # warmup: noqa: WU308\n")
    assert codes(run("lint", "quiet.yaml")[1]) == []
    (tmp_path / "plain.yaml").write_text("model: bert\nbatch_size: 8\n")
    assert codes(run("lint", "plain.yaml")[1]) == []
