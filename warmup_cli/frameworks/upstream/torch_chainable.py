"""torch 2.13.0's chainable LR schedulers (pytorch/pytorch ``torch/optim/lr_scheduler.py``)
transcribed to plain Python floats, so that ``lint`` computes a torch scheduler's LRs without
importing torch.

The transcription keeps torch's structure on purpose: the same class names and constructor
signatures (so a wrong or missing keyword gets Python's own message, word for word), the same
validation with torch's messages, the same ``_initial_step`` / ``step`` / ``_update_lr`` flow
with ``last_epoch``, ``_step_count`` and ``_is_initial``, and each ``get_lr`` computing the next
LR from the previous one in torch's order of operations (an ulp apart is a bug:
tests/test_torch_chainable.py steps the real classes beside these with ``==``). The optimizer is
a one-group stand-in for the one-parameter ``SGD`` that :mod:`.torch_lr_scheduler` builds
(``torch/optim/sgd.py``: its lr check and its ``momentum`` default, which CyclicLR and
OneCycleLR's ``cycle_momentum`` look for). Tensor LRs and several parameter groups are not
transcribed: the callers only ever build one float group.

:class:`ChainableScheduler` has the shape of :class:`.torch_lr_scheduler.SteppedScheduler`
(``extend`` / ``lr`` / ``simulated`` / ``failure`` / ``limit``); :func:`stepped_scheduler` is the
one function readers call: the transcription when it covers the call, else torch's real class.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    SCHEDULER_CLASSES,
    SchedulerCall,
    StepFailure,
    SteppedLRs,
    SteppedScheduler,
    construct,
)
from warmup_cli.schedule import Origin

Group = dict[str, Any]


class Optimizer:
    """The one param group of ``torch.optim.SGD([param], lr=lr)`` (torch/optim/sgd.py
    ``SGD.__init__``: ``lr < 0.0`` is refused; ``momentum`` defaults to 0)."""

    def __init__(self, lr: float) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        self.defaults: Group = {"lr": lr, "momentum": 0, "dampening": 0, "weight_decay": 0,
                                "nesterov": False}
        self.param_groups: list[Group] = [dict(self.defaults)]


def _format_param(name: str, optimizer: Optimizer, param: Any) -> list[Any]:
    """lr_scheduler.py ``_format_param``."""
    if isinstance(param, list | tuple):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has "
                f"{len(optimizer.param_groups)}.")
    else:
        param = [param] * len(optimizer.param_groups)
    return list(param)


def _lrs(optimizer: Optimizer) -> list[Any]:
    """lr_scheduler.py ``_param_groups_val_list(optimizer, "lr")``."""
    return [group["lr"] for group in optimizer.param_groups]


class LRScheduler:
    """lr_scheduler.py ``LRScheduler``: ``__init__``, ``_initial_step``, ``step``,
    ``_update_lr``."""

    _is_initial = False
    _closed_form = False  # whether torch's class defines _get_closed_form_lr

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when "
                        "resuming scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run (not "
                        "recommended)")
        self.base_lrs: list[Any] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[Any]:
        raise NotImplementedError

    def _get_closed_form_lr(self) -> list[Any]:
        raise NotImplementedError

    def step(self) -> None:
        self._step_count += 1
        self._update_lr()

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            values = self._get_closed_form_lr() if self._closed_form else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)

    def get_last_lr(self) -> list[Any]:
        return self._last_lr


def _lambdas(optimizer: Optimizer, lr_lambda: Any) -> list[Any]:
    """LambdaLR / MultiplicativeLR ``__init__``: one factor function per group."""
    if not isinstance(lr_lambda, list) and not isinstance(lr_lambda, tuple):
        return [lr_lambda] * len(optimizer.param_groups)
    if len(lr_lambda) != len(optimizer.param_groups):
        raise ValueError(
            f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}")
    return list(lr_lambda)


class LambdaLR(LRScheduler):
    """``LambdaLR.get_lr``: ``base_lr * lmbda(last_epoch)`` (not chainable)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        return [base_lr * lmbda(self.last_epoch)
                for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]


