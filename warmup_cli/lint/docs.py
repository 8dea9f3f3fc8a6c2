"""Human-readable rule docs: the ``warmup rules`` table and ``warmup lint --explain CODE``."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from warmup_cli.errors import WarmupError
from warmup_cli.lint.rules import RULES, Rule, find_rule
from warmup_cli.render.fit import ColumnText, indented, table_or_stacked

RULES_TITLE = ("warmup lint rules (select with --select/--ignore; details: warmup lint "
               "--explain CODE)")
RULE_COLUMNS = ("code", "name", "severity", "summary")


def _rule_rows() -> list[tuple[str, str, str, str]]:
    return [(rule.code, rule.name, rule.severity_text, rule.summary)
            for rule in sorted(RULES.values(), key=lambda r: r.code)]


def rules_table() -> Table:
    # Text cells: a summary's brackets ([tool.warmup-cli], [0, 1]) are text, not rich markup.
    table = Table(title=Text(RULES_TITLE), title_justify="left")
    for column in RULE_COLUMNS:
        table.add_column(column)
    for row in _rule_rows():
        table.add_row(*map(Text, row))
    return table


def rules_view(width: int) -> RenderableType:
    """The rule table when ``width`` fits it without splitting a word, else one block per rule
    (``WU101 zero-lr-start [note…error]`` over its indented summary); the title is a line of
    its own, wrapped to the terminal."""
    table = rules_table()
    table.title = None
    rows = _rule_rows()
    texts = [ColumnText([header, *(row[index] for row in rows)], wrap=header == "summary")
             for index, header in enumerate(RULE_COLUMNS)]
    blocks: list[RenderableType] = []
    for code, name, severity, summary in rows:
        blocks.append(Text.assemble((code, "bold"), " ", name, (f" [{severity}]", "dim")))
        blocks.append(Text(indented(summary, width)))
    return Group(Text(RULES_TITLE), table_or_stacked(table, texts, width, Group(*blocks)))


def lookup_rule(text: str) -> Rule:
    rule = find_rule(text)
    if rule is None:
        raise WarmupError(f"unknown rule {text!r}", hint="run 'warmup rules' to list them")
    return rule


def explain(rule: Rule) -> str:
    """The rule's doc as Markdown: what it finds, why it matters, a bad and a good example
    (``warmup lint --explain`` renders it to the terminal's width)."""
    extra = []
    if rule.blocking:
        extra.append("An input that triggers it makes the exit code 2.")
    fence = f"```{rule.example_format}"
    return "\n".join([
        f"**{rule.code} {rule.name} [{rule.severity_text}]**",
        "",
        rule.summary,
        "",
        rule.explanation,
        *extra,
        "",
        "Bad:",
        "",
        fence, rule.bad, "```",
        "",
        "Good:",
        "",
        fence, rule.good, "```",
        "",
    ])
