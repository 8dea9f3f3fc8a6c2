#!/usr/bin/env python3
"""Write golden LR series for timm's schedulers (and Swin-Transformer's use of them) to
tests/golden/timm_*.json.

timm's wheel needs torchvision, whose PyPI wheel breaks beside this project's torch, so the
golden series come from a transcription of the real source, kept independent of warmup_cli
(class-based, stepped the way the training scripts step them):

    huggingface/pytorch-image-models, timm 1.0.31 (the newest wheel on PyPI; the scheduler files
    match the repository's timm/scheduler/*.py read through the code search index):
        timm/scheduler/scheduler.py          Scheduler (base class, update_groups, step*)
        timm/scheduler/cosine_lr.py          CosineLRScheduler
        timm/scheduler/tanh_lr.py            TanhLRScheduler
        timm/scheduler/step_lr.py            StepLRScheduler
        timm/scheduler/multistep_lr.py       MultiStepLRScheduler (milestones vs t + 1)
        timm/scheduler/poly_lr.py            PolyLRScheduler
        timm/scheduler/plateau_lr.py         PlateauLRScheduler (warmup part)
        timm/scheduler/scheduler_factory.py  scheduler_kwargs, create_scheduler_v2
    huggingface/pytorch-image-models train.py @ 2aabaef039d918d453b58714ab84562609981112
        argparse defaults, lr from lr_base, the epoch/update loop (step_update(num_updates)
        after each update, step(epoch + 1) after each epoch)
    microsoft/Swin-Transformer lr_scheduler.py @ 055c506510dd456f4a5f6cc52655a35ebbb1f87b
        build_scheduler, LinearLRScheduler, MultiStepLRScheduler; config.py @ d19503d7 defaults;
        main.py: step_update((epoch * num_steps + idx) // ACCUMULATION_STEPS) after update idx;
        the timm 0.4.x CosineLRScheduler (t_mul, decay_rate) and StepLRScheduler (no warmup
        prefix) that Swin's pinned timm 0.4.12 provides.

Run from the repository root:

    python tools/golden/timm_golden.py                 # writes tests/golden/timm_*.json
    python tools/golden/timm_golden.py --check         # exits 1 if the files differ
    python tools/golden/timm_golden.py --real DIR      # also compare the timm cases with the
                                                       # real classes of an unpacked timm wheel
                                                       # (DIR contains timm/; needs torch)
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import sys
import types
from pathlib import Path
from typing import Any

from _common import golden_json, write_documents

SOURCE = {
    "timm": "timm 1.0.31 timm/scheduler/*.py",
    "train.py": "huggingface/pytorch-image-models@2aabaef039d918d453b58714ab84562609981112",
    "swin": "microsoft/Swin-Transformer lr_scheduler.py@055c506510dd456f4a5f6cc52655a35ebbb1f87b",
}


class FakeOptimizer:
    def __init__(self, lr: float) -> None:
        self.param_groups: list[dict[str, Any]] = [{"lr": lr}]


# --- timm 1.0.31 ------------------------------------------------------------------------------


class Scheduler:
    def __init__(self, optimizer: FakeOptimizer, param_group_field: str,
                 t_in_epochs: bool = True, initialize: bool = True) -> None:
        self.optimizer = optimizer
        self.param_group_field = param_group_field
        self._initial_param_group_field = f"initial_{param_group_field}"
        if initialize:
            for group in self.optimizer.param_groups:
                group.setdefault(self._initial_param_group_field, group[param_group_field])
        self.base_values = [group[self._initial_param_group_field]
                            for group in self.optimizer.param_groups]
        self.metric = None
        self.t_in_epochs = t_in_epochs
        self.update_groups(self.base_values)

    def _get_lr(self, t: float) -> list[float]:
        raise NotImplementedError

    def _get_values(self, t: float, on_epoch: bool = True) -> list[float] | None:
        proceed = (on_epoch and self.t_in_epochs) or (not on_epoch and not self.t_in_epochs)
        if not proceed:
            return None
        return self._get_lr(t)

    def step(self, epoch: int, metric: float | None = None) -> None:
        self.metric = metric
        values = self._get_values(epoch, on_epoch=True)
        if values is not None:
            self.update_groups(values)  # _add_noise: no noise range configured

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        self.metric = metric
        values = self._get_values(num_updates, on_epoch=False)
        if values is not None:
            self.update_groups(values)

    def update_groups(self, values: float | list[float]) -> None:
        if not isinstance(values, list | tuple):
            values = [values] * len(self.optimizer.param_groups)
        for param_group, value in zip(self.optimizer.param_groups, values, strict=True):
            param_group[self.param_group_field] = value


class CosineLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, t_initial: int, lr_min: float = 0.,
                 cycle_mul: float = 1., cycle_decay: float = 1., cycle_limit: int = 1,
                 warmup_t: int = 0, warmup_lr_init: float = 0., warmup_prefix: bool = False,
                 t_in_epochs: bool = True, k_decay: float = 1.0, **noise: Any) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        assert t_initial > 0
        assert lr_min >= 0
        self.t_initial = t_initial
        self.lr_min = lr_min
        self.cycle_mul = cycle_mul
        self.cycle_decay = cycle_decay
        self.cycle_limit = cycle_limit
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.warmup_prefix = warmup_prefix
        self.k_decay = k_decay
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        if self.cycle_mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.cycle_mul),
                                    self.cycle_mul))
            t_i = self.cycle_mul ** i * self.t_initial
            t_curr = t - (1 - self.cycle_mul ** i) / (1 - self.cycle_mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        gamma = self.cycle_decay ** i
        lr_max_values = [v * gamma for v in self.base_values]
        k = self.k_decay
        if i < self.cycle_limit:
            return [self.lr_min + 0.5 * (lr_max - self.lr_min)
                    * (1 + math.cos(math.pi * t_curr ** k / t_i ** k))
                    for lr_max in lr_max_values]
        return [self.lr_min for _ in self.base_values]

    def get_cycle_length(self, cycles: int = 0) -> int:
        cycles = max(1, cycles or self.cycle_limit)
        if self.cycle_mul == 1.0:
            t = self.t_initial * cycles
        else:
            # timm: int(math.floor(...)); math.floor already returns an int
            t = math.floor(-self.t_initial * (self.cycle_mul ** cycles - 1)
                           / (1 - self.cycle_mul))
        return t + self.warmup_t if self.warmup_prefix else t


class TanhLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, t_initial: int, lb: float = -7.,
                 ub: float = 3., lr_min: float = 0., cycle_mul: float = 1.,
                 cycle_decay: float = 1., cycle_limit: int = 1, warmup_t: int = 0,
                 warmup_lr_init: float = 0., warmup_prefix: bool = False,
                 t_in_epochs: bool = True, **noise: Any) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        assert t_initial > 0 and lr_min >= 0 and lb < ub and cycle_limit >= 0
        assert warmup_t >= 0 and warmup_lr_init >= 0
        self.lb = lb
        self.ub = ub
        self.t_initial = t_initial
        self.lr_min = lr_min
        self.cycle_mul = cycle_mul
        self.cycle_decay = cycle_decay
        self.cycle_limit = cycle_limit
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.warmup_prefix = warmup_prefix
        if self.warmup_t:
            t_v = self.base_values if self.warmup_prefix else self._get_lr(self.warmup_t)
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in t_v]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        if self.cycle_mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.cycle_mul),
                                    self.cycle_mul))
            t_i = self.cycle_mul ** i * self.t_initial
            t_curr = t - (1 - self.cycle_mul ** i) / (1 - self.cycle_mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        if i < self.cycle_limit:
            gamma = self.cycle_decay ** i
            lr_max_values = [v * gamma for v in self.base_values]
            tr = t_curr / t_i
            return [self.lr_min + 0.5 * (lr_max - self.lr_min)
                    * (1 - math.tanh(self.lb * (1. - tr) + self.ub * tr))
                    for lr_max in lr_max_values]
        return [self.lr_min for _ in self.base_values]

    get_cycle_length = CosineLRScheduler.get_cycle_length


class StepLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, decay_t: float, decay_rate: float = 1.,
                 warmup_t: int = 0, warmup_lr_init: float = 0., warmup_prefix: bool = True,
                 t_in_epochs: bool = True, **noise: Any) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        self.decay_t = decay_t
        self.decay_rate = decay_rate
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.warmup_prefix = warmup_prefix
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        return [v * (self.decay_rate ** (t // self.decay_t)) for v in self.base_values]


class MultiStepLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, decay_t: list[int], decay_rate: float = 1.,
                 warmup_t: int = 0, warmup_lr_init: float = 0., warmup_prefix: bool = True,
                 t_in_epochs: bool = True, **noise: Any) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        self.decay_t = decay_t
        self.decay_rate = decay_rate
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.warmup_prefix = warmup_prefix
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def get_curr_decay_steps(self, t: float) -> int:
        return bisect.bisect_right(self.decay_t, t + 1)

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        return [v * (self.decay_rate ** self.get_curr_decay_steps(t)) for v in self.base_values]


class PolyLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, t_initial: int, power: float = 0.5,
                 lr_min: float = 0., cycle_mul: float = 1., cycle_decay: float = 1.,
                 cycle_limit: int = 1, warmup_t: int = 0, warmup_lr_init: float = 0.,
                 warmup_prefix: bool = False, t_in_epochs: bool = True, k_decay: float = 1.0,
                 **noise: Any) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        assert t_initial > 0
        assert lr_min >= 0
        self.t_initial = t_initial
        self.power = power
        self.lr_min = lr_min
        self.cycle_mul = cycle_mul
        self.cycle_decay = cycle_decay
        self.cycle_limit = cycle_limit
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.warmup_prefix = warmup_prefix
        self.k_decay = k_decay
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        if self.cycle_mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.cycle_mul),
                                    self.cycle_mul))
            t_i = self.cycle_mul ** i * self.t_initial
            t_curr = t - (1 - self.cycle_mul ** i) / (1 - self.cycle_mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        gamma = self.cycle_decay ** i
        lr_max_values = [v * gamma for v in self.base_values]
        k = self.k_decay
        if i < self.cycle_limit:
            return [self.lr_min + (lr_max - self.lr_min)
                    * (1 - t_curr ** k / t_i ** k) ** self.power for lr_max in lr_max_values]
        return [self.lr_min for _ in self.base_values]

    get_cycle_length = CosineLRScheduler.get_cycle_length


class PlateauLRScheduler(Scheduler):
    """The warmup and hold of PlateauLRScheduler; the metric-driven ReduceLROnPlateau part is
    not run (the golden loop passes no metric, so it never lowers the LR)."""

    def __init__(self, optimizer: FakeOptimizer, decay_rate: float = 0.1,
                 patience_t: int = 10, warmup_t: int = 0, warmup_lr_init: float = 0.,
                 lr_min: float = 0., **noise: Any) -> None:
        super().__init__(optimizer, "lr")
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def step(self, epoch: int, metric: float | None = None) -> None:
        if epoch <= self.warmup_t:
            lrs = [self.warmup_lr_init + epoch * s for s in self.warmup_steps]
            super().update_groups(lrs)

    def step_update(self, num_updates: int, metric: float | None = None) -> None:
        return None


def scheduler_kwargs(cfg: types.SimpleNamespace) -> dict[str, Any]:
    return dict(
        sched=cfg.sched,
        num_epochs=getattr(cfg, "epochs", 100),
        decay_epochs=getattr(cfg, "decay_epochs", 30),
        decay_milestones=getattr(cfg, "decay_milestones", [30, 60]),
        warmup_epochs=getattr(cfg, "warmup_epochs", 5),
        cooldown_epochs=getattr(cfg, "cooldown_epochs", 0),
        patience_epochs=getattr(cfg, "patience_epochs", 10),
        decay_rate=getattr(cfg, "decay_rate", 0.1),
        min_lr=getattr(cfg, "min_lr", 0.),
        warmup_lr=getattr(cfg, "warmup_lr", 1e-5),
        warmup_prefix=getattr(cfg, "warmup_prefix", False),
        cycle_mul=getattr(cfg, "lr_cycle_mul", 1.),
        cycle_decay=getattr(cfg, "lr_cycle_decay", 0.1),
        cycle_limit=getattr(cfg, "lr_cycle_limit", 1),
        k_decay=getattr(cfg, "lr_k_decay", 1.0),
        step_on_epochs=not getattr(cfg, "sched_on_updates", False),
    )


def create_scheduler_v2(optimizer: FakeOptimizer, sched: str = "cosine", num_epochs: int = 300,
                        decay_epochs: float | None = None,
                        decay_milestones: list[int] | tuple[int, ...] = (90, 180, 270),
                        cooldown_epochs: int = 0, patience_epochs: int = 10,
                        decay_rate: float = 0.1, min_lr: float = 0., warmup_lr: float = 1e-5,
                        warmup_epochs: int = 0, warmup_prefix: bool = False,
                        cycle_mul: float = 1., cycle_decay: float = 0.1, cycle_limit: int = 1,
                        k_decay: float = 1.0, step_on_epochs: bool = True,
                        updates_per_epoch: int = 0) -> tuple[Any, int]:
    """scheduler_factory.create_scheduler_v2 without noise and wsd/rsqrt."""
    c = sys.modules[__name__]
    if decay_epochs is None:
        decay_epochs = 90
    t_initial = num_epochs
    warmup_t = warmup_epochs
    decay_t = decay_epochs
    cooldown_t = cooldown_epochs
    if not step_on_epochs:
        assert updates_per_epoch > 0
        t_initial = t_initial * updates_per_epoch
        warmup_t = warmup_t * updates_per_epoch
        decay_t = decay_t * updates_per_epoch
        decay_milestones = [d * updates_per_epoch for d in decay_milestones]
        cooldown_t = cooldown_t * updates_per_epoch
    warmup_args = dict(warmup_lr_init=warmup_lr, warmup_t=warmup_t, warmup_prefix=warmup_prefix)
    cycle_args = dict(cycle_mul=cycle_mul, cycle_decay=cycle_decay, cycle_limit=cycle_limit)
    lr_scheduler: Any = None
    if sched == "cosine":
        lr_scheduler = c.CosineLRScheduler(optimizer, t_initial=t_initial, lr_min=min_lr,
                                           t_in_epochs=step_on_epochs, **cycle_args,
                                           **warmup_args, k_decay=k_decay)
    elif sched == "tanh":
        lr_scheduler = c.TanhLRScheduler(optimizer, t_initial=t_initial, lr_min=min_lr,
                                         t_in_epochs=step_on_epochs, **cycle_args,
                                         **warmup_args)
    elif sched == "step":
        lr_scheduler = c.StepLRScheduler(optimizer, decay_t=decay_t, decay_rate=decay_rate,
                                         t_in_epochs=step_on_epochs, **warmup_args)
    elif sched == "constant":
        lr_scheduler = c.StepLRScheduler(optimizer, decay_t=1, decay_rate=1.,
                                         t_in_epochs=step_on_epochs, **warmup_args)
    elif sched == "multistep":
        lr_scheduler = c.MultiStepLRScheduler(optimizer, decay_t=decay_milestones,
                                              decay_rate=decay_rate,
                                              t_in_epochs=step_on_epochs, **warmup_args)
    elif sched == "plateau":
        assert step_on_epochs
        warmup_args.pop("warmup_prefix", False)
        lr_scheduler = c.PlateauLRScheduler(optimizer, decay_rate=decay_rate,
                                            patience_t=patience_epochs, **warmup_args,
                                            lr_min=min_lr)
    elif sched == "poly":
        lr_scheduler = c.PolyLRScheduler(optimizer, power=decay_rate, t_initial=t_initial,
                                         lr_min=min_lr, t_in_epochs=step_on_epochs,
                                         k_decay=k_decay, **cycle_args, **warmup_args)
    elif sched != "none":
        raise ValueError(f"Unknown scheduler '{sched}'.")
    if hasattr(lr_scheduler, "get_cycle_length"):
        t_with_cycles_and_cooldown = lr_scheduler.get_cycle_length() + cooldown_t
        if step_on_epochs:
            num_epochs = t_with_cycles_and_cooldown
        else:
            num_epochs = t_with_cycles_and_cooldown // updates_per_epoch
    elif warmup_prefix:
        num_epochs += warmup_epochs
    return lr_scheduler, num_epochs


# train.py argparse defaults (the scheduler and LR ones) @ 2aabaef0
TRAIN_DEFAULTS: dict[str, Any] = {
    "sched": "cosine", "sched_on_updates": False, "lr": None, "lr_base": 0.1,
    "lr_base_size": 256, "lr_base_scale": "", "lr_cycle_mul": 1.0, "lr_cycle_decay": 0.5,
    "lr_cycle_limit": 1, "lr_k_decay": 1.0, "warmup_lr": 1e-5, "min_lr": 0, "epochs": 300,
    "decay_milestones": [90, 180, 270], "decay_epochs": 90, "warmup_epochs": 5,
    "warmup_prefix": False, "cooldown_epochs": 0, "patience_epochs": 10, "decay_rate": 0.1,
    "batch_size": 128, "grad_accum_steps": 1, "opt": "sgd",
}


def train_py_series(config: dict[str, Any], updates_per_epoch: int,
                    classes: Any = None) -> tuple[list[float], int, str]:
    """The LR per epoch (per update with sched_on_updates) of timm's train.py."""
    args = types.SimpleNamespace(**{**TRAIN_DEFAULTS, **config})  # parser.set_defaults(**cfg)
    args.world_size = 1
    if not args.lr:
        global_batch_size = args.batch_size * args.world_size * args.grad_accum_steps
        batch_ratio = global_batch_size / args.lr_base_size
        if not args.lr_base_scale:
            on = args.opt.lower()
            args.lr_base_scale = "sqrt" if any(o in on for o in ("ada", "lamb")) else "linear"
        if args.lr_base_scale == "sqrt":
            batch_ratio = batch_ratio ** 0.5
        args.lr = args.lr_base * batch_ratio
    optimizer = (classes.make_optimizer(args.lr) if classes is not None
                 else FakeOptimizer(args.lr))
    if classes is None:
        lr_scheduler, num_epochs = create_scheduler_v2(
            optimizer, **scheduler_kwargs(args), updates_per_epoch=updates_per_epoch)
    else:  # the real timm factory and classes
        lr_scheduler, num_epochs = classes.create_scheduler_v2(
            optimizer, **classes.scheduler_kwargs(args), updates_per_epoch=updates_per_epoch)
    per_update = bool(args.sched_on_updates)
    lrs: list[float] = []
    num_updates = 0
    for epoch in range(num_epochs):
        if not per_update:
            lrs.append(float(optimizer.param_groups[0]["lr"]))
        for _ in range(updates_per_epoch):  # train_one_epoch
            if per_update:
                lrs.append(float(optimizer.param_groups[0]["lr"]))
            num_updates += 1
            if lr_scheduler is not None:
                lr_scheduler.step_update(num_updates=num_updates, metric=None)
        if lr_scheduler is not None:
            lr_scheduler.step(epoch + 1, None)
    return lrs, num_epochs, "step" if per_update else "epoch"


