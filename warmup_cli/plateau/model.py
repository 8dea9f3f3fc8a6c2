"""Where a plateau phase sits in a schedule, and its settings as torch's keyword arguments.

Nothing here imports torch. A plateau phase may only be the last phase of a sequence (it never
ends) and may not be multiplied with another phase: torch's ChainedScheduler and SequentialLR
refuse a ReduceLROnPlateau child (its step() needs the metric).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from warmup_cli.errors import WarmupError
from warmup_cli.kinds import KINDS, PLATEAU
from warmup_cli.schedule import Join, Phase, Product, Schedule

# The keyword arguments of torch.optim.lr_scheduler.ReduceLROnPlateau, in its order.
TORCH_ARGUMENTS = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown",
                   "min_lr", "eps")
METRICS_HINT = ("pass the validation metric the scheduler is stepped with: --metrics FILE "
                "--metric NAME (CSV, TSV, JSONL, a TensorBoard or W&B CSV export), and "
                "--metric-every N when it is measured every N updates")


def is_plateau(schedule: Schedule) -> bool:
    return isinstance(schedule, Phase) and schedule.kind == PLATEAU


def contains_plateau(schedule: Schedule) -> bool:
    if is_plateau(schedule):
        return True
    if isinstance(schedule, Join | Product):
        return any(contains_plateau(piece) for piece in schedule.pieces)
    return False


def plateau_in_product(schedule: Schedule) -> bool:
    """Whether a plateau phase is a factor of a product (torch's ChainedScheduler)."""
    if isinstance(schedule, Product):
        return any(contains_plateau(piece) for piece in schedule.pieces)
    if isinstance(schedule, Join):
        return any(plateau_in_product(piece) for piece in schedule.pieces)
    return False


@dataclass(frozen=True)
class PlateauPart:
    """The plateau phase of a schedule: it takes over at update ``start``."""

    phase: Phase
    start: int

    @property
    def params(self) -> Mapping[str, Any]:
        return self.phase.params

    def torch_kwargs(self) -> dict[str, Any]:
        """The phase's settings as ``ReduceLROnPlateau(optimizer, **kwargs)`` takes them."""
        kwargs = {name: self.params[name] for name in TORCH_ARGUMENTS}
        if isinstance(kwargs["min_lr"], list):
            kwargs["min_lr"] = list(kwargs["min_lr"])
        return kwargs


def find_plateau(schedule: Schedule) -> PlateauPart | None:
    """The plateau phase of ``schedule``: the schedule itself or the last phase of a sequence.
    A plateau anywhere else is refused (see the module doc)."""
    if is_plateau(schedule):
        assert isinstance(schedule, Phase)
        return PlateauPart(schedule, 0)
    if plateau_in_product(schedule):
        raise WarmupError("a plateau phase cannot be multiplied with another phase",
                          hint="torch's ChainedScheduler refuses a ReduceLROnPlateau child; "
                               "put the plateau after the warmup: "
                               "'linear:500 > plateau:patience=3'")
    if isinstance(schedule, Join) and is_plateau(schedule.pieces[-1]):
        last = schedule.pieces[-1]
        assert isinstance(last, Phase)
        return PlateauPart(last, schedule.starts[-1])
    return None


def needs_metrics_error(source: str, monitor: str = "") -> WarmupError:
    """``monitor``: the metric's name when the source says it (the hint then names it)."""
    hint = METRICS_HINT.replace("--metric NAME", f"--metric {monitor}") if monitor else \
        METRICS_HINT
    return WarmupError(f"{source} lowers the LR when a validation metric stops improving "
                       "(ReduceLROnPlateau): this schedule needs a metric series", hint=hint)


def _monitor(schedule: Schedule) -> str:
    if is_plateau(schedule):
        assert isinstance(schedule, Phase)
        return str(schedule.params.get("monitor") or "")
    if isinstance(schedule, Join | Product):
        return next((found for found in map(_monitor, schedule.pieces) if found), "")
    return ""


def plateau_phase(arguments: Mapping[str, Any]) -> Phase:
    """A plateau phase from ReduceLROnPlateau's keyword arguments (the readers of configs and
    training scripts call this); missing ones take torch's defaults. ``monitor`` names the
    metric when the source says which."""
    kind = KINDS[PLATEAU]
    params: dict[str, Any] = {}
    for param in kind.params:
        value = arguments.get(param.name, param.default)
        if param.type == "floats" and isinstance(value, list | tuple):
            value = [float(v) for v in value]
        elif param.type in ("float", "floats") and not isinstance(value, bool):
            value = float(value)
        params[param.name] = value
    return kind.build(params)


def refuse_plateau(schedule: Schedule, source: str) -> None:
    """A plateau schedule has no LR series without its metrics: say so instead of showing the
    placeholder factor (``show``, ``compare`` and ``export --to python`` call this)."""
    if contains_plateau(schedule):
        raise needs_metrics_error(source, _monitor(schedule))
