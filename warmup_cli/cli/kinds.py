"""``warmup kinds``: the catalogue of schedule kinds."""

from warmup_cli.cli.app import Command, app, stdout_console


@app.command("kinds", cls=Command)
def kinds_command() -> None:
    """List every schedule kind with its formula, parameters and defaults."""
    from warmup_cli.render.kinds import FOOTER, kinds_view

    console = stdout_console()
    console.print(kinds_view(console.width))
    console.print(FOOTER)
