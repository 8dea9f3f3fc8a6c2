"""``warmup lint --jobs N`` (lint/jobs.py): files linted on several processes give the very
report of one process (order, text, exit code), bugs in a worker are still reported, and a
worker that dies costs nothing but time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, needs_corpus
from warmup_cli.lint import jobs, runner
from warmup_cli.lint.jobs import MIN_FILES_PER_JOB, ordered_map, workers_for
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.vocab import CONFIG_SUFFIXES


def _copies(folder: Path, times: int) -> Path:
    """The corpus ``times`` over, each copy in its own folder (names as in the corpus)."""
    for index in range(times):
        target = folder / f"copy{index}"
        target.mkdir(parents=True)
        for path in sorted(CORPUS.iterdir()):
            if path.name != "INDEX.md":
                shutil.copy(path, target / path.name)
    return folder


def test_workers_for_enough_files_only() -> None:
    assert workers_for(10_000, 1) == 1
    assert workers_for(MIN_FILES_PER_JOB - 1, 8) == 1
    assert workers_for(2 * MIN_FILES_PER_JOB, 8) == 2
    assert workers_for(10_000, 2) == 2
    assert jobs.default_jobs() >= 1


def test_ordered_map_keeps_the_order_and_uses_other_processes() -> None:
    items = list(range(200))
    results = list(ordered_map(lambda n: (n * n, os.getpid()), items, 2))
    assert [square for square, _ in results] == [n * n for n in items]
    assert {pid for _, pid in results} - {os.getpid()}  # some ran in a worker


def test_a_worker_that_dies_leaves_its_files_to_the_parent() -> None:
    parent = os.getpid()

    def work(n: int) -> tuple[int, int]:
        if os.getpid() != parent and n == 57:
            os._exit(9)  # as the kernel's OOM killer would end it
        return n, os.getpid()

    results = list(ordered_map(work, list(range(120)), 2))
    assert [n for n, _ in results] == list(range(120))
    assert results[57][1] == parent


@needs_corpus
def test_the_pool_gives_the_report_of_one_process(tmp_path: Path) -> None:
    folder = _copies(tmp_path / "repo", 2)  # enough files for two workers
    one = lint([str(folder)], Settings(), jobs=1)
    two = lint([str(folder)], Settings(), jobs=2)
    configs = [p for p in folder.rglob("*") if p.suffix in CONFIG_SUFFIXES]
    assert two.diagnostics == one.diagnostics and two.inputs == one.inputs == len(configs)
    assert two.exit_code(Settings().fail_on) == one.exit_code(Settings().fail_on)


def test_a_bug_in_a_worker_is_reported_at_its_file(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(3 * MIN_FILES_PER_JOB):
        (tmp_path / f"c{index:02d}.yaml").write_text('lr_lambda: "lambda e: 1.0"\n')
    parent = os.getpid()
    real = runner._lint_file

    def sometimes_broken(name: str, *args: object) -> object:
        if name.endswith("c07.yaml") and os.getpid() != parent:
            raise RuntimeError("a bug in a worker")
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_lint_file", sometimes_broken)
    report = lint([str(tmp_path)], Settings(), jobs=2)
    (bug,) = report.internal_errors
    assert bug.path.endswith("c07.yaml") and "a bug in a worker" in bug.message
    assert report.exit_code(Settings().fail_on) == 3


@needs_corpus
def test_cli_jobs_same_output_and_exit_code(tmp_path: Path, plain_env: dict[str, str]) -> None:
    folder = _copies(tmp_path / "repo", 1)
    outcomes = []
    for count in ("1", "2"):
        done = subprocess.run([sys.executable, "-m", "warmup_cli", "lint", "--jobs", count,
                               "--no-cache", str(folder)], capture_output=True, text=True,
                              env=plain_env, cwd=tmp_path)
        assert "Traceback" not in done.stderr
        outcomes.append((done.returncode, done.stdout))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] in (1, 2) and outcomes[0][1].count("\n") > 40
    refused = subprocess.run([sys.executable, "-m", "warmup_cli", "lint", "--jobs", "0",
                              str(folder)], capture_output=True, text=True, env=plain_env)
    assert refused.returncode == 2 and "--jobs" in refused.stderr
