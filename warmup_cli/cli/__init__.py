"""The ``warmup`` command line. Each command lives in its own module and registers itself on
the shared app; command functions only parse arguments and call the library."""

from warmup_cli.cli import (  # noqa: F401  (registers commands)
    compare,
    diff,
    export,
    kinds,
    lint,
    show,
)
from warmup_cli.cli.app import app, run

main = run

__all__ = ["app", "main"]