# --- Swin-Transformer with timm 0.4.12 --------------------------------------------------------


class Timm04CosineLRScheduler(Scheduler):
    """timm 0.4.x cosine_lr.py (t_mul, decay_rate, cycle_limit 0 = unlimited)."""

    def __init__(self, optimizer: FakeOptimizer, t_initial: int, t_mul: float = 1.,
                 lr_min: float = 0., decay_rate: float = 1., warmup_t: int = 0,
                 warmup_lr_init: float = 0, warmup_prefix: bool = False, cycle_limit: int = 0,
                 t_in_epochs: bool = True) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        self.t_initial = t_initial
        self.t_mul = t_mul
        self.lr_min = lr_min
        self.decay_rate = decay_rate
        self.cycle_limit = cycle_limit
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.warmup_prefix = warmup_prefix
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        if self.warmup_prefix:
            t = t - self.warmup_t
        if self.t_mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.t_mul), self.t_mul))
            t_i = self.t_mul ** i * self.t_initial
            t_curr = t - (1 - self.t_mul ** i) / (1 - self.t_mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        gamma = self.decay_rate ** i
        lr_min = self.lr_min * gamma
        lr_max_values = [v * gamma for v in self.base_values]
        if self.cycle_limit == 0 or (self.cycle_limit > 0 and i < self.cycle_limit):
            return [lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr / t_i))
                    for lr_max in lr_max_values]
        return [self.lr_min for _ in self.base_values]


