"""``warmup export`` (the snippet reproduces the series exactly) and ``warmup compare``."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from warmup_cli.cli import app
from warmup_cli.resolve import resolve
from warmup_cli.series import View, lrs_at, rows

runner = CliRunner()

EXPORTED = [
    ("linear:4,base=0.1", ()),
    ("linear:500 > cosine:9500,floor=0.1 * exp:100", ("3e-4",)),
    ("(linear:5 > constant:10,value=0.5) * exponential:0.97", ()),
    ("untuned-linear > wsd:100,50,shape=cosine,floor=0.05", ("1e-3", "1e-4")),
    ("radam * step:300,gamma=0.5", ()),
    ("noam:4000,d_model=512", ()),
    ("constant-warmup:3,factor=0.1 > multistep:[100,2000,2500],gamma=0.3", ()),
    ("linear:7 > cosine-restarts:50,mult=2,floor=0.01", ()),
    ("linear:20 > poly:3000,power=2", ()),
    ("linear:100 > inv-sqrt", ("2.0",)),
    ("lambda epoch: min((epoch + 1) / 4, 1) * cos(pi * epoch / 8000)", ("0.5",)),
    ("0.95 ** step", ()),
]


# Runs every exported file as a script (`python FILE N`) in one subprocess: each file is
# executed with runpy as __main__, so torch is imported once for all of them.
DRIVER = """
import contextlib, io, json, runpy, sys
results = {}
count = sys.argv[1]
for path in sys.argv[2:]:
    sys.argv = [path, count]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    results[path] = out.getvalue()
sys.stdout.write(json.dumps(results))
"""


def test_exported_snippets_reproduce_every_value(tmp_path: Path) -> None:
    count = 3000
    files: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for index, (spec, bases) in enumerate(EXPORTED):
        args = ["export", spec, "--to", "python"]
        for base in bases:
            args += ["--base", base]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "warmup_cli" not in result.stdout.split('"""', 2)[2]  # self-contained
        path = tmp_path / f"schedule_{index}.py"
        path.write_text(result.stdout)
        files[str(path)] = (spec, bases, result.stdout)
    done = subprocess.run([sys.executable, "-c", DRIVER, str(count), *files],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed_by_file = json.loads(done.stdout)
    for path, (spec, bases, _) in files.items():
        plan = resolve(spec, base_lrs=tuple(float(b) for b in bases)).plan
        expected = [row.lrs for row in rows(plan, View(count))]
        printed = [tuple(float(x) for x in line.split()[1:])
                   for line in printed_by_file[path].splitlines()]
        assert printed == expected, spec


def test_export_json_is_the_normalized_description() -> None:
    result = runner.invoke(app, ["export", "linear:500>cosine:9500,floor=0.1,base=3e-4",
                                 "--to", "json"])
    document = json.loads(result.stdout)
    assert document["spec"] == "linear:500 > cosine:9500,floor=0.1"
    assert document["base_lrs"] == [3e-4]
    assert document["warmup"] == 500 and document["length"] == 10_000
    assert document["milestones"] == [{"step": 500, "what": "start of cosine"}]
    assert [piece["kind"] for piece in document["schedule"]["join"]] == ["linear", "cosine"]


def test_compare_has_one_lr_column_per_schedule() -> None:
    specs = ["linear:5", "exp:3 * constant", "lambda e: e / 5"]
    result = runner.invoke(app, ["compare", *specs, "-n", "12", "-f", "csv", "--base", "0.1"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(table[0]) == ["epoch", "lr_0", "lr_1", "lr_2"]
    plans = [resolve(spec, base_lrs=(0.1,)).plan for spec in specs]
    for k, row in enumerate(table):
        assert [float(row[f"lr_{i}"]) for i in range(3)] == [lrs_at(p, k)[1] for p in plans]


def test_compare_json_names_each_column_and_table_plots_every_line() -> None:
    document = json.loads(runner.invoke(app, ["compare", "linear:3", "linear:6,base=0.5",
                                              "-f", "json"]).stdout)
    assert [s["schedule"] for s in document["schedules"]] == ["linear:3", "linear:6"]
    assert [s["base_lr"] for s in document["schedules"]] == [1.0, 0.5]
    table = runner.invoke(app, ["compare", "linear:3", "linear:6", "-f", "table", "--plot"])
    assert table.exit_code == 0
    assert "lr_0: linear:3" in table.stdout and "lr_1" in table.stdout and "┤" in table.stdout


def test_compare_needs_two_schedules() -> None:
    result = runner.invoke(app, ["compare", "linear:3"])
    assert result.exit_code == 2 and "at least two" in result.stderr
