"""The ``warmup kinds`` catalogue as a rich table: one row per schedule kind; on a terminal too
narrow for the table without splitting words, one block per kind instead."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from warmup_cli.kinds import KINDS, Kind, Param
from warmup_cli.render.fit import ColumnText, indented, table_or_stacked

TITLE = "Schedule kinds (t counts updates from the start of the phase)"
FOOTER = ("Join phases with '>' (each starts at its own t = 0), multiply with '*'; base=LR or "
          "base=[LR,LR] sets the base LR of each parameter group.")
COLUMNS = ("kind", "role", "formula", "parameters", "what it is")


def param_text(param: Param, positional: bool) -> str:
    """How a spec writes the parameter: ``<period>`` for a positional one, ``name=default``
    for one that may be left out."""
    name = f"<{param.name}>" if positional else param.name
    return name if param.required else f"{name}={param.default}"


def parameters_text(kind: Kind) -> str:
    return ", ".join(param_text(p, p.name in kind.positional) for p in kind.params) or "—"


def _name(kind: Kind) -> str:
    return kind.name + (f"\n(alias {', '.join(kind.aliases)})" if kind.aliases else "")


def _rows() -> list[tuple[str, str, str, str, str]]:
    return [(_name(kind), kind.role, kind.formula, parameters_text(kind), kind.summary)
            for kind in KINDS.values()]


def kinds_table() -> Table:
    table = Table(title=TITLE, title_justify="left", show_lines=True)
    for column in COLUMNS:
        table.add_column(column)
    for row in _rows():
        table.add_row(*row)
    return table


def kinds_view(width: int) -> RenderableType:
    """The table when ``width`` fits it without splitting a word, else a block per kind. The
    title is a line of its own, so that it wraps to the terminal, not to the table."""
    table = kinds_table()
    table.title = None
    rows = _rows()
    texts = [ColumnText([header, *(row[index] for row in rows)])
             for index, header in enumerate(COLUMNS)]
    blocks: list[RenderableType] = []
    for kind, row in zip(KINDS.values(), rows, strict=True):
        name = Text(kind.name, style="bold")
        name.append(f" ({row[0].split(chr(10))[1][1:-1]})" if kind.aliases else "")
        name.append(f"  {kind.role}", style="dim")
        blocks.append(name)
        lines = (f"formula: {kind.formula}", f"parameters: {row[3]}", kind.summary)
        blocks.append(Text("\n".join(indented(line, width) for line in lines) + "\n"))
    return Group(Text(TITLE), table_or_stacked(table, texts, width, Group(*blocks)))
