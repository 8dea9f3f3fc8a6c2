"""The lint results cache (lint/cache.py): a second lint of unchanged files reads them back,
and anything that changes a result (the file, a base file it follows, a base that appears, the
settings) is linted afresh; --no-cache and WARMUP_NO_CACHE turn it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import warmup_cli.cli.lint  # noqa: F401  (registers lint on the app)
from warmup_cli.cli import app
from warmup_cli.lint import runner
from warmup_cli.lint.cache import CACHE_DIR_ENV, NO_CACHE_ENV, context_key
from warmup_cli.lint.diagnostics import Diagnostic
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings, resolve_settings

ZERO_START = 'scheduler:\n  lr_lambda: "lambda e: e / 4"\n'  # WU101 and more
CLEAN = 'scheduler:\n  lr_lambda: "lambda e: min(1.0, (e + 1) / 4)"\n'


@pytest.fixture(autouse=True)
def _cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(NO_CACHE_ENV, raising=False)
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    yield tmp_path


class Counting:
    """Counts the files really linted (not served from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        real = runner.lint_file

        def counted(path: Path | str, *args: object, **kwargs: object) -> list[Diagnostic]:
            self.names.append(str(path))
            return real(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(runner, "lint_file", counted)

    def take(self) -> list[str]:
        names, self.names = self.names, []
        return sorted(os.path.basename(n) for n in names)


def _lint(*targets: str, settings: Settings | None = None,
          follow_bases: bool = False) -> list[tuple[str, str, int, int, str]]:
    report = lint(list(targets), settings or Settings(), follow_bases=follow_bases, cache=True)
    return [(d.code, d.path, d.start.line, d.start.column, d.message)
            for d in report.diagnostics]


def test_a_second_lint_reads_the_results_back(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(ZERO_START)
    (tmp_path / "b.yaml").write_text(CLEAN)
    counting = Counting(monkeypatch)
    first = _lint(".")
    assert counting.take() == ["a.yaml", "b.yaml"]
    assert any(code == "WU101" for code, *_ in first)
    assert _lint(".") == first
    assert counting.take() == []  # nothing linted again
    cache = tmp_path / ".warmup_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")


def test_an_edited_file_is_linted_afresh(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "a.yaml"
    config.write_text(ZERO_START)
    (tmp_path / "b.yaml").write_text(CLEAN)
    counting = Counting(monkeypatch)
    before = _lint(".")
    counting.take()
    config.write_text(CLEAN)  # same size class, same second: only the content tells
    after = _lint(".")
    assert counting.take() == ["a.yaml"]
    assert after == [] and before != []
    config.write_text(ZERO_START)
    assert _lint(".") == before
    assert counting.take() == ["a.yaml"]


def test_changed_settings_are_linted_afresh(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(ZERO_START)
    counting = Counting(monkeypatch)
    everything = _lint("a.yaml")
    counting.take()
    only_wu101 = _lint("a.yaml", settings=resolve_settings({"select": ["WU101"]},
                                                           isolated=True))
    assert counting.take() == ["a.yaml"]
    assert {code for code, *_ in only_wu101} == {"WU101"} != {code for code, *_ in everything}
    # and the pyproject settings: a new [tool.warmup-cli] ignore is seen at once
    (tmp_path / "pyproject.toml").write_text('[tool.warmup-cli]\nignore = ["WU101"]\n')
    ignored = _lint("a.yaml", settings=resolve_settings({}))
    assert counting.take() == ["a.yaml"]
    assert "WU101" not in {code for code, *_ in ignored}
    assert context_key(["a"], False) != context_key(["b"], False) != context_key(["b"], True)


def _detectron2(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / ".git").mkdir()
    child = tmp_path / "configs" / "child.yaml"
    child.parent.mkdir()
    child.write_text("_BASE_: base.yaml\nSOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 1000\n")
    return child, tmp_path / "configs" / "base.yaml"


def test_a_base_file_that_changes_or_appears_is_followed_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    child, base = _detectron2(tmp_path)
    counting = Counting(monkeypatch)
    missing = _lint(str(child))
    assert any("not at hand" in message for *_, message in missing)
    assert counting.take() == ["child.yaml"]
    assert _lint(str(child)) == missing and counting.take() == []
    # the base appears: its WARMUP_ITERS (longer than the run) now gives WU301
    base.write_text("SOLVER:\n  WARMUP_ITERS: 5000\n  WARMUP_FACTOR: 0.001\n")
    appeared = _lint(str(child))
    assert counting.take() == ["child.yaml"]
    assert "WU301" in {code for code, *_ in appeared}
    assert not any("not at hand" in message for *_, message in appeared)
    assert _lint(str(child)) == appeared and counting.take() == []
    # the base is edited: the warmup fits the run again
    base.write_text("SOLVER:\n  WARMUP_ITERS: 100\n  WARMUP_FACTOR: 0.001\n")
    edited = _lint(str(child))
    assert counting.take() == ["child.yaml"]
    assert "WU301" not in {code for code, *_ in edited}


def test_internal_errors_are_never_kept(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(CLEAN)

    def broken(*args: object) -> object:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(runner, "_lint_file", broken)
        report = lint(["a.yaml"], Settings(), cache=True)
        assert report.internal_errors
    assert lint(["a.yaml"], Settings(), cache=True).diagnostics == []


def test_a_damaged_cache_file_is_linted_afresh(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.yaml").write_text(ZERO_START)
    counting = Counting(monkeypatch)
    first = _lint("a.yaml")
    (stored,) = (tmp_path / ".warmup_cache").glob("*.json")
    stored.write_text('{"format": 1, "entries": {"x": 3')
    assert _lint("a.yaml") == first
    data = json.loads(stored.read_text())
    entry = next(iter(data["entries"].values()))
    entry["observed"] = [["strange", "a.yaml", "x"]]
    stored.write_text(json.dumps(data))
    counting.take()
    assert _lint("a.yaml") == first
    assert counting.take() == ["a.yaml"]


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["lint", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout


def test_cli_no_cache_and_the_environment(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ZERO_START)
    code, out = _cli("--no-cache", "a.yaml")
    assert code == 1 and "WU101" in out
    assert not (tmp_path / ".warmup_cache").exists()
    assert _cli("a.yaml", env={NO_CACHE_ENV: "1"}) == (code, out)
    assert not (tmp_path / ".warmup_cache").exists()
    elsewhere = tmp_path / "elsewhere"
    assert _cli("a.yaml", env={CACHE_DIR_ENV: str(elsewhere)}) == (code, out)
    assert list(elsewhere.glob("*.json")) and not (tmp_path / ".warmup_cache").exists()
    assert _cli("a.yaml") == (code, out)
    assert list((tmp_path / ".warmup_cache").glob("*.json"))
    assert _cli("a.yaml") == (code, out)  # served from the cache: the same text, the same code


def test_an_installed_command_writes_and_reads_the_cache(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(ZERO_START)
    env = {k: v for k, v in os.environ.items() if k != NO_CACHE_ENV}
    command = [sys.executable, "-m", "warmup_cli", "lint", "a.yaml"]
    first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert first.returncode == second.returncode == 1
    assert first.stdout == second.stdout and "WU101" in first.stdout
    assert list((tmp_path / ".warmup_cache").glob("*.json"))
