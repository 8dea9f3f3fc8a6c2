"""The bulk writers write exactly what the reference writers write: csv/tsv what csv.writer
writes, json/jsonl what json.JSONEncoder writes, row for row."""

from __future__ import annotations

import io

import pytest

from warmup_cli.render import formats
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.series import View, chunks, rows


@pytest.mark.parametrize("delimiter", [",", "\t"])
@pytest.mark.parametrize("with_update", [False, True])
def test_bulk_writer_matches_csv_writer(delimiter: str, with_update: bool) -> None:
    # Phases with the characters csv must quote, an int factor, and two parameter groups.
    schedule = FunctionSchedule(fn=lambda t: 1 if t % 3 else 0.1 * t, label="a, \"b\"",
                                spec="test", phases=((5, "tab\there"), (9, "plain")))
    plan = Plan(schedule, (0.1, 3e-4), "test")
    view = View(20_000, unit="epoch", steps_per_epoch=3 if with_update else None)
    columns = formats.series_columns("step", ["0", "1"], "epoch" if with_update else None)
    bulk, reference = io.StringIO(), io.StringIO()
    formats.write_series_chunks(chunks(plan, view), bulk, columns, delimiter=delimiter,
                                with_update=with_update)
    formats.write_delimited(rows(plan, view), reference, columns,
                            formats.series_cells(with_update), delimiter=delimiter)
    assert bulk.getvalue() == reference.getvalue()
    assert '"a, ""b"""' in bulk.getvalue()


# --- json and jsonl a batch at a time (the per-row template) --------------------------------

PHASES = ((5, "tab\there"), (9, 'quote " and \\ back'), (12, "café \u202e\x1b[31m"),
          (15, "plain"))


@pytest.mark.parametrize("with_update", [False, True])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_batches_match_the_encoder_byte_for_byte(fmt: str, with_update: bool) -> None:
    # an int factor (1), text that json escapes, non-ASCII, two parameter groups
    schedule = FunctionSchedule(fn=lambda t: 1 if t % 3 else 0.1 * t, label="x", spec="test",
                                phases=PHASES)
    plan = Plan(schedule, (0.1, 3e-4), "test")
    view = View(20_000, unit="epoch", steps_per_epoch=3 if with_update else None)
    columns = formats.series_columns("step", ["0", "1"], "epoch" if with_update else None)
    batched, reference = io.StringIO(), io.StringIO()
    meta = {"schedule": "test", "café": [1.0, None]}
    batches = formats.series_batches(chunks(plan, view), with_update)
    if fmt == "json":
        formats.write_json_batches(batches, batched, columns, meta)
        formats.write_json(rows(plan, view), reference, columns,
                           formats.series_cells(with_update), meta)
    else:
        formats.write_jsonl_batches(batches, batched, columns)
        formats.write_jsonl(rows(plan, view), reference, columns,
                            formats.series_cells(with_update))
    assert batched.getvalue() == reference.getvalue()
    assert "\\u202e" in batched.getvalue() and '\\"' in batched.getvalue()


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_batches_without_rows(fmt: str) -> None:
    batched, reference = io.StringIO(), io.StringIO()
    if fmt == "json":
        formats.write_json_batches([], batched, ["step", "lr"], {"a": 1})
        formats.write_json([], reference, ["step", "lr"], lambda row: (), {"a": 1})
    else:
        formats.write_jsonl_batches([[[], []]], batched, ["step", "lr"])
        formats.write_jsonl([], reference, ["step", "lr"], lambda row: ())
    assert batched.getvalue() == reference.getvalue()


def _as_rows(batches: list[list[list[object]]]) -> list[tuple[object, ...]]:
    return [values for batch in batches for values in zip(*batch, strict=True)]


@pytest.mark.parametrize("odd", [float("nan"), float("inf"), 10**400, True])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_batches_fall_back_to_the_encoder(fmt: str, odd: object) -> None:
    """A value the template cannot write as json would: the same text, or the same error after
    the same rows."""
    batches = [[[0, 1], [0.5, 0.25]], [[2, 3, 4], [0.125, odd, 1.0]]]
    columns = ["step", "lr"]
    outcomes = []
    for batched in (True, False):
        out = io.StringIO()
        try:
            if batched and fmt == "json":
                formats.write_json_batches(batches, out, columns, {})
            elif batched:
                formats.write_jsonl_batches(batches, out, columns)
            elif fmt == "json":
                formats.write_json(_as_rows(batches), out, columns, lambda row: row, {})
            else:
                formats.write_jsonl(_as_rows(batches), out, columns, lambda row: row)
            error = None
        except ValueError as exc:
            error = str(exc)
        outcomes.append((out.getvalue(), error))
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0][1] is not None) == (isinstance(odd, float))
