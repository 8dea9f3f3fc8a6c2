"""Config documents: the test fixtures and the shared corpus (YAML, JSON, TOML, Python) with
byte, line, key and value mutations, and small files that are big inside.

Reading gives a Document or a located ConfigError; lint gives diagnostics and never raises
(an unreadable file is a WU001), and every output format of those diagnostics parses back;
`warmup show FILE` and `warmup lint FILE` end with a result or one clear error.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from tests.fuzz.documents import Doc, documents, file_names
from tests.fuzz.formats import CHECKERS, CONTROLS
from tests.fuzz.strategies import lambda_texts, spec_texts
from tests.fuzz.support import (
    check_run,
    fuzz_target,
    guarded,
    inside,
    invoke,
    run_fuzz,
    violation,
)
from warmup_cli.configs.inherit import load_config
from warmup_cli.errors import ConfigError, WarmupError
from warmup_cli.lint.diagnostics import Diagnostic
from warmup_cli.lint.emitters import EMITTERS
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.vocab import Code, LintFormat


@contextmanager
def written(doc: Doc, name: str) -> Iterator[Path]:
    """A fresh directory holding ``doc`` as ``name`` (bytes as mutated: maybe not UTF-8)."""
    with tempfile.TemporaryDirectory(prefix="warmup-fuzz-") as directory:
        path = Path(directory) / name
        path.write_bytes(doc.text.encode("utf-8", "surrogateescape"))
        yield path


def _check_diagnostics(found: list[Diagnostic], read: ConfigError | None) -> None:
    for diagnostic in found:
        assert diagnostic.code in set(Code), diagnostic
        assert diagnostic.start.line >= 1 and diagnostic.start.column >= 1, diagnostic
        assert diagnostic.message.strip(), diagnostic
    if read is not None:
        assert any(d.code is Code.WU001 for d in found), (read.render(), found)


def _check_emitters(found: list[Diagnostic]) -> None:
    for fmt, emitter in EMITTERS.items():
        emitted = guarded(lambda emitter=emitter: emitter(found), ())  # type: ignore[misc]
        if not emitted.known:
            CHECKERS[fmt](emitted.value, found)


@fuzz_target
@given(documents(), st.data())
def read_and_lint(doc: Doc, data: st.DataObject) -> None:
    with written(doc, data.draw(file_names(doc.suffix), label="name")) as path:
        # The loader lint uses: with its bases merged (an MMEngine `{{ _base_.x }}` makes a
        # YAML file readable only once it is substituted), so the two agree on what is readable.
        loaded = guarded(lambda: load_config(path), (WarmupError,))
        if loaded.known:
            return
        if loaded.error is not None:
            event("unreadable")
            assert isinstance(loaded.error, ConfigError), loaded.error
            assert loaded.error.path is not None, loaded.error.render()
        linted = guarded(lambda: lint([str(path)], Settings(root=path.parent)).diagnostics, ())
        if linted.known:
            return
        _check_diagnostics(linted.value, loaded.error)
        event(f"{len(linted.value)} findings" if len(linted.value) < 3 else "3+ findings")
        _check_emitters(linted.value)


def test_documents_read_or_refuse_and_lint_to_diagnostics() -> None:
    run_fuzz(read_and_lint)


@fuzz_target
@given(documents(), st.data(), st.sampled_from(list(LintFormat)),
       st.lists(st.one_of(spec_texts(), lambda_texts()), max_size=2))
def lint_command(doc: Doc, data: st.DataObject, fmt: LintFormat, schedules: list[str]) -> None:
    name = data.draw(file_names(doc.suffix), label="name")
    with written(doc, name) as path:
        # a real argv cannot hold NUL (C strings); click's in-process runner would pass it
        targets = [name, *(text.replace("\0", "") for text in schedules)]
        # `--`: a schedule such as `-e` is a target, not an option
        args = ["lint", "--isolated", "--output-format", fmt.value, "--", *targets]
        run = invoke(args, cwd=path.parent)
        if not check_run(run, args, says_why=False):
            return
        with inside(path.parent):
            expected = guarded(lambda: lint(targets, Settings(root=path.parent)).diagnostics, ())
        if expected.known:
            return
        CHECKERS[fmt](run.stdout, expected.value)
        if CONTROLS.search(run.stderr):
            violation("stderr-controls", f"a control character on stderr: {run.stderr!r}")


def test_lint_command_output_parses_back_in_every_format() -> None:
    run_fuzz(lint_command)


@fuzz_target
@given(documents(), st.data(), st.sampled_from(("csv", "table")))
def show_config(doc: Doc, data: st.DataObject, fmt: str) -> None:
    name = data.draw(file_names(doc.suffix), label="name")
    with written(doc, name) as path:
        args = ["show", name, "-n", "8", "--format", fmt, "--color", "never"]
        run = invoke(args, cwd=path.parent)
        if not check_run(run, args, frozenset({0, 2})):
            return
        event(f"show exit {run.exit_code}")
        if CONTROLS.search(run.stderr):
            violation("stderr-controls", f"a control character on stderr: {run.stderr!r}")


def test_show_any_config_gives_rows_or_one_error() -> None:
    run_fuzz(show_config)
