#!/usr/bin/env python3
"""Write golden LR series for litgpt's pre-training schedule to tests/golden/litgpt_*.json.

litgpt's ``pretrain.py`` needs lightning and a model stack, so this script downloads the
litgpt wheel without dependencies (``pip download --no-deps litgpt==0.5.13``, whose
``litgpt/pretrain.py`` and ``litgpt/args.py`` are byte-identical to Lightning-AI/litgpt at
26857050), loads ``args.py`` (``TrainArgs``: the accumulation and warmup arithmetic) and takes
``get_lr`` out of ``pretrain.py`` by its syntax tree (the rest of that file imports the
training stack). The loop is ``fit``'s: the LR set before each micro-iteration, the optimizer
stepped when the iteration is not accumulating; the series is the LR of each optimizer update.
Run from the repository root:

    python tools/golden/litgpt_golden.py            # writes tests/golden/litgpt_*.json
    python tools/golden/litgpt_golden.py --check    # exits 1 if the files differ
"""

from __future__ import annotations

import argparse
import ast
import math
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from _common import golden_json, load_module, pip_download, write_documents

WHEEL = "litgpt==0.5.13"
CASES: dict[str, dict[str, Any]] = {
    "litgpt_pretrain_small.json": {
        "lr": 6e-4, "devices": 1, "train": {
            "global_batch_size": 32, "micro_batch_size": 4, "max_tokens": 2_000_000,
            "max_seq_length": 128, "lr_warmup_steps": 20, "min_lr": 6e-5}},
    "litgpt_pretrain_two_devices.json": {
        "lr": 4e-4, "devices": 2, "train": {
            "global_batch_size": 64, "micro_batch_size": 2, "max_tokens": 3_000_000,
            "max_seq_length": 256, "lr_warmup_steps": 10, "min_lr": 4e-5}},
}


def _fetch(tmp: Path) -> Path:
    pip_download(tmp, WHEEL, wheels_only=True)
    (wheel,) = tmp.glob("litgpt-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in ("pretrain.py", "args.py"):
            (tmp / name).write_bytes(archive.read(f"litgpt/{name}"))
    return tmp


def _get_lr(src: Path) -> Any:
    """pretrain.py's get_lr, compiled on its own (it needs only math)."""
    text = (src / "pretrain.py").read_text()
    (node,) = [n for n in ast.parse(text).body
               if isinstance(n, ast.FunctionDef) and n.name == "get_lr"]
    namespace: dict[str, Any] = {"math": math}
    # upstream code from the litgpt wheel, never user input
    exec(compile(ast.Module([node], []), "pretrain.py", "exec"), namespace)
    return namespace["get_lr"]


def documents(src: Path) -> dict[str, str]:
    get_lr = _get_lr(src)
    args = load_module("litgpt_args", src / "args.py")
    out = {}
    for name, case in CASES.items():
        train = args.TrainArgs(**case["train"])
        devices = case["devices"]
        # pretrain.py fit(): max_iters and warmup_iters (fabric.world_size == devices)
        max_iters = (train.max_tokens // devices) // (train.micro_batch_size
                                                       * train.max_seq_length)
        warmup_iters = train.warmup_iters(devices, 1, max_iters, None)
        accumulation = train.gradient_accumulation_iters(devices, 1)
        lrs, iter_num = [], 0
        while iter_num < max_iters:
            lr = get_lr(case["lr"], iter_num, warmup_iters, max_iters, train.min_lr)
            iter_num += 1
            if iter_num % accumulation == 0:  # not is_accumulating: optimizer.step()
                lrs.append(lr)
        out[name] = golden_json({"source": "tools/golden/litgpt_golden.py", "wheel": WHEEL,
                                 **case, "max_iters": max_iters, "warmup_iters": warmup_iters,
                                 "accumulation": accumulation, "lrs": lrs})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--src", type=Path, help="a folder holding pretrain.py and args.py")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = options.src or _fetch(Path(tmp))
        return write_documents(documents(src), options.check)


if __name__ == "__main__":
    sys.exit(main())
