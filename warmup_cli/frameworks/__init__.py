"""Framework readers: each module recognises one framework's config keys and reproduces the
schedule that framework will run. Modules register themselves in ``base.READERS`` on import;
``readers()`` imports them on demand so that start-up never pays for them."""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING

from warmup_cli.frameworks.base import READERS, FrameworkSchedule, Reader

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document

READER_MODULES = ("hf", "deepspeed", "timm", "detectron2", "fairseq", "lightning", "mmengine")


def readers() -> dict[str, Reader]:
    for name in READER_MODULES:
        importlib.import_module(f"warmup_cli.frameworks.{name}")
    return READERS


def read_with(reader: Reader, doc: Document, *, total_steps: int | None = None,
              updates_per_epoch: int | None = None) -> list[FrameworkSchedule]:
    """``reader.read(doc)`` with the run facts the user gave that this reader takes.

    A config often leaves the run length to the dataset size; the user can state it as a total
    (``total_steps``) or as the length of an epoch, which each framework names in its own words
    (HF and timm ``steps_per_epoch``, MMEngine ``iters_per_epoch``).
    """
    offered = {"total_steps": total_steps, "steps_per_epoch": updates_per_epoch,
               "iters_per_epoch": updates_per_epoch}
    accepted = inspect.signature(reader.read).parameters
    return reader.read(doc, **{name: value for name, value in offered.items()
                               if value is not None and name in accepted})


__all__ = ["READERS", "READER_MODULES", "FrameworkSchedule", "Reader", "read_with", "readers"]
