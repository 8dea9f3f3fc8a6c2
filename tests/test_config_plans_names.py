"""Two schedules of one file never share a name (issue 10 item 5): ``--schedule`` picks each."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmup_cli.config_plans import choose, config_schedules
from warmup_cli.errors import ConfigError

TWO = """a:
  lr_lambda: "lambda e: min(1.0, (e + 1) / 4)"
b:
  - lr_scheduler:
      class_path: torch.optim.lr_scheduler.LinearLR
      init_args: {start_factor: 0.1, total_iters: 4}
  - lr_scheduler:
      class_path: torch.optim.lr_scheduler.LinearLR
      init_args: {start_factor: 0.5, total_iters: 4}
"""


def test_a_shared_name_gets_the_line(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO)
    found = config_schedules(str(path))
    names = [item.name for item in found]
    assert len(set(names)) == len(names) == 3
    assert "lightning:lr_scheduler (LinearLR) (line 5)" in names
    first = choose(found, "(line 5)", str(path))
    second = choose(found, "(line 8)", str(path))
    assert first.plan is not None and second.plan is not None
    assert first.plan.schedule(0) != second.plan.schedule(0)  # 0.1 and 0.5
    with pytest.raises(ConfigError, match="matches 2 schedules"):
        choose(found, "LinearLR", str(path))


def test_the_same_line_gets_an_index(tmp_path: Path) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text('s: ["lambda e: min(1.0, (e + 1) / 4)", "lambda e: min(1.0, (e + 1) / 4)"]\n')
    names = [item.name for item in config_schedules(str(path))]
    assert len(set(names)) == 2 and all(name.endswith(("(#1)", "(#2)")) for name in names)
