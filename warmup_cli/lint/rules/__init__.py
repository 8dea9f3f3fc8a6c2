"""The rule catalogue: every rule by its typed code, and the selectors that pick them.

One rule is a :class:`~warmup_cli.lint.rules.rule.Rule`: a :class:`~warmup_cli.vocab.Code`,
a slug, a default severity, a doc (summary, explanation, a bad and a good example) and, for
the schedule rules, the check that implements it. Codes never change meaning once released.
The rules are grouped by family, one module each:

- ``input`` (WU0xx): an input could not be linted (exit code 2 whatever ``--fail-on`` says);
  the runner and the extractors report them.
- ``schedule`` (WU1xx): bugs in the factor function itself, whoever produced it; each rule
  carries its check over the trace.
- ``framework`` (WU3xx): framework-aware checks the readers in ``warmup_cli.frameworks`` make
  (they know keys, defaults and units the factor function no longer shows).
- ``script`` (WU4xx): how a training script steps, pairs and restores its schedulers;
  ``warmup_cli.scripts.checks`` implements them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from warmup_cli.errors import WarmupError
from warmup_cli.lint.rules import framework, schedule, script
from warmup_cli.lint.rules import input as input_rules
from warmup_cli.lint.rules.rule import DOCS_PAGE, Check, Rule
from warmup_cli.vocab import Code

__all__ = ["DOCS_PAGE", "RULES", "Check", "Rule", "expand_selectors", "find_rule",
           "register_rule", "rule_name"]

RULES: dict[Code, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    """Add a rule to the catalogue; a code names one rule only."""
    existing = RULES.get(rule.code)
    if existing is not None and existing != rule:
        raise ValueError(f"rule code {rule.code} is already taken by {existing.name}")
    RULES[rule.code] = rule
    return rule


def _code(text: str) -> Code | None:
    try:
        return Code(text.upper())
    except ValueError:
        return None


def find_rule(text: str) -> Rule | None:
    """A rule by code (any case) or slug."""
    wanted = text.strip()
    code = _code(wanted)
    rule = RULES.get(code) if code is not None else None
    if rule is not None:
        return rule
    return next((r for r in RULES.values() if r.name == wanted.lower()), None)


def rule_name(code: Code) -> str:
    rule = RULES.get(code)
    return rule.name if rule else code.lower()


def expand_selectors(selectors: Iterable[str]) -> frozenset[Code]:
    """Codes matched by ``ALL``, full codes, code prefixes (``WU1``) or slugs."""
    codes: set[Code] = set()
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        if selector.upper() == "ALL":
            codes.update(RULES)
            continue
        rule = find_rule(selector)
        if rule is not None:
            codes.add(rule.code)
            continue
        prefixed = {code for code in RULES if code.startswith(selector.upper())}
        if not prefixed:
            close = difflib.get_close_matches(selector.lower(),
                                              [r.name for r in RULES.values()], n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else "run 'warmup rules' to list the codes")
            raise WarmupError(f"unknown rule selector {selector!r}", hint=hint)
        codes.update(prefixed)
    return frozenset(codes)


for _rule in (*input_rules.FAMILY, *schedule.FAMILY, *framework.FAMILY, *script.FAMILY):
    register_rule(_rule)
