"""A plateau schedule resolved with its metric series: a real ReduceLROnPlateau, stepped.

The run is the loop a training script runs, in PyTorch's documented order: every update trains
with the LR the groups hold, then ``optimizer.step()``; before the plateau phase the phases
before it are a real LambdaLR (``scheduler.step()`` after every update, so the plateau phase
starts at the base LR, factor 1, as any phase after a warmup); after every ``every`` updates
the next metric value is measured and, once the plateau phase has begun, passed to
``ReduceLROnPlateau.step(metric)``. Nothing here re-implements torch's comparison: the best
value, the bad-validation count and the cooldown shown are read from the scheduler itself.
torch is imported inside :func:`run_plateau` only.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from warmup_cli.errors import WarmupError
from warmup_cli.plateau.model import PlateauPart, find_plateau
from warmup_cli.schedule import Plan
from warmup_cli.series import checked_factor

MAX_PLATEAU_UPDATES = 1_000_000  # each update is a real optimizer step (a few µs each)
COOLDOWN = "plateau (cooldown)"
REDUCED = "reduced"  # the note of the first update at a reduced LR


@dataclass(frozen=True)
class PlateauRow:
    """One update: the LRs it trains with, then the validation measured after it (if any)."""

    step: int
    lrs: tuple[float, ...]
    phase: str
    metric: float | None = None  # measured after this update
    best: float | None = None  # the scheduler's best after being stepped with ``metric``
    bad: int | None = None  # its num_bad_epochs after that step
    note: str = ""


@dataclass(frozen=True)
class PlateauRun:
    plan: Plan
    part: PlateauPart
    every: int
    rows: tuple[PlateauRow, ...]
    metric_name: str
    metrics_source: str
    validations: int  # validations passed to ReduceLROnPlateau
    notes: tuple[str, ...] = ()

    @property
    def reductions(self) -> list[int]:
        """The updates that first train with a reduced LR."""
        return [row.step for row in self.rows if row.note.startswith(REDUCED)]


@dataclass(frozen=True)
class MetricValues:
    """The values of one metric, in the order they were measured, and where they came from."""

    name: str
    values: tuple[float, ...]
    source: str


def run_length(part: PlateauPart, metrics: MetricValues, every: int, count: int | None
               ) -> int:
    """The updates of the run: ``count`` when given (the metrics must cover it), else every
    update the metric series covers."""
    if every < 1:
        raise WarmupError("--metric-every must be at least 1")
    available = len(metrics.values) * every
    if count is None:
        updates = available
    else:
        updates = count
        if count // every > len(metrics.values):
            raise WarmupError(
                f"a run of {count:,} updates has {count // every:,} validations (one every "
                f"{every:,} updates) but {metrics.source} holds {len(metrics.values):,} values "
                f"of {metrics.name}",
                hint="shorten the run (--epochs/--steps), or check --metric-every")
    if updates <= part.start:
        raise WarmupError(
            f"the metric series ends at update {available:,}, before the plateau phase starts "
            f"at update {part.start:,}",
            hint="give a metrics file that covers the run, or check --metric-every")
    if updates > MAX_PLATEAU_UPDATES:
        raise WarmupError(f"{updates:,} updates is more than the limit of "
                          f"{MAX_PLATEAU_UPDATES:,} for a plateau run")
    return updates


def run_plateau(plan: Plan, metrics: MetricValues, *, every: int = 1,
                count: int | None = None) -> PlateauRun:
    """Step a real ReduceLROnPlateau through ``plan`` with ``metrics`` (one value every
    ``every`` updates, from the start of the run)."""
    part = find_plateau(plan.schedule)
    if part is None:
        raise WarmupError(f"{plan.source} has no plateau phase, so it reads no metric series",
                          hint="leave out --metrics, or add a plateau phase: "
                               "'linear:500 > plateau:patience=3'")
    updates = run_length(part, metrics, every, count)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nothing torch says about our dummy model matters
        rows, fed = _step(plan, part, metrics.values, every, updates)
    notes = [f"{metrics.name} from {metrics.source}: one value {every_text(plan, every)}"]
    used = updates // every
    if used < len(metrics.values):
        notes.append(f"the run uses the first {used:,} of the {len(metrics.values):,} values")
    return PlateauRun(plan, part, every, tuple(rows), metrics.name, metrics.source, fed,
                      tuple(notes))


def _step(plan: Plan, part: PlateauPart, values: Sequence[float], every: int, updates: int
          ) -> tuple[list[PlateauRow], int]:
    import torch

    params = [torch.nn.Parameter(torch.zeros(1)) for _ in plan.base_lrs]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr}
                                 for p, lr in zip(params, plan.base_lrs, strict=True)], lr=0.0)
    warmup = None
    if part.start > 0:
        warmup = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lr_lambda=lambda step: checked_factor(plan.schedule, step))
    plateau: Any = None
    if part.start == 0:
        plateau = _build(optimizer, part)
    rows: list[PlateauRow] = []
    fed = 0
    reduced = False
    for step in range(updates):
        lrs = tuple(float(group["lr"]) for group in optimizer.param_groups)
        phase = plan.schedule.phase_at(step) if plateau is None else \
            (COOLDOWN if plateau.cooldown_counter > 0 else "plateau")
        note = REDUCED if reduced else ""
        optimizer.step()
        metric = best = bad = None
        if warmup is not None and plateau is None:
            warmup.step()
            if step + 1 == part.start:
                plateau = _build(optimizer, part)
        if (step + 1) % every == 0:
            metric = values[(step + 1) // every - 1]
            if plateau is not None and step >= part.start:
                plateau.step(metric)
                fed += 1
                best, bad = float(plateau.best), int(plateau.num_bad_epochs)
        after = tuple(float(group["lr"]) for group in optimizer.param_groups)
        reduced = after != lrs and plateau is not None and step >= part.start
        if reduced:
            patience = part.params["patience"]
            note = (f"{note}; " if note else "") + \
                f"{patience + 1} bad > patience {patience}: reduce"
        rows.append(PlateauRow(step, lrs, phase, metric, best, bad, note))
    return rows, fed


def _build(optimizer: Any, part: PlateauPart) -> Any:
    import torch

    try:
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **part.torch_kwargs())
    except (ValueError, TypeError) as error:
        raise WarmupError(f"torch's ReduceLROnPlateau refuses the plateau phase: {error}",
                          source=part.phase.to_spec(), hint=_refusal_hint(str(error))) from None


def _refusal_hint(message: str) -> str | None:
    if "Factor" in message:
        return "a reduction multiplies the LR by factor: give factor < 1, e.g. factor=0.5"
    if "min_lrs" in message:
        return "give min_lr one value, or one per parameter group (--base LR repeated)"
    return None


def every_text(plan: Plan, every: int) -> str:
    """``every epoch``, ``every 50 steps``: how often the metric is measured."""
    unit = str(plan.unit)
    return f"every {unit}" if every == 1 else f"every {every:,} {unit}s"
