"""Framework readers: each module recognises one framework's config keys and reproduces the
schedule that framework will run. Modules register themselves in ``base.READERS`` on import;
``readers()`` imports them on demand so that start-up never pays for them."""

from __future__ import annotations

import importlib

from warmup_cli.frameworks.base import READERS, FrameworkSchedule, Reader

READER_MODULES = ("hf", "deepspeed", "timm", "detectron2", "fairseq", "lightning", "mmengine")


def readers() -> dict[str, Reader]:
    for name in READER_MODULES:
        importlib.import_module(f"warmup_cli.frameworks.{name}")
    return READERS


__all__ = ["READERS", "READER_MODULES", "FrameworkSchedule", "Reader", "readers"]
