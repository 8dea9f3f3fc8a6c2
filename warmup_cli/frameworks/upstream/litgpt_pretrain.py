"""litgpt's pre-training LR: Lightning-AI/litgpt ``litgpt/pretrain.py`` (at 26857050) sets the
LR itself before every micro-iteration (``fit``: ``lr = get_lr(optimizer.defaults["lr"],
state["iter_num"], warmup_iters, max_iters, train.min_lr)``) and steps the optimizer on the
last micro-iteration of each accumulation window; the run and the warmup are counted in
micro-iterations (``litgpt/args.py`` ``TrainArgs``):

* ``max_iters = (max_tokens // world_size) // (micro_batch_size * max_seq_length)``;
* ``gradient_accumulation_iters = (global_batch_size // world_size) // micro_batch_size``;
* ``warmup_iters = min(max_iters, lr_warmup_steps * gradient_accumulation_iters)``.

Optimizer update ``u`` (0-based) therefore runs at the LR of micro-iteration
``(u + 1) * gradient_accumulation_iters - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def get_lr(learning_rate: float, it: int, warmup_iters: int, max_iters: int,
           min_lr: float) -> float:
    """pretrain.py ``get_lr``: linear warmup, then a cosine to ``min_lr``."""
    if it < warmup_iters:
        return learning_rate * it / warmup_iters
    if it > max_iters:
        return min_lr
    decay_ratio = (it - warmup_iters) / (max_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


def update_lr(learning_rate: float, accumulation: int, warmup_iters: int, max_iters: int,
              min_lr: float) -> Callable[[int], float]:
    """The LR of optimizer update ``u``: the one set before its last micro-iteration."""
    def lr(u: int) -> float:
        return get_lr(learning_rate, (u + 1) * accumulation - 1, warmup_iters, max_iters, min_lr)

    return lr
