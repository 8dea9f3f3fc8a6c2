"""One lint rule: its typed code, slug, default severity, doc and (for WU1xx) its check.

The family modules import :class:`Rule` from here rather than from the package, whose
``__init__`` imports them to fill the catalogue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from warmup_cli.lint.context import Context
from warmup_cli.lint.subject import RuleHit
from warmup_cli.vocab import Code, Severity

# The README section's headings ("#### WU101 zero-lr-start") produce these anchors.
DOCS_PAGE = "README.md"

Check = Callable[[Context], RuleHit | None]
# The language of a rule's examples: docs fence them with it and the catalogue tests write
# them to a file with the matching suffix.
ExampleFormat = Literal["yaml", "json", "python"]


@dataclass(frozen=True)
class Rule:
    code: Code
    name: str
    severity: Severity
    summary: str
    explanation: str
    bad: str
    good: str
    # The finding picks its own severity (e.g. by the share of the warmup that is lost).
    scales: bool = False
    # An input that could not be linted: exit code 2 whatever --fail-on says.
    blocking: bool = False
    # Always reported: --ignore and noqa cannot hide a file that was never read.
    fixed: bool = False
    example_format: ExampleFormat = "yaml"
    # The WU1xx check over one subject's trace; None for rules other code reports (WU0xx
    # while reading the input, WU3xx in the framework readers).
    check: Check | None = None
    # The check reads a trace that stopped at a failing step; every other check needs the
    # whole run, so none of them runs on such a trace.
    reads_failure: bool = False

    @property
    def severity_text(self) -> str:
        return "note…error" if self.scales else self.severity.value

    @property
    def anchor(self) -> str:
        return f"{DOCS_PAGE}#{self.code.lower()}-{self.name}"


def checked_by(family: list[Rule], rule: Rule) -> Callable[[Check], Check]:
    """Decorate the check of ``rule``: the rule, carrying the check, joins ``family``.

    The rule's doc then sits right above the code that implements it.
    """
    def decorate(check: Check) -> Check:
        family.append(dataclasses.replace(rule, check=check))
        return check
    return decorate
