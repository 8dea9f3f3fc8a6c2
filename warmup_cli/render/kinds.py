"""The ``warmup kinds`` catalogue as a rich table: one row per schedule kind."""

from __future__ import annotations

from rich.table import Table

from warmup_cli.kinds import KINDS, Kind, Param

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


def kinds_table() -> Table:
    table = Table(title=TITLE, title_justify="left", show_lines=True)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for kind in KINDS.values():
        name = kind.name + (f"\n(alias {', '.join(kind.aliases)})" if kind.aliases else "")
        table.add_row(name, kind.role, kind.formula, parameters_text(kind), kind.summary)
    return table
