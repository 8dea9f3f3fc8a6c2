#!/usr/bin/env python3
"""Check tests/golden/timm_swin_*.json against Swin-Transformer's own schedulers on the timm
release Swin pins, bit for bit.

timm_golden.py writes those files from a transcription (Swin-Transformer is not a package and
pins timm 0.4.12, which does not install beside this project's timm). This script runs the
real code instead, in any environment with torch:

    pip install --no-deps --target TIMM timm==0.4.12
    python tools/golden/swin_real_check.py --src DIR --timm TIMM

where DIR holds microsoft/Swin-Transformer lr_scheduler.py (commit 055c5065). Each golden
config goes through Swin's own ``build_scheduler`` (config.py's defaults filled in, as
timm_golden.py fills them) over a torch SGD at BASE_LR, stepped as main.py steps it:
``lr_scheduler.step_update(epoch * num_steps + idx)`` after update ``idx``; the LR of an
update is the optimizer's before it. Exits 1 if any LR differs (``==``).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _common import GOLDEN, load_module
from timm_golden import SWIN_SCHED, SWIN_TRAIN, real_timm


def swin_config(config: dict[str, Any]) -> SimpleNamespace:
    train = {**SWIN_TRAIN, **config.get("TRAIN", {})}
    sched = {**SWIN_SCHED, **config.get("TRAIN", {}).get("LR_SCHEDULER", {})}
    train["LR_SCHEDULER"] = SimpleNamespace(**sched)
    return SimpleNamespace(TRAIN=SimpleNamespace(**train))


def real_series(real: Any, config: dict[str, Any], n_iter: int) -> list[float]:
    import torch

    cfg = swin_config(config)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=cfg.TRAIN.BASE_LR)
    scheduler = real.build_scheduler(cfg, optimizer, n_iter)
    lrs = []
    for epoch in range(int(cfg.TRAIN.EPOCHS)):
        for idx in range(n_iter):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step_update(epoch * n_iter + idx)
    return lrs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, required=True, help="holds Swin's lr_scheduler.py")
    parser.add_argument("--timm", type=Path, required=True, help="holds timm 0.4.12's timm/")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    real_timm(args.timm)  # timm/__init__.py would pull in torchvision: only timm/scheduler runs
    real = load_module("swin_lr_scheduler", args.src / "lr_scheduler.py")
    version = (args.timm / "timm" / "version.py").read_text().split("'")[1]

    failed = 0
    paths = sorted(GOLDEN.glob("timm_swin_*.json"))
    for path in paths:
        golden = json.loads(path.read_text())
        lrs = real_series(real, golden["config"], golden["updates_per_epoch"])
        wrong = [k for k, (a, b) in enumerate(zip(lrs, golden["lrs"], strict=True)) if a != b]
        failed += bool(wrong)
        print(f"{path.name}: {len(lrs)} LRs, "
              + ("identical" if not wrong else f"{len(wrong)} differ, first at {wrong[0]}"))
    print(f"timm {version}: " + ("all identical" if not failed else f"{failed} differ"))
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main())