class MultiplicativeLR(LRScheduler):
    """``MultiplicativeLR.get_lr``: ``group["lr"] * lmbda(last_epoch)``."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        for function in self.lr_lambdas:
            if not callable(function):
                raise TypeError(
                    f"lr_lambda should be a function, but got {type(function).__name__}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if not self._is_initial:
            return [group["lr"] * lmbda(self.last_epoch)
                    for lmbda, group in zip(self.lr_lambdas, self.optimizer.param_groups,
                                            strict=True)]
        return _lrs(self.optimizer)


class StepLR(LRScheduler):
    """``StepLR.get_lr`` / ``_get_closed_form_lr``."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if (self.last_epoch == 0) or (self.last_epoch % self.step_size != 0):
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``MultiStepLR.get_lr`` (milestones as a Counter: a repeated one multiplies by gamma**n)
    / ``_get_closed_form_lr``."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if self.last_epoch not in self.milestones:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """``ConstantLR.get_lr`` / ``_get_closed_form_lr``."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _lrs(self.optimizer)
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters)
                           * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """``LinearLR.get_lr`` (the ratio of consecutive factors) / ``_get_closed_form_lr``."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 "
                             "and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        return [group["lr"] * (1.0 + (self.end_factor - self.start_factor)
                               / (self.total_iters * self.start_factor
                                  + (self.last_epoch - 1) * (self.end_factor
                                                             - self.start_factor)))
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``ExponentialLR.get_lr`` / ``_get_closed_form_lr``."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if self._is_initial:
            return _lrs(self.optimizer)
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """``PolynomialLR.get_lr`` (the ratio of consecutive factors, to the power) /
    ``_get_closed_form_lr``."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return _lrs(self.optimizer)
        decay_factor = ((1.0 - self.last_epoch / self.total_iters)
                        / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay_factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch)
                           / self.total_iters) ** self.power
                for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """``CosineAnnealingLR.get_lr``: torch's recursive form (each LR from the previous one),
    not the closed form, which ``_get_closed_form_lr`` keeps for SequentialLR's milestones."""

    _closed_form = True

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        groups = self.optimizer.param_groups
        if self._is_initial:
            return _lrs(self.optimizer)
        if self._step_count == 1 and self.last_epoch > 0:
            return [self.eta_min + (base_lr - self.eta_min)
                    * (1 + math.cos((self.last_epoch) * math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [group["lr"] + (base_lr - self.eta_min)
                    * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
                * (group["lr"] - self.eta_min) + self.eta_min
                for group in groups]

    def _get_closed_form_lr(self) -> list[Any]:
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """``CosineAnnealingWarmRestarts.get_lr`` and its own ``step`` (``T_cur``/``T_i``)."""

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1,
                 eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, float | int):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[Any]:
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:  # torch's step(epoch) branch; only _initial_step gets here, with epoch 0 < T_0
            self.T_i = self.T_0
            self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = _lrs(self.optimizer)


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")


class CyclicLR(LRScheduler):
    """``CyclicLR.__init__`` / ``_init_scale_fn`` / ``get_lr`` (the momentum it cycles on the
    SGD group is kept, as torch writes it there)."""

    def __init__(self, optimizer: Optimizer, base_lr: Any, max_lr: Any,
                 step_size_up: int = 2000, step_size_down: int | None = None,
                 mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float = 0.8,
                 max_momentum: float = 0.9, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        base_lrs = _format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = _format_param("max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in _CYCLIC_MODES and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode, self.gamma, self.scale_mode = mode, gamma, scale_mode
        self._scale_fn_custom = scale_fn
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._init_momentum(base_momentum, max_momentum, last_epoch)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_momentum(self, base_momentum: Any, max_momentum: Any, last_epoch: int) -> None:
        optimizer = self.optimizer
        # SGD's defaults hold "momentum", so torch's "optimizer must support momentum" error
        # cannot happen here; use_beta1 is False
        self.base_momentums = _format_param("base_momentum", optimizer, base_momentum)
        self.max_momentums = _format_param("max_momentum", optimizer, max_momentum)
        if last_epoch == -1:
            for m_momentum, b_momentum, group in zip(self.max_momentums, self.base_momentums,
                                                     optimizer.param_groups, strict=True):
                group["momentum"] = m_momentum
                group["max_momentum"] = m_momentum
                group["base_momentum"] = b_momentum

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode in ("triangular", "triangular2"):
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":  # CyclicLR._triangular_scale_fn
            return 1.0
        if self.mode == "triangular2":  # CyclicLR._triangular2_scale_fn
            halved: float = 1 / (2.0 ** (x - 1))
            return halved
        result: float = self.gamma**x  # CyclicLR._exp_range_scale_fn
        return result

    def get_lr(self) -> list[Any]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = []
        for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True):
            base_height = (max_lr - base_lr) * scale_factor
            lrs.append(base_lr + base_height * self.scale_fn(at))
        if self.cycle_momentum:
            for group, base_momentum, max_momentum in zip(
                    self.optimizer.param_groups, self.base_momentums, self.max_momentums,
                    strict=True):
                base_height = (max_momentum - base_momentum) * scale_factor
                group["momentum"] = max_momentum - base_height * self.scale_fn(at)
        return lrs


def _one_cycle_phases(total_steps: int, pct_start: float, three_phase: bool
                      ) -> list[dict[str, Any]]:
    """``OneCycleLR.__init__``'s ``_schedule_phases``."""
    if three_phase:
        return [
            {"end_step": float(pct_start * total_steps) - 1, "start_lr": "initial_lr",
             "end_lr": "max_lr", "start_momentum": "max_momentum",
             "end_momentum": "base_momentum"},
            {"end_step": float(2 * pct_start * total_steps) - 2, "start_lr": "max_lr",
             "end_lr": "initial_lr", "start_momentum": "base_momentum",
             "end_momentum": "max_momentum"},
            {"end_step": total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
             "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
        ]
    return [
        {"end_step": float(pct_start * total_steps) - 1, "start_lr": "initial_lr",
         "end_lr": "max_lr", "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
        {"end_step": total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
         "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
    ]


def _total_steps(total_steps: Any, epochs: Any, steps_per_epoch: Any) -> int:
    """``OneCycleLR.__init__``'s validation of the run length."""
    if total_steps is not None:
        if total_steps <= 0 or not isinstance(total_steps, int):
            raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
        return total_steps
    if epochs is not None and steps_per_epoch is not None:
        if not isinstance(epochs, int) or epochs <= 0:
            raise ValueError(f"Expected positive integer epochs, but got {epochs}")
        if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
            raise ValueError(
                f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
        return epochs * steps_per_epoch
    raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")


class OneCycleLR(LRScheduler):
    """``OneCycleLR.__init__`` / ``_annealing_cos`` / ``_annealing_linear`` / ``get_lr``
    (with its "Tried to step" error past ``total_steps``)."""

    def __init__(self, optimizer: Optimizer, max_lr: Any, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum: Any = 0.85,
                 max_momentum: Any = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        self._schedule_phases = _one_cycle_phases(self.total_steps, pct_start, three_phase)
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = _format_param("max_lr", self.optimizer, max_lr)
        if last_epoch == -1:
            for idx, group in enumerate(self.optimizer.param_groups):
                group["initial_lr"] = max_lrs[idx] / div_factor
                group["max_lr"] = max_lrs[idx]
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if self.cycle_momentum:  # SGD: "momentum" is in its defaults, use_beta1 is False
            max_momentums = _format_param("max_momentum", optimizer, max_momentum)
            base_momentums = _format_param("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                        max_momentums, base_momentums, optimizer.param_groups, strict=True):
                    group["momentum"] = m_momentum
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        super().__init__(optimizer, last_epoch)

    def _anneal_func(self, start: Any, end: Any, pct: float) -> Any:
        if self._anneal_func_type == "cos":  # OneCycleLR._annealing_cos
            cos_out = math.cos(math.pi * pct) + 1
            return end + (start - end) / 2.0 * cos_out
        return (end - start) * pct + start  # OneCycleLR._annealing_linear

    def get_lr(self) -> list[Any]:
        lrs = []
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total "
                             f"steps is {self.total_steps}")
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal_func(group[phase["start_lr"]],
                                                 group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        group["momentum"] = self._anneal_func(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
        return lrs


def _check_children(owner: str, optimizer: Optimizer, schedulers: Sequence[Any]) -> None:
    """SequentialLR / ChainedScheduler ``__init__``'s checks of their schedulers."""
    for scheduler_idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {scheduler_idx} should have `optimizer` as its "
                            "attribute.")
        if optimizer != scheduler.optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {scheduler.__class__.__name__} at index {scheduler_idx} has "
                f"{scheduler.optimizer}, which is different from "
                f"{optimizer.__class__.__name__}.")


class SequentialLR(LRScheduler):
    """``SequentialLR.__init__`` (the LR reset to ``initial_lr``, ``recursive_undo``, the
    first scheduler's ``_initial_step`` again) and ``step`` (a later scheduler starts at its
    milestone with ``_update_lr(0)``: its closed form where torch has one)."""

    def __init__(self, optimizer: Optimizer, schedulers: list[Any], milestones: list[int],
                 last_epoch: int = -1) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{self.__class__.__name__} expects at least one scheduler, but "
                             "got no scheduler.")
        _check_children(self.__class__.__name__, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                "than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to "
                f"{len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in self.optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Any = None) -> None:
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(LRScheduler):
    """``ChainedScheduler.__init__`` / ``step``: every scheduler steps, in order, on the same
    group LR."""

    def __init__(self, schedulers: Sequence[Any], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{self.__class__.__name__} expects at least one scheduler to be "
                             "chained, but got no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        assert optimizer is not None
        _check_children(self.__class__.__name__, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = _lrs(self._schedulers[-1].optimizer)

    def step(self) -> None:
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _lrs(self._schedulers[-1].optimizer)


CLASSES: dict[str, type[LRScheduler]] = {cls.__name__: cls for cls in (
    LambdaLR, MultiplicativeLR, StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR,
    PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR,
    SequentialLR, ChainedScheduler)}


def transcribed(call: SchedulerCall) -> bool:
    """Whether this module reproduces ``call`` and all its children."""
    return call.name in CLASSES and all(transcribed(child) for child in call.schedulers or ())


def build(call: SchedulerCall, optimizer: Optimizer) -> LRScheduler:
    """The transcribed scheduler over ``optimizer``, children built first and in order (as a
    caller builds them for SequentialLR/ChainedScheduler, each one's ``_initial_step`` acting
    on the shared group); raises UnknownScheduler/TorchRejected as
    :func:`.torch_lr_scheduler.build_scheduler` does, with torch's messages."""
    built: LRScheduler = construct(call, optimizer, CLASSES.get)
    return built


class ChainableScheduler(SteppedLRs):
    """:class:`.torch_lr_scheduler.SteppedScheduler` without torch: the transcribed ``call``
    over a one-group SGD stand-in at ``base_lr``, stepped on demand up to ``limit`` steps;
    ``lrs[k]`` is the LR of step k. Raises BuildError when torch would refuse ``call``."""

    def __init__(self, call: SchedulerCall, base_lr: float, limit: int) -> None:
        self.limit = limit
        self.failure: StepFailure | None = None
        self.optimizer = Optimizer(base_lr)
        self.scheduler = build(call, self.optimizer)
        self.lrs = [float(self.optimizer.param_groups[0]["lr"])]

    def extend(self, count: int) -> StepFailure | None:
        """Steps until ``count`` LRs (at most ``limit``) are known; the failure, if torch
        would raise (then, and for good, no more steps are taken)."""
        target = min(count, self.limit)
        if len(self.lrs) >= target or self.failure is not None:
            return self.failure
        step, group = self.scheduler.step, self.optimizer.param_groups[0]
        lrs = self.lrs
        while len(lrs) < target:
            try:
                step()
            except Exception as exc:  # what torch raises there, reported to the caller
                self.failure = StepFailure(len(lrs), f"{type(exc).__name__}: {exc}")
                return self.failure
            lrs.append(float(group["lr"]))
        return None


Stepped = ChainableScheduler | SteppedScheduler


def stepped_scheduler(call: SchedulerCall, base_lr: float, limit: int) -> Stepped:
    """The one function readers call for a torch scheduler's LRs: the transcription when it
    covers ``call`` (no torch import), else torch's real class stepped
    (:class:`.torch_lr_scheduler.SteppedScheduler`, e.g. ReduceLROnPlateau). Both raise
    BuildError on a refused call and report a stepping error as ``failure``."""
    if _real_only(call):
        return SteppedScheduler(call, base_lr, limit)
    return ChainableScheduler(call, base_lr, limit)  # an unknown class: UnknownScheduler


def _real_only(call: SchedulerCall) -> bool:
    """Whether ``call`` holds a torch class this module does not transcribe."""
    return (call.name in SCHEDULER_CLASSES and call.name not in CLASSES) or any(
        _real_only(child) for child in call.schedulers or ())


def real_lrs(call: SchedulerCall, base_lr: float) -> Callable[[int], list[float]]:
    """``Origin.real`` for a plan computed by :func:`stepped_scheduler`: the first ``n`` LRs of
    torch's real class, stepped (torch imported only when called)."""
    def lrs(count: int) -> list[float]:
        run = SteppedScheduler(call, base_lr, count)
        run.extend(count)
        return run.lrs[:count]
    return lrs


# The ``lr`` defaults of torch 2.13.0's optimizers (torch/optim/*.py, each ``__init__``), for a
# config naming an optimizer without an lr; tests/test_torch_chainable.py reads them from torch.
OPTIMIZER_LR_DEFAULTS: dict[str, float | int] = {
    "ASGD": 0.01, "Adadelta": 1.0, "Adafactor": 0.01, "Adagrad": 0.01, "Adam": 0.001,
    "AdamW": 0.001, "Adamax": 0.002, "LBFGS": 1, "Muon": 0.001, "NAdam": 0.002,
    "RAdam": 0.001, "RMSprop": 0.01, "Rprop": 0.01, "SGD": 0.001, "SparseAdam": 0.001,
}


TORCH_VERIFIED = "torch 2.13.0"  # what tests/test_torch_chainable.py steps beside it


def scheduler_origin(run: Stepped, call: SchedulerCall, base_lr: float, what: str,
                     cites: str) -> Origin:
    """The ``Origin`` of a plan whose LRs are ``run``'s: for the transcription, torch's real
    class stepped is ``real`` (``show`` checks the plan against it where torch is installed);
    for torch's real class itself, nothing more to check."""
    if isinstance(run, ChainableScheduler):
        return Origin(what, cites, verified=TORCH_VERIFIED, torch_class=call.name,
                      real=real_lrs(call, base_lr))
    return Origin(what, cites, torch_class=call.name)
