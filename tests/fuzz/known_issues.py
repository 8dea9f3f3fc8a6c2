"""The failures the fuzz tests found, as minimal reproducers.

``FIXED``: found and fixed; tests/fuzz/test_fuzz_known_issues.py runs each reproducer under the
contract, so a regression fails there with a named, minimal case.

``KNOWN_ISSUES``: found and not fixed yet. Only what matches an entry is let through (counted in
hypothesis' statistics as "known issue: LABEL"); everything else fails the test. The test file
runs every entry with the filter off and fails once it no longer reproduces, so an entry cannot
outlive its bug: move it to ``FIXED`` then. Never add one without a reproducer and an owner.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from rich.errors import MarkupError

from tests.fuzz.formats import CHECKERS, CONTROLS
from tests.fuzz.support import (
    BudgetExceeded,
    KnownIssue,
    check_echoed,
    check_run,
    cpu_budget,
    guarded,
    inside,
    invoke,
    violation,
)
from warmup_cli.configs.document import load_document
from warmup_cli.errors import WarmupError
from warmup_cli.lint.emitters import EMITTERS
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.parse import ParsedText, parse_text
from warmup_cli.vocab import LintFormat


def show(*args: str) -> None:
    """``warmup show ARGS`` under the fuzz contract (a traceback fails it)."""
    check_run(invoke(["show", *args]), ["show", *args], frozenset({0, 2}))


def lint_output(directory: Path, name: str, text: str, fmt: LintFormat) -> None:
    """``warmup lint --output-format FMT NAME`` on ``text``, its output parsed back."""
    (directory / name).write_text(text, errors="surrogateescape")
    args = ["lint", "--isolated", "--output-format", fmt.value, name]
    run = invoke(args, cwd=directory)
    check_run(run, args, says_why=False)
    with inside(directory):
        expected = lint([name], Settings(root=directory)).diagnostics
    CHECKERS[fmt](run.stdout, expected)


def emitted(directory: Path, name: str, fmt: LintFormat) -> None:
    """The library's lint of ``name`` (holding a lambda) emitted as ``fmt``, parsed back."""
    path = directory / name
    path.write_text(LAMBDA_YAML)
    found = lint([str(path)], Settings(root=directory)).diagnostics
    CHECKERS[fmt](EMITTERS[fmt](found), found)


def show_stderr(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text)
    args = ["show", name, "-n", "3", "--format", "csv"]
    run = invoke(args, cwd=directory)
    check_run(run, args, frozenset({0, 2}))
    if CONTROLS.search(run.stderr):
        violation("stderr-controls", f"a control character on stderr: {run.stderr!r}")


LAMBDA_YAML = 'lr_lambda: "lambda e: e / 4"\n'  # a finding: WU101 (LR 0 at step 0)


def _parse(text: str) -> None:
    guarded(lambda: parse_text(text), ())


def _echo(text: str) -> None:
    args = ["show", text, "-n", "1", "--format", "table", "--color", "never"]
    run = invoke(args)
    if check_run(run, args, frozenset({0})):
        check_echoed(text, run.stdout)


def _normal_form(text: str) -> None:
    parsed = parse_text(text)
    assert isinstance(parsed, ParsedText)
    normal = parsed.schedule.to_spec()
    again = parse_text(normal)
    assert isinstance(again, ParsedText)
    for step in range(20):
        if parsed.schedule(step) != again.schedule(step):
            violation("normal-form", f"{text!r} prints as {normal!r}: step {step} differs")


def _toml_header(directory: Path) -> None:
    text = "[" + ".".join(["a"] * 1500) + "]\nx = 1\n"
    with cpu_budget(), contextlib.suppress(WarmupError):
        load_document("deep.toml", text=text)


def _show_file(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text)
    show(str(directory / name), "-n", "8", "--format", "csv")


NOT_UTF8 = os.fsdecode(b"\xff.yaml")

