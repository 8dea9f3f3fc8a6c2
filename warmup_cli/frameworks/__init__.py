"""Framework readers: each module recognises one framework's config keys and reproduces the
schedule that framework will run. Modules register themselves in ``kit.READERS`` on import;
``readers()`` imports them on demand so that start-up never pays for them. Every reader is
called as ``reader.read(doc, facts)`` with the run facts the user stated
(``warmup_cli.vocab.RunFacts``)."""

from __future__ import annotations

import importlib

from warmup_cli.frameworks.kit import READERS, Finding, FrameworkSchedule, Reader, register

READER_MODULES = ("hf", "deepspeed", "timm", "detectron2", "fairseq", "lightning", "mmengine",
                  "ultralytics", "hydra_target")


def readers() -> dict[str, Reader]:
    for name in READER_MODULES:
        importlib.import_module(f"warmup_cli.frameworks.{name}")
    return READERS


__all__ = ["READERS", "READER_MODULES", "Finding", "FrameworkSchedule", "Reader", "readers",
           "register"]
