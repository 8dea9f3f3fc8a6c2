"""YAML 1.1 number strings (``1e-4``: PyYAML keeps it a string) get the same note on every key,
``lr`` included (issue 10 item 5), in the readers whose own loader reads them as numbers."""

from __future__ import annotations

import pytest

from tests.conftest import read_schedules
from warmup_cli.frameworks import detectron2, hydra_target, lightning


@pytest.mark.parametrize(("reader", "text", "label", "loader"), [
    (lightning, "optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: 1e-4\n"
     "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.LinearLR\n  init_args:\n"
     "    start_factor: 0.5\n    total_iters: 4\n", "optimizer lr", "jsonargparse"),
    (lightning, "optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: 0.1\n"
     "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.CosineAnnealingLR\n  init_args:\n"
     "    T_max: 10\n    eta_min: 1e-6\n", "eta_min", "jsonargparse"),
    (hydra_target, "optimizer:\n  _target_: torch.optim.Adam\n  lr: 5e-4\nscheduler:\n"
     "  _target_: transformers.get_linear_schedule_with_warmup\n  num_warmup_steps: 5\n"
     "  num_training_steps: 50\n", "optimizer lr", "OmegaConf"),
    (detectron2, "SOLVER:\n  BASE_LR: 2e-2\n  MAX_ITER: 1000\n  STEPS: (600,)\n",
     "SOLVER.BASE_LR", "yacs"),
])
def test_yaml11_number_strings_are_noted(reader: object, text: str, label: str,
                                         loader: str) -> None:
    (schedule,) = read_schedules(reader, "config.yaml", text)  # type: ignore[arg-type]
    assert schedule.plan is not None
    assert any(note.startswith(f"{label}: ") and "YAML 1.1" in note and loader in note
               for note in schedule.notes), schedule.notes
