"""What a lint run produces: located diagnostics with a rule code and a severity.

Every emitter (text, json, github, sarif, junit) renders the same list of :class:`Diagnostic`
values, like ruff's message emitters; nothing here knows about schedules.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmup_cli.vocab import Code, Severity

# Code and Severity are re-exported: a diagnostic's fields are typed by them.
__all__ = ["Code", "Diagnostic", "Location", "Severity", "count_by_severity"]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column, as editors and CI annotations count them."""

    line: int
    column: int


@dataclass(frozen=True)
class Diagnostic:
    """One finding: ``path:line:column: code [severity] message``.

    ``noqa_lines`` are the lines whose ``# warmup: noqa`` comment silences it: the line of the
    value and, when the value sits below its key (YAML block scalars), the key's line.
    """

    code: Code
    severity: Severity
    message: str
    path: str
    start: Location
    end: Location | None = None
    noqa_lines: tuple[int, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.line, self.start.column, self.code)


def count_by_severity(diagnostics: list[Diagnostic]) -> dict[Severity, int]:
    counts = dict.fromkeys(Severity, 0)
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    return counts
