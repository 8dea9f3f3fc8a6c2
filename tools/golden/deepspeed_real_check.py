#!/usr/bin/env python3
"""Check tests/golden/deepspeed_*.json against the real DeepSpeed, bit for bit.

deepspeed_golden.py writes those files from a transcription of lr_schedules.py, because
DeepSpeed does not install beside this project's torch. In a separate environment it does:

    python3 -m venv /tmp/ds && /tmp/ds/bin/pip install torch==2.13.0 deepspeed==0.19.8
    /tmp/ds/bin/python tools/golden/deepspeed_real_check.py

Each golden config's scheduler is built from ``deepspeed.runtime.lr_schedules`` over a real
torch SGD at the config's optimizer lr and driven as the engine drives it (the LR of update k is
``param_groups[0]["lr"]`` before it, ``lr_scheduler.step()`` after the optimizer step). Prints
one line per file and exits 1 if any LR differs (``==``, no tolerance).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden"


def real_series(config: dict[str, Any], count: int) -> list[float]:
    import torch
    from deepspeed.runtime import lr_schedules

    lr = config.get("optimizer", {}).get("params", {}).get("lr", 1e-3)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler_cfg = config["scheduler"]
    cls = getattr(lr_schedules, scheduler_cfg["type"])
    scheduler = cls(optimizer, **scheduler_cfg.get("params", {}))
    lrs = []
    for _ in range(count):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def main() -> int:
    import deepspeed

    warnings.simplefilter("ignore")
    failed = 0
    for path in sorted(GOLDEN.glob("deepspeed_*.json")):
        golden = json.loads(path.read_text())
        real = real_series(golden["config"], len(golden["lrs"]))
        wrong = [k for k, (a, b) in enumerate(zip(real, golden["lrs"], strict=True)) if a != b]
        failed += bool(wrong)
        print(f"{path.name}: {len(real)} LRs, "
              + ("identical" if not wrong else f"{len(wrong)} differ, first at {wrong[0]}"))
    verdict = f"{failed} differ" if failed else "all identical"
    print(f"deepspeed {deepspeed.__version__}: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
