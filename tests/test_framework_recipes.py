"""Lint precision on recipes (issue 10 item 6): a declared constant warmup and a deliberate hold
at the peak are notes, which never fail CI at the default --fail-on; the accidental cases (a
jump a lambda makes, a gap that makes a decay late for its own period) stay warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lint_file, only_code
from warmup_cli.lint.diagnostics import Severity
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings

DETECTRON2 = ("SOLVER:\n  BASE_LR: 0.1\n  MAX_ITER: 9000\n  STEPS: (6000, 8000)\n"
              "  WARMUP_METHOD: {method}\n  WARMUP_FACTOR: 0.1\n  WARMUP_ITERS: 500\n")
MMENGINE_CONSTANT = (
    "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))\n"
    "train_cfg = dict(by_epoch=True, max_epochs=90)\nparam_scheduler = [\n"
    "    dict(type='ConstantLR', factor=0.1, by_epoch=True, begin=0, end=5),\n"
    "    dict(type='MultiStepLR', by_epoch=True, begin=5, end=90, milestones=[30, 60, 80]),\n]\n")
MMENGINE_GAP = (
    "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=0.001))\n"
    "train_cfg = dict(max_epochs=100)\nparam_scheduler = [\n"
    "    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=10),\n"
    "    dict(type='CosineAnnealingLR', T_max={t_max}, by_epoch=True, begin=20, end=100),\n]\n")
MMCV_CONSTANT = (
    "optimizer = dict(type='SGD', lr=0.02, momentum=0.9)\n"
    "runner = dict(type='IterBasedRunner', max_iters=2000)\n"
    "lr_config = dict(policy='step', by_epoch=False, warmup='constant', warmup_iters=100,\n"
    "                 warmup_ratio=0.1, step=[1500])\n")
LIGHTNING_CONSTANT = (
    "trainer:\n  max_epochs: 90\noptimizer:\n  class_path: torch.optim.SGD\n  init_args:\n"
    "    lr: 0.1\nlr_scheduler:\n  class_path: torch.optim.lr_scheduler.ConstantLR\n"
    "  init_args:\n    factor: 0.1\n    total_iters: 5\n")


def _exit(tmp_path: Path, text: str, name: str) -> int:
    path = tmp_path / name
    path.write_text(text)
    settings = Settings()
    return lint([str(path)], settings).exit_code(settings.fail_on)


@pytest.mark.parametrize(("text", "name", "step"), [
    (DETECTRON2.format(method="constant"), "d2.yaml", 500),
    (MMENGINE_CONSTANT, "mm.py", 4),  # MMEngine's ConstantLR restores the LR at end - 1
    (LIGHTNING_CONSTANT, "cli.yaml", 5),
    (MMCV_CONSTANT, "mmcv.py", 100),
])
def test_a_declared_constant_warmup_is_a_note(tmp_path: Path, text: str, name: str,
                                             step: int) -> None:
    found = lint_file(tmp_path, text, name)
    jump = only_code(found, "WU107")
    assert jump.severity is Severity.NOTE
    assert f"and {step}:" in jump.message and "constant warmup" in jump.message
    assert _exit(tmp_path, text, name) == 0  # the default --fail-on (warning) passes


def test_the_same_jump_in_a_lambda_is_still_a_warning(tmp_path: Path) -> None:
    found = lint_file(tmp_path, 'lr_lambda: "lambda epoch: 0.1 if epoch < 5 else 1.0"\n')
    assert only_code(found, "WU107").severity is Severity.WARNING


def test_a_linear_warmup_has_no_jump(tmp_path: Path) -> None:
    found = lint_file(tmp_path, DETECTRON2.format(method="linear"), "d2.yaml")
    assert not [d for d in found if d.code == "WU107"]


def test_a_hold_at_the_peak_is_a_note(tmp_path: Path) -> None:
    # the cosine begins at epoch 20 and runs its T_max = end - begin = 80 in full
    text = MMENGINE_GAP.format(t_max=80)
    gap = only_code(lint_file(tmp_path, text, "mm.py"), "WU309")
    assert gap.severity is Severity.NOTE and "hold at the peak" in gap.message
    assert _exit(tmp_path, text, "mm.py") == 0


def test_a_decay_late_for_its_own_period_is_a_warning(tmp_path: Path) -> None:
    # T_max 90 = end - the warmup's end: the cosine was sized to begin at epoch 10
    text = MMENGINE_GAP.format(t_max=90)
    found = lint_file(tmp_path, text, "mm.py")
    gap = only_code(found, "WU309")
    assert gap.severity is Severity.WARNING and "T_max=90" in gap.message
    assert _exit(tmp_path, text, "mm.py") == 1


# --- a schedule key a reader does not read gets a note at that key (issue 10 item 5) --------


def test_an_unread_schedule_key_is_a_located_note(tmp_path: Path) -> None:
    text = ("base_model: x\nmicro_batch_size: 1\nlearning_rate: 0.0002\nlr_scheduler: cosine\n"
            "max_steps: 100\nwarmup_steps: 10\nloraplus_lr_ratio: 16\nweight_decay: 0.0\n"
            "alternate_lr_scheduler_type: rex\n")
    found = [d for d in lint_file(tmp_path, text) if d.code == "WU308"]
    assert {(d.start.line, d.severity) for d in found} == {(7, Severity.NOTE), (9, Severity.NOTE)}
    assert all("not read by the axolotl reader" in d.message for d in found)
    assert _exit(tmp_path, text, "config.yaml") == 0


def test_an_unread_solver_key_is_a_located_note(tmp_path: Path) -> None:
    text = ("SOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 9000\n  STEPS: (6000,)\n"
            "  POLY_LR_POWER: 0.9\n  WEIGHT_DECAY: 0.0001\n  BIAS_LR_FACTOR: 1.0\n")
    found = [d for d in lint_file(tmp_path, text) if d.code == "WU308"]
    assert [(d.start.line, d.severity) for d in found] == [(5, Severity.NOTE)]  # not the decay
    assert "POLY_LR_POWER is not read by the detectron2 reader" in found[0].message
