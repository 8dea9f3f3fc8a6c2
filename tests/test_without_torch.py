"""A plain `pip install warmup-cli` has no torch (it is the `torch` extra): lint works fully,
and show/compare compute the series and say on stderr that nothing was checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# sys.modules["torch"] = None makes every `import torch` fail, as on a machine without it.
BLOCK = ("import sys; sys.modules['torch'] = None; "
         "from warmup_cli.cli import main; sys.argv = ['warmup', *sys.argv[1:]]; main()")


def _warmup(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK, *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_show_in_a_pipe_writes_the_series_and_warns_that_it_was_not_checked() -> None:
    done = _warmup("show", "linear:4,base=0.1", "-n", "6", "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split(",")[0] == "epoch"
    assert len(lines) == 7
    assert "not checked against a real LambdaLR" in done.stderr
    assert "pip install 'warmup-cli[torch]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_series_is_the_same_with_and_without_torch() -> None:
    without = _warmup("show", "linear:4 > cosine:10,base=0.1", "-n", "14", "--format", "csv")
    with_torch = subprocess.run([sys.executable, "-m", "warmup_cli", "show",
                                 "linear:4 > cosine:10,base=0.1", "-n", "14", "--format",
                                 "csv"], capture_output=True, text=True, timeout=120)
    assert with_torch.returncode == 0, with_torch.stderr
    assert without.stdout == with_torch.stdout
    assert "not checked" not in with_torch.stderr


def test_the_table_claims_no_check_and_the_warning_goes_to_stderr() -> None:
    done = _warmup("show", "linear:4,base=0.1", "-n", "6", "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "checked against" not in done.stdout
    assert "not checked against a real LambdaLR" in done.stderr


def test_a_long_series_skips_the_background_check_too() -> None:
    done = _warmup("show", "linear:4,base=0.1", "--steps", "30000", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 30001
    assert "not checked against a real LambdaLR" in done.stderr


def test_compare_warns_once_and_prints_every_column() -> None:
    done = _warmup("compare", "linear:4,base=0.1", "constant:1,base=0.1", "-n", "5",
                   "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 6
    assert done.stderr.count("not checked against a real LambdaLR") == 1


def test_resume_from_needs_torch_and_says_how_to_get_it() -> None:
    done = _warmup("show", "linear:4,base=0.1", "-n", "6", "--resume-from", "2")
    assert done.returncode == 2
    assert "torch is not installed" in done.stderr
    assert "warmup-cli[torch]" in done.stderr
    assert "Traceback" not in done.stderr


def test_lint_needs_no_torch(tmp_path: Path) -> None:
    (tmp_path / "train.yaml").write_text('lr_lambda: "lambda e: e / 4"\n')
    done = _warmup("lint", "train.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "WU101" in done.stdout

