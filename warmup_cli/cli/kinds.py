"""``warmup kinds``: the catalogue of schedule kinds."""


from typing import TYPE_CHECKING

from warmup_cli.cli.app import app, stdout_console

if TYPE_CHECKING:
    from warmup_cli.kinds import Param


def _param_text(param: "Param", positional: bool) -> str:
    name = f"<{param.name}>" if positional else param.name
    return name if param.required else f"{name}={param.default}"


@app.command("kinds")
def kinds_command() -> None:
    """List every schedule kind with its formula, parameters and defaults."""
    from rich.table import Table

    from warmup_cli.kinds import KINDS
    table = Table(title="Schedule kinds (t counts updates from the start of the phase)",
                  title_justify="left", show_lines=True)
    for column in ("kind", "role", "formula", "parameters", "what it is"):
        table.add_column(column, overflow="fold")
    for kind in KINDS.values():
        params = ", ".join(_param_text(p, p.name in kind.positional) for p in kind.params)
        name = kind.name + (f"\n(alias {', '.join(kind.aliases)})" if kind.aliases else "")
        table.add_row(name, kind.role, kind.formula, params or "—", kind.summary)
    console = stdout_console()
    console.print(table)
    console.print("Join phases with '>' (each starts at its own t = 0), multiply with '*'; "
                  "base=LR or base=[LR,LR] sets the base LR of each parameter group.")
