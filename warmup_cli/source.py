"""Text → plan: decide whether the user gave a spec or a lambda, and build the plan."""

from __future__ import annotations

import re
from collections.abc import Sequence

from warmup_cli.errors import SpecError, WarmupError
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
        parsed = parse_spec(text)
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


def load_plan(text: str, base_lrs: Sequence[float] = (), unit: str = "epoch") -> Plan:
    """The plan for a spec or lambda; ``base_lrs`` from the command line win over ``base=``."""
    schedule, named = parse_schedule(text)
    bases = tuple(base_lrs) or named or (DEFAULT_BASE_LR,)
    return Plan(schedule=schedule, base_lrs=bases, source=text, unit=unit)
