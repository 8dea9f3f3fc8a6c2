"""Machine formats for a series: csv, tsv, json, jsonl, markdown.

One emitter per format over the same stream of rows and a ``cells`` function that picks a
row's values, so a 10-million-row series is written without being held in memory. Floats are
written with ``repr``, the shortest text that reads back as the same double
(``float(text) == value``): a consumer gets the very numbers LambdaLR produced. Text cells
(phase labels, our own words) keep their exact text the format's way: csv/tsv quote it, json
and jsonl escape it (``ensure_ascii``); markdown, a format for the eye, escapes controls
(``safe_text``) as well as ``|``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TextIO, TypeVar

from warmup_cli.render.safe_text import escape_controls
from warmup_cli.series import Chunk, Row

MACHINE_FORMATS = ("csv", "tsv", "json", "jsonl", "markdown")
# The writers take any row type with a ``cells`` function for it (a series Row, a plateau run's).
R = TypeVar("R")
Cells = Callable[[Row], Sequence[Any]]


def lr_columns(labels: Sequence[str]) -> list[str]:
    """``lr`` for one parameter group, ``lr_<label>`` for several."""
    return ["lr"] if len(labels) == 1 else [f"lr_{label}" for label in labels]


def series_columns(unit: str, labels: Sequence[str], update_unit: str | None) -> list[str]:
    return [unit, *([update_unit] if update_unit else []), "factor", *lr_columns(labels),
            "phase"]


def series_cells(with_update: bool) -> Cells:
    if with_update:
        return lambda row: (row.step, row.update, float(row.factor), *row.lrs, row.phase)
    return lambda row: (row.step, float(row.factor), *row.lrs, row.phase)


def write_delimited(rows: Iterable[R], out: TextIO, columns: list[str],
                    cells: Callable[[R], Sequence[Any]], *,
                    delimiter: str) -> None:
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(map(cells, rows))


def write_series_chunks(chunks: Iterable[Chunk], out: TextIO, columns: list[str], *,
                        delimiter: str, with_update: bool) -> None:
    """The bulk path of csv/tsv: one ``%`` template per row, applied by ``map`` a chunk at a
    time. It writes what ``csv.writer`` writes (ints, ``repr`` floats, the phase quoted the
    csv way) about 30 % faster, which matters at 10^7 rows."""
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    lr_count = len(columns) - (4 if with_update else 3)
    template = delimiter.join(["%d"] * (2 if with_update else 1) + ["%r"] * (1 + lr_count)
                              + ["%s"]) + "\n"
    quoted: dict[str, str] = {}
    for chunk in chunks:
        for phase in set(chunk.phases) - quoted.keys():
            quoted[phase] = _csv_field(phase, delimiter)
        head = (chunk.steps, chunk.updates) if with_update else (chunk.steps,)
        rows = zip(*head, map(float, chunk.factors), *chunk.lrs, map(quoted.__getitem__,
                                                                      chunk.phases), strict=True)
        out.write("".join(map(template.__mod__, rows)))


def _csv_field(text: str, delimiter: str) -> str:
    """``text`` as csv.writer (QUOTE_MINIMAL) writes a field."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerow([text])
    return buffer.getvalue()[:-1]


def write_jsonl(rows: Iterable[R], out: TextIO, columns: list[str],
                cells: Callable[[R], Sequence[Any]]) -> None:
    dumps = json.JSONEncoder(allow_nan=False).encode
    for row in rows:
        out.write(dumps(dict(zip(columns, cells(row), strict=True))) + "\n")


def write_json(rows: Iterable[R], out: TextIO, columns: list[str],
               cells: Callable[[R], Sequence[Any]],
               meta: Mapping[str, Any]) -> None:
    """One document: the metadata, then ``"rows"`` streamed one object at a time."""
    dumps = json.JSONEncoder(allow_nan=False).encode
    head = dumps({**meta, "columns": columns})
    out.write(head[:-1] + ', "rows": [')
    separator = "\n  "
    for row in rows:
        out.write(separator + dumps(dict(zip(columns, cells(row), strict=True))))
        separator = ",\n  "
    out.write("\n]}\n")


# --- json and jsonl a batch of rows at a time ------------------------------------------------

Batch = Sequence[Sequence[Any]]
"""Rows as columns: one sequence of values per column, all of one length (a chunk)."""


def series_batches(chunks: Iterable[Chunk], with_update: bool) -> Iterator[Batch]:
    """The columns of :func:`series_cells`, a chunk at a time."""
    for chunk in chunks:
        head = [chunk.steps, chunk.updates] if with_update else [chunk.steps]
        yield [*head, list(map(float, chunk.factors)), *chunk.lrs, chunk.phases]


