"""Issue 11, defects 7 and 8: empty lint targets, the files-checked summary, options that every
message names, and where a pyproject.toml setting is wrong."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.configs.discover import discover
from warmup_cli.lint.diagnostics import Diagnostic, Location
from warmup_cli.lint.emitters import Checked, summary
from warmup_cli.vocab import Code, Severity

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()

# Flags of other programs that warmup_cli quotes (never options of warmup itself).
FOREIGN_FLAGS = {
    "--max_update": "fairseq's own assertion message, quoted in a finding",
    "--lr-period-updates": "fairseq's own assertion message, quoted in a finding",
}
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9_-]*[a-z0-9]")


def lint(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["lint", *args])
    return result.exit_code, result.stdout, result.stderr


# --- 7: empty targets and the files-checked summary ---------------------------------------

def test_an_empty_directory_is_a_warning_not_a_silent_pass(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# not a config\n")
    code, out, err = lint(str(tmp_path))
    assert err == f"warning: no files to lint under {tmp_path} (it holds no *.yaml, *.yml, " \
                  "*.json, *.toml or *.py file)\n"
    # ruff warns "No Python files found under the given path(s)" and exits 0: so do we
    assert code == 0
    assert out == "All checks passed (0 files checked).\n"


def test_only_the_empty_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "a.yaml").write_text("lr: 0.1\n")
    code, out, err = lint(str(tmp_path / "empty"), str(tmp_path / "full"))
    assert code == 0
    assert err.startswith(f"warning: no files to lint under {tmp_path / 'empty'} ")
    assert err.count("warning:") == 1
    assert out == "All checks passed (1 file checked).\n"


def test_discover_reports_the_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.md").write_text("x")
    empty: list[str] = []
    assert list(discover([str(tmp_path)], on_empty=empty.append)) == []
    assert empty == [str(tmp_path)]


def test_the_summary_counts_every_file_checked(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text("lr: 0.1\n")
    (tmp_path / "bad.yaml").write_text("lr_lambda: 'lambda e: e / 4'\n")
    code, out, _ = lint(str(tmp_path), "linear:4")
    assert code == 1
    assert out.splitlines()[-1] == ("Found 2 findings (2 errors) in 1 file; 1 schedule and "
                                    "4 files checked.")


@pytest.mark.parametrize(("found", "checked", "text"), [
    (0, Checked(files=39), "All checks passed (39 files checked)."),
    (0, Checked(files=1, schedules=2), "All checks passed (2 schedules and 1 file checked)."),
    (1, Checked(files=0, schedules=1),
     "Found 1 finding (1 error) in 1 schedule; 1 schedule checked."),
    (2, Checked(files=5, schedules=1),
     "Found 2 findings (2 errors) in 1 schedule and 1 file; 1 schedule and 5 files checked."),
])
def test_summary_texts(found: int, checked: Checked, text: str) -> None:
    diagnostics = [Diagnostic(Code.WU101, Severity.ERROR, "m", path, Location(1, 1))
                   for path in ("<arg1>", "a.yaml")[:found]]
    assert summary(diagnostics, checked) == text


# --- 8: messages name options that exist ----------------------------------------------------

def warmup_options() -> set[str]:
    names: set[str] = set()

    def collect(command: object) -> None:
        for param in getattr(command, "params", []):
            names.update(param.opts, param.secondary_opts)
        for sub in getattr(command, "commands", {}).values():
            collect(sub)

    group = typer.main.get_command(app)
    collect(group)
    return names | set(group.context_settings["help_option_names"])


def docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) \
                and node.body and isinstance(node.body[0], ast.Expr) \
                and isinstance(node.body[0].value, ast.Constant):
            found.add(id(node.body[0].value))
    return found


def named_flags() -> list[tuple[str, int, str]]:
    """Every --flag written in a string of warmup_cli (messages, hints, help), with where."""
    flags = []
    for path in sorted((ROOT / "warmup_cli").rglob("*.py")):
        tree = ast.parse(path.read_text())
        skip = docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in skip:
                flags += [(str(path.relative_to(ROOT)), node.lineno, flag)
                          for flag in FLAG.findall(node.value)]
    return flags


def test_every_option_a_message_names_exists() -> None:
    flags = named_flags()
    assert len(flags) > 40  # the scan sees the messages (a vacuous pass would find none)
    assert "--updates-per-epoch" in {flag for _, _, flag in flags}
    known = warmup_options() | set(FOREIGN_FLAGS)
    missing = [(path, line, flag) for path, line, flag in flags if flag not in known]
    assert missing == []


def test_the_flag_scan_would_catch_a_wrong_name() -> None:
    assert FLAG.findall("pass --iters-per-epoch N or --updates-per-epoch") == \
        ["--iters-per-epoch", "--updates-per-epoch"]
    assert "--iters-per-epoch" not in warmup_options()


# --- 8: a pyproject.toml mistake is located -------------------------------------------------

def test_an_unknown_pyproject_key_has_its_line_and_column(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.warmup-cli]\nselect = ["ALL"]\n  ignor = ["WU1"]\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = lint("linear:4")
    assert code == 2 and out == ""
    assert err == (f"error: {tmp_path / 'pyproject.toml'}:6:3: unknown key 'ignor' in "
                   "[tool.warmup-cli]\nhint: did you mean 'ignore'?\n")


def test_a_bad_pyproject_value_points_at_the_value(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.warmup-cli]\nhorizon = -5\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = lint("linear:4")
    assert code == 2
    assert err.startswith(f"error: {tmp_path / 'pyproject.toml'}:2:11: horizon must be a "
                          "positive whole number, not -5")


def test_linting_a_pyproject_does_not_read_our_own_table_as_a_schedule(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.warmup-cli]\nignore = ["WU109"]\n')
    assert lint(str(tmp_path / "pyproject.toml"), "--isolated")[:2] == \
        (0, "All checks passed (1 file checked).\n")
