"""``warmup lint train.py``: the schedule rules on script schedules, located, with noqa and
select/ignore honoured, the stepping checks wired in, and no torch imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import resolve_settings

SCRIPTS = ROOT / "tests" / "fixtures" / "scripts"


def findings(path: Path, **options: object) -> list[tuple[int, int, str, str]]:
    settings = resolve_settings(dict(options), isolated=True)
    report = lint([str(path)], settings)
    return [(d.start.line, d.start.column, str(d.code), str(d.severity))
            for d in report.diagnostics]


def test_the_issue_example_reports_its_real_findings() -> None:
    assert findings(SCRIPTS / "show" / "issue_example.py") == [
        (7, 13, "WU102", "error"),  # epoch / 3 never stops growing
        (9, 5, "WU410", "warning"),  # stepped before the optimizer
    ]


def test_expected_findings_of_the_fixtures() -> None:
    show = SCRIPTS / "show"
    assert findings(show / "lambdalr_subclass.py") == [(22, 13, "WU101", "warning")]
    # transformers' own warmup starts at 0 by definition: the HF reader's note, not WU101
    assert findings(show / "transformers_factory.py") == [(15, 13, "WU302", "note")]
    # what stays open is a note at the value, with the --set that closes it
    assert findings(show / "onecycle.py") == [(9, 79, "WU308", "note")]


def test_false_positive_fixtures_are_clean() -> None:
    for name in ("yolo_flags.py", "partial_factor.py", "lightning_module.py", "gan_loop.py",
                 "sequential_warmup_cosine.py"):
        assert findings(SCRIPTS / "show" / name) == [], name
    for name in ("clean_two_optimizers.py", "diffusers_noise.py"):
        assert findings(SCRIPTS / "lint_values" / name) == [], name


def test_noqa_on_the_construction_line() -> None:
    assert findings(SCRIPTS / "lint_values" / "noqa.py") == []
    assert findings(SCRIPTS / "show" / "issue_example.py", ignore=["WU102"]) == [
        (9, 5, "WU410", "warning")]
    assert findings(SCRIPTS / "show" / "issue_example.py", select=["WU1"]) == [
        (7, 13, "WU102", "error")]
    assert findings(SCRIPTS / "show" / "onecycle.py", select=["WU1"]) == []
    assert findings(SCRIPTS / "show" / "lambdalr_subclass.py", ignore=["zero-lr-start"]) == []


def test_set_closes_an_open_value_in_lint() -> None:
    settings = resolve_settings({}, isolated=True)
    report = lint([str(SCRIPTS / "show" / "hf_closure.py")], settings,
                  assignments=("len(train_loader)=50",))
    # resolved: HF's copied warmup gives factor 0 at step 0 (1 of 100 warmup steps)
    assert [(d.start.line, str(d.code)) for d in report.diagnostics] == [(18, "WU101")]


def test_lint_of_scripts_imports_no_torch() -> None:
    code = ("import sys\n"
            "from warmup_cli.lint.runner import lint\n"
            "from warmup_cli.lint.settings import resolve_settings\n"
            f"lint([{str(SCRIPTS)!r}], resolve_settings({{}}, isolated=True))\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n"
            "assert 'plotext' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
