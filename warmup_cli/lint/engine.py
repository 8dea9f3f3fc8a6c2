"""Running the schedule rules on one subject: pick the horizon, trace the factor function once,
hand every enabled rule's check the same :class:`~warmup_cli.lint.context.Context`.

The checks themselves live with their rules (``warmup_cli.lint.rules.schedule``).
"""

from __future__ import annotations

from warmup_cli.lint.context import Context
from warmup_cli.lint.rules import RULES, Check, Rule
from warmup_cli.lint.settings import Settings
from warmup_cli.lint.subject import RuleHit, Subject
from warmup_cli.lint.trace import build_trace
from warmup_cli.series import default_horizon
from warmup_cli.vocab import Code

DEFAULT_HORIZON = 1_000  # updates checked when neither the config nor --horizon says


def choose_horizon(subject: Subject, settings: Settings) -> tuple[int, int | None, str]:
    """(updates to check, the run length when known, how to name it in messages)."""
    if subject.run_length:
        source = f" ({subject.run_source})" if subject.run_source else ""
        return subject.run_length, subject.run_length, f"the run{source}"
    if settings.horizon:
        return settings.horizon, settings.horizon, "the run (--horizon)"
    assert subject.schedule is not None
    horizon = max(DEFAULT_HORIZON, default_horizon(subject.schedule))
    return horizon, None, f"the default {horizon:,}-update horizon"


def _enabled_checks(codes: frozenset[Code]) -> list[tuple[Rule, Check]]:
    """The enabled rules that carry a check, with it, in code order."""
    return [(rule, rule.check) for code, rule in sorted(RULES.items())
            if rule.check is not None and code in codes]


def check_subject(subject: Subject, settings: Settings, codes: frozenset[Code]) -> list[RuleHit]:
    """The subject's own hits, then every enabled rule's hit on it; a factor function that
    fails within the horizon is judged by the rules that read the failure only."""
    hits = [hit for hit in (*subject.hits, subject.problem) if hit is not None]
    checks = _enabled_checks(codes - subject.covered)
    if subject.schedule is None or not checks:
        return hits
    horizon, run_length, horizon_text = choose_horizon(subject, settings)
    trace = build_trace(subject.schedule, horizon)
    if trace.failure is not None:
        checks = [(rule, check) for rule, check in checks if rule.reads_failure]
    context = Context(subject, trace, run_length, horizon_text, settings)
    for _, check in checks:
        hit = check(context)
        if hit is not None:
            hits.append(hit)
    return hits
