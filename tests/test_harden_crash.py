"""Issue 14, must-fix 2 and 5: hostile or unlucky input ends in one located error (or a finding),
never a traceback that stops the run, and lint never reads outside the tree it was given.

Each test here failed before its fix: an OverflowError or ZeroDivisionError escaping the
guarded evaluation, a reader or check bug stopping the other files, a header written before
the first failing step, a named pipe answered as a missing file or as the identity lambda.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import warmup_cli.cli.lint  # noqa: F401  (registers lint on the app)
from tests.conftest import FRAMEWORK_FIXTURES, ROOT
from warmup_cli.cli import app
from warmup_cli.configs.inherit import load_config
from warmup_cli.errors import EXIT_INTERNAL, EXIT_USAGE, EvaluationError, SpecError
from warmup_cli.lint import runner
from warmup_cli.lint.engine import check_subject
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.pipeline import RunLength, ShowRequest, show, write_series
from warmup_cli.series import View
from warmup_cli.spec import parse_spec
from warmup_cli.vocab import Code, Severity

runner_cli = CliRunner()
ZEROS_310 = "0" * 310


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner_cli.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


# --- must-fix 2: ints too large for a float LR --------------------------------------------------

@pytest.mark.parametrize(("text", "bits"), [
    ("lambda e: 10 ** 309", "1,027"),
    ("lambda e: int(1e308) ** 4", "4,093"),
    ("lambda e: (1024 << 1024)", "1,035"),
])
def test_an_int_factor_too_large_for_a_float_is_a_located_error(text: str, bits: str) -> None:
    code, out, err = invoke("show", text, "-n", "3", "--format", "csv")
    assert code == EXIT_USAGE and out == ""
    assert f"returned an integer of {bits} bits at step 0, too large to become a float LR" in err


def test_a_huge_int_after_the_first_steps_names_its_step() -> None:
    code, _, err = invoke("show", "lambda e: 10 ** 309 if e == 2 else 1", "-n", "5", "-f", "csv")
    assert code == EXIT_USAGE and "at step 2" in err


def test_a_huge_int_from_a_python_config_is_a_finding_and_the_next_file_is_linted(
        tmp_path: Path) -> None:
    bad, good = tmp_path / "a_bad.py", tmp_path / "b_good.py"
    bad.write_text("lr_lambda = lambda e: 10 ** 400\n")
    good.write_text("lr_lambda = lambda e: min(1.0, e / 4)\n")
    report = lint([str(bad), str(good)], Settings())
    by_file = {Path(d.path).name: d for d in report.diagnostics}
    assert by_file["a_bad.py"].code == Code.WU103
    assert "1,329 bits at step 0" in by_file["a_bad.py"].message
    assert by_file["b_good.py"].code == Code.WU101  # linted after the bad one
    assert report.internal_errors == []


def test_an_evaluation_error_for_a_huge_int_keeps_its_step() -> None:
    from warmup_cli.series import checked_call

    with pytest.raises(EvaluationError) as info:
        checked_call(lambda step: 10**400, 7)
    assert info.value.step == 7
    assert checked_call(lambda step: 2**1023, 0) == 2**1023  # still a float-sized int


# --- must-fix 2: parameter ranges and numbers the spec parser must refuse ----------------------

@pytest.mark.parametrize(("text", "message", "column"), [
    ("radam:beta2=1.0", "radam beta2 must be < 1, not 1", 12),
    ("untuned-linear:beta2=1", "untuned-linear beta2 must be < 1, not 1", 21),
    ("untuned-exp:beta2=1", "untuned-exp beta2 must be < 1, not 1", 18),
    # 0.99999999999999999 is 1.0 as a float: refused the same way
    ("untuned-exp:beta2=0.99999999999999999", "untuned-exp beta2 must be < 1, not 1", 18),
])
def test_beta2_of_one_is_refused_with_a_caret(text: str, message: str, column: int) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert info.value.message == message
    assert info.value.column == column


def test_beta2_just_below_one_still_builds() -> None:
    for kind in ("radam", "untuned-linear", "untuned-exp"):
        parse_spec(f"{kind}:beta2=0.9999")


@pytest.mark.parametrize(("text", "needle", "column"), [
    (f"cosine:1{ZEROS_310}", "cosine len must be at most 9,007,199,254,740,992, not a number of "
                             "311 digits", 7),
    (f"multistep:[1,1{ZEROS_310}]", "multistep milestones must be whole numbers of at most", 10),
    (f"exponential:1{ZEROS_310}", "exponential gamma is too large to be a float (311 digits",
     12),
    (f"linear:4,base=1{ZEROS_310}", "base learning rates must be finite", 14),
    ("cosine:1e20", "cosine len must be at most 9,007,199,254,740,992", 7),
    ("cosine:1e400", "cosine len must be finite", 7),
])
def test_numbers_past_a_float_are_spec_errors(text: str, needle: str, column: int) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert needle in info.value.message
    assert info.value.column == column
    code, _, err = invoke("show", text, "-n", "3")
    assert code == EXIT_USAGE and needle in err


# --- must-fix 2: one guard per file in lint ------------------------------------------------------

def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    bad, good = tmp_path / "a_bad.yaml", tmp_path / "b_good.yaml"
    bad.write_text("lr_lambda: 'lambda e: min(1.0, e / 4)'\n")
    good.write_text("lr_lambda: 'lambda e: min(1.0, e / 4)'\n")
    return bad, good


def test_a_loader_bug_is_an_internal_error_and_the_other_files_are_linted(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad, good = _two_files(tmp_path)
    real = load_config

    def load(name: str, **options):  # type: ignore[no-untyped-def]
        if name == str(bad):
            raise KeyError("boom")
        return real(name, **options)

    monkeypatch.setattr(runner, "load_config", load)
    report = lint([str(bad), str(good)], Settings(enabled=frozenset({Code.WU101})))
    (internal,) = report.internal_errors  # --ignore WU308 does not hide it
    assert internal.path == str(bad) and (internal.start.line, internal.start.column) == (1, 1)
    assert internal.severity is Severity.ERROR
    assert "lint failed on this file (KeyError: 'boom'); nothing in it was checked" \
        in internal.message
    assert internal.message.endswith("this is a warmup_cli bug, please report it")
    assert [d.code for d in report.diagnostics if d.path == str(good)] == [Code.WU101]
    assert report.exit_code(Severity.WARNING) == EXIT_INTERNAL


def test_an_extractor_bug_keeps_the_other_extractors(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    bad, _ = _two_files(tmp_path)

    def broken(doc):  # type: ignore[no-untyped-def]
        raise RuntimeError("extractor bug")

    from warmup_cli.lint import extract

    monkeypatch.setattr(extract, "EXTRACTORS", [*extract.EXTRACTORS, broken])
    report = lint([str(bad)], Settings())
    (internal,) = report.internal_errors
    assert "the extractor broken failed on this file (RuntimeError: extractor bug)" \
        in internal.message
    assert Code.WU101 in [d.code for d in report.diagnostics]  # the generic one still ran


def test_a_generic_check_bug_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    bad, good = _two_files(tmp_path)
    real = check_subject

    def check(subject, settings, codes):  # type: ignore[no-untyped-def]
        if subject.path == str(bad):
            raise ZeroDivisionError("check bug")
        return real(subject, settings, codes)

    monkeypatch.setattr(runner, "check_subject", check)
    report = lint([str(bad), str(good), "lambda e: min(1.0, e / 4)"], Settings())
    (internal,) = report.internal_errors
    assert internal.path == str(bad) and "could not be checked (ZeroDivisionError" \
        in internal.message
    assert {d.path for d in report.diagnostics if d.code == Code.WU101} == {str(good), "<arg3>"}


def test_a_command_line_schedule_bug_is_located_at_its_argument(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, good = _two_files(tmp_path)

    def argument_subject(text: str, index: int):  # type: ignore[no-untyped-def]
        raise TypeError("argument bug")

    monkeypatch.setattr(runner, "argument_subject", argument_subject)
    report = lint(["linear:4", str(good)], Settings())
    (internal,) = report.internal_errors
    assert internal.path == "<arg1>"
    assert "lint failed on this schedule (TypeError: argument bug)" in internal.message
    assert [d.code for d in report.diagnostics if d.path == str(good)] == [Code.WU101]


def test_a_discovery_bug_keeps_what_was_found(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    _, good = _two_files(tmp_path)

    def discover(files, on_empty=None):  # type: ignore[no-untyped-def]
        yield good
        raise OSError("discovery bug")

    monkeypatch.setattr(runner, "discover", discover)
    report = lint([str(tmp_path)], Settings())
    (internal,) = report.internal_errors
    assert "finding the config files failed on these targets (OSError: discovery bug)" \
        in internal.message
    assert [d.code for d in report.diagnostics if d.path == str(good)] == [Code.WU101]


def test_lint_exits_3_after_an_internal_error(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    bad, good = _two_files(tmp_path)
    monkeypatch.chdir(tmp_path)

    def load(name: str, **options):  # type: ignore[no-untyped-def]
        raise RuntimeError("loader bug")

    monkeypatch.setattr(runner, "load_config", load)
    code, out, _ = invoke("lint", str(bad), str(good), "--isolated", "--color", "never")
    assert code == EXIT_INTERNAL
    assert out.count("WU308 [error] lint failed on this file (RuntimeError: loader bug)") == 2


def test_no_internal_error_on_any_fixture_or_corpus_file() -> None:
    # The suite notices a reader or check that raises: every config the tests ship is linted
    # once more here and must not produce an internal-error finding.
    targets = [str(FRAMEWORK_FIXTURES), str(ROOT / "tests" / "fixtures")]
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        targets.append(str(corpus))
    report = lint(targets, Settings())
    assert report.inputs > 40
    assert report.internal_errors == []


# --- must-fix 5: output is not left half-written --------------------------------------------------

def test_a_failure_at_the_first_step_writes_no_header() -> None:
    code, out, err = invoke("show", "lambda e: 1 / (e - 2)", "-n", "5", "--format", "csv")
    assert code == EXIT_USAGE and out == "" and "at step 2" in err
    code, out, _ = invoke("compare", "lambda e: 1 / (e - 2)", "linear:3", "-n", "5", "-f", "json")
    assert code == EXIT_USAGE and out == ""


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "markdown"])
def test_a_failure_after_rows_were_written_says_the_output_is_incomplete(fmt: str) -> None:
    shown = show(ShowRequest("lambda e: 1 / (e - 10000)", RunLength(5)))
    out = io.StringIO()
    with pytest.raises(EvaluationError) as info:
        write_series(shown.plan, View(count=20_000), fmt, out)
    assert info.value.step == 10_000
    assert info.value.hint is not None
    assert "the output is incomplete: 8,192 rows were written before this failure" \
        in info.value.hint
    assert out.getvalue()  # the first chunk went out before the failure was known


def test_a_long_series_failing_late_says_so_on_stderr(plain_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "warmup_cli", "show",
                           "lambda e: 1 / (e - 30000)", "-n", "40000", "-f", "csv"],
                          capture_output=True, text=True, env=plain_env, timeout=60,
                          cwd=ROOT, check=False)
    assert done.returncode == EXIT_USAGE
    assert "the output is incomplete: 24,576 rows were written" in done.stderr
    assert "Traceback" not in done.stderr


# --- must-fix 5: named pipes, devices and link loops are named, never opened ---------------------

@pytest.fixture
def odd_paths(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "broken.yaml").symlink_to("nowhere.yaml")
    return tmp_path


@pytest.mark.parametrize(("name", "what"), [
    ("fifo", "fifo is a named pipe, not a config file"),
    ("./fifo", "./fifo is a named pipe, not a config file"),
    ("pipe.yaml", "pipe.yaml is a named pipe, not a config file"),
    ("/dev/zero", "/dev/zero is a character device, not a config file"),
    ("loop1", "loop1 is a symbolic link loop, not a config file"),
    ("broken.yaml", "broken.yaml is a broken symbolic link (to nowhere.yaml), not a config file"),
])
def test_show_says_what_an_odd_path_is(odd_paths: Path, plain_env: dict[str, str], name: str,
                                       what: str) -> None:
    # A subprocess with a timeout: opening the pipe for reading would block forever.
    done = subprocess.run([sys.executable, "-m", "warmup_cli", "show", name, "-n", "3"],
                          capture_output=True, text=True, env=plain_env, timeout=30,
                          cwd=odd_paths, check=False)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert f"error: {what}" in done.stderr
    assert done.stdout == ""


def test_lint_of_a_named_pipe_does_not_block(odd_paths: Path, plain_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "warmup_cli", "lint", "fifo", "pipe.yaml",
                           "--isolated"], capture_output=True, text=True, env=plain_env,
                          timeout=30, cwd=odd_paths, check=False)
    assert done.returncode == EXIT_USAGE
    assert done.stdout.count("WU001") == 2


def test_classify_names_odd_paths_without_opening_them(odd_paths: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from warmup_cli.parse import TextKind, classify, special_path

    monkeypatch.chdir(odd_paths)
    assert classify("fifo") is TextKind.SPECIAL  # was the identity lambda of a step `fifo`
    assert classify("/dev/zero") is TextKind.SPECIAL
    assert special_path("missing.yaml") is None and classify("missing.yaml") is TextKind.PATH
    assert special_path(str(odd_paths)) is None
