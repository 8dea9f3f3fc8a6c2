"""The schedule rules (WU1xx) on the schedule ``warmup show`` prints: what ``lint`` would say
about it, for the run shown, so that a table whose first row trains at LR 0 or whose factor
never stops growing says so under it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from warmup_cli.errors import WarmupError
from warmup_cli.lint.diagnostics import Location
from warmup_cli.lint.engine import check_subject, evaluation_budget
from warmup_cli.lint.extract import argument_subject
from warmup_cli.lint.rules import RULES
from warmup_cli.lint.settings import Settings, resolve_settings
from warmup_cli.lint.subject import Subject
from warmup_cli.parse import classify
from warmup_cli.schedule import Plan
from warmup_cli.vocab import Code, Severity

SCHEDULE_CODES = frozenset(code for code in RULES if code.startswith("WU1"))
RUN_SOURCE = "as shown"  # lint names the run "the run (--horizon)"; show, "the run (as shown)"


@dataclass(frozen=True)
class Finding:
    code: Code
    name: str
    severity: Severity
    message: str

    def describe(self) -> str:
        """``WU101 [error] the first update gets LR 0 ...``"""
        return f"{self.code} [{self.severity}] {self.message}"


def shown_findings(argument: str, plan: Plan, run_length: int | None) -> list[Finding]:
    """The WU1xx findings ``lint`` makes on ``plan`` over a run of ``run_length`` scheduler
    steps (None: lint's default horizon, and no finding that needs the real run length), with
    the rules ``[tool.warmup-cli]`` enables; ``argument`` is what the user gave (a lambda's
    text lets the checks point inside it)."""
    settings = _settings()
    codes = settings.codes_for(None) & SCHEDULE_CODES
    subject = dataclasses.replace(_subject(argument, plan), schedule=plan.schedule,
                                  base_lrs=plan.base_lrs, run_length=run_length,
                                  run_source=RUN_SOURCE if run_length else None)
    with evaluation_budget():
        hits = check_subject(subject, settings, codes)
    return [Finding(hit.code, RULES[hit.code].name, hit.severity or RULES[hit.code].severity,
                    hit.message) for hit in hits if hit.code in codes]


def _settings() -> Settings:
    try:
        return resolve_settings()
    except WarmupError:  # a broken pyproject.toml is lint's to report, not show's
        return Settings()


def _subject(argument: str, plan: Plan) -> Subject:
    if classify(argument).is_schedule:
        return argument_subject(argument, 1)
    return Subject(text=plan.source, path=plan.source, where=Location(1, 1))
