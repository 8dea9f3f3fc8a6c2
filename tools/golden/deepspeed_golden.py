#!/usr/bin/env python3
"""Write golden LR series for DeepSpeed's LR schedulers to tests/golden/deepspeed_*.json.

DeepSpeed does not install cleanly beside this project's torch (it builds ops), so this script
transcribes the scheduler classes from the real source instead of importing them:

    repository: deepspeedai/DeepSpeed
    file:       deepspeed/runtime/lr_schedules.py
    commit:     22779f2c6e335b494c90c05917206d3b14510d2d
                (read through the code search index; the older stored version 614e3f17 differs
                only in OneCycle, which ignored cycle_*_stair_count, and in WarmupLR taking
                every group's lr when warmup_max_lr is None)

and drives them as the engine does (deepspeed/runtime/engine.py): the scheduler is built as
``cls(optimizer, **config["scheduler"]["params"])`` (``_scheduler_from_config``) and
``lr_scheduler.step()`` runs after every optimizer step (``_take_model_step``). The series is
the LR each optimizer update uses: the value in ``param_groups[0]["lr"]`` before update ``k``.

The transcription is deliberately independent of warmup_cli: the classes keep DeepSpeed's
state (``last_batch_iteration``, ``param_groups``) and methods, with only torch replaced by a
stand-in optimizer (a list of param-group dicts). Run from the repository root:

    python tools/golden/deepspeed_golden.py            # writes tests/golden/deepspeed_*.json
    python tools/golden/deepspeed_golden.py --check    # exits 1 if the files differ
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from _common import golden_json, write_documents

SOURCE = {
    "repository": "deepspeedai/DeepSpeed",
    "path": "deepspeed/runtime/lr_schedules.py",
    "commit": "22779f2c6e335b494c90c05917206d3b14510d2d",
}

WARMUP_LOG_RATE = "log"
WARMUP_LINEAR_RATE = "linear"


class FakeOptimizer:
    """Enough of torch.optim.Optimizer for the schedulers: param_groups and defaults."""

    def __init__(self, lr: float, betas: tuple[float, float] = (0.9, 0.999)) -> None:
        self.param_groups: list[dict[str, Any]] = [{"lr": lr, "betas": betas}]
        self.defaults = {"lr": lr, "betas": betas}


def update_lr(param_groups: list[dict[str, Any]], lrs: list[float]) -> list[float]:
    for param_group, lr in zip(param_groups, lrs, strict=False):
        param_group["lr"] = lr
    return [group["lr"] for group in param_groups]


class LRRangeTest:
    def __init__(self, optimizer: FakeOptimizer, lr_range_test_min_lr: float = 1e-3,
                 lr_range_test_step_size: int = 2000, lr_range_test_step_rate: float = 1.0,
                 lr_range_test_staircase: bool = False, last_batch_iteration: int = -1) -> None:
        self.optimizer = optimizer
        self.min_lr = [lr_range_test_min_lr] * len(self.optimizer.param_groups)
        self.step_size = lr_range_test_step_size
        self.step_rate = lr_range_test_step_rate
        self.last_batch_iteration = last_batch_iteration
        self.staircase = lr_range_test_staircase
        self.interval_fn = (self._staircase_interval if lr_range_test_staircase
                            else self._continuous_interval)
        if last_batch_iteration == -1:
            self._last_lr = update_lr(self.optimizer.param_groups, self.min_lr)

    def _staircase_interval(self) -> float:
        return math.floor(float(self.last_batch_iteration + 1) / self.step_size)

    def _continuous_interval(self) -> float:
        return float(self.last_batch_iteration + 1) / self.step_size

    def _get_increase(self) -> float:
        return (1 + self.step_rate * self.interval_fn())

    def get_lr(self) -> list[float]:
        lr_increase = self._get_increase()
        return [lr_range_test_min_lr * lr_increase for lr_range_test_min_lr in self.min_lr]

    def step(self, batch_iteration: int | None = None) -> None:
        if batch_iteration is None:
            batch_iteration = self.last_batch_iteration + 1
        self.last_batch_iteration = batch_iteration
        self._last_lr = update_lr(self.optimizer.param_groups, self.get_lr())


class OneCycle:
    def __init__(self, optimizer: FakeOptimizer, cycle_min_lr: float, cycle_max_lr: float,
                 decay_lr_rate: float = 0., cycle_first_step_size: int = 2000,
                 cycle_second_step_size: int | None = None, cycle_first_stair_count: int = 0,
                 cycle_second_stair_count: int | None = None, decay_step_size: int = 0,
                 cycle_momentum: bool = True, cycle_min_mom: float = 0.8,
                 cycle_max_mom: float = 0.9, decay_mom_rate: float = 0.,
                 last_batch_iteration: int = -1) -> None:
        self.optimizer = optimizer
        self._initialize_cycle(cycle_first_step_size, cycle_second_step_size,
                               cycle_first_stair_count, cycle_second_stair_count,
                               decay_step_size)
        self._initialize_lr(self.optimizer, cycle_min_lr, cycle_max_lr, decay_lr_rate,
                            last_batch_iteration)
        self.cycle_momentum = cycle_momentum  # momentum cycling does not touch the LR
        self.last_batch_iteration = last_batch_iteration

    def _initialize_cycle(self, cycle_first_step_size: float,
                          cycle_second_step_size: float | None, cycle_first_stair_count: int,
                          cycle_second_stair_count: int | None, decay_step_size: float) -> None:
        cycle_first_step_size = float(cycle_first_step_size)
        cycle_second_step_size = float(
            cycle_second_step_size) if cycle_second_step_size is not None \
            else cycle_first_step_size
        self.total_size = cycle_first_step_size + cycle_second_step_size
        self.step_ratio = cycle_first_step_size / self.total_size
        self.first_step_size = cycle_first_step_size
        self.second_step_size = cycle_second_step_size
        self.first_stair_count = cycle_first_stair_count
        self.second_stair_count = (cycle_first_stair_count if cycle_second_stair_count is None
                                   else cycle_second_stair_count)
        self.decay_step_size = decay_step_size
        if math.isclose(self.decay_step_size, 0):
            self.skip_lr_decay = True
        else:
            self.skip_lr_decay = False

    def _initialize_lr(self, optimizer: FakeOptimizer, cycle_min_lr: float, cycle_max_lr: float,
                       decay_lr_rate: float, last_batch_iteration: int) -> None:
        self.min_lrs = [cycle_min_lr] * len(optimizer.param_groups)
        if last_batch_iteration == -1:
            for lr, group in zip(self.min_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = [cycle_max_lr] * len(optimizer.param_groups)
        self.decay_lr_rate = decay_lr_rate
        if math.isclose(self.decay_lr_rate, 0):
            self.skip_lr_decay = True

    def _get_scale_factor(self) -> float:
        batch_iteration = (self.last_batch_iteration + 1)
        cycle = math.floor(1 + batch_iteration / self.total_size)
        x = 1. + batch_iteration / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
            stair_count = self.first_stair_count
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
            stair_count = self.second_stair_count
        if stair_count > 0:
            cycle_iteration = batch_iteration % self.total_size
            if cycle_iteration <= self.first_step_size:
                stair_position = cycle_iteration * stair_count / self.first_step_size
            else:
                stair_position = ((self.total_size - cycle_iteration) * stair_count
                                  / self.second_step_size)
            scale_factor = math.floor(stair_position) / stair_count
        return scale_factor

    def _get_cycle_lr(self) -> list[float]:
        scale_factor = self._get_scale_factor()
        lrs = []
        for cycle_min_lr, cycle_max_lr in zip(self.min_lrs, self.max_lrs, strict=True):
            base_height = (cycle_max_lr - cycle_min_lr) * scale_factor
            lr = cycle_min_lr + base_height
            lrs.append(lr)
        return lrs

    def _get_decay_lr(self, decay_batch_iteration: float) -> list[float]:
        if self.skip_lr_decay:
            return self.min_lrs
        decay_interval = decay_batch_iteration / self.decay_step_size
        lr_decay_factor = (1 + self.decay_lr_rate * decay_interval)
        return [cycle_min_lr / lr_decay_factor for cycle_min_lr in self.min_lrs]

    def get_lr(self) -> list[float]:
        if self.last_batch_iteration < self.total_size:
            return self._get_cycle_lr()
        return self._get_decay_lr(self.last_batch_iteration - self.total_size + 1)

    def step(self, batch_iteration: int | None = None) -> None:
        if batch_iteration is None:
            batch_iteration = self.last_batch_iteration + 1
        self.last_batch_iteration = batch_iteration
        self._last_lr = update_lr(self.optimizer.param_groups, self.get_lr())


class WarmupLR:
    def __init__(self, optimizer: FakeOptimizer, warmup_min_lr: float = 0.0,
                 warmup_max_lr: float | None = None, warmup_num_steps: int = 1000,
                 warmup_type: str = WARMUP_LOG_RATE, last_batch_iteration: int = -1) -> None:
        if not isinstance(warmup_num_steps, int) or warmup_num_steps <= 0:
            raise ValueError(f"warmup_num_steps must be a positive integer, got "
                             f"{warmup_num_steps}")
        self.optimizer = optimizer
        if warmup_max_lr is None:
            warmup_max_lr = self.optimizer.param_groups[0]["lr"]  # the first group's lr
        self.min_lrs = self._format_param(self.optimizer, warmup_min_lr, "min_lr")
        self.max_lrs = self._format_param(self.optimizer, warmup_max_lr, "max_lr")
        self.delta_lrs = [big - small for big, small in zip(self.max_lrs, self.min_lrs,
                                                             strict=True)]
        self.warmup_num_steps = max(2, warmup_num_steps)
        if warmup_type not in {WARMUP_LOG_RATE, WARMUP_LINEAR_RATE}:
            warmup_type = WARMUP_LOG_RATE
        self.warmup_type = warmup_type
        self.inverse_log_warm_up = 1.0 / math.log(self.warmup_num_steps)
        self.last_batch_iteration = last_batch_iteration
        if last_batch_iteration == -1:
            self._last_lr = update_lr(self.optimizer.param_groups, self.get_lr())

    def get_lr(self) -> list[float]:
        if self.last_batch_iteration < 0:
            return self.min_lrs
        gamma = self._get_gamma()
        return [min_lr + (delta_lr * gamma)
                for min_lr, delta_lr in zip(self.min_lrs, self.delta_lrs, strict=True)]

    def step(self, last_batch_iteration: int | None = None) -> None:
        if last_batch_iteration is None:
            last_batch_iteration = self.last_batch_iteration + 1
        self.last_batch_iteration = last_batch_iteration
        self._last_lr = update_lr(self.optimizer.param_groups, self.get_lr())

    def _get_gamma(self) -> float:
        if self.last_batch_iteration < self.warmup_num_steps:
            if self.warmup_type == WARMUP_LOG_RATE:
                return self.inverse_log_warm_up * math.log(self.last_batch_iteration + 1)
            elif self.warmup_type == WARMUP_LINEAR_RATE:
                return self.last_batch_iteration / self.warmup_num_steps
        return 1.0

    def _format_param(self, optimizer: FakeOptimizer, param_value: Any,
                      param_name: str) -> list[Any]:
        if isinstance(param_value, list | tuple):
            return list(param_value)
        return [param_value] * len(optimizer.param_groups)


class WarmupDecayLR(WarmupLR):
    def __init__(self, optimizer: FakeOptimizer, total_num_steps: int,
                 warmup_min_lr: float = 0.0, warmup_max_lr: float = 0.001,
                 warmup_num_steps: int = 1000, warmup_type: str = WARMUP_LOG_RATE,
                 last_batch_iteration: int = -1) -> None:
        self.total_num_steps = total_num_steps
        super().__init__(optimizer, warmup_min_lr, warmup_max_lr, warmup_num_steps, warmup_type,
                         last_batch_iteration)

    def _get_gamma(self) -> float:
        if self.last_batch_iteration < self.warmup_num_steps:
            if self.warmup_type == WARMUP_LOG_RATE:
                return self.inverse_log_warm_up * math.log(self.last_batch_iteration + 1)
            elif self.warmup_type == WARMUP_LINEAR_RATE:
                return self.last_batch_iteration / self.warmup_num_steps
        return max(
            0.0,
            float(self.total_num_steps - self.last_batch_iteration) /
            float(max(1.0, self.total_num_steps - self.warmup_num_steps)))


class WarmupCosineLR:
    def __init__(self, optimizer: FakeOptimizer, total_num_steps: int,
                 warmup_min_ratio: float = 0.0, warmup_num_steps: int = 1000,
                 cos_min_ratio: float = 0.0001, warmup_type: str = WARMUP_LOG_RATE,
                 last_batch_iteration: int = -1) -> None:
        if not isinstance(warmup_num_steps, int) or warmup_num_steps <= 0:
            raise ValueError(f"warmup_num_steps must be a positive integer, got "
                             f"{warmup_num_steps}")
        self.optimizer = optimizer
        self.total_num_steps = total_num_steps
        self.last_batch_iteration = last_batch_iteration
        self.cos_min_ratio = cos_min_ratio
        if warmup_type not in {WARMUP_LOG_RATE, WARMUP_LINEAR_RATE}:
            warmup_type = WARMUP_LOG_RATE
        self.warmup_type = warmup_type
        self.warmup_min_ratio = warmup_min_ratio
        self.warmup_num_steps = max(2, warmup_num_steps)
        self.inverse_log_warm_up = 1.0 / math.log(self.warmup_num_steps)
        self.org_lrs = [group["lr"] for group in self.optimizer.param_groups]
        if last_batch_iteration == -1:
            self._last_lr = update_lr(self.optimizer.param_groups, self.get_lr())

    def get_lr_ratio(self) -> float:
        if self.last_batch_iteration < 0:
            return 0.0
        if self.last_batch_iteration < self.warmup_num_steps:
            if self.warmup_type == WARMUP_LOG_RATE:
                ratio = self.inverse_log_warm_up * math.log(self.last_batch_iteration + 1)
            elif self.warmup_type == WARMUP_LINEAR_RATE:
                ratio = self.last_batch_iteration / self.warmup_num_steps
            ratio_delta = 1. - self.warmup_min_ratio
            ratio = self.warmup_min_ratio + ratio * ratio_delta
            return ratio
        real_last_step = self.last_batch_iteration - self.warmup_num_steps + 1
        real_total_steps = max(1, self.total_num_steps - self.warmup_num_steps)
        cosine_progress = min(1.0, real_last_step / real_total_steps)
        ratio_delta = 1. - self.cos_min_ratio
        ratio = (1 + math.cos(math.pi * cosine_progress)) / 2
        ratio = max(0.0, self.cos_min_ratio + ratio_delta * ratio)
        return ratio

    def step(self, last_batch_iteration: int | None = None) -> None:
        if last_batch_iteration is None:
            last_batch_iteration = self.last_batch_iteration + 1
        self.last_batch_iteration = last_batch_iteration
        self._last_lr = update_lr(self.optimizer.param_groups, self.get_lr())

    def get_lr(self) -> list[float]:
        if self.last_batch_iteration < 0:
            return [0.0 for _ in self.org_lrs]
        lr_ratio = self.get_lr_ratio()
        return [org_lr * lr_ratio for org_lr in self.org_lrs]


SCHEDULERS = {"LRRangeTest": LRRangeTest, "OneCycle": OneCycle, "WarmupLR": WarmupLR,
              "WarmupDecayLR": WarmupDecayLR, "WarmupCosineLR": WarmupCosineLR}


def _config(scheduler: str, params: dict[str, Any], lr: float | None = 1e-3) -> dict[str, Any]:
    config: dict[str, Any] = {"train_batch_size": 16,
                              "scheduler": {"type": scheduler, "params": params}}
    if lr is not None:
        config["optimizer"] = {"type": "AdamW", "params": {"lr": lr, "betas": [0.9, 0.999]}}
    return config


# name -> (DeepSpeed config, number of updates)
CASES: dict[str, tuple[dict[str, Any], int]] = {
    # microsoft/DeepSpeedExamples training/cifar/ds_config.json (the corpus file)
    "warmuplr_log_cifar": (_config("WarmupLR", {"warmup_min_lr": 0, "warmup_max_lr": 0.001,
                                                "warmup_num_steps": 1000}), 1100),
    "warmuplr_linear": (_config("WarmupLR", {"warmup_min_lr": 1e-5, "warmup_max_lr": 3e-4,
                                             "warmup_num_steps": 50, "warmup_type": "linear"}),
                        80),
    "warmuplr_one_step": (_config("WarmupLR", {"warmup_min_lr": 1e-4, "warmup_max_lr": 1e-3,
                                               "warmup_num_steps": 1}), 10),
    "warmuplr_optimizer_peak": (_config("WarmupLR", {"warmup_num_steps": 20}, lr=2e-4), 40),
    "warmupdecaylr_log": (_config("WarmupDecayLR", {
        "total_num_steps": 500, "warmup_min_lr": 1e-6, "warmup_max_lr": 1e-3,
        "warmup_num_steps": 100}), 520),
    "warmupdecaylr_linear_short": (_config("WarmupDecayLR", {
        "total_num_steps": 50, "warmup_min_lr": 0.0, "warmup_max_lr": 5e-4,
        "warmup_num_steps": 100, "warmup_type": "linear"}), 160),
    "warmupdecaylr_default_peak": (_config("WarmupDecayLR", {
        "total_num_steps": 300, "warmup_num_steps": 30}, lr=3e-4), 320),
    "warmupcosinelr_log": (_config("WarmupCosineLR", {
        "total_num_steps": 400, "warmup_num_steps": 50}, lr=1e-3), 420),
    "warmupcosinelr_linear_ratios": (_config("WarmupCosineLR", {
        "total_num_steps": 300, "warmup_num_steps": 30, "warmup_min_ratio": 0.1,
        "cos_min_ratio": 0.05, "warmup_type": "linear"}, lr=6e-4), 320),
    # microsoft/DeepSpeedExamples QANet config (the corpus file): stairs and post-cycle decay
    "onecycle_qanet": (_config("OneCycle", {
        "cycle_min_lr": 0.004, "cycle_max_lr": 0.015, "cycle_first_step_size": 1000,
        "cycle_second_step_size": 100, "cycle_first_stair_count": 100,
        "cycle_second_stair_count": 100, "decay_step_size": 1000, "decay_lr_rate": 0.01}),
        3200),
    "onecycle_continuous": (_config("OneCycle", {
        "cycle_min_lr": 1e-4, "cycle_max_lr": 1e-3, "cycle_first_step_size": 100,
        "cycle_second_step_size": 50, "decay_step_size": 10, "decay_lr_rate": 0.1}), 300),
    "onecycle_asymmetric_stairs": (_config("OneCycle", {
        "cycle_min_lr": 0.0, "cycle_max_lr": 0.01, "cycle_first_step_size": 7,
        "cycle_second_step_size": 3, "cycle_first_stair_count": 3,
        "cycle_second_stair_count": 2}), 40),
    "lrrangetest_continuous": (_config("LRRangeTest", {
        "lr_range_test_min_lr": 1e-4, "lr_range_test_step_size": 10,
        "lr_range_test_step_rate": 0.5}), 100),
    "lrrangetest_staircase": (_config("LRRangeTest", {
        "lr_range_test_min_lr": 3e-5, "lr_range_test_step_size": 7,
        "lr_range_test_step_rate": 2.0, "lr_range_test_staircase": True}), 60),
}


def series(config: dict[str, Any], count: int) -> list[float]:
    """The LR of updates 0..count-1, as DeepSpeedEngine runs the configured scheduler."""
    lr = config.get("optimizer", {}).get("params", {}).get("lr", 1e-3)
    optimizer = FakeOptimizer(lr)
    scheduler_config = config["scheduler"]
    scheduler = SCHEDULERS[scheduler_config["type"]](optimizer, **scheduler_config["params"])
    lrs: list[float] = []
    for _ in range(count):
        lrs.append(optimizer.param_groups[0]["lr"])  # the LR this optimizer update uses
        scheduler.step()  # engine._take_model_step, after optimizer.step()
    return lrs


def documents() -> dict[str, str]:
    files = {}
    for name, (config, count) in CASES.items():
        payload = {"source": SOURCE, "config": config, "updates": count,
                   "lrs": series(config, count)}
        files[f"deepspeed_{name}.json"] = golden_json(payload)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    return write_documents(documents(), args.check)


if __name__ == "__main__":
    raise SystemExit(main())
