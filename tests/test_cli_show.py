"""``warmup show`` and ``warmup kinds`` through CliRunner and through the installed script."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from tests.conftest import WARMUP
from warmup_cli import __version__
from warmup_cli.cli import app
from warmup_cli.digest import Envelope
from warmup_cli.kinds import KINDS, Kind
from warmup_cli.resolve import resolve
from warmup_cli.series import View, lrs_at

ANSI = re.compile(r"\x1b\[")
runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=env)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_design_example_values() -> None:
    result = invoke("show", "linear:4,base=0.1", "--epochs", "10", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = csv_rows(result.stdout)
    assert [float(r["lr"]) for r in table] == [0.1 * min((e + 1) / 4, 1) for e in range(10)]
    assert float(table[3]["lr"]) == 0.1
    assert table[0]["phase"] == "linear warmup" and table[4]["phase"] == "constant"


def test_zero_first_lambda_is_shown_as_zero() -> None:
    result = invoke("show", "lambda epoch: epoch / 3", "--base", "0.1", "-n", "4", "-f", "csv")
    assert result.exit_code == 0
    assert float(csv_rows(result.stdout)[0]["lr"]) == 0.0


def test_table_has_every_part_and_no_escape_codes_off_a_terminal() -> None:
    result = invoke("show", "linear:4,base=0.1", "--epochs", "10", "--format", "table", "--plot")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert not ANSI.search(out)
    for text in ("epoch", "factor", "lr", "phase", "0.025", "0.05", "0.07500000000000001",
                 "end of warmup", "all 10 updates checked against torch's LambdaLR"):
        assert text in out
    assert "┤" in out  # the plot's axis


def test_color_always_and_force_color_emit_escapes() -> None:
    forced = invoke("show", "linear:4", "-f", "table", "--color", "always", "--no-plot")
    assert ANSI.search(forced.stdout)
    by_env = invoke("show", "linear:4", "-f", "table", "--no-plot", env={"FORCE_COLOR": "1"})
    assert ANSI.search(by_env.stdout)
    never = invoke("show", "linear:4", "-f", "table", "--color", "never", "--plot",
                   env={"FORCE_COLOR": "1"})
    assert not ANSI.search(never.stdout)


def test_long_table_is_elided_around_milestones_and_all_prints_everything() -> None:
    spec = "linear:100 > cosine:900,floor=0.1"
    short = invoke("show", spec, "--steps", "1000", "-f", "table", "--no-plot").stdout
    assert "more rows (--all)" in short
    for step in ("99", "100", "999"):
        assert re.search(rf"│\s+{step} │", short), step
    assert not re.search(r"│\s+500 │", short)
    full = invoke("show", spec, "--steps", "1000", "-f", "table", "--no-plot", "--all").stdout
    assert "more rows" not in full
    assert re.search(r"│\s+500 │", full)


def test_every_machine_format_round_trips_floats() -> None:
    spec = "linear:7 > cosine:30,floor=0.05"
    plan = resolve(spec, base_lrs=(3e-4, 1e-3)).plan
    expected = [lrs_at(plan, k) for k in range(40)]
    args = ["show", spec, "-b", "3e-4", "-b", "1e-3", "--steps", "40"]
    as_csv = csv_rows(invoke(*args, "-f", "csv").stdout)
    as_tsv = list(csv.DictReader(io.StringIO(invoke(*args, "-f", "tsv").stdout), delimiter="\t"))
    as_jsonl = [json.loads(line) for line in invoke(*args, "-f", "jsonl").stdout.splitlines()]
    document = json.loads(invoke(*args, "-f", "json").stdout)
    assert document["schedule"] == "linear:7 > cosine:30,floor=0.05"
    assert document["base_lrs"] == [3e-4, 1e-3] and document["unit"] == "step"
    assert document["columns"] == ["step", "factor", "lr_0", "lr_1", "phase"]
    for rows in (as_csv, as_tsv, as_jsonl, document["rows"]):
        assert len(rows) == 40
        for k, row in enumerate(rows):
            assert int(row["step"]) == k
            assert (float(row["factor"]), float(row["lr_0"]), float(row["lr_1"])) == expected[k]
    markdown = invoke(*args, "-f", "markdown").stdout.splitlines()
    assert markdown[0] == "| step | factor | lr_0 | lr_1 | phase |"
    assert len(markdown) == 42


def test_steps_per_epoch_views() -> None:
    per_step = csv_rows(invoke("show", "linear:2", "-n", "3", "--steps-per-epoch", "4",
                               "-f", "csv").stdout)
    assert [r["step"] for r in per_step] == [str(i) for i in range(12)]
    assert [int(r["epoch"]) for r in per_step] == [i // 4 for i in range(12)]
    assert [float(r["lr"]) for r in per_step] == [min(1.0, (i // 4 + 1) / 2) for i in range(12)]
    per_epoch = csv_rows(invoke("show", "linear:10", "--steps", "40", "--steps-per-epoch", "8",
                                "-f", "csv").stdout)
    assert [int(r["step"]) for r in per_epoch] == [0, 8, 16, 24, 32]
    assert [float(r["lr"]) for r in per_epoch] == [min(1.0, (s + 1) / 10) for s in
                                                   (0, 8, 16, 24, 32)]


def test_resume_reports_match_and_restart_pitfall() -> None:
    result = invoke("show", "linear:10", "-n", "20", "--resume-from", "5", "-f", "csv")
    assert result.exit_code == 0
    assert [int(r["epoch"]) for r in csv_rows(result.stdout)] == list(range(5, 20))
    assert "matches the uninterrupted run" in result.stderr
    assert "restart the schedule" in result.stderr
    past = invoke("show", "linear:10", "-n", "20", "--resume-from", "20")
    assert past.exit_code == 2 and "past the end" in past.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "linaer:4"], "did you mean the kind 'linear'?"),
        (["show", "lambda e: __import__('os').system('echo hacked')"], "'__import__'"),
        (["show", "lambda step: 512 ** -0.5 * min(step ** -0.5, step * 4000 ** -1.5)"],
         "step 0"),
        (["show", "9**9**9"], "bits"),
        (["show", "linear:4", "--epochs", "3", "--steps", "3"], "not both"),
    ],
)
def test_user_errors_exit_2_with_one_message(args: list[str], message: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "hacked" not in result.stdout


def test_caret_points_at_the_spec_mistake() -> None:
    lines = invoke("show", "linear:4,bse=0.1").stderr.splitlines()
    assert lines[1].strip() == "linear:4,bse=0.1"
    assert lines[2].index("^") == lines[1].index("bse")


def expected_parameters(kind: Kind) -> str:
    """What the spec grammar takes: ``<name>`` positionally, ``name=default`` when optional."""
    texts = []
    for param in kind.params:
        text = f"<{param.name}>" if param.name in kind.positional else param.name
        texts.append(text if param.required else f"{text}={param.default}")
    return ", ".join(texts) or "—"


def test_kinds_table_has_one_row_per_kind_with_its_parameters() -> None:
    from warmup_cli.render.kinds import kinds_table

    table = kinds_table()
    cells = {column.header: list(column.cells) for column in table.columns}
    names = [str(cell).split("\n")[0] for cell in cells["kind"]]
    assert names == list(KINDS)
    for row, kind in enumerate(KINDS.values()):
        assert cells["role"][row] == kind.role
        assert cells["formula"][row] == kind.formula
        assert cells["parameters"][row] == expected_parameters(kind), kind.name


def test_kinds_command_prints_every_row_unwrapped() -> None:
    result = invoke("kinds", env={"COLUMNS": "400"})
    assert result.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines()
            if line.startswith("│") and line.split("│")[1].strip()}
    for name, kind in KINDS.items():
        assert f"│ {expected_parameters(kind)} " in rows[name], name


def test_version_is_eager() -> None:
    result = invoke("--version", "show")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_envelope_keeps_a_one_step_spike() -> None:
    plan = resolve("lambda t: 10 if t == 51234 else 1").plan
    envelope = Envelope(0, 100_000, 80, 1)
    for k in range(100_000):
        envelope.add(k, (plan.schedule(k),))
    xs, ys = envelope.points(0)
    assert len(xs) <= 160 and max(ys) == 10 and xs[ys.index(10)] == 51234


def test_log_y_plot_copes_with_zero_lrs() -> None:
    result = invoke("show", "lambda e: e / 3", "-n", "6", "-f", "table", "--plot", "--log-y")
    assert result.exit_code == 0 and "┤" in result.stdout


# --- the installed script, in a subprocess -------------------------------------------------


def run_warmup(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARMUP), *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_installed_script_pipes_csv_without_escapes(plain_env: dict[str, str]) -> None:
    done = run_warmup("show", "linear:4,base=0.1", "--epochs", "10", env=plain_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "epoch,factor,lr,phase"
    assert not ANSI.search(done.stdout)
    assert "0.025" in done.stdout and done.stderr == ""


def test_python_dash_m_works(plain_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "warmup_cli", "--version"], capture_output=True,
                          text=True, env=plain_env, timeout=60)
    assert done.returncode == 0 and __version__ in done.stdout


def test_fast_paths_never_import_torch_or_plotext(plain_env: dict[str, str]) -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from warmup_cli.cli import app\n"
        "runner = CliRunner()\n"
        "for args in (['--help'], ['kinds'], ['show', '--help'], ['show', 'linaer:4'],\n"
        "             ['show', 'lambda e: e.__class__']):\n"
        "    runner.invoke(app, args)\n"
        "print(sorted(m for m in ('torch', 'plotext') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=plain_env, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_broken_pipe_ends_quietly(plain_env: dict[str, str]) -> None:
    process = subprocess.Popen([str(WARMUP), "show", "linear:100 > cosine:1000000",
                                "--steps", "1000000", "--format", "csv"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=plain_env)
    assert process.stdout is not None and process.stderr is not None
    head = [process.stdout.readline() for _ in range(3)]
    process.stdout.close()  # what `| head -3` does
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert head[0].decode().startswith("step,factor,lr,phase")
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert process.returncode == 141


@pytest.mark.parametrize("args", [
    ["kinds"],
    ["rules"],
    ["show", "linear:4", "--steps", "3000", "--plot", "--color", "never"],
    ["compare", "linear:4", "linear:8", "--steps", "3000", "--plot"],
    ["show", "linear:4", "-n", "5", "--format", "table"],
])
def test_a_reader_gone_before_the_first_write_ends_quietly(plain_env: dict[str, str],
                                                           args: list[str]) -> None:
    # The read end is closed before the command writes anything, so every write fails: the
    # tables and plots rich prints exit 141 like the streamed formats, never rich's own 1.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([str(WARMUP), *args], stdout=write_end, stderr=subprocess.PIPE,
                              env=plain_env, timeout=120)
    finally:
        os.close(write_end)
    stderr = done.stderr.decode()
    assert done.returncode == 141, stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


def test_ctrl_c_ends_without_traceback(plain_env: dict[str, str]) -> None:
    process = subprocess.Popen([str(WARMUP), "show", "linear:100 > cosine:9000000",
                                "--steps", "9000000", "--format", "csv"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=plain_env)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()  # it is streaming rows now
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode in (130, 141)
    assert "Traceback" not in stderr


def test_unknown_numbers_in_big_views_are_checked(plain_env: dict[str, str]) -> None:
    done = run_warmup("show", "linear:2000 > cosine:48000", "--steps", "50000", "-f", "table",
                      "--no-plot", env=plain_env)
    assert done.returncode == 0, done.stderr
    assert re.search(r"of 50,000 updates \(first, last, every milestone", done.stdout)
    view = View(50_000, unit="step")
    assert view.updates()[-1] == 49_999


def test_progress_bar_only_for_long_work_on_a_terminal() -> None:
    from rich.console import Console

    from warmup_cli.cli.output import PROGRESS_THRESHOLD, Progress

    terminal = Console(file=io.StringIO(), force_terminal=True, width=80)
    with Progress(PROGRESS_THRESHOLD, terminal) as progress:
        progress.update(PROGRESS_THRESHOLD // 2)
    assert progress.enabled
    assert "computing" in terminal.file.getvalue()  # type: ignore[attr-defined]
    pipe = Console(file=io.StringIO(), force_terminal=False)
    with Progress(10 * PROGRESS_THRESHOLD, pipe) as progress:
        progress.update(1)
    assert not progress.enabled and pipe.file.getvalue() == ""  # type: ignore[attr-defined]
    short = Console(file=io.StringIO(), force_terminal=True)
    assert not Progress(PROGRESS_THRESHOLD - 1, short).enabled


def test_all_rows_of_a_huge_table_point_to_the_machine_formats() -> None:
    result = invoke("show", "linear:4", "--steps", "200000", "--all", "-f", "table")
    assert result.exit_code == 2 and "--format csv" in result.stderr


def test_asking_for_the_plot_asks_for_the_table_in_a_pipe(plain_env: dict[str, str]) -> None:
    done = run_warmup("show", "linear:4,base=0.1", "--epochs", "10", "--plot", env=plain_env)
    assert done.returncode == 0
    assert "┤" in done.stdout and "0.07500000000000001" in done.stdout
    assert not ANSI.search(done.stdout)
