"""The Python API (warmup_cli.api): the same numbers and findings as the commands."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmup_cli import api
from warmup_cli.cli.app import app
from warmup_cli.errors import WarmupError
from warmup_cli.lint import api as lint_api
from warmup_cli.vocab import Code, Unit

HF = "learning_rate: 0.001\nlr_scheduler_type: cosine\nwarmup_steps: 3\nmax_steps: 12\n"


def _csv_lrs(*args: str) -> list[float]:
    result = CliRunner().invoke(app, ["show", *args, "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    column = header.split(",").index("lr")
    return [float(row.split(",")[column]) for row in rows]


def test_the_module_examples_run() -> None:
    failures, tried = doctest.testmod(api)
    assert tried >= 3 and failures == 0
    failures, tried = doctest.testmod(lint_api)
    assert tried >= 2 and failures == 0


@pytest.mark.parametrize("text", ["linear:4,base=0.1", "linear:5 > cosine:20,base=3e-4",
                                  "lambda e: min(1.0, (e + 1) / 4)"])
def test_lrs_are_the_numbers_show_prints(text: str) -> None:
    schedule = api.load(text)
    assert schedule.unit is Unit.EPOCH
    assert schedule.lrs(30) == _csv_lrs(text, "-n", "30")
    assert schedule.lrs() == _csv_lrs(text)  # the same default horizon


def test_a_config_file_with_its_run_length(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text(HF)
    schedule = api.load(path)
    assert schedule.unit is Unit.STEP and schedule.horizon == 12
    assert schedule.base_lrs == (0.001,)
    assert schedule.lrs() == _csv_lrs(str(path))
    assert [m.step for m in schedule.milestones()][:1] == [2]


def test_groups_factors_and_numpy() -> None:
    schedule = api.load("linear:4", base_lrs=(0.1, 0.01))
    pairs = schedule.group_lrs(5)
    assert [p[1] for p in pairs] == schedule.lrs(5, group=1)
    assert schedule.factors(5) == [0.25, 0.5, 0.75, 1.0, 1.0]
    array = schedule.array(5)
    assert array.shape == (5, 2) and array.tolist() == [list(p) for p in pairs]
    with pytest.raises(WarmupError, match="group 2 does not exist"):
        schedule.lrs(3, group=2)


def test_verify_steps_a_real_lambdalr() -> None:
    done = api.load("linear:4 > cosine:16,base=0.1").verify(20)
    assert done.checked == done.total == 20 and not done.torch_missing


def test_bad_input_raises_a_warmup_error_with_a_hint() -> None:
    with pytest.raises(WarmupError) as caught:
        api.load("linaer:4")
    assert caught.value.render()
    with pytest.raises(WarmupError, match="no such file"):
        api.load("missing.yaml")


def test_lint_files_and_text_give_typed_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text('lr_lambda: "lambda e: e / 4"\n')
    result = lint_api.lint(tmp_path / "a.yaml", isolated=True)
    assert [d.code for d in result.diagnostics] == [Code.WU101, Code.WU102]
    assert result.exit_code == 1 and result.failed
    text = lint_api.lint_text((tmp_path / "a.yaml").read_text(), "a.yaml", isolated=True)
    assert [(d.code, d.start) for d in text.diagnostics] == \
        [(d.code, d.start) for d in result.diagnostics]
    quiet = lint_api.lint([str(tmp_path / "a.yaml"), "linear:4"],
                     options={"ignore": ["WU101", "WU102"]}, isolated=True)
    assert quiet.diagnostics == [] and quiet.exit_code == 0


def test_importing_the_api_and_loading_a_schedule_imports_no_torch() -> None:
    probe = ("import sys; from warmup_cli import api; api.load('linear:4').lrs(); "
             "from warmup_cli.lint.api import lint_text; lint_text('a: 1', 'x.yaml'); "
             "print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
