"""The schedule rules (WU1xx) on the schedule ``warmup show`` prints: what ``lint`` would say
about it, for the run shown, so that a table whose first row trains at LR 0 or whose factor
never stops growing says so under it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from warmup_cli.errors import WarmupError
from warmup_cli.lint.diagnostics import Location
from warmup_cli.lint.engine import check_subject, evaluation_budget
from warmup_cli.lint.extract import argument_subject, extractors_for
from warmup_cli.lint.rules import RULES
from warmup_cli.lint.runner import lint_file
from warmup_cli.lint.settings import Settings, resolve_settings
from warmup_cli.lint.subject import Subject
from warmup_cli.parse import classify
from warmup_cli.schedule import Plan
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

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


def shown_findings(argument: str, plan: Plan, run_length: int | None,
                   facts: RunFacts = NO_FACTS) -> list[Finding]:
    """The WU1xx findings ``lint`` makes on ``plan`` over a run of ``run_length`` scheduler
    steps (None: lint's default horizon, and no finding that needs the real run length), with
    the rules ``[tool.warmup-cli]`` enables; ``argument`` is what the user gave (a lambda's
    text lets the checks point inside it). For a config file they are lint's own findings on
    the file (``facts`` as ``show`` got them), each with its place: a framework's WU3xx check
    replaces a WU1xx one there (WU302 for WU101), and show says what lint says."""
    settings = _settings()
    if not classify(argument).is_schedule:
        return _file_findings(argument, settings, run_length, facts)
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


def _file_findings(path: str, settings: Settings, run_length: int | None,
                   facts: RunFacts) -> list[Finding]:
    settings = dataclasses.replace(settings, horizon=run_length or settings.horizon,
                                   updates_per_epoch=facts.updates_per_epoch
                                   or settings.updates_per_epoch)
    extractors = extractors_for(settings.schedule_keys, RunFacts(
        settings.horizon, settings.updates_per_epoch, follow_bases=facts.follow_bases))
    return [Finding(d.code, RULES[d.code].name, d.severity,
                    f"{d.path}:{d.start.line}:{d.start.column}: {d.message}")
            for d in lint_file(path, settings, extractors) if d.code in SCHEDULE_CODES]
