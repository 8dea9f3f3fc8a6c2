"""Tests for warmup_cli.configs.discover: targets -> config files, errors yielded not raised."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warmup_cli.configs.discover import CONFIG_SUFFIXES, discover
from warmup_cli.errors import ConfigError


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("a: 1\n")


def split(results: list[Path | ConfigError]) -> tuple[list[str], list[str]]:
    files = [str(r) for r in results if isinstance(r, Path)]
    errors = [str(r) for r in results if isinstance(r, ConfigError)]  # "path: message"
    assert len(files) + len(errors) == len(results)
    return files, errors


def run(*targets: str | Path) -> tuple[list[str], list[str]]:
    return split(list(discover([str(t) for t in targets])))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    touch(
        tmp_path,
        "b.json",
        "a.yaml",
        "c.txt",
        "notes.md",
        ".hidden-file.yml",
        "sub/d.toml",
        "sub/deeper/e.py",
        "sub2/f.yml",
        ".git/config.yaml",
        ".hidden/g.yaml",
        "__pycache__/h.py",
        "node_modules/pkg/i.json",
        ".venv/lib/j.py",
    )
    return tmp_path


def test_suffixes() -> None:
    assert CONFIG_SUFFIXES == (".yaml", ".yml", ".json", ".toml", ".py")


def test_directory_walk_is_sorted_and_skips_junk(tree: Path) -> None:
    files, errors = run(tree)
    assert errors == []
    assert files == [
        str(tree / ".hidden-file.yml"),  # hidden *files* are kept; hidden directories are not
        str(tree / "a.yaml"),
        str(tree / "b.json"),
        str(tree / "sub" / "d.toml"),
        str(tree / "sub" / "deeper" / "e.py"),
        str(tree / "sub2" / "f.yml"),
    ]


def test_walk_is_deterministic(tree: Path) -> None:
    assert run(tree) == run(tree)


def test_files_are_taken_whatever_their_suffix(tree: Path) -> None:
    files, errors = run(tree / "notes.md", tree / "c.txt")
    assert (files, errors) == ([str(tree / "notes.md"), str(tree / "c.txt")], [])


def test_explicit_hidden_directory_is_walked(tree: Path) -> None:
    assert run(tree / ".hidden") == ([str(tree / ".hidden" / "g.yaml")], [])


def test_glob(tree: Path) -> None:
    files, errors = run(f"{tree}/**/*.y*ml")
    assert errors == []
    assert files == [str(tree / "a.yaml"), str(tree / "sub2" / "f.yml")]


def test_glob_takes_matched_files_and_walks_matched_directories(tree: Path) -> None:
    files, errors = run(f"{tree}/s*", f"{tree}/*.md")
    assert errors == []
    assert files == [
        str(tree / "sub" / "d.toml"),
        str(tree / "sub" / "deeper" / "e.py"),
        str(tree / "sub2" / "f.yml"),
        str(tree / "notes.md"),
    ]


def test_relative_glob(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert run("sub/**/*.py") == (["sub/deeper/e.py"], [])


def test_missing_path_is_yielded_and_the_rest_continues(tree: Path) -> None:
    missing = tree / "nope.yaml"
    files, errors = run(missing, tree / "a.yaml")
    assert files == [str(tree / "a.yaml")]
    assert errors == [f"{missing}: No such file or directory"]


def test_glob_matching_nothing(tree: Path) -> None:
    pattern = f"{tree}/**/*.cfg"
    files, errors = run(pattern, tree / "b.json")
    assert files == [str(tree / "b.json")]
    assert errors == [f"{pattern}: no files match this pattern"]


def test_results_are_yielded_lazily_in_target_order(tree: Path) -> None:
    results = discover([str(tree / "missing"), str(tree / "a.yaml")])
    first = next(results)
    assert isinstance(first, ConfigError)
    assert next(results) == tree / "a.yaml"
    assert next(results, None) is None


def test_no_file_twice(tree: Path) -> None:
    (tree / "link.yaml").symlink_to(tree / "a.yaml")
    os.link(tree / "b.json", tree / "hard.json")
    files, errors = run(tree / "a.yaml", tree, f"{tree}/*.yaml", tree / "sub", tree / "a.yaml")
    assert errors == []
    assert len(files) == len(set(files))
    assert files[0] == str(tree / "a.yaml")
    assert str(tree / "link.yaml") not in files  # the same file as a.yaml
    assert (str(tree / "b.json") in files) != (str(tree / "hard.json") in files)


def test_symlink_loop_is_reported_and_not_followed(tmp_path: Path) -> None:
    touch(tmp_path, "top/a.yaml", "top/inner/b.yaml")
    (tmp_path / "top" / "inner" / "loop").symlink_to(tmp_path / "top")
    files, errors = run(tmp_path / "top")
    assert files == [str(tmp_path / "top" / "a.yaml"), str(tmp_path / "top" / "inner" / "b.yaml")]
    assert errors == [
        f"{tmp_path / 'top' / 'inner' / 'loop'}: symlink loop (it leads back to "
        f"{tmp_path / 'top'}); not entered"
    ]


def test_self_loop(tmp_path: Path) -> None:
    touch(tmp_path, "d/a.yaml")
    (tmp_path / "d" / "self").symlink_to(".")
    files, errors = run(tmp_path / "d")
    assert files == [str(tmp_path / "d" / "a.yaml")]
    assert len(errors) == 1
    assert "symlink loop" in errors[0]


def test_symlinked_directory_is_followed(tmp_path: Path) -> None:
    touch(tmp_path, "real/a.yaml")
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "linked").symlink_to(tmp_path / "real")
    assert run(tmp_path / "top") == ([str(tmp_path / "top" / "linked" / "a.yaml")], [])


def test_directory_linked_twice_is_walked_once_without_error(tmp_path: Path) -> None:
    touch(tmp_path, "real/a.yaml")
    (tmp_path / "top").mkdir()
    (tmp_path / "top" / "one").symlink_to(tmp_path / "real")
    (tmp_path / "top" / "two").symlink_to(tmp_path / "real")
    assert run(tmp_path / "top") == ([str(tmp_path / "top" / "one" / "a.yaml")], [])


def test_glob_through_a_symlink_loop_terminates(tmp_path: Path) -> None:
    touch(tmp_path, "a/x.yaml")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    files, errors = run(f"{tmp_path}/**/*.yaml")
    assert files == [str(tmp_path / "a" / "x.yaml")]
    assert errors == []


def test_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    files, errors = run(tmp_path)
    assert files == []
    assert errors == [f"{tmp_path / 'gone.yaml'}: broken symbolic link (No such file or directory)"]
    assert run(tmp_path / "gone.yaml") == (
        [],
        [f"{tmp_path / 'gone.yaml'}: broken symbolic link (No such file or directory)"],
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any directory")
def test_unreadable_directory(tmp_path: Path) -> None:
    touch(tmp_path, "ok/a.yaml", "locked/b.yaml")
    (tmp_path / "locked").chmod(0)
    try:
        files, errors = run(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert files == [str(tmp_path / "ok" / "a.yaml")]
    assert errors == [f"{tmp_path / 'locked'}: cannot read directory: Permission denied"]


def test_unreadable_directory_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Running as root, chmod cannot lock a directory: fail os.scandir for it instead.
    import warmup_cli.configs.discover as discover_module

    touch(tmp_path, "ok/a.yaml", "locked/b.yaml", "z.yaml")
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str]) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discover_module.os, "scandir", scandir)
    files, errors = run(tmp_path)
    assert files == [str(tmp_path / "z.yaml"), str(tmp_path / "ok" / "a.yaml")]
    assert errors == [f"{tmp_path / 'locked'}: cannot read directory: Permission denied"]


def test_empty_directory(tmp_path: Path) -> None:
    assert run(tmp_path) == ([], [])


def test_no_targets() -> None:
    assert list(discover([])) == []


def test_errors_name_their_path_in_a_field(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    (error,) = [r for r in discover([str(missing)]) if isinstance(r, ConfigError)]
    assert (error.path, error.line, error.column) == (str(missing), None, None)
    assert error.message == "No such file or directory"
    (nothing,) = discover([f"{tmp_path}/*.nope"])
    assert isinstance(nothing, ConfigError)
    assert (nothing.path, nothing.message) == (f"{tmp_path}/*.nope", "no files match this pattern")


def test_a_nul_in_a_target_is_an_unreadable_input_not_a_crash() -> None:
    from warmup_cli.lint.runner import lint
    from warmup_cli.lint.settings import Settings
    from warmup_cli.vocab import Code

    report = lint(["e  # \x00["], Settings())
    assert [(d.code, d.message) for d in report.diagnostics] == [
        (Code.WU001, "a path cannot hold a NUL character")]
    assert report.exit_code(Settings().fail_on) == 2
