"""Issue 14, must-fix 5: a detectron2 ``_BASE_`` given as an absolute or ``~`` path outside the
project is reported as not followed (a located WU308 note) unless ``--follow-bases`` is given;
the project is the nearest folder holding ``.git`` or ``pyproject.toml`` above the config."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import warmup_cli.cli.lint  # noqa: F401  (registers lint on the app)
from tests.conftest import read_one
from warmup_cli.cli import app
from warmup_cli.configs.document import load_document
from warmup_cli.frameworks import detectron2
from warmup_cli.frameworks.detectron2 import project_root
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.vocab import Code, RunFacts, Severity

BASE = "SOLVER:\n  BASE_LR: 0.5\n  MAX_ITER: 100\n  WARMUP_ITERS: 10\n"


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """``project/`` (with a pyproject.toml) and ``outside/base.yaml`` beside it."""
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "base.yaml").write_text(BASE)
    return project, outside / "base.yaml"


def child(project: Path, base: str) -> Path:
    path = project / "configs" / "child.yaml"
    path.write_text(f"_BASE_: {base}\nSOLVER:\n  STEPS: (50,)\n")
    return path


def test_an_absolute_base_outside_the_project_is_not_followed(layout: tuple[Path, Path]
                                                              ) -> None:
    project, base = layout
    schedule = read_one(detectron2, child(project, str(base)))
    assert schedule.plan is None
    (node, why), = schedule.unresolved
    assert node.location == (1, 1)
    assert f"_BASE_ {base} is outside the project ({project}), so it was not followed" in why
    assert "--follow-bases reads it" in why


def test_follow_bases_reads_it(layout: tuple[Path, Path]) -> None:
    project, base = layout
    schedule = read_one(detectron2, child(project, str(base)), facts=RunFacts(follow_bases=True))
    assert schedule.plan is not None and schedule.plan.base_lrs == (0.5,)


def test_etc_passwd_is_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    opened: list[str] = []
    real = load_document

    def load(path: str):  # type: ignore[no-untyped-def]
        opened.append(path)
        return real(path)

    monkeypatch.setattr(detectron2, "load_document", load)
    path = tmp_path / "cfg.yaml"
    path.write_text("_BASE_: /etc/passwd\nSOLVER:\n  MAX_ITER: 100\n")
    (_, why), = read_one(detectron2, path).unresolved
    assert "_BASE_ /etc/passwd is outside the project" in why
    assert opened == []


def test_a_home_base_is_not_followed(layout: tuple[Path, Path],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    project, base = layout
    monkeypatch.setenv("HOME", str(base.parent))
    schedule = read_one(detectron2, child(project, "~/base.yaml"))
    (_, why), = schedule.unresolved
    assert "_BASE_ ~/base.yaml is outside the project" in why
    followed = read_one(detectron2, child(project, "~/base.yaml"),
                        facts=RunFacts(follow_bases=True))
    assert followed.plan is not None and followed.plan.base_lrs == (0.5,)


def test_an_absolute_base_inside_the_project_is_followed(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    (project / "Base.yaml").write_text(BASE)
    schedule = read_one(detectron2, child(project, str(project / "Base.yaml")))
    assert schedule.plan is not None and schedule.plan.base_lrs == (0.5,)


def test_relative_bases_are_followed_as_detectron2_does(layout: tuple[Path, Path]) -> None:
    project, _ = layout
    (project / "Base.yaml").write_text(BASE)
    schedule = read_one(detectron2, child(project, "../Base.yaml"))
    assert schedule.plan is not None and schedule.plan.base_lrs == (0.5,)


def test_the_project_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    config = tmp_path / "a" / "b" / "x.yaml"
    config.write_text("")
    # no marker up to the file system root (tmp dirs have none): the config's own folder
    assert project_root(str(config)) in (str(tmp_path / "a" / "b"), *map(str, tmp_path.parents))
    (tmp_path / "a" / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git file
    assert project_root(str(config)) == str(tmp_path / "a")
    (tmp_path / "a" / "b" / "pyproject.toml").write_text("")
    assert project_root(str(config)) == str(tmp_path / "a" / "b")


def test_lint_reports_the_base_as_a_note_and_follows_it_on_request(
        layout: tuple[Path, Path]) -> None:
    project, base = layout
    path = child(project, str(base))
    (note,) = lint([str(path)], Settings()).diagnostics
    assert (note.code, note.severity, note.start.line) == (Code.WU308, Severity.NOTE, 1)
    assert "not followed" in note.message
    followed = lint([str(path)], Settings(), follow_bases=True).diagnostics
    assert not any("not followed" in d.message for d in followed)


@pytest.mark.parametrize("command", ["show", "export", "lint"])
def test_every_config_command_takes_follow_bases(layout: tuple[Path, Path], command: str
                                                 ) -> None:
    project, base = layout
    path = str(child(project, str(base)))
    extra = {"lint": ["--isolated"], "export": ["--to", "json"]}.get(command, [])
    without = CliRunner().invoke(app, [command, path, *extra])
    assert "not followed" in without.stdout + without.stderr
    assert without.exit_code in ((0,) if command == "lint" else (2,))
    result = CliRunner().invoke(app, [command, path, "--follow-bases", *extra])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "not followed" not in result.stdout + result.stderr
    if command == "show":
        assert "0.5" in result.stdout


def test_compare_takes_follow_bases(layout: tuple[Path, Path]) -> None:
    project, base = layout
    path = str(child(project, str(base)))
    result = CliRunner().invoke(app, ["compare", path, "linear:3", "--steps", "5",
                                      "--follow-bases", "-f", "csv"])
    assert result.exit_code == 0, result.stdout + result.stderr
