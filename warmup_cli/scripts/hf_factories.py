"""transformers' schedule factories as a training script calls them: the factor function each
builds, from the HF reader's exact formulas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warmup_cli.frameworks.upstream import transformers_optimization as hf


def hf_factor(kind: str, number: Callable[[str, Any], Any], extra: dict[str, Any],
              lr_init: float) -> Callable[[int], float]:
    """The LambdaLR factor the transformers factory ``kind`` builds, with the HF reader's
    formulas (``frameworks/upstream/transformers_optimization.py``); ``number(name, default)``
    reads an argument of the call (default None: required), ``extra`` holds
    ``scheduler_specific_kwargs``, ``lr_init`` is the optimizer's lr (polynomial)."""

    def get(name: str, default: Any) -> Any:
        return extra[name] if name in extra else number(name, default)

    if kind == "get_constant_schedule":
        return hf.constant_lambda()
    warmup = number("num_warmup_steps", None)
    if kind == "get_constant_schedule_with_warmup":
        return hf.constant_with_warmup_lambda(warmup)
    if kind == "get_inverse_sqrt_schedule":
        timescale = get("timescale", 0) or (warmup or 10_000)
        return hf.inverse_sqrt_lambda(warmup, timescale)
    total = number("num_training_steps", None)
    if kind == "get_linear_schedule_with_warmup":
        return hf.linear_lambda(warmup, total)
    if kind == "get_cosine_schedule_with_warmup":
        return hf.cosine_lambda(warmup, total, get("num_cycles", 0.5))
    if kind == "get_cosine_with_hard_restarts_schedule_with_warmup":
        return hf.cosine_restarts_lambda(warmup, total, get("num_cycles", 1))
    return hf.polynomial_lambda(warmup, total, get("lr_end", 1e-7), get("power", 1.0),
                                lr_init)
