#!/usr/bin/env python3
"""Check the audiocraft cases of tests/golden/fairseq_schedules.json against audiocraft's own
InverseSquareRootLRScheduler, bit for bit.

fairseq_golden.py writes those cases from a transcription of the class (audiocraft does not
install beside this project). This script runs the real file instead, on torch:

    python tools/golden/audiocraft_real_check.py --src inverse_sqrt_lr_scheduler.py

where the file is facebookresearch/audiocraft audiocraft/optim/inverse_sqrt_lr_scheduler.py
(commit bf7052227b52e836b77f4d161dfc7c6bd1caa445). The LR of update n is the optimizer's
before it; ``scheduler.step()`` follows every update. Exits 1 if any LR differs (``==``).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import yaml
from _common import GOLDEN, load_module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, required=True,
                        help="audiocraft/optim/inverse_sqrt_lr_scheduler.py")
    args = parser.parse_args()
    import torch

    real = load_module("inverse_sqrt_lr_scheduler", args.src)
    warnings.simplefilter("ignore")
    cases = [c for c in json.loads((GOLDEN / "fairseq_schedules.json").read_text())["cases"]
             if c["family"].startswith("audiocraft")]
    failed = 0
    for case in cases:
        config = yaml.safe_load(case["config"])
        params = config["schedule"]["inverse_sqrt"]
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                                    lr=float(config["optim"]["lr"]))
        scheduler = real.InverseSquareRootLRScheduler(
            optimizer, warmup_steps=params["warmup"], warmup_init_lr=params["warmup_init_lr"])
        lrs = []
        for _ in case["lrs"]:
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        wrong = [k for k, (a, b) in enumerate(zip(lrs, case["lrs"], strict=True)) if a != b]
        failed += bool(wrong)
        print(f"{case['name']}: {len(lrs)} LRs, "
              + ("identical" if not wrong else f"{len(wrong)} differ, first at {wrong[0]}"))
    print("all identical" if not failed else f"{failed} cases differ")
    return 1 if failed or not cases else 0


if __name__ == "__main__":
    sys.exit(main())
