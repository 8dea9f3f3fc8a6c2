"""Running the schedule rules on one subject: pick the horizon, trace the factor function once,
hand every enabled rule's check the same :class:`~warmup_cli.lint.context.Context`.

The checks themselves live with their rules (``warmup_cli.lint.rules.schedule``). Two things
keep a file's checking bounded: the hits of a generic subject are remembered by everything the
checks read (:func:`_check_key`), so the 100,000 YAML alias copies of one lambda are checked
once; and every evaluation is charged to the file's :class:`WorkMeter`, so that when its
evaluation budget is spent the subject gets a WU001 and the file's later schedules are not
evaluated at all.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextvars import ContextVar

from warmup_cli.configs.text import LIMITS
from warmup_cli.expr.closures import WorkExceeded, WorkMeter
from warmup_cli.lint.context import Context
from warmup_cli.lint.rules import RULES, Check, Rule
from warmup_cli.lint.settings import Settings
from warmup_cli.lint.subject import RuleHit, Subject
from warmup_cli.lint.trace import build_trace
from warmup_cli.series import default_horizon
from warmup_cli.vocab import Code, Severity

DEFAULT_HORIZON = 1_000  # updates checked when neither the config nor --horizon says
CHECK_CACHE_SIZE = 4096  # remembered results, like compile_expression's cache

_METER: ContextVar[WorkMeter | None] = ContextVar("warmup_cli_lint_meter", default=None)


@contextlib.contextmanager
def evaluation_budget(limit: int | None = None) -> Iterator[WorkMeter]:
    """A fresh :class:`WorkMeter` of ``limit`` units (default: the evaluation budget of
    :data:`~warmup_cli.configs.text.LIMITS`) that :func:`check_subject` charges within the
    block; lint opens one per file."""
    meter = WorkMeter(LIMITS.max_evaluation_work if limit is None else limit)
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)


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


def check_subject(subject: Subject, settings: Settings, codes: frozenset[Code],
                  meter: WorkMeter | None = None) -> list[RuleHit]:
    """The subject's own hits, then every enabled rule's hit on it; a factor function that
    fails within the horizon is judged by the rules that read the failure only. With a
    ``meter`` (else the one of the enclosing :func:`evaluation_budget`, if any), evaluations
    are charged to it: when it runs out, the hits end with a WU001 saying so (or, once it has,
    the subject's schedule is not evaluated)."""
    meter = meter if meter is not None else _METER.get()
    hits = [hit for hit in (*subject.hits, subject.problem) if hit is not None]
    checks = _enabled_checks(codes - subject.covered)
    if subject.schedule is None or not checks:
        return hits
    key = _check_key(subject, settings, checks)
    found = _CHECKED.get(key) if key is not None else None
    if found is None:
        if meter is not None and meter.used > meter.limit:
            return hits  # the WU001 went with the subject that spent the budget
        try:
            found = _run_checks(subject, settings, checks, meter)
        except WorkExceeded as spent:
            return [*hits, _budget_hit(spent)]
        if key is not None:
            _remember(key, found)
    return [*hits, *found]


def _run_checks(subject: Subject, settings: Settings, checks: list[tuple[Rule, Check]],
                meter: WorkMeter | None) -> tuple[RuleHit, ...]:
    assert subject.schedule is not None
    horizon, run_length, horizon_text = choose_horizon(subject, settings)
    trace = build_trace(subject.schedule, horizon, meter)
    if trace.failure is not None:
        checks = [(rule, check) for rule, check in checks if rule.reads_failure]
    context = Context(subject, trace, run_length, horizon_text, settings)
    return tuple(hit for _, check in checks if (hit := check(context)) is not None)


def _budget_hit(spent: WorkExceeded) -> RuleHit:
    return RuleHit(Code.WU001, f"not checked: {spent.message} for this file; this schedule "
                   "and the ones after it in the file were not evaluated", Severity.ERROR)


# --- remembered results (the oldest forgotten first) ---------------------------------------

_CHECKED: OrderedDict[Hashable, tuple[RuleHit, ...]] = OrderedDict()


def _check_key(subject: Subject, settings: Settings, checks: list[tuple[Rule, Check]]
               ) -> Hashable | None:
    """Everything the checks of a generic subject read: its text and the schedule parsed from
    it, the base LRs, the run and where it was found, the settings and the checks themselves
    (rules and their functions, so a replaced check is never answered from memory).
    A framework reader's subject (its text only names it) is never remembered."""
    if subject.origin is not None or subject.schedule is None:
        return None
    schedule = subject.schedule
    return (subject.text, type(schedule).__name__, schedule.to_spec(),
            subject.expression is not None, subject.base_lrs, subject.run_length,
            subject.run_source, settings, tuple(checks))


def _remember(key: Hashable, hits: tuple[RuleHit, ...]) -> None:
    _CHECKED[key] = hits
    if len(_CHECKED) > CHECK_CACHE_SIZE:
        _CHECKED.popitem(last=False)
