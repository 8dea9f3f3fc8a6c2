"""Every HF-family config of the shared corpus against the real transformers, bit for bit.

The reference is built without warmup_cli: the run length N as the Trainer sizes it
(``max_steps`` when > 0, else ``ceil(num_train_epochs x updates per epoch)``), the warmup as
the framework derives it (axolotl's ``_configure_warmup_and_logging`` in
src/axolotl/core/builders/base.py, then transformers' own ``TrainingArguments.get_warmup_steps``;
a ``warmup_ratio`` as transformers 5 takes it, ``warmup_steps: <ratio>``, which is 4.x's
``ceil(N x ratio)``), and the LRs from transformers' own ``get_scheduler`` stepped on a torch SGD.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from tests.conftest import CORPUS, needs_corpus
from warmup_cli.resolve import resolve
from warmup_cli.series import View, rows
from warmup_cli.vocab import RunFacts

FILES = sorted(CORPUS.glob("hf-*")) if CORPUS.is_dir() else []
UPDATES_PER_EPOCH = (7, 100, 333)


def _axolotl_warmup(config: dict[str, Any], total: int) -> float:
    """axolotl TrainerBuilderBase._configure_warmup_and_logging (the warmup_steps it passes)."""
    if config.get("warmup_steps"):
        warmup: float = config["warmup_steps"]
    elif config.get("warmup_ratio"):
        warmup = max(int(config["warmup_ratio"] * total), 0)
    else:
        warmup = min(int(0.03 * total), 100)
    return 2 if warmup == 1 else warmup


def reference(path: Path, updates_per_epoch: int) -> list[float]:
    import torch
    from transformers import TrainingArguments
    from transformers.optimization import get_scheduler

    config = yaml.safe_load(path.read_text())
    axolotl = path.name.startswith("hf-axolotl")
    epochs = float(config.get("num_epochs" if axolotl else "num_train_epochs", 3.0))
    max_steps = config.get("max_steps") or -1
    total = max_steps if max_steps > 0 else math.ceil(epochs * updates_per_epoch)
    if axolotl:
        name = config.get("lr_scheduler") or "cosine"
        warmup_arg = _axolotl_warmup(config, total)
    else:
        name = config.get("lr_scheduler_type", "linear")
        warmup_arg = config.get("warmup_steps") or config.get("warmup_ratio") or 0
    warmup = TrainingArguments.get_warmup_steps(  # type: ignore[arg-type]
        SimpleNamespace(warmup_steps=warmup_arg), total)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                                lr=float(config["learning_rate"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = get_scheduler(name, optimizer, num_warmup_steps=warmup,
                                  num_training_steps=total,
                                  scheduler_specific_kwargs=config.get("lr_scheduler_kwargs") or {})
        lrs = []
        for _ in range(total):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return lrs


@needs_corpus
def test_the_corpus_has_its_hf_files() -> None:
    assert len(FILES) == 10


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=[p.name.split("__")[-1] for p in FILES])
@pytest.mark.parametrize("updates_per_epoch", UPDATES_PER_EPOCH)
def test_corpus_hf_file_is_transformers_bit_for_bit(path: Path, updates_per_epoch: int) -> None:
    pytest.importorskip("transformers")
    want = reference(path, updates_per_epoch)
    plan = resolve(str(path), RunFacts(updates_per_epoch=updates_per_epoch)).plan
    got = [row.lrs[0] for row in rows(plan, View(len(want), unit=plan.unit))]
    wrong = [(k, a, b) for k, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
    assert not wrong, f"{len(wrong)} of {len(want)} updates differ: {wrong[:3]}"
