"""`warmup diff OLD NEW`: landmarks and the largest change, from the real series."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmup_cli.cli.app import app
from warmup_cli.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

HF = "learning_rate: 0.001\nlr_scheduler_type: cosine\nwarmup_steps: {w}\nmax_steps: 2000\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _series(*args: str) -> list[float]:
    code, out, err = run("show", *args, "--format", "csv")
    assert code == EXIT_OK, err
    header, *rows = out.splitlines()
    lr = header.split(",").index("lr")
    return [float(row.split(",")[lr]) for row in rows]


def _relative(old: float, new: float) -> float:
    return abs(new - old) / abs(old) if old else (0.0 if new == old else float("inf"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "train.yaml").write_text(HF.format(w=100))
    subprocess.run([*git, "add", "train.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    (tmp_path / "train.yaml").write_text(HF.format(w=200))
    return tmp_path


def test_an_equivalent_rewrite_is_no_change() -> None:
    code, out, _ = run("diff", "linear:4", "lambda e: min(1.0, (e + 1) / 4)")
    assert code == EXIT_OK
    assert out.splitlines()[-1] == "no change: the same LR at every one of the 20 epochs compared"


def test_a_git_revision_against_the_working_tree(repo: Path) -> None:
    code, out, err = run("diff", "HEAD:train.yaml", "train.yaml", "--format", "json")
    assert code == EXIT_FINDINGS, err
    found = json.loads(out)
    old = _series(str(repo / "train.yaml"))  # the new file, then the old one in its place
    (repo / "before.yaml").write_text(HF.format(w=100))
    older = _series(str(repo / "before.yaml"))
    assert found["old"]["warmup"] == 100 and found["new"]["warmup"] == 200
    assert found["old"]["peak_lr"] == max(older) and found["new"]["peak_lr"] == max(old)
    assert found["old"]["peak_at"] == older.index(max(older))
    assert found["old"]["final_lr"] == older[-1] and found["new"]["final_lr"] == old[-1]
    pairs = list(zip(older, old, strict=True))
    first = next(i for i, (a, b) in enumerate(pairs) if a != b)
    assert found["first_difference"] == {"row": first, "old": older[first], "new": old[first],
                                         "relative": _relative(*pairs[first]),
                                         "from_zero": False}
    largest = max(_relative(a, b) for a, b in pairs)
    at = next(i for i, (a, b) in enumerate(pairs) if _relative(a, b) == largest)
    assert found["largest_change"]["row"] == at
    assert found["largest_change"]["relative"] == largest
    assert {change["what"] for change in found["changes"]} >= {"warmup", "peak at"}


def test_text_and_markdown_name_what_changed(repo: Path) -> None:
    code, out, _ = run("diff", "HEAD:train.yaml", "train.yaml")
    assert code == EXIT_FINDINGS
    assert "* warmup" in out and "100 -> 200" in out
    assert "  length (steps)  2000 (unchanged)" in out
    code, out, _ = run("diff", "HEAD:train.yaml", "train.yaml", "--format", "markdown",
                       "--no-fail-on-change")
    assert code == EXIT_OK
    assert "| **warmup** | 100 | 200 |" in out
    assert out.startswith("**warmup diff: schedule changed**")


def test_a_change_from_lr_0_is_infinite_and_json_says_so() -> None:
    code, out, _ = run("diff", "lambda e: min(1.0, e / 4)", "linear:4", "--format", "json")
    assert code == EXIT_FINDINGS
    found = json.loads(out)
    assert found["largest_change"] == {"row": 0, "old": 0.0, "new": 0.25, "relative": None,
                                       "from_zero": True}


def test_bad_revisions_and_units_are_usage_errors(repo: Path) -> None:
    code, _, err = run("diff", "nosuchrev:train.yaml", "train.yaml")
    assert code == EXIT_USAGE and "cannot read nosuchrev:train.yaml" in err
    code, _, err = run("diff", "--", "--output=x:train.yaml", "train.yaml")
    assert code == EXIT_USAGE and "is not a revision:path" in err
    assert not (repo / "x").exists()
    code, _, err = run("diff", "linear:4", "train.yaml")
    assert code == EXIT_USAGE and "different units" in err


def test_markdown_escapes_the_sources(tmp_path: Path) -> None:
    code, out, _ = run("diff", "lambda e: 1 if e | 1 else 0", "linear:4", "-f", "markdown")
    assert code == EXIT_FINDINGS
    assert "e \\| 1" in out
