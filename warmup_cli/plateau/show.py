"""``warmup show SCHEDULE --metrics FILE``: a plateau schedule resolved with its metric series,
as a library call (request in, :class:`~warmup_cli.plateau.run.PlateauRun` out), and its rows
in the machine formats."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from warmup_cli.errors import WarmupError
from warmup_cli.pipeline import ShowRequest
from warmup_cli.plateau.run import PlateauRow, PlateauRun, run_plateau
from warmup_cli.render import formats
from warmup_cli.resolve import resolve
from warmup_cli.vocab import RunFacts, Unit


@dataclass(frozen=True)
class MetricsRequest:
    path: str  # --metrics
    name: str | None = None  # --metric
    every: int | None = None  # --metric-every: updates between validations


def metric_every(unit: Unit, metrics: MetricsRequest, updates_per_epoch: int | None) -> int:
    """Updates between two validations: ``--metric-every``, else once per epoch."""
    if metrics.every is not None:
        return metrics.every
    if not unit.per_update:
        return 1
    if updates_per_epoch:
        return updates_per_epoch
    raise WarmupError(f"the schedule is stepped every {unit}, so once per epoch is not known",
                      hint="give --metric-every N (updates between validations) or "
                           "--updates-per-epoch N")


def show_plateau(request: ShowRequest, metrics: MetricsRequest) -> PlateauRun:
    from warmup_cli.runlog.columns import read_metric

    if request.steps_per_epoch or request.resume_from:
        raise WarmupError("--steps-per-epoch and --resume-from do not apply to a plateau run")
    facts = RunFacts(total_steps=request.run.count, updates_per_epoch=request.updates_per_epoch)
    resolved = resolve(request.argument, facts,
                       base_lrs=request.base_lrs, unit=request.run.unit,
                       selection=request.selection)
    plan = resolved.plan
    every = metric_every(plan.unit, metrics, request.updates_per_epoch)
    values = read_metric(metrics.path, metrics.name)
    run = run_plateau(plan, values, every=every, count=request.run.count)
    negative = _negative_in_rel_mode(run)
    return PlateauRun(run.plan, run.part, run.every, run.rows, run.metric_name,
                      run.metrics_source, run.validations,
                      (*resolved.notes, *run.notes, *negative))


def _negative_in_rel_mode(run: PlateauRun) -> list[str]:
    params = run.part.params
    if params["threshold_mode"] != "rel" or params["threshold"] == 0:
        return []
    fed = [row.metric for row in run.rows if row.best is not None and row.metric is not None]
    if not any(value < 0 for value in fed):
        return []
    return [f"{run.metric_name} is negative and threshold_mode is rel: best · (1 ∓ threshold) "
            "then moves the bar the wrong way, so a flat negative metric counts as an "
            "improvement (pytorch/pytorch#47513); use threshold_mode=abs"]


def columns(run: PlateauRun) -> list[str]:
    unit = str(run.plan.unit)
    return [unit, *formats.lr_columns([str(i) for i in range(len(run.plan.base_lrs))]),
            "metric", "best", "bad_epochs", "phase", "note"]


def _json_number(value: float | None) -> float | str | None:
    """JSON has no NaN or infinity: those metrics are written as their repr text."""
    if value is None or math.isfinite(value):
        return value
    return repr(value)


def _cells(row: PlateauRow) -> Sequence[Any]:
    return (row.step, *row.lrs, "" if row.metric is None else row.metric,
            "" if row.best is None else row.best, "" if row.bad is None else row.bad,
            row.phase, row.note)


def _json_cells(row: PlateauRow) -> Sequence[Any]:
    return (row.step, *row.lrs, _json_number(row.metric), _json_number(row.best), row.bad,
            row.phase, row.note)


def metadata(run: PlateauRun) -> dict[str, Any]:
    return {"schedule": run.plan.schedule.to_spec(), "source": run.plan.source,
            "base_lrs": list(run.plan.base_lrs), "unit": run.plan.unit,
            "metric": run.metric_name, "metrics": run.metrics_source,
            "metric_every": run.every, "plateau_start": run.part.start,
            "validations": run.validations, "reductions": run.reductions,
            "length": len(run.rows)}


def write_run(run: PlateauRun, fmt: str, out: TextIO) -> None:
    cells = _json_cells if fmt in ("json", "jsonl") else _cells
    formats.write(fmt, run.rows, out, columns(run), cells, metadata(run))


def describe(run: PlateauRun) -> str:
    count = len(run.reductions)
    return (f"{len(run.rows):,} updates stepped through torch's ReduceLROnPlateau with "
            f"{run.validations:,} values of {run.metric_name}: {count} reduction"
            f"{'' if count == 1 else 's'}")
