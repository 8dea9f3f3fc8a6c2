"""Text → plan: decide whether the user gave a spec or a lambda, and build the plan."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from warmup_cli.errors import ConfigError, SpecError, WarmupError
from warmup_cli.expr import compile_expression, is_lambda_text
from warmup_cli.kinds import lookup
from warmup_cli.schedule import FunctionSchedule, Plan, Schedule
from warmup_cli.spec import parse_spec

DEFAULT_BASE_LR = 1.0
_LEADING_WORD = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_\-]*)")


def looks_like_spec(text: str) -> bool:
    """A spec starts with a kind name (or a parenthesis); anything else is an expression."""
    stripped = text.lstrip()
    if stripped.startswith("("):
        inner = _LEADING_WORD.match(stripped[1:])
        return inner is not None and lookup(inner.group(1).lower()) is not None
    match = _LEADING_WORD.match(stripped)
    return match is not None and lookup(match.group(1).lower()) is not None


def expression_schedule(text: str) -> Schedule:
    compiled = compile_expression(text)
    return FunctionSchedule(fn=compiled, label="lambda", spec=compiled.source,
                            extra={"param": compiled.param})


def parse_schedule(text: str) -> tuple[Schedule, tuple[float, ...] | None]:
    """A schedule and the base LRs the text itself names (``base=`` in a spec)."""
    if is_lambda_text(text):
        return expression_schedule(text), None
    if looks_like_spec(text):
        try:
            parsed = parse_spec(text)
        except SpecError as spec_error:
            # `step / 4` or `exp(-t / 5)` start with a kind's name but are expressions over a
            # step variable; a lone word (`cosine`) is a spec missing its arguments.
            fallback = _expression_or_none(text) if ":" not in text else None
            if fallback is None:
                raise spec_error from None
            return fallback, None
        return parsed.schedule, parsed.base_lrs
    try:
        return expression_schedule(text), None
    except WarmupError as expression_error:
        if ":" in text or "=" in text:
            # It was meant as a spec with a mistyped kind: the spec error suggests the kind.
            try:
                parse_spec(text)
            except SpecError as spec_error:
                raise spec_error from None
        raise expression_error from None


def _expression_or_none(text: str) -> Schedule | None:
    try:
        schedule = expression_schedule(text)
    except WarmupError:
        return None
    compiled = schedule.fn  # type: ignore[attr-defined]
    return None if isinstance(compiled.tree, ast.Name) else schedule


def load_plan(text: str, base_lrs: Sequence[float] = (), unit: str = "epoch") -> Plan:
    """The plan for a spec or lambda; ``base_lrs`` from the command line win over ``base=``."""
    schedule, named = parse_schedule(text)
    bases = tuple(base_lrs) or named or (DEFAULT_BASE_LR,)
    return Plan(schedule=schedule, base_lrs=bases, source=text, unit=unit)


@dataclass(frozen=True)
class Resolved:
    """A plan and what its source says beside it: the run length and notes for the user."""

    plan: Plan
    horizon: int | None = None
    notes: tuple[str, ...] = ()


def resolve(text: str, base_lrs: Sequence[float] = (), unit: str | None = None, *,
            schedule: str | None = None, framework: str | None = None,
            total_steps: int | None = None, updates_per_epoch: int | None = None) -> Resolved:
    """A spec, a lambda, or a config file (``schedule``/``framework`` pick within it;
    ``total_steps``/``updates_per_epoch`` state a run length the config leaves open)."""
    from warmup_cli.config_plans import choose, config_schedules, is_config_path

    if not is_config_path(text):
        if schedule or framework:
            raise WarmupError("--schedule and --framework apply to config files only",
                              hint=f"no file is named {text!r}")
        return Resolved(load_plan(text, base_lrs, unit=unit or "epoch"))
    item = choose(config_schedules(text, framework=framework, total_steps=total_steps,
                                   updates_per_epoch=updates_per_epoch), schedule, text)
    if item.plan is None:
        raise ConfigError(f"{item.where}: cannot resolve the schedule {item.name!r}",
                          hint="; ".join(item.unresolved) or None)
    plan = item.plan
    if base_lrs:
        plan = replace(plan, base_lrs=tuple(base_lrs))
    notes = (*item.notes, *(f"not resolved, assumed: {why}" for why in item.unresolved))
    return Resolved(plan, item.horizon, notes)
