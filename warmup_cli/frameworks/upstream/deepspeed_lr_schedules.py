"""DeepSpeed's LR schedulers: ``deepspeed/runtime/lr_schedules.py`` (deepspeedai/DeepSpeed at
commit 22779f2c6e335b494c90c05917206d3b14510d2d, read through the search index), transcribed
class by class: each constructor's parameters and defaults, and each class's LR as a pure
function of ``it``, the ``last_batch_iteration`` that ``step()`` sets (``it = -1``: the value the
constructor sets before the first step). Defaults and operation order are DeepSpeed's; each
function cites the method it reproduces. How the engine steps them, and what a config may
write, is ``warmup_cli.frameworks.deepspeed``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

SOURCE = "deepspeed/runtime/lr_schedules.py@22779f2c6e335b494c90c05917206d3b14510d2d"
CITES = "deepspeed/runtime/lr_schedules.py"

TYPES = WARMUP_LR, WARMUP_DECAY_LR, WARMUP_COSINE_LR, ONE_CYCLE, LR_RANGE_TEST = (
    "WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")
REQUIRED = object()  # a parameter without default: DeepSpeed raises TypeError without it

# Constructor parameters and defaults of each class (lr_schedules.py __init__ signatures).
# WarmupLR's warmup_max_lr=None means "the optimizer's lr" (param_groups[0]['lr']).
PARAMS: dict[str, dict[str, Any]] = {
    WARMUP_LR: {"warmup_min_lr": 0.0, "warmup_max_lr": None, "warmup_num_steps": 1000,
                "warmup_type": "log", "last_batch_iteration": -1},
    WARMUP_DECAY_LR: {"warmup_min_lr": 0.0, "warmup_max_lr": 0.001, "warmup_num_steps": 1000,
                      "warmup_type": "log", "last_batch_iteration": -1,
                      "total_num_steps": REQUIRED},
    WARMUP_COSINE_LR: {"warmup_min_ratio": 0.0, "warmup_num_steps": 1000,
                       "cos_min_ratio": 0.0001, "warmup_type": "log", "last_batch_iteration": -1,
                       "total_num_steps": REQUIRED},
    ONE_CYCLE: {"cycle_min_lr": REQUIRED, "cycle_max_lr": REQUIRED, "decay_lr_rate": 0.0,
                "cycle_first_step_size": 2000, "cycle_second_step_size": None,
                "cycle_first_stair_count": 0, "cycle_second_stair_count": None,
                "decay_step_size": 0, "cycle_momentum": True, "cycle_min_mom": 0.8,
                "cycle_max_mom": 0.9, "decay_mom_rate": 0.0, "last_batch_iteration": -1},
    LR_RANGE_TEST: {"lr_range_test_min_lr": 1e-3, "lr_range_test_step_size": 2000,
                    "lr_range_test_step_rate": 1.0, "lr_range_test_staircase": False,
                    "last_batch_iteration": -1},
}


def warmup_lr_at(min_lr: float, max_lr: float, warmup_num_steps: int, warmup_type: str,
                 total_num_steps: float | None) -> Callable[[int], float]:
    """WarmupLR (``total_num_steps`` None) or WarmupDecayLR LR after ``step()`` set
    ``last_batch_iteration = it``; ``it = -1`` is the constructor's value."""
    steps = max(2, warmup_num_steps)  # WarmupLR.__init__: max(2, warmup_num_steps)
    inverse_log_warm_up = 1.0 / math.log(steps)
    delta = max_lr - min_lr  # WarmupLR.__init__: delta_lrs = big - small

    def gamma(it: int) -> float:
        # WarmupLR._get_gamma / WarmupDecayLR._get_gamma
        if it < steps:
            if warmup_type == "log":
                return inverse_log_warm_up * math.log(it + 1)
            return it / steps
        if total_num_steps is None:
            return 1.0
        return max(0.0, float(total_num_steps - it) / float(max(1.0, total_num_steps - steps)))

    def lr(it: int) -> float:
        if it < 0:
            return min_lr  # WarmupLR.get_lr before the first step: min_lrs
        return min_lr + (delta * gamma(it))  # WarmupLR.get_lr

    return lr