class _RowTemplate:
    """JSON objects from a batch by one ``%`` template, keys encoded once: what
    ``json.JSONEncoder(allow_nan=False).encode(dict(zip(columns, row)))`` writes, about twice as
    fast. Numbers take ``%r`` (``repr``, json's own float and int text) and text columns are
    encoded once per distinct value. A batch with anything else (a NaN or an infinity, which
    json refuses, an int too large for a float check, another type) goes row by row through
    the encoder itself, so its output, or its error, is the encoder's."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.encode = json.JSONEncoder(allow_nan=False).encode
        self.columns = list(columns)
        self.keys = [self.encode(column) for column in columns]
        self.quoted: dict[str, str] = {}
        self.templates: dict[tuple[bool, ...], str] = {}

    def texts(self, batch: Batch) -> list[str] | None:
        """Each row of ``batch`` as JSON text; None when the batch is not plain (see above)."""
        found = tuple(map(self._kind, batch))
        kinds = tuple(kind for kind in found if kind is not None)
        if len(kinds) < len(found):
            return None
        template = self.templates.get(kinds)
        if template is None:
            fields = [f"{key}: {'%s' if text else '%r'}" for key, text in zip(self.keys, kinds,
                                                                              strict=True)]
            template = self.templates[kinds] = "{" + ", ".join(fields) + "}"
        cells = [map(self._quote(column), column) if text else column
                 for column, text in zip(batch, kinds, strict=True)]
        return list(map(template.__mod__, zip(*cells, strict=True)))

    def row(self, values: Sequence[Any]) -> str:
        return self.encode(dict(zip(self.columns, values, strict=True)))

    @staticmethod
    def _kind(column: Sequence[Any]) -> bool | None:
        """True: text; False: finite numbers; None: anything else."""
        types = set(map(type, column))
        if types <= {str}:
            return True
        if not types <= {int, float}:
            return None
        try:
            return False if all(map(math.isfinite, column)) else None
        except OverflowError:  # an int beyond any float: the encoder writes it
            return None

    def _quote(self, column: Sequence[str]) -> Callable[[str], str]:
        for text in set(column) - self.quoted.keys():
            self.quoted[text] = self.encode(text)
        return self.quoted.__getitem__


def write_jsonl_batches(batches: Iterable[Batch], out: TextIO, columns: list[str]) -> None:
    """jsonl, byte for byte what :func:`write_jsonl` writes for the same rows."""
    encoder = _RowTemplate(columns)
    for batch in batches:
        texts = encoder.texts(batch)
        if texts is None:
            for values in zip(*batch, strict=True):
                out.write(encoder.row(values) + "\n")
        elif texts:
            out.write("\n".join(texts) + "\n")


def write_json_batches(batches: Iterable[Batch], out: TextIO, columns: list[str],
                       meta: Mapping[str, Any]) -> None:
    """json, byte for byte what :func:`write_json` writes for the same rows."""
    encoder = _RowTemplate(columns)
    head = encoder.encode({**meta, "columns": columns})
    out.write(head[:-1] + ', "rows": [')
    separator = "\n  "
    for batch in batches:
        texts = encoder.texts(batch)
        if texts is None:
            for values in zip(*batch, strict=True):
                out.write(separator + encoder.row(values))
                separator = ",\n  "
        elif texts:
            out.write(separator + ",\n  ".join(texts))
            separator = ",\n  "
    out.write("\n]}\n")


def write_markdown(rows: Iterable[R], out: TextIO, columns: list[str],
                   cells: Callable[[R], Sequence[Any]]) -> None:
    out.write("| " + " | ".join(columns) + " |\n")
    out.write("|" + "|".join("---" if c in ("phase", "note") else "---:" for c in columns) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(_cell(v) for v in cells(row)) + " |\n")


def _cell(value: Any) -> str:
    text = repr(value) if isinstance(value, float) else escape_controls(str(value))
    return text.replace("|", "\\|")


def write(fmt: str, rows: Iterable[R], out: TextIO, columns: list[str],
          cells: Callable[[R], Sequence[Any]],
          meta: Mapping[str, Any]) -> None:
    """Dispatch to the emitter of ``fmt``."""
    if fmt in ("csv", "tsv"):
        write_delimited(rows, out, columns, cells, delimiter="," if fmt == "csv" else "\t")
    elif fmt == "jsonl":
        write_jsonl(rows, out, columns, cells)
    elif fmt == "json":
        write_json(rows, out, columns, cells, meta)
    elif fmt == "markdown":
        write_markdown(rows, out, columns, cells)
    else:  # the CLI's enum makes this unreachable; a library caller gets a clear message
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(MACHINE_FORMATS)}")
