"""Which columns of a log are the metric, the step and the logged LRs."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from warmup_cli.plateau.run import MetricValues
from warmup_cli.runlog.table import LogRow, LogTable, number, read_log

STEP_COLUMNS = ("step", "Step", "_step", "global_step", "trainer/global_step", "iteration",
                "iter", "epoch")
# Bookkeeping columns of the exports: never a metric or an LR.
META_COLUMNS = frozenset({"Wall time", "_runtime", "_timestamp", "timestamp", "time",
                          "wall_time", *STEP_COLUMNS})
_LR = re.compile(r"(?:.*[/ ])?(?:lr|learning_rate|learning-rate)(?:[-_/].*)?", re.IGNORECASE)
_EXPORT_SUFFIXES = ("__MIN", "__MAX")  # W&B chart exports add the range of smoothed runs


def step_column(table: LogTable) -> str | None:
    return next((c for c in STEP_COLUMNS if c in table.columns), None)


def _value_columns(table: LogTable) -> list[str]:
    return [c for c in table.columns if c not in META_COLUMNS and not c.endswith(_EXPORT_SUFFIXES)]


def find_column(table: LogTable, name: str, what: str, option: str) -> str:
    """``name`` itself, or the W&B chart column ``<run> - name``."""
    if name in table.columns:
        return name
    suffixed = [c for c in _value_columns(table) if c.endswith(f" - {name}")]
    if len(suffixed) == 1:
        return suffixed[0]
    close = difflib.get_close_matches(name, list(table.columns), n=1, cutoff=0.5)
    hint = (f"did you mean {close[0]!r}? " if close else "") + \
        f"the columns are: {', '.join(table.columns)}"
    if len(suffixed) > 1:
        hint = f"several runs log it: {', '.join(suffixed)}; name one with {option}"
    raise table.error(f"the log has no {what} column {name!r}", hint=hint)


def metric_column(table: LogTable, name: str | None) -> str:
    if name is not None:
        return find_column(table, name, "metric", "--metric")
    if table.kind == "tensorboard":
        return "Value"
    candidates = [c for c in _value_columns(table) if not _LR.fullmatch(c)]
    if len(candidates) == 1:
        return candidates[0]
    raise table.error("name the metric column with --metric",
                      hint=f"the columns are: {', '.join(table.columns)}")


def read_metric(path: str, name: str | None) -> MetricValues:
    """The metric's values in the order they were logged; rows without it are skipped (a W&B
    history row of another metric, a training line of a JSONL log)."""
    table = read_log(path)
    column = metric_column(table, name)
    values = [value for row in table.rows
              if (value := number(table, row, column)) is not None]
    if not values:
        raise table.error(f"the column {column!r} holds no values")
    return MetricValues(column, tuple(values), path)


def lr_columns(table: LogTable, names: Sequence[str]) -> list[str]:
    """``names`` (``--lr-column``, one per parameter group), else the first column named like
    an LR (``lr``, ``learning_rate``, ``lr-<name>``, ``train/lr``)."""
    if names:
        return [find_column(table, name, "LR", "--lr-column") for name in names]
    found = next((c for c in _value_columns(table) if _LR.fullmatch(c)), None)
    if found is None:
        raise table.error("the log has no column named like an LR (lr, learning_rate, "
                          "lr-<name>)", hint="name it with --lr-column; the columns are: "
                                             f"{', '.join(table.columns)}")
    return [found]


@dataclass(frozen=True)
class LoggedLR:
    path: str
    columns: tuple[str, ...]
    step_column: str | None  # None: rows are numbered from 0
    steps: tuple[int, ...]
    lrs: tuple[tuple[float, ...], ...]
    lines: tuple[int, ...]


def read_logged_lr(path: str, names: Sequence[str] = ()) -> LoggedLR:
    table = read_log(path)
    columns = lr_columns(table, names)
    step_name = step_column(table)
    steps: list[int] = []
    lrs: list[tuple[float, ...]] = []
    lines: list[int] = []
    for row in table.rows:
        values = [number(table, row, column) for column in columns]
        if any(value is None for value in values):
            continue  # an evaluation line without the LR
        steps.append(_step(table, row, step_name, len(steps)))
        lrs.append(tuple(v for v in values if v is not None))
        lines.append(row.line)
    if not steps:
        raise table.error(f"no row holds {', '.join(columns)}")
    for before, after, line in zip(steps, steps[1:], lines[1:], strict=False):
        if after <= before:
            raise table.error(f"the steps do not increase: {after} after {before}", line,
                              hint="one log per run: a resumed run logs its steps again")
    return LoggedLR(path, tuple(columns), step_name, tuple(steps), tuple(lrs), tuple(lines))


def _step(table: LogTable, row: LogRow, column: str | None, index: int) -> int:
    if column is None:
        return index
    value = number(table, row, column)
    if value is None or not math.isfinite(value) or value < 0 or not value.is_integer():
        raise table.error(f"{column} is {row.cells.get(column)!r}, not a step number",
                          row.line)
    return int(value)