# Found by the fuzz tests and fixed: each reproducer must now pass the contract
# (tests/fuzz/test_fuzz_known_issues.py), so none of these can come back unnoticed.
FIXED: tuple[KnownIssue, ...] = (
    KnownIssue(
        "markup in an error message",
        "must-fix 2, bullet 4 (h-output): rich markup in user text",
        lambda _: show("step  # [/]", "-n", "1", "--format", "csv"),
        exception=MarkupError, raised_in="warmup_cli/cli/app.py:report"),
    KnownIssue(
        "markup in the table title",
        "must-fix 2, bullet 4 (h-output): rich markup in user text",
        lambda _: show("(-e)  # [/]", "-n", "1", "--format", "table"),
        exception=MarkupError, raised_in="warmup_cli/render/screen.py:print_shown"),
    KnownIssue(
        "markup applied in the table title",
        "must-fix 2, bullet 4 (h-output): `[bold red]X[/]` is interpreted, the brackets vanish",
        lambda _: _echo("e  # [bold red]X[/]"),
        checks=("markup-applied",)),
    KnownIssue(
        "ZeroDivisionError for beta2=1",
        "must-fix 2, bullet 2 (h-crash): radam/untuned-linear/untuned-exp beta2=1",
        lambda _: _parse("radam:beta2=1.0"),
        exception=ZeroDivisionError, raised_in="warmup_cli/kinds.py"),
    KnownIssue(
        "OverflowError for a huge spec number",
        "must-fix 2, bullet 3 (h-crash): float(raw) in spec.py",
        lambda _: _parse("cosine:1" + "0" * 310),
        exception=OverflowError, raised_in="warmup_cli/spec.py"),
    KnownIssue(
        "TOML dotted header over the CPU budget",
        "must-fix 3, bullet 1 (h-budget): the TOML position scanner is cubic",
        _toml_header,
        exception=BudgetExceeded, raised_in="warmup_cli/configs/toml_loader.py",
        message="more than"),
    KnownIssue(
        "newline in a file name splits a text line",
        "must-fix 4 (h-output): user text printed raw",
        lambda d: lint_output(d, "a\n::error file=x,line=1::INJECTED.yaml", LAMBDA_YAML,
                              LintFormat.TEXT),
        checks=("text-lines",)),
    KnownIssue(
        "control characters in text output",
        "must-fix 4 (h-output): user text printed raw",
        lambda d: lint_output(d, "\x1b[31mred.yaml", LAMBDA_YAML, LintFormat.TEXT),
        checks=("text-controls",)),
    KnownIssue(
        "control characters make JUnit invalid XML",
        "must-fix 4 (h-output): XML 1.0 forbids them",
        lambda d: lint_output(d, "ctl\x01.yaml", LAMBDA_YAML, LintFormat.JUNIT),
        checks=("junit-xml",)),
    KnownIssue(
        "non-UTF-8 file name: output cannot be written",
        "must-fix 4 (h-output): surrogateescape-aware output (lint, show's title, errors)",
        lambda d: lint_output(d, NOT_UTF8, LAMBDA_YAML, LintFormat.JSON),
        exception=UnicodeEncodeError, message="surrogates not allowed"),
    KnownIssue(
        "non-UTF-8 file name: SARIF uri",
        "must-fix 4 (h-output): UnicodeEncodeError in urllib.parse.quote",
        lambda d: emitted(d, NOT_UTF8, LintFormat.SARIF),
        exception=UnicodeEncodeError, raised_in="warmup_cli/lint/emitters.py"),
    KnownIssue(
        "non-UTF-8 file name: lone surrogates in the output text",
        "must-fix 4 (h-output): a raw 0xFF byte in json and junit output",
        lambda d: emitted(d, NOT_UTF8, LintFormat.JSON),
        checks=("text-utf8", "json-utf8", "github-utf8", "junit-utf8", "sarif-utf8")),
    KnownIssue(
        "control characters on show's stderr",
        "must-fix 4 (h-output): config values echoed raw in error messages",
        lambda d: show_stderr(d, "config.yaml", 'lr_lambda: "\\x1b[31m"\nx: "\x7f"\n'),
        checks=("stderr-controls",)),
    KnownIssue(
        "the normal form drops the parentheses of a nested product",
        "found by the fuzz tests: Product.to_spec printed `a * (b * c)` as `a * b * c`, "
        "which multiplies in another order",
        lambda _: _normal_form("exp:3 * (exp:5 * exp:7)"),
        checks=("normal-form",)),
    KnownIssue(
        "OverflowError for a huge int factor",
        "must-fix 2, bullet 1 (h-crash): math.isfinite(int) in series.py, outside the guard",
        lambda _: show("lambda e: 10 ** 309", "-n", "3", "--format", "csv"),
        exception=OverflowError, raised_in="warmup_cli/series.py"),
)

FIXED += (
    KnownIssue(
        "a negative learning_rate reached torch's SGD",
        "found by make fuzz: HF learning_rate -4 raised ValueError in torch_adapter._lambdalr",
        lambda d: _show_file(d, "config.yaml", "learning_rate: -4\nlr_scheduler_type: linear\n"
                             "warmup_steps: 200\nmax_steps: 100\n"),
        exception=ValueError, raised_in="warmup_cli/torch_adapter.py"),
    KnownIssue(
        "a negative LR a scheduler sets itself reached torch's SGD",
        "found by make fuzz (the same crash through DeepSpeed's warmup_max_lr)",
        lambda d: _show_file(d, "ds.json", '{"optimizer": {"type": "Adam", "params": {"lr": 0.001}'
                             '}, "scheduler": {"type": "WarmupLR", "params": {"warmup_min_lr": '
                             '0, "warmup_max_lr": -0.01, "warmup_num_steps": 10}}}'),
        exception=ValueError, raised_in="warmup_cli/torch_adapter.py"),
)

# Failures found and not fixed yet, let through by the fuzz tests: none.
KNOWN_ISSUES: tuple[KnownIssue, ...] = ()
