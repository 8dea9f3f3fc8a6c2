"""axolotl's own cosine schedules: axolotl-ai-cloud/axolotl ``src/axolotl/utils/schedulers.py``
(at 067b021c), chosen by ``src/axolotl/core/trainers/mixins/scheduler.py``
``SchedulerMixin.create_scheduler`` when ``lr_scheduler`` is ``cosine``:

* ``lr_quadratic_warmup: true``: ``get_cosine_schedule_with_quadratic_warmup`` (it wins over
  ``cosine_min_lr_ratio``, with a warning);
* ``cosine_min_lr_ratio`` and ``cosine_constant_lr_ratio`` (both truthy):
  ``get_cosine_schedule_with_warmup_decay_constant``;
* ``cosine_min_lr_ratio`` (truthy): ``get_cosine_schedule_with_min_lr``.

Each is a ``LambdaLR`` factor, transcribed with the same operation order, so
``learning_rate * f(k)`` is the LR LambdaLR gives update ``k``.
"""

from __future__ import annotations

import math

from warmup_cli.schedule import FactorFn


def cosine_quadratic_warmup_lambda(warmup: int, total: int, num_cycles: float = 0.5) -> FactorFn:
    # _get_cosine_schedule_with_quadratic_warmup_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return (float(t) / float(max(1, warmup))) ** 2
        progress = float(t - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))

    return fn


def cosine_min_lr_lambda(warmup: int, total: int, min_lr_ratio: float) -> FactorFn:
    # _get_cosine_schedule_with_min_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return float(t) / float(max(1, warmup))
        progress = float(t - warmup) / float(max(1, total - warmup))
        scaling = 0.5 * (1.0 + math.cos(math.pi * progress))
        return (1 - min_lr_ratio) * scaling + min_lr_ratio

    return fn


def cosine_decay_constant_lambda(warmup: int, total: int, constant_lr_ratio: float,
                                 min_lr_ratio: float, num_cycles: float = 0.5) -> FactorFn:
    # _get_cosine_schedule_with_warmup_decay_constant_lr_lambda: the cosine ends at
    # int(N * constant_lr_ratio) and holds min_lr_ratio from there
    constant_steps = int(total * constant_lr_ratio)

    def fn(t: int) -> float:
        if t < warmup:
            return float(t) / float(max(1, warmup))
        current = min(t, constant_steps)
        progress = float(current - warmup) / float(max(1, constant_steps - warmup))
        return max(0, (1 - min_lr_ratio) * 0.5 * (1.0 + math.cos(
            math.pi * float(num_cycles) * 2.0 * progress))) + min_lr_ratio

    return fn
