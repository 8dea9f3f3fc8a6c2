"""The training-script checks (WU4xx): one entry point over a parsed module.

:func:`check_script` builds the flow of the module (where each scheduler and optimizer is
stepped and restored) and runs every family of checks over it; the value layer answers the
numbers (:class:`~warmup_cli.scripts.literals.LiteralValues` knows literals only). Lint
places, filters and prints the findings; nothing here imports lint.
"""

from __future__ import annotations

import ast

from warmup_cli.scripts.constructions import ScriptBuilds
from warmup_cli.scripts.context import ScriptContext
from warmup_cli.scripts.flow import build_flow
from warmup_cli.scripts.literals import LiteralValues
from warmup_cli.scripts.model import ScriptFinding, Values
from warmup_cli.scripts.resume import check_resume
from warmup_cli.scripts.sequential import check_sequential
from warmup_cli.scripts.stepping import check_stepping
from warmup_cli.scripts.units import check_units

__all__ = ["LiteralValues", "check_script"]


def check_script(module: ast.Module, builds: ScriptBuilds,
                 values: Values) -> list[ScriptFinding]:
    """Every WU4xx finding of the module, once each, in file order."""
    context = ScriptContext(module, builds, build_flow(module, builds), values)
    found: dict[tuple[object, ...], ScriptFinding] = {}
    for check in (check_stepping, check_units, check_sequential, check_resume):
        for finding in check(context):
            # A construction reached through several handles reports an event once.
            found.setdefault((finding.code, finding.at), finding)
    return sorted(found.values(), key=lambda finding: (finding.at, finding.code))
