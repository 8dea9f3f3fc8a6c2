"""A ``.py`` training script (it imports torch) is not a config (issue 9): the config readers
don't claim it for its globals (nanoGPT's ``learning_rate``, ``gradient_accumulation_steps``
look like HF keys) nor report its local names as "a layout no reader knows" (Swin's
``linear_scaled_warmup_lr``). With no scheduler construction, lint says nothing and show says
"no schedule found", naming the hand-written LR when there is one."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import ROOT
from warmup_cli.cli import app
from warmup_cli.configs.document import load_document
from warmup_cli.errors import EXIT_OK
from warmup_cli.frameworks import hf

runner = CliRunner()
ROUTING = ROOT / "tests" / "fixtures" / "scripts" / "routing"
HAND = ROUTING / "hand_written_lr.py"
ELSEWHERE = ROUTING / "scheduler_from_another_module.py"


def lint_findings(path: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["lint", path, "--output-format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def test_hf_reader_does_not_claim_a_training_script_for_its_globals() -> None:
    assert not hf.detect(load_document(HAND))


def test_hf_reader_still_claims_a_python_config_without_torch() -> None:
    config = ROUTING.parent / "_hf_like.py"  # the same globals, no torch import: a config
    text = "learning_rate = 6e-4\nweight_decay = 0.1\ngradient_accumulation_steps = 40\n"
    doc = load_document(config, text=text)
    assert hf.detect(doc)


def test_lint_says_nothing_on_a_hand_written_lr_script() -> None:
    assert lint_findings(str(HAND)) == []


def test_lint_says_nothing_on_a_script_whose_scheduler_comes_from_another_module() -> None:
    assert lint_findings(str(ELSEWHERE)) == []


def test_show_names_the_hand_written_lr() -> None:
    result = runner.invoke(app, ["show", str(HAND)])
    assert result.exit_code == 2
    assert f"{HAND}:24:9: no schedule found" in result.output
    assert "the LR is set by hand (`param_group['lr'] = lr`)" in result.output
    assert "lr_scheduler_type" not in result.output


def test_show_says_no_schedule_found_without_a_layout_claim() -> None:
    result = runner.invoke(app, ["show", str(ELSEWHERE)])
    assert result.exit_code == 2
    assert "no schedule found" in result.output
    assert "no LR scheduler construction was found in this training script" in result.output
    assert "layout no reader knows" not in result.output