def warmup_cosine_ratio_at(total_num_steps: float, warmup_min_ratio: float, warmup_num_steps: int,
                           cos_min_ratio: float, warmup_type: str) -> Callable[[int], float]:
    """WarmupCosineLR.get_lr_ratio at ``last_batch_iteration = it`` (0.0 before the first
    step: get_lr returns 0.0 for every group)."""
    steps = max(2, warmup_num_steps)
    inverse_log_warm_up = 1.0 / math.log(steps)

    def ratio_at(it: int) -> float:
        if it < 0:
            return 0.0
        if it < steps:
            # log: inverse_log_warm_up * log(it + 1); linear: it / warmup_num_steps
            ratio = (inverse_log_warm_up * math.log(it + 1) if warmup_type == "log"
                     else it / steps)
            ratio_delta = 1. - warmup_min_ratio
            return warmup_min_ratio + ratio * ratio_delta
        real_last_step = it - steps + 1
        real_total_steps = max(1, total_num_steps - steps)
        cosine_progress = min(1.0, real_last_step / real_total_steps)
        ratio_delta = 1. - cos_min_ratio
        ratio = (1 + math.cos(math.pi * cosine_progress)) / 2
        return max(0.0, cos_min_ratio + ratio_delta * ratio)

    return ratio_at


def one_cycle_lr_at(params: Mapping[str, Any]) -> tuple[Callable[[int], float], float, bool]:
    """OneCycle LR at ``last_batch_iteration = it`` (``it = -1``: the constructor's
    cycle_min_lr) from the constructor's arguments, with the cycle length and whether the LR
    decays after it."""
    # OneCycle._initialize_cycle / _initialize_lr: sizes kept as floats, the second ones
    # default to the first
    min_lr: float = params["cycle_min_lr"]
    max_lr: float = params["cycle_max_lr"]
    first_step_size = float(params["cycle_first_step_size"])
    second = params["cycle_second_step_size"]
    second_step_size = float(second) if second is not None else first_step_size
    first_stair_count = params["cycle_first_stair_count"]
    second_stair_count = params["cycle_second_stair_count"]
    if second_stair_count is None:
        second_stair_count = first_stair_count
    total_size = first_step_size + second_step_size
    step_ratio = first_step_size / total_size
    decay_step_size: float = params["decay_step_size"]
    decay_lr_rate: float = params["decay_lr_rate"]
    skip_lr_decay = math.isclose(decay_step_size, 0) or math.isclose(decay_lr_rate, 0)

    def scale_factor(batch_iteration: int) -> float:
        # OneCycle._get_scale_factor (with the stair quantisation of commit 22779f2c)
        cycle = math.floor(1 + batch_iteration / total_size)
        x = 1. + batch_iteration / total_size - cycle
        if x <= step_ratio:
            scale = x / step_ratio
            stair_count = first_stair_count
        else:
            scale = (x - 1) / (step_ratio - 1)
            stair_count = second_stair_count
        if stair_count > 0:
            cycle_iteration = batch_iteration % total_size
            if cycle_iteration <= first_step_size:
                position = cycle_iteration * stair_count / first_step_size
            else:
                position = (total_size - cycle_iteration) * stair_count / second_step_size
            scale = math.floor(position) / stair_count
        return scale

    def lr(it: int) -> float:
        if it < 0:
            return min_lr  # OneCycle._initialize_lr sets cycle_min_lr
        if it < total_size:
            # OneCycle._get_cycle_lr
            base_height = (max_lr - min_lr) * scale_factor(it + 1)
            return min_lr + base_height
        # OneCycle._get_decay_lr(last_batch_iteration - total_size + 1)
        if skip_lr_decay:
            return min_lr
        decay_interval = (it - total_size + 1) / decay_step_size
        lr_decay_factor = (1 + decay_lr_rate * decay_interval)
        return min_lr / lr_decay_factor

    return lr, total_size, skip_lr_decay


def lr_range_increase_at(step_size: float, step_rate: float,
                         staircase: bool) -> Callable[[int], float]:
    """LRRangeTest._get_increase at ``last_batch_iteration = it`` (1.0 for the constructor,
    which sets lr_range_test_min_lr as is)."""

    def increase(it: int) -> float:
        if it < 0:
            return 1.0
        # _staircase_interval: floor((it + 1) / size); _continuous_interval: (it + 1) / size
        interval = (math.floor(float(it + 1) / step_size) if staircase
                    else float(it + 1) / step_size)
        return (1 + step_rate * interval)

    return increase
