"""ReduceLROnPlateau as the framework readers find it: keyword arguments from a config (HF
``lr_scheduler_kwargs``, a Lightning ``init_args``, timm's ``plateau_mode``/``patience_epochs``,
MMEngine's ``ReduceOnPlateauLR``) checked and turned into a plateau phase.

The readers call :func:`plateau_schedule` from a function of their own; a value of the wrong
type (the framework would raise) comes back as the message of a WU308 error instead of a phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from warmup_cli.plateau.model import TORCH_ARGUMENTS, plateau_phase
from warmup_cli.schedule import Phase

CHOICES = {"mode": ("min", "max"), "threshold_mode": ("rel", "abs")}
WHOLE = ("patience", "cooldown")


@dataclass(frozen=True)
class Refused:
    key: str  # the argument at fault
    message: str


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(key: str, value: object) -> str | None:
    if key in CHOICES:
        if value not in CHOICES[key]:
            return f"{key} must be {' or '.join(map(repr, CHOICES[key]))}, not {value!r}"
        return None
    if key in WHOLE:
        return None if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
            else f"{key} must be a whole number >= 0, not {value!r}"
    if key == "min_lr" and isinstance(value, list | tuple):
        return None if value and all(_number(v) for v in value) else \
            f"min_lr must be a number or a list of numbers, not {value!r}"
    return None if _number(value) else f"{key} must be a number, not {value!r}"


def plateau_schedule(arguments: Mapping[str, object], monitor: str | None = None
                     ) -> Phase | Refused:
    """A plateau phase from ReduceLROnPlateau's keyword arguments (torch's defaults for the
    missing ones), or why torch would refuse them."""
    unknown = sorted(set(arguments) - set(TORCH_ARGUMENTS))
    if unknown:
        return Refused(unknown[0], f"ReduceLROnPlateau takes no argument {unknown[0]!r} "
                                   "(torch raises TypeError)")
    for key, value in arguments.items():
        problem = _check(key, value)
        if problem is not None:
            return Refused(key, problem)
    values: dict[str, object] = dict(arguments)
    min_lr = values.get("min_lr")
    if isinstance(min_lr, tuple):
        values["min_lr"] = list(min_lr)
    if monitor:
        values["monitor"] = monitor
    return plateau_phase(values)
