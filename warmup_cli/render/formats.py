"""Machine formats for a series: csv, tsv, json, jsonl, markdown.

One emitter per format over the same stream of rows, so a 10-million-row series is written
without being held in memory. Floats are written with ``repr``, the shortest text that reads
back as the same double (``float(text) == value``): a consumer gets the very numbers LambdaLR
produced.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

from warmup_cli.series import Chunk, Row

MACHINE_FORMATS = ("csv", "tsv", "json", "jsonl", "markdown")


def lr_columns(labels: Sequence[str]) -> list[str]:
    """``lr`` for one parameter group, ``lr_<label>`` for several."""
    return ["lr"] if len(labels) == 1 else [f"lr_{label}" for label in labels]


def header(unit: str, labels: Sequence[str], *, with_factor: bool = True,
           extra: Sequence[str] = ()) -> list[str]:
    return [unit, *extra, *(["factor"] if with_factor else []), *lr_columns(labels), "phase"]


def _values(row: Row, with_factor: bool, extra: Sequence[Any]) -> list[Any]:
    factor = [float(row.factor)] if with_factor else []
    return [row.step, *extra, *factor, *row.lrs, row.phase]


def write_delimited(rows: Iterable[Row], out: TextIO, columns: list[str], *, delimiter: str,
                    with_factor: bool = True, extra: Callable[[Row], Sequence[Any]] | None = None
                    ) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(_values(row, with_factor, extra(row) if extra else ()) for row in rows)


def write_delimited_chunks(chunks: Iterable[Chunk], out: TextIO, columns: list[str], *,
                           delimiter: str, with_update: bool) -> None:
    """The bulk path: whole chunks go through ``writerows``, no Python code per row."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for chunk in chunks:
        head = (chunk.steps, chunk.updates) if with_update else (chunk.steps,)
        writer.writerows(zip(*head, map(float, chunk.factors), *chunk.lrs, chunk.phases,
                             strict=True))


def write_jsonl(rows: Iterable[Row], out: TextIO, columns: list[str], *, with_factor: bool = True,
                extra: Callable[[Row], Sequence[Any]] | None = None) -> None:
    dumps = json.JSONEncoder(allow_nan=False).encode
    for row in rows:
        values = _values(row, with_factor, extra(row) if extra else ())
        out.write(dumps(dict(zip(columns, values, strict=True))) + "\n")


def write_json(rows: Iterable[Row], out: TextIO, columns: list[str], meta: Mapping[str, Any], *,
               with_factor: bool = True, extra: Callable[[Row], Sequence[Any]] | None = None
               ) -> None:
    """One document: the metadata, then ``"rows"`` streamed one object at a time."""
    dumps = json.JSONEncoder(allow_nan=False).encode
    head = dumps({**meta, "columns": columns})
    out.write(head[:-1] + ', "rows": [')
    separator = "\n  "
    for row in rows:
        values = _values(row, with_factor, extra(row) if extra else ())
        out.write(separator + dumps(dict(zip(columns, values, strict=True))))
        separator = ",\n  "
    out.write("\n]}\n")


def write_markdown(rows: Iterable[Row], out: TextIO, columns: list[str], *,
                   with_factor: bool = True, extra: Callable[[Row], Sequence[Any]] | None = None
                   ) -> None:
    out.write("| " + " | ".join(columns) + " |\n")
    out.write("|" + "|".join("---:" if c != "phase" else "---" for c in columns) + "|\n")
    for row in rows:
        values = _values(row, with_factor, extra(row) if extra else ())
        out.write("| " + " | ".join(_cell(v) for v in values) + " |\n")


def _cell(value: Any) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return text.replace("|", "\\|")
