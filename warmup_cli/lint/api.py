"""The Python API of ``warmup lint``: files, directories, globs, specs, lambdas or a config's
text in, typed diagnostics and the exit code out.

>>> from warmup_cli.lint.api import lint_text
>>> [str(d.code) for d in lint_text('lr_lambda: "lambda e: e / 4"', "t.yaml").diagnostics]
['WU101', 'WU102']

``warmup lint`` is built on :func:`lint`; schedules themselves are :mod:`warmup_cli.api`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any

from warmup_cli.vocab import Severity

if TYPE_CHECKING:
    from warmup_cli.lint.diagnostics import Diagnostic
    from warmup_cli.lint.runner import LintReport

__all__ = ["LintResult", "lint", "lint_text"]

Target = str | PathLike[str]


@dataclass(frozen=True)
class LintResult:
    """The findings of a lint run, in the order ``warmup lint`` prints them."""

    report: LintReport
    fail_on: Severity

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.report.diagnostics

    @property
    def exit_code(self) -> int:
        """What ``warmup lint`` would exit with: 0 clean, 1 findings, 2 unreadable, 3 bug."""
        return self.report.exit_code(self.fail_on)

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


def lint(targets: Target | Sequence[Target], *, options: Mapping[str, Any] | None = None,
         isolated: bool = False, follow_bases: bool = False,
         texts: Sequence[tuple[str, str]] = (), jobs: int | None = 1,
         cache: bool = False, assignments: Sequence[str] = ()) -> LintResult:
    """Lint files, directories, globs, specs or lambdas: what ``warmup lint`` runs.

    ``options`` are the ``[tool.warmup-cli]`` keys (``{"ignore": ["WU109"], "fail-on":
    "error"}``), applied over the nearest ``pyproject.toml`` unless ``isolated``; ``texts``
    are ``(name, text)`` pairs linted as files ``name`` holding ``text`` (see
    :func:`lint_text`). ``jobs``: processes for the files (None: one per core; ``--jobs``);
    ``cache``: read and write the results cache (``warmup lint`` does unless ``--no-cache``);
    ``assignments``: ``NAME=VALUE`` texts for values a training script leaves open (``--set``).
    """
    from warmup_cli.lint.runner import lint as run_lint
    from warmup_cli.lint.settings import resolve_settings

    names = [str(targets)] if isinstance(targets, str | PathLike) \
        else [str(target) for target in targets]
    settings = resolve_settings(dict(options or {}), isolated=isolated)
    return LintResult(run_lint(names, settings, follow_bases=follow_bases, texts=texts,
                               jobs=jobs, cache=cache, assignments=tuple(assignments)),
                      settings.fail_on)


def lint_text(text: str, filename: str, *, options: Mapping[str, Any] | None = None,
              isolated: bool = False) -> LintResult:
    """Lint a config's text as if it were the file ``filename`` (whose suffix picks the
    format; locations name it), without reading or writing any file."""
    return lint([], options=options, isolated=isolated, texts=[(filename, text)])
