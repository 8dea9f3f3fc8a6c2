"""The bulk csv/tsv writer writes exactly what csv.writer writes, row for row."""

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
