"""transformers ``src/transformers/optimization.py`` (transformers 5.24.0, the version the parity
tests run against): the ``lr_lambda`` of every schedule ``get_scheduler`` builds, and what
``get_scheduler`` passes to each.

Every factor function is the matching ``_get_*_lr_lambda`` with the same operation order, so
``learning_rate * f(k)`` is the LR ``LambdaLR`` gives update ``k`` bit for bit. The arguments
are used as given: the ``get_*_schedule*`` functions' defaults and checks (``lr_end`` below the
LR, exactly one of ``min_lr`` / ``min_lr_rate``, ...) are applied by whoever builds the
schedule (the HF reader, which reports them as findings).
"""

from __future__ import annotations

import math

from warmup_cli.schedule import FactorFn

# get_scheduler: the types whose function takes no num_training_steps.
_STEPS_FREE = frozenset({"constant", "constant_with_warmup", "inverse_sqrt",
                         "reduce_lr_on_plateau", "greedy"})
# get_scheduler returns before reading num_warmup_steps for these.
WARMUP_IGNORED = frozenset({"constant", "reduce_lr_on_plateau", "greedy"})
# ReduceLROnPlateau / GreedyLR: the LR follows evaluation metrics, not the step.
METRIC_DRIVEN = frozenset({"reduce_lr_on_plateau", "greedy"})
# scheduler_specific_kwargs each type's function accepts (the get_* signatures, minus
# optimizer / num_warmup_steps / num_training_steps, which get_scheduler passes itself).
SCHEDULER_KWARGS: dict[str, frozenset[str]] = {
    "linear": frozenset(),
    "cosine": frozenset({"num_cycles"}),
    "cosine_with_restarts": frozenset({"num_cycles"}),
    "polynomial": frozenset({"lr_end", "power"}),
    "inverse_sqrt": frozenset({"timescale"}),
    "cosine_with_min_lr": frozenset({"num_cycles", "min_lr", "min_lr_rate"}),
    "cosine_warmup_with_min_lr": frozenset({"num_cycles", "min_lr", "min_lr_rate",
                                            "warmup_lr_rate"}),
    "warmup_stable_decay": frozenset({"num_decay_steps", "num_stable_steps", "warmup_type",
                                      "decay_type", "min_lr_ratio", "num_cycles"}),
}
# get_wsd_schedule: the shapes warmup_type and decay_type may take.
WSD_SHAPES = ("linear", "cosine", "1-sqrt")


def needs_training_steps(name: str, num_stable_steps: object) -> bool:
    """Whether the ``name`` schedule computes with num_training_steps (get_scheduler passes it;
    get_wsd_schedule uses it only to default num_stable_steps)."""
    if name in _STEPS_FREE:
        return False
    return not (name == "warmup_stable_decay" and num_stable_steps is not None)


def _warmup_fraction(t: int, warmup: int) -> float:
    # optimization.py, every *_lr_lambda warmup branch: float(step) / float(max(1, W))
    return float(t) / float(max(1, warmup))


def linear_lambda(warmup: int, total: float) -> FactorFn:
    # optimization.py _get_linear_schedule_with_warmup_lr_lambda (open-instruct passes a float
    # num_training_steps with final_lr_ratio)
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        return max(0.0, float(total - t) / float(max(1, total - warmup)))

    return fn


def cosine_lambda(warmup: int, total: int, num_cycles: float,
                  min_lr_rate: float = 0.0) -> FactorFn:
    # optimization.py _get_cosine_schedule_with_warmup_lr_lambda: the module defines it twice
    # and the second definition (with min_lr_rate=0.0) is the one both cosine and
    # cosine_with_min_lr bind, so plain cosine also computes factor * (1 - 0.0) + 0.0.
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        progress = float(t - warmup) / float(max(1, total - warmup))
        factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)

    return fn


def cosine_restarts_lambda(warmup: int, total: int, num_cycles: float) -> FactorFn:
    # optimization.py _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        progress = float(t - warmup) / float(max(1, total - warmup))
        if progress >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))

    return fn


def polynomial_lambda(warmup: int, total: int, lr_end: float, power: float,
                      lr_init: float) -> FactorFn:
    # optimization.py _get_polynomial_decay_schedule_with_warmup_lr_lambda; lr_init is
    # optimizer.defaults["lr"], the Trainer's learning_rate. decay_steps is 0 when W == N and
    # step N then divides by zero, as in transformers.
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        if t > total:
            return lr_end / lr_init
        lr_range = lr_init - lr_end
        decay_steps = total - warmup
        pct_remaining = 1 - (t - warmup) / decay_steps
        decay: float = lr_range * pct_remaining**power + lr_end
        return decay / lr_init

    return fn


def constant_lambda() -> FactorFn:
    # optimization.py _get_constant_lambda returns the int 1
    def fn(t: int) -> float:
        return 1

    return fn


def constant_with_warmup_lambda(warmup: int) -> FactorFn:
    # optimization.py _get_constant_schedule_with_warmup_lr_lambda (max(1.0, W), a float)
    def fn(t: int) -> float:
        if t < warmup:
            return float(t) / float(max(1.0, warmup))
        return 1.0

    return fn


def inverse_sqrt_lambda(warmup: int, timescale: float) -> FactorFn:
    # optimization.py _get_inverse_sqrt_schedule_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        shift = timescale - warmup
        return 1.0 / math.sqrt((t + shift) / timescale)

    return fn


def cosine_warmup_min_lr_lambda(warmup: int, total: int, num_cycles: float, min_lr_rate: float,
                                warmup_lr_rate: float | None) -> FactorFn:
    # optimization.py _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda: everything
    # in floats, the warmup starts at 1/W (or warmup_lr_rate), progress counts from W - 1.
    def fn(t: int) -> float:
        current = float(t)
        w = float(warmup)
        n = float(total)
        if current < w:
            if warmup_lr_rate is None:
                return (current + 1.0) / max(1.0, w)
            rate = float(warmup_lr_rate)
            return rate + (1.0 - rate) * (current) / (max(1, w - 1))
        progress = (current - w + 1.0) / (max(1.0, n - w))
        factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)

    return fn


def wsd_lambda(warmup: int, stable: int, decay: int, warmup_type: str, decay_type: str,
               min_lr_ratio: float, num_cycles: float) -> FactorFn:
    # optimization.py _get_wsd_scheduler_lambda
    def fn(t: int) -> float:
        if t < warmup:
            progress = float(t) / float(max(1, warmup))
            if warmup_type == "linear":
                factor = progress
            elif warmup_type == "cosine":
                factor = 0.5 * (1.0 - math.cos(math.pi * progress))
            else:  # "1-sqrt"
                factor = 1.0 - math.sqrt(1.0 - progress)
            factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
            return max(0.0, factor)
        if t < warmup + stable:
            return 1.0
        if t < warmup + stable + decay:
            progress = float(t - warmup - stable) / float(max(1, decay))
            if decay_type == "linear":
                factor = 1.0 - progress
            elif decay_type == "cosine":
                factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
            else:  # "1-sqrt"
                factor = 1.0 - math.sqrt(progress)
            factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
            return max(0.0, factor)
        return min_lr_ratio

    return fn
