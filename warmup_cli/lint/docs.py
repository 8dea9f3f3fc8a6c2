"""Human-readable rule docs: the ``warmup rules`` table and ``warmup lint --explain CODE``."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from warmup_cli.errors import WarmupError
from warmup_cli.lint.rules import RULES, Rule, find_rule


def rules_table() -> Table:
    # Text cells: a summary's brackets ([tool.warmup-cli], [0, 1]) are text, not rich markup.
    table = Table(title=Text("warmup lint rules (select with --select/--ignore; details: "
                             "warmup lint --explain CODE)"), title_justify="left")
    for column in ("code", "name", "severity", "summary"):
        table.add_column(column, overflow="fold")
    for rule in sorted(RULES.values(), key=lambda r: r.code):
        table.add_row(*map(Text, (rule.code, rule.name, rule.severity_text, rule.summary)))
    return table


def lookup_rule(text: str) -> Rule:
    rule = find_rule(text)
    if rule is None:
        raise WarmupError(f"unknown rule {text!r}", hint="run 'warmup rules' to list them")
    return rule


def explain(rule: Rule) -> str:
    """The rule's doc as plain text: what it finds, why it matters, a bad and a good example."""
    extra = []
    if rule.blocking:
        extra.append("An input that triggers it makes the exit code 2.")
    return "\n".join([
        f"{rule.code} {rule.name} [{rule.severity_text}]",
        "",
        rule.summary,
        "",
        rule.explanation,
        *extra,
        "",
        "Bad:",
        *(f"    {line}" for line in rule.bad.splitlines()),
        "",
        "Good:",
        *(f"    {line}" for line in rule.good.splitlines()),
        "",
    ])
