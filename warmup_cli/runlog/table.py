"""A log file as rows of cells, each row with the line it came from.

Logs come from strangers as much as configs do: the text is read with the config budgets
(:func:`warmup_cli.configs.text.read_text`: 5 MB, no binary, UTF-8), the cells of one file
are bounded by the node budget, and every bad row is a located error (``file:line``).
Formats, by content more than by suffix:

- ``.jsonl``/``.ndjson`` (or a first line that is a JSON object): one object per line; lines
  without the wanted key (a training line between two validations) are skipped later.
- ``.json``: HF's ``trainer_state.json`` (its ``log_history`` list) or a list of objects.
- anything else: CSV, or TSV when the header holds a tab and no comma (or the suffix is
  ``.tsv``). A TensorBoard scalars export (``Wall time,Step,Value``) and a W&B export
  (``_step`` and metric columns; a chart export names columns ``<run> - <metric>``) are CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from warmup_cli.configs.text import LIMITS, read_text
from warmup_cli.errors import ConfigError

Cell = str | int | float | None
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf|infinity)",
                     re.IGNORECASE)


@dataclass(frozen=True)
class LogRow:
    line: int  # 1-based line of the file (for a JSON document: the entry's index + 1)
    cells: dict[str, Cell]


@dataclass(frozen=True)
class LogTable:
    path: str
    kind: str  # "csv", "tsv", "jsonl", "json", "tensorboard", "wandb"
    columns: tuple[str, ...]
    rows: tuple[LogRow, ...]

    def error(self, message: str, line: int | None = None, hint: str | None = None
              ) -> ConfigError:
        return ConfigError(message, path=self.path, line=line, hint=hint)


def read_log(path: str) -> LogTable:
    text = read_text(path)
    lower = path.lower()
    first = text.lstrip("\ufeff").lstrip()
    if lower.endswith((".jsonl", ".ndjson")) or (first.startswith("{")
                                                  and not lower.endswith(".json")):
        return _jsonl(path, text)
    if lower.endswith(".json"):
        return _json_document(path, text)
    return _delimited(path, text.lstrip("\ufeff"), lower.endswith(".tsv"))


def number(table: LogTable, row: LogRow, column: str) -> float | None:
    """The cell as a float (None when empty or missing); text that is not a number is a
    located error."""
    value = row.cells.get(column)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise table.error(f"{column} is {value!r}, not a number", row.line)
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise table.error(f"{column} is {value!r}, not a number", row.line,
                              hint="every value of the column must be a number (nan and inf "
                                   "are allowed)")
        return float(text)
    try:
        return float(value)
    except OverflowError:
        raise table.error(f"{column} is too large to be a float", row.line) from None


class _Cells:
    """The node budget over one file's cells."""

    def __init__(self, path: str) -> None:
        self.path, self.count = path, 0

    def take(self, count: int, line: int) -> None:
        self.count += count
        if self.count > LIMITS.max_nodes:
            raise ConfigError(f"more than {LIMITS.max_nodes:,} values (the node budget)",
                              path=self.path, line=line)


def _delimited(path: str, text: str, tsv_suffix: bool) -> LogTable:
    header_line = text.split("\n", 1)[0]
    tab = tsv_suffix or ("\t" in header_line and "," not in header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tab else ",")
    budget = _Cells(path)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise ConfigError("the log is empty: it needs a header row naming its columns",
                              path=path, line=1)
        columns = tuple(cell.strip() for cell in header)
        _check_header(path, columns)
        rows: list[LogRow] = []
        for cells in reader:
            line = reader.line_num
            if not cells or all(not cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                raise ConfigError(f"this row has {len(cells)} fields but the header has "
                                  f"{len(columns)}", path=path, line=line,
                                  hint="every row needs one value per column (leave a value "
                                       "empty, not out)")
            budget.take(len(cells), line)
            rows.append(LogRow(line, dict(zip(columns, (c.strip() for c in cells),
                                              strict=True))))
    except csv.Error as error:
        raise ConfigError(f"not a valid CSV file: {error}", path=path,
                          line=reader.line_num) from None
    kind = "tsv" if tab else "csv"
    if columns == ("Wall time", "Step", "Value"):
        kind = "tensorboard"
    elif "_step" in columns or any(" - " in column for column in columns):
        kind = "wandb"
    return LogTable(path, kind, columns, tuple(rows))


def _check_header(path: str, columns: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for column in columns:
        if not column:
            raise ConfigError("the header has an empty column name", path=path, line=1)
        if column in seen:
            raise ConfigError(f"the header names the column {column!r} twice", path=path,
                              line=1)
        seen.add(column)


def _jsonl(path: str, text: str) -> LogTable:
    rows: list[LogRow] = []
    columns: dict[str, None] = {}
    budget = _Cells(path)
    for index, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not raw.strip():
            continue
        value = _loads(path, raw, index)
        if not isinstance(value, dict):
            raise ConfigError(f"this line is a JSON {type(value).__name__}, not an object",
                              path=path, line=index,
                              hint="a JSONL log holds one object per line, e.g. "
                                   '{"step": 10, "val_loss": 0.5}')
        rows.append(_object_row(path, value, index, budget, columns))
    return LogTable(path, "jsonl", tuple(columns), tuple(rows))


def _json_document(path: str, text: str) -> LogTable:
    document = _loads(path, text, 1)
    entries = document.get("log_history") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise ConfigError("a JSON log must be a list of objects or HF's trainer_state.json "
                          "(with log_history)", path=path, line=1)
    columns: dict[str, None] = {}
    budget = _Cells(path)
    rows = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"entry {index} is not an object", path=path)
        rows.append(_object_row(path, entry, index, budget, columns))
    return LogTable(path, "json", tuple(columns), tuple(rows))


def _loads(path: str, text: str, line: int) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ConfigError("nesting too deep", path=path, line=line) from None
    except json.JSONDecodeError as error:
        where = line + error.lineno - 1
        raise ConfigError(f"not valid JSON: {error.msg}", path=path, line=where,
                          column=error.colno) from None
    except ValueError as error:  # an integer of more digits than int() takes
        raise ConfigError(f"not a usable JSON value: {error}", path=path, line=line) from None


def _object_row(path: str, value: dict[str, Any], line: int, budget: _Cells,
                columns: dict[str, None]) -> LogRow:
    budget.take(len(value), line)
    cells: dict[str, Cell] = {}
    for key, cell in value.items():
        # Only scalars are cells; a nested object or list is not a logged number.
        if cell is None or isinstance(cell, str | int | float):
            cells[str(key)] = cell
            columns.setdefault(str(key))
    return LogRow(line, cells)
