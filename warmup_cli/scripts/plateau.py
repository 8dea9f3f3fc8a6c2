"""A script's ``ReduceLROnPlateau(optimizer, mode=..., factor=..., ...)`` → a plateau phase.

The arguments are resolved by the value layer where the call sits (torch's parameter order,
:mod:`.signatures`) and checked by the framework readers' own
:func:`~warmup_cli.frameworks.plateau.plateau_schedule`; the monitored metric is the
argument of the scheduler's ``.step(val_loss)`` when it is a plain name. The LR then needs the
metric series (``warmup show --metrics FILE``), which the real torch class is stepped with.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

from warmup_cli.frameworks.plateau import Refused, plateau_schedule
from warmup_cli.schedule import Phase


class PlateauRefused(Exception):
    """torch would refuse the arguments (or one is not a plain value): why, and the node."""

    def __init__(self, why: str, node: ast.expr) -> None:
        super().__init__(why)
        self.why, self.node = why, node


def monitor_of(step_call: ast.Call | None) -> str | None:
    """The metric ``.step(metric)`` passes, when it is a plain name (``val_loss``)."""
    if step_call is None:
        return None
    given = step_call.args[0] if step_call.args else next(
        (k.value for k in step_call.keywords if k.arg == "metrics"), None)
    return given.id if isinstance(given, ast.Name) else None


def plateau_of(kwargs: Mapping[str, ast.expr], evaluate: Callable[[ast.expr], object],
               step_call: ast.Call | None, at: ast.expr) -> Phase:
    """The plateau phase of the bound arguments ``kwargs`` (``evaluate`` resolves one)."""
    arguments: dict[str, object] = {}
    for name, node in kwargs.items():
        if name == "optimizer":
            continue
        value = evaluate(node)
        if not _plain(value):
            raise PlateauRefused(f"{name} is not a plain value", node)
        arguments[name] = value
    phase = plateau_schedule(arguments, monitor_of(step_call))
    if isinstance(phase, Refused):
        raise PlateauRefused(f"torch rejects ReduceLROnPlateau: {phase.message}",
                             kwargs.get(phase.key, at))
    return phase


def _plain(value: object) -> bool:
    """A value torch's checks can judge: a number, a word, or a list of numbers (min_lr)."""
    if isinstance(value, list | tuple):
        return all(isinstance(v, int | float) for v in value)
    return isinstance(value, int | float | str)