class Timm04StepLRScheduler(Scheduler):
    """timm 0.4.x step_lr.py: no warmup_prefix, t is not shifted after the warmup."""

    def __init__(self, optimizer: FakeOptimizer, decay_t: float, decay_rate: float = 1.,
                 warmup_t: int = 0, warmup_lr_init: float = 0, t_in_epochs: bool = True) -> None:
        super().__init__(optimizer, param_group_field="lr", t_in_epochs=t_in_epochs)
        self.decay_t = decay_t
        self.decay_rate = decay_rate
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        return [v * (self.decay_rate ** (t // self.decay_t)) for v in self.base_values]


class SwinLinearLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, t_initial: int, lr_min_rate: float,
                 warmup_t: int = 0, warmup_lr_init: float = 0.0,
                 t_in_epochs: bool = True) -> None:
        super().__init__(optimizer, param_group_field="lr")
        self.t_initial = t_initial
        self.lr_min_rate = lr_min_rate
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.t_in_epochs = t_in_epochs
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        t = t - self.warmup_t
        total_t = self.t_initial - self.warmup_t
        return [v - ((v - v * self.lr_min_rate) * (t / total_t)) for v in self.base_values]


class SwinMultiStepLRScheduler(Scheduler):
    def __init__(self, optimizer: FakeOptimizer, milestones: list[int], gamma: float = 0.1,
                 warmup_t: int = 0, warmup_lr_init: float = 0,
                 t_in_epochs: bool = True) -> None:
        super().__init__(optimizer, param_group_field="lr")
        self.milestones = milestones
        self.gamma = gamma
        self.warmup_t = warmup_t
        self.warmup_lr_init = warmup_lr_init
        self.t_in_epochs = t_in_epochs
        if self.warmup_t:
            self.warmup_steps = [(v - warmup_lr_init) / self.warmup_t for v in self.base_values]
            super().update_groups(self.warmup_lr_init)
        else:
            self.warmup_steps = [1 for _ in self.base_values]
        assert self.warmup_t <= min(self.milestones)

    def _get_lr(self, t: float) -> list[float]:
        if t < self.warmup_t:
            return [self.warmup_lr_init + t * s for s in self.warmup_steps]
        return [v * (self.gamma ** bisect.bisect_right(self.milestones, t))
                for v in self.base_values]


SWIN_TRAIN = {"EPOCHS": 300, "WARMUP_EPOCHS": 20, "BASE_LR": 5e-4, "WARMUP_LR": 5e-7,
              "MIN_LR": 5e-6}
SWIN_SCHED = {"NAME": "cosine", "DECAY_EPOCHS": 30, "DECAY_RATE": 0.1, "WARMUP_PREFIX": True,
              "GAMMA": 0.1, "MULTISTEPS": []}


def swin_series(config: dict[str, Any], n_iter_per_epoch: int) -> list[float]:
    """The LR of every update of Swin's main.py train loop (ACCUMULATION_STEPS 1)."""
    train = {**SWIN_TRAIN, **config.get("TRAIN", {})}
    sched = {**SWIN_SCHED, **config.get("TRAIN", {}).get("LR_SCHEDULER", {})}
    optimizer = FakeOptimizer(train["BASE_LR"])
    # lr_scheduler.py build_scheduler
    num_steps = int(train["EPOCHS"] * n_iter_per_epoch)
    warmup_steps = int(train["WARMUP_EPOCHS"] * n_iter_per_epoch)
    decay_steps = int(sched["DECAY_EPOCHS"] * n_iter_per_epoch)
    multi_steps = [i * n_iter_per_epoch for i in sched["MULTISTEPS"]]
    lr_scheduler: Scheduler
    if sched["NAME"] == "cosine":
        lr_scheduler = Timm04CosineLRScheduler(
            optimizer,
            t_initial=(num_steps - warmup_steps) if sched["WARMUP_PREFIX"] else num_steps,
            t_mul=1.0, lr_min=train["MIN_LR"], warmup_lr_init=train["WARMUP_LR"],
            warmup_t=warmup_steps, cycle_limit=1, t_in_epochs=False,
            warmup_prefix=sched["WARMUP_PREFIX"])
    elif sched["NAME"] == "linear":
        lr_scheduler = SwinLinearLRScheduler(optimizer, t_initial=num_steps, lr_min_rate=0.01,
                                             warmup_lr_init=train["WARMUP_LR"],
                                             warmup_t=warmup_steps, t_in_epochs=False)
    elif sched["NAME"] == "step":
        lr_scheduler = Timm04StepLRScheduler(optimizer, decay_t=decay_steps,
                                             decay_rate=sched["DECAY_RATE"],
                                             warmup_lr_init=train["WARMUP_LR"],
                                             warmup_t=warmup_steps, t_in_epochs=False)
    else:
        lr_scheduler = SwinMultiStepLRScheduler(optimizer, milestones=multi_steps,
                                                gamma=sched["GAMMA"],
                                                warmup_lr_init=train["WARMUP_LR"],
                                                warmup_t=warmup_steps, t_in_epochs=False)
    lrs: list[float] = []
    for epoch in range(int(train["EPOCHS"])):
        num_steps_loader = n_iter_per_epoch  # len(data_loader)
        for idx in range(num_steps_loader):
            lrs.append(optimizer.param_groups[0]["lr"])
            # optimizer.step() ... then:
            lr_scheduler.step_update((epoch * num_steps_loader + idx) // 1)
    return lrs


# --- the cases --------------------------------------------------------------------------------

MAMBAVISION = {  # NVlabs/MambaVision mambavision_tiny_1k.yaml (the corpus file), LR keys
    "sched": "cosine", "lr": 0.005, "epochs": 310, "warmup_epochs": 20, "warmup_lr": 1.0e-06,
    "min_lr": 5.0e-06, "cooldown_epochs": 10, "decay_epochs": 100, "decay_milestones": [30, 60],
    "decay_rate": 0.1, "lr_cycle_decay": 1.0, "lr_cycle_limit": 1, "lr_cycle_mul": 1.0,
    "lr_k_decay": 1.0, "opt": "lamb", "batch_size": 128,
}

TIMM_CASES: dict[str, tuple[dict[str, Any], int]] = {  # name -> (train.py args, updates/epoch)
    "cosine_mambavision": (MAMBAVISION, 1),
    "cosine_defaults": ({"sched": "cosine", "lr": 0.1}, 1),
    "cosine_prefix_cycles_k": ({"sched": "cosine", "lr": 0.05, "epochs": 20, "warmup_epochs": 3,
                                "warmup_lr": 0.0, "warmup_prefix": True, "lr_cycle_limit": 3,
                                "lr_cycle_mul": 2.0, "lr_cycle_decay": 0.5, "lr_k_decay": 1.5,
                                "min_lr": 1e-4}, 1),
    "cosine_no_warmup": ({"sched": "cosine", "lr": 0.01, "epochs": 50, "warmup_epochs": 0,
                          "min_lr": 1e-5, "cooldown_epochs": 5}, 1),
    "cosine_on_updates": ({"sched": "cosine", "lr": 3e-3, "epochs": 12, "warmup_epochs": 2,
                           "warmup_lr": 1e-6, "min_lr": 1e-5, "cooldown_epochs": 1,
                           "sched_on_updates": True}, 7),
    "cosine_lr_from_lr_base": ({"sched": "cosine", "lr": None, "lr_base": 5e-4,
                                "batch_size": 64, "grad_accum_steps": 2, "opt": "adamw",
                                "epochs": 30}, 1),
    "tanh": ({"sched": "tanh", "lr": 0.1, "epochs": 40, "warmup_epochs": 5, "warmup_lr": 1e-4,
              "min_lr": 1e-6}, 1),
    "tanh_prefix_cycles": ({"sched": "tanh", "lr": 0.2, "epochs": 10, "warmup_epochs": 2,
                            "warmup_prefix": True, "lr_cycle_limit": 2, "lr_cycle_mul": 1.5,
                            "lr_cycle_decay": 0.5, "cooldown_epochs": 3}, 1),
    "step": ({"sched": "step", "lr": 0.1, "epochs": 40, "warmup_epochs": 3, "warmup_lr": 1e-3,
              "decay_epochs": 7, "decay_rate": 0.5}, 1),
    "step_prefix_float_decay": ({"sched": "step", "lr": 0.1, "epochs": 20, "warmup_epochs": 2,
                                 "warmup_prefix": True, "decay_epochs": 2.4,
                                 "decay_rate": 0.8}, 1),
    "multistep": ({"sched": "multistep", "lr": 0.4, "epochs": 30, "warmup_epochs": 4,
                   "warmup_lr": 0.0, "decay_milestones": [10, 20, 25], "decay_rate": 0.3}, 1),
    "multistep_on_updates_prefix": ({"sched": "multistep", "lr": 0.4, "epochs": 6,
                                     "warmup_epochs": 1, "warmup_prefix": True,
                                     "decay_milestones": [2, 4], "decay_rate": 0.5,
                                     "sched_on_updates": True}, 5),
    "poly": ({"sched": "poly", "lr": 0.02, "epochs": 60, "warmup_epochs": 5, "min_lr": 1e-5,
              "decay_rate": 0.9, "lr_k_decay": 0.8}, 1),
    "poly_default_power": ({"sched": "poly", "lr": 0.02, "epochs": 25, "warmup_epochs": 0}, 1),
    "plateau": ({"sched": "plateau", "lr": 0.01, "epochs": 20, "warmup_epochs": 5,
                 "warmup_lr": 1e-4}, 1),
    "constant": ({"sched": "constant", "lr": 0.01, "epochs": 15, "warmup_epochs": 4}, 1),
    "none": ({"sched": "none", "lr": 0.01, "epochs": 5, "warmup_epochs": 2}, 1),
}

SWIN_CASES: dict[str, tuple[dict[str, Any], int]] = {  # name -> (yacs config, n_iter_per_epoch)
    # microsoft/Swin-Transformer swin_base_patch4_window12_384_finetune.yaml (the corpus file)
    "swin_cosine_finetune": ({"TRAIN": {"EPOCHS": 30, "WARMUP_EPOCHS": 5, "BASE_LR": 2e-05,
                                        "WARMUP_LR": 2e-08, "MIN_LR": 2e-07}}, 4),
    "swin_cosine_finetune_per_epoch": ({"TRAIN": {"EPOCHS": 30, "WARMUP_EPOCHS": 5,
                                                  "BASE_LR": 2e-05, "WARMUP_LR": 2e-08,
                                                  "MIN_LR": 2e-07}}, 1),
    "swin_cosine_no_prefix": ({"TRAIN": {"EPOCHS": 12, "WARMUP_EPOCHS": 2, "BASE_LR": 1e-3,
                                         "WARMUP_LR": 0.0, "MIN_LR": 1e-5,
                                         "LR_SCHEDULER": {"WARMUP_PREFIX": False}}}, 5),
    "swin_linear": ({"TRAIN": {"EPOCHS": 10, "WARMUP_EPOCHS": 2, "BASE_LR": 1e-3,
                               "WARMUP_LR": 1e-6, "LR_SCHEDULER": {"NAME": "linear"}}}, 6),
    "swin_step": ({"TRAIN": {"EPOCHS": 10, "WARMUP_EPOCHS": 1, "BASE_LR": 1e-3,
                             "WARMUP_LR": 1e-6, "LR_SCHEDULER": {"NAME": "step",
                                                                 "DECAY_EPOCHS": 3,
                                                                 "DECAY_RATE": 0.5}}}, 4),
    "swin_multistep": ({"TRAIN": {"EPOCHS": 12, "WARMUP_EPOCHS": 2, "BASE_LR": 1e-3,
                                  "WARMUP_LR": 1e-6,
                                  "LR_SCHEDULER": {"NAME": "multistep", "MULTISTEPS": [5, 9],
                                                   "GAMMA": 0.2}}}, 3),
}


def documents() -> dict[str, str]:
    files = {}
    for name, (config, updates) in TIMM_CASES.items():
        lrs, num_epochs, unit = train_py_series(config, updates)
        payload = {"source": SOURCE, "kind": "train.py", "config": config,
                   "updates_per_epoch": updates, "unit": unit, "num_epochs": num_epochs,
                   "lrs": lrs}
        files[f"timm_{name}.json"] = golden_json(payload)
    for name, (config, n_iter) in SWIN_CASES.items():
        payload = {"source": SOURCE, "kind": "swin", "config": config,
                   "updates_per_epoch": n_iter, "unit": "step", "lrs": swin_series(config, n_iter)}
        files[f"timm_{name}.json"] = golden_json(payload)
    return files


def real_timm(directory: Path) -> Any:
    """The scheduler classes of an unpacked timm wheel, imported without timm/__init__.py (which
    pulls in torchvision): only timm/scheduler/*.py is executed, and it needs just torch."""
    import torch

    package = types.ModuleType("timm")
    package.__path__ = [str(directory / "timm")]
    sys.modules.setdefault("timm", package)
    import timm.scheduler as scheduler  # type: ignore[import-not-found]

    def make_optimizer(lr: float) -> Any:
        return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)

    scheduler.make_optimizer = make_optimizer
    return scheduler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--real", type=Path, help="an unpacked timm wheel to compare with")
    args = parser.parse_args(argv)
    status = 0
    docs = documents()
    if args.real:
        classes = real_timm(args.real)
        for name, (config, updates) in TIMM_CASES.items():
            real, _, _ = train_py_series(config, updates, classes=classes)
            ours = json.loads(docs[f"timm_{name}.json"])["lrs"]
            if real != ours:
                print(f"{name}: the transcription differs from the real timm", file=sys.stderr)
                status = 1
    return max(status, write_documents(docs, args.check))


if __name__ == "__main__":
    raise SystemExit(main())
