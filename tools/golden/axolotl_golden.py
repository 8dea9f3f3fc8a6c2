#!/usr/bin/env python3
"""Write golden LR series for axolotl's own cosine schedules to tests/golden/axolotl_*.json.

axolotl pulls a whole training stack, so this script downloads its wheel without dependencies
(``pip download --no-deps axolotl==0.19.0``; its ``axolotl/utils/schedulers.py`` is
byte-identical to axolotl-ai-cloud/axolotl ``src/axolotl/utils/schedulers.py`` at 067b021c)
and loads that one file, which imports only torch. Each ``get_*`` function builds its real
``LambdaLR`` over a one-parameter SGD at ``lr``; the series is the LR of every update as the
Trainer steps it (``optimizer.step()`` then ``lr_scheduler.step()``). Run from the repository
root with the project's Python (torch installed):

    python tools/golden/axolotl_golden.py            # writes tests/golden/axolotl_*.json
    python tools/golden/axolotl_golden.py --check    # exits 1 if the files differ
    python tools/golden/axolotl_golden.py --src DIR  # a folder holding schedulers.py
"""

from __future__ import annotations

import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

from _common import golden_json, load_module, pip_download, write_documents

WHEEL = "axolotl==0.19.0"
LR = 2e-4
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "axolotl_cosine_quadratic_warmup.json": (
        "get_cosine_schedule_with_quadratic_warmup",
        {"num_warmup_steps": 10, "num_training_steps": 100}),
    "axolotl_cosine_min_lr.json": (
        "get_cosine_schedule_with_min_lr",
        {"num_warmup_steps": 7, "num_training_steps": 60, "min_lr_ratio": 0.1}),
    "axolotl_cosine_decay_constant.json": (
        "get_cosine_schedule_with_warmup_decay_constant",
        {"num_warmup_steps": 5, "num_training_steps": 80, "constant_lr_ratio": 0.8,
         "min_lr_ratio": 0.1}),
}


def _fetch(tmp: Path) -> Path:
    pip_download(tmp, WHEEL, wheels_only=True)
    (wheel,) = tmp.glob("axolotl-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        (tmp / "schedulers.py").write_bytes(archive.read("axolotl/utils/schedulers.py"))
    return tmp


def documents(src: Path) -> dict[str, str]:
    import torch

    schedulers = load_module("axolotl_schedulers", src / "schedulers.py")
    out = {}
    for name, (function, kwargs) in CASES.items():
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=LR)
        scheduler = getattr(schedulers, function)(optimizer, **kwargs)
        lrs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(kwargs["num_training_steps"] + 5):
                lrs.append(float(optimizer.param_groups[0]["lr"]))
                optimizer.step()
                scheduler.step()
        out[name] = golden_json({"source": "tools/golden/axolotl_golden.py", "wheel": WHEEL,
                                 "function": function, "lr": LR, "kwargs": kwargs, "lrs": lrs})
    return out


def main() -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--src", type=Path, help="a folder holding axolotl's schedulers.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = args.src or _fetch(Path(tmp))
        return write_documents(documents(src), args.check)


if __name__ == "__main__":
    sys.exit(main())
