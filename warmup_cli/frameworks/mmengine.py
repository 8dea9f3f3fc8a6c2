"""MMEngine ``param_scheduler`` lists (and legacy mmcv ``lr_config``) read from the Document.

Nothing is executed: the config is read through :func:`warmup_cli.configs.document.load_document`
(Python configs with ``ast`` only), and values that are expressions, ``_base_`` references or
runtime conditionals stay unresolved with the Document's reason.

MMEngine's LR schedulers are *chainable*: each ``_get_value`` multiplies (or, for
QuadraticWarmupLR, adds to) the LR currently in the optimizer, and every scheduler steps on its
own counter inside ``[begin, end)``. The reader reproduces that recursion step by step, in the
runner's order, so the floats agree with MMEngine's (mmengine/optim/scheduler/param_scheduler.py
0.10.7, mmdet/engine/schedulers/quadratic_warmup.py):

* every scheduler is built in list order and steps once when built (``_ParamScheduler.__init__``
  ends with ``self.step()``), so the LR of the first update already includes LinearLR's
  ``start_factor``;
* after every training iteration ``ParamSchedulerHook.after_train_iter`` steps the iteration
  based schedulers, in list order, and after every epoch ``after_train_epoch`` steps the epoch
  based ones (mmengine/hooks/param_scheduler_hook.py);
* ``convert_to_iter_based=True`` rebuilds an epoch-based scheduler with ``begin``/``end`` (and
  ``T_max``, ``milestones``, ``step_size``, ``periods``) times the epoch length
  (``build_iter_from_epoch``); a missing ``end`` defaults to ``train_cfg.max_epochs`` (epoch
  based) or ``max_iters`` (mmengine/runner/runner.py ``_build_param_scheduler``).

An iteration-level plan of a config that mixes per-iteration and per-epoch schedulers needs the
number of iterations per epoch (``len(train_dataloader)``), which no config holds: pass
``RunFacts(updates_per_epoch=...)`` to :func:`read`, otherwise the schedule is unresolved and
described in epochs.

Checks (framework-aware findings, located at the responsible key):

======  ===========================  ========================================================
code    name                         when
======  ===========================  ========================================================
WU301   warmup-longer-than-run       a warmup scheduler ends after ``max_epochs``/``max_iters``
WU302   zero-lr-first-update         ``start_factor=0`` (LinearLR; MMEngine then divides by
                                     zero at the second step) or a ConstantLR ``factor`` 0;
                                     updates at LR 0 counted over the warmup: error >= 25 %,
                                     warning >= 1 %, else note
WU305   conflicting-run-lengths      ``train_cfg`` sets both ``max_epochs`` and ``max_iters``
WU306   cosine-period-mismatch       CosineAnnealingLR ``T_max`` differs from ``end - begin``:
                                     cut before ``eta_min`` (T_max longer) or rising again
                                     (T_max shorter)
WU307   decay-never-finishes         a decaying scheduler's ``end`` is past the run
WU308   unresolved-value             reported through ``FrameworkSchedule.unresolved``
                                     (lint: notes); a value MMEngine/mmcv would reject (an
                                     unknown argument, a failed check, an arithmetic error
                                     while stepping) is also a WU308 error finding
WU309   gap-between-phases           a warmup ends before the next scheduler begins, so the
                                     LR stays flat at the base LR in between
======  ===========================  ========================================================
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warmup_cli.configs.document import Unresolved
from warmup_cli.frameworks.kit import (
    Finding,
    FrameworkSchedule,
    Reader,
    mapping_at,
    register,
    zero_lr_finding,
    zero_updates,
)
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

INF = int(1e9)  # mmengine/optim/scheduler/param_scheduler.py: INF
SIMULATION_CAP = 2_000_000  # most steps simulated; past it a still-active schedule fails
EAGER_STEPS = 200_000  # steps simulated while reading, to catch MMEngine's own errors

SUPPORTED = ("LinearLR", "ConstantLR", "CosineAnnealingLR", "MultiStepLR", "StepLR",
             "ExponentialLR", "PolyLR", "QuadraticWarmupLR", "CosineRestartLR")
WARMUPS = ("LinearLR", "ConstantLR", "QuadraticWarmupLR")
# Parameters build_iter_from_epoch multiplies by the epoch length, per scheduler.
_SCALED = {"StepLR": ("step_size",), "MultiStepLR": ("milestones",),
           "CosineAnnealingLR": ("T_max",), "CosineRestartLR": ("periods",)}
# Each scheduler's parameters and MMEngine's defaults (None: required).
_PARAMS: dict[str, dict[str, object]] = {
    "LinearLR": {"start_factor": 1.0 / 3, "end_factor": 1.0},
    "ConstantLR": {"factor": 1.0 / 3},
    "CosineAnnealingLR": {"T_max": None, "eta_min": None, "eta_min_ratio": None},
    "MultiStepLR": {"milestones": None, "gamma": 0.1},
    "StepLR": {"step_size": None, "gamma": 0.1},
    "ExponentialLR": {"gamma": None},
    "PolyLR": {"eta_min": 0, "power": 1.0},
    "QuadraticWarmupLR": {},
    "CosineRestartLR": {"periods": None, "restart_weights": [1], "eta_min": None,
                        "eta_min_ratio": None},
}
_OPTIONAL_NONE = {"T_max", "eta_min", "eta_min_ratio"}


def _unusable(node: Node) -> str | None:
    value = node.value
    if isinstance(value, Unresolved):
        return f"`{value.source}` {value.reason}"
    return None


# --- reading the config ---------------------------------------------------------------------


@dataclass
class _Spec:
    """One entry of param_scheduler, as written (begin/end in the scheduler's own unit)."""

    node: Node
    kind: str
    by_epoch: bool
    convert: bool
    begin: int | float
    end: int | float | None  # None: the train loop's default
    params: dict[str, object]
    end_explicit: bool = True
    known: bool = True  # begin and end resolved (else the structural checks skip it)

    @property
    def in_epochs(self) -> bool:
        """begin/end count epochs (also for a scheduler converted to iterations)."""
        return self.by_epoch

    def get(self, key: str) -> Node | None:
        return self.node.get(key)


@dataclass
class _Config:
    specs: list[_Spec] = field(default_factory=list)
    unresolved: list[tuple[Node, str]] = field(default_factory=list)
    max_epochs: int | None = None
    max_iters: int | None = None
    epoch_loop: bool = True
    lr: float | None = None
    lr_node: Node | None = None
    # Values MMEngine itself would refuse (WU308 errors, beside their unresolved entry).
    rejected: list[Finding] = field(default_factory=list)

    def reject(self, node: Node, why: str) -> None:
        self.unresolved.append((node, why))
        self.rejected.append(Finding(Code.WU308, why, node, Severity.ERROR))


def _value(node: Node, key: str, cfg: _Config) -> object:
    why = _unusable(node)
    if why is not None:
        cfg.unresolved.append((node, f"{key}: {why}"))
        return _MISSING
    value = node.value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, list):
        items = [_value(item, key, cfg) for item in value]
        return _MISSING if any(i is _MISSING for i in items) else items
    number = node.as_number()
    if number is not None:
        return number
    if isinstance(value, str) and node.as_number_list() is not None:
        return node.as_number_list()
    cfg.reject(node, f"{key} is {value!r}, not a number")
    return _MISSING


_MISSING = object()


def _optimizer_lr(root: Node, cfg: _Config) -> None:
    wrapper = mapping_at(root, "optim_wrapper")
    candidates = []
    if wrapper is not None:
        optimizer = wrapper.get("optimizer")
        if optimizer is not None:
            candidates.append(optimizer)
    legacy = root.get("optimizer")
    if legacy is not None:
        candidates.append(legacy)
    for optimizer in candidates:
        why = _unusable(optimizer)
        if why is not None:
            cfg.unresolved.append((optimizer, f"optimizer: {why}"))
            return
        lr = optimizer.get("lr")
        if lr is None:
            continue
        cfg.lr_node = lr
        value = _value(lr, "optimizer lr", cfg)
        if isinstance(value, int | float) and not isinstance(value, bool):
            cfg.lr = float(value)
        return


def _train_loop(root: Node, cfg: _Config, result: FrameworkSchedule) -> None:
    train = root.get("train_cfg")
    runner = root.get("runner")  # mmcv 1.x / legacy configs
    for holder in (train, runner):
        if holder is None or not isinstance(holder.value, dict):
            continue
        epochs = holder.get("max_epochs")
        iters = holder.get("max_iters")
        if epochs is not None:
            value = _value(epochs, "max_epochs", cfg)
            cfg.max_epochs = int(value) if isinstance(value, int | float) else None
        if iters is not None:
            value = _value(iters, "max_iters", cfg)
            cfg.max_iters = int(value) if isinstance(value, int | float) else None
        kind = holder.get("type")
        by_epoch = holder.get("by_epoch")
        if iters is not None and epochs is None:
            cfg.epoch_loop = False
        if kind is not None and isinstance(kind.value, str):
            cfg.epoch_loop = "Iter" not in kind.value
        elif by_epoch is not None and isinstance(by_epoch.value, bool):
            cfg.epoch_loop = by_epoch.value
        if epochs is not None and iters is not None:
            result.findings.append(Finding(
                Code.WU305, "train_cfg sets both max_epochs and max_iters: the loop type decides "
                "which one counts, and the other is ignored", iters))
        return


def _specs(node: Node, cfg: _Config) -> None:
    items = node.value if isinstance(node.value, list) else [node]
    for item in items:
        why = _unusable(item)
        if why is not None:
            cfg.unresolved.append((item, f"param_scheduler entry: {why}"))
            continue
        if not isinstance(item.value, dict):
            cfg.reject(item, "param_scheduler entry is not a dict")
            continue
        kind_node = item.get("type")
        kind = kind_node.value if kind_node is not None else None
        if not isinstance(kind, str):
            cfg.reject(kind_node or item, "param_scheduler entry has no type")
            continue
        short = kind.split(".")[-1]  # "mmdet.QuadraticWarmupLR": a registry scope prefix
        if short not in SUPPORTED:
            cfg.unresolved.append((kind_node or item, f"{kind} is not a scheduler warmup_cli "
                                   f"reproduces ({', '.join(SUPPORTED)})"))
            continue
        values: dict[str, object] = {}
        for key in ("by_epoch", "convert_to_iter_based", "begin", "end",
                    *_PARAMS[short]):
            child = item.get(key)
            if child is not None:
                values[key] = _value(child, key, cfg)
        unknown = sorted(set(item.value) - {"type", "by_epoch", "convert_to_iter_based",
                                            "begin", "end", "last_step", "verbose",
                                            "_scope_", *_PARAMS[short]})
        if unknown:
            # MMEngine's registry passes every key to the class: a TypeError
            cfg.reject(item, f"{short} does not take {', '.join(unknown)}")
        by_epoch = values.get("by_epoch", True)
        convert = values.get("convert_to_iter_based", False)
        begin = values.get("begin", 0)
        end = values.get("end")
        params = {k: values.get(k, default) for k, default in _PARAMS[short].items()}
        known = begin is not _MISSING and end is not _MISSING
        cfg.specs.append(_Spec(item, short, by_epoch is not False, convert is True,
                               begin if isinstance(begin, int | float) else 0,
                               end if isinstance(end, int | float) else None, params,
                               end_explicit=end is not None, known=known))
        if any(v is _MISSING for v in (*values.values(),)):
            cfg.specs[-1].params["__missing__"] = True


# --- MMEngine's chained recursion -------------------------------------------------------------


class _Stepper:
    """One built scheduler: its counters and its ``_get_value`` (chainable form)."""

    def __init__(self, kind: str, begin: int, end: int, params: dict[str, object],
                 base: float) -> None:
        self.kind = kind
        self.begin = begin
        self.end = end
        self.p = params
        self.base = base  # base_values[0]: group["initial_lr"]
        self.last_step = -1
        self.global_step = -1
        if kind in ("LinearLR", "ConstantLR", "PolyLR"):
            self.total_iters = end - begin - 1
        elif kind == "QuadraticWarmupLR":
            self.total_iters = end - begin
        if kind == "CosineAnnealingLR":
            # "self.T_max = T_max or (end - begin)"; eta_min defaults to 0. when neither is set
            self.T_max = params.get("T_max") or (end - begin)
            if params.get("eta_min") is None and params.get("eta_min_ratio") is None:
                self.p = {**params, "eta_min": 0.0}
        if kind == "MultiStepLR":
            self.milestones = Counter(params["milestones"])  # type: ignore[arg-type]
        if kind == "CosineRestartLR":
            periods = list(params["periods"])  # type: ignore[call-overload]
            self.cumulative = [sum(periods[0:i + 1]) for i in range(len(periods))]

    def step(self, lr: float) -> float:
        """_ParamScheduler.step: count, and change the value only inside [begin, end)."""
        self.global_step += 1
        if self.begin <= self.global_step < self.end:
            self.last_step += 1
            return self._get_value(lr)
        return lr

    def _eta_min(self) -> float:
        ratio = self.p.get("eta_min_ratio")
        if ratio is None:
            return self.p["eta_min"]  # type: ignore[return-value]
        return self.base * ratio  # type: ignore[operator]

    def _get_value(self, lr: float) -> float:
        p, k = self.p, self.last_step
        kind = self.kind
        if kind == "LinearLR":
            start, end = p["start_factor"], p["end_factor"]
            if k == 0:
                return lr * start  # type: ignore[operator]
            return lr * (1. + (end - start) /  # type: ignore[operator]
                         (self.total_iters * start + (k - 1) * (end - start)))  # type: ignore
        if kind == "ConstantLR":
            factor = p["factor"]
            if k == 0:
                return lr * factor  # type: ignore[operator]
            if k > self.total_iters or k != self.total_iters:
                return lr
            return lr * (1.0 / factor)  # type: ignore[operator]
        if kind == "CosineAnnealingLR":
            t_max = self.T_max
            if k == 0:
                return lr
            eta_min = self._eta_min()
            if (k - 1 - t_max) % (2 * t_max) == 0:
                return lr + (self.base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
            return ((1 + math.cos(math.pi * k / t_max)) /
                    (1 + math.cos(math.pi * (k - 1) / t_max)) * (lr - eta_min) + eta_min)
        if kind == "MultiStepLR":
            if k not in self.milestones:
                return lr
            return lr * p["gamma"] ** self.milestones[k]  # type: ignore[operator]
        if kind == "StepLR":
            if k == 0 or k % p["step_size"] != 0:  # type: ignore[operator]
                return lr
            return lr * p["gamma"]  # type: ignore[operator]
        if kind == "ExponentialLR":
            if k == 0:
                return lr
            return lr * p["gamma"]  # type: ignore[operator]
        if kind == "PolyLR":
            if k == 0:
                return lr
            eta_min, power = p["eta_min"], p["power"]
            return ((lr - eta_min) *  # type: ignore[operator]
                    (1 - 1 / (self.total_iters - k + 1)) ** power + eta_min)  # type: ignore
        if kind == "QuadraticWarmupLR":
            if k == 0:
                return self.base * (2 * k + 1) / self.total_iters**2
            return lr + self.base * (2 * k + 1) / self.total_iters**2
        if kind == "CosineRestartLR":
            idx = next((i for i, c in enumerate(self.cumulative) if k < c), None)
            if idx is None:
                return lr
            weights = p["restart_weights"]
            nearest = 0 if idx == 0 else self.cumulative[idx - 1]
            period = p["periods"][idx]  # type: ignore[index]
            step = k - nearest
            eta_max = self.base * weights[idx]  # type: ignore[index]
            eta_min = self._eta_min()
            if step == 0:
                return eta_max
            return ((1 + math.cos(math.pi * step / period)) /
                    (1 + math.cos(math.pi * (step - 1) / period)) * (lr - eta_min) + eta_min)
        raise AssertionError(kind)


@dataclass
class _Built:
    """A scheduler placed on the plan's timeline (begin/end in plan steps)."""

    spec: _Spec
    begin: int
    end: int
    params: dict[str, object]
    per_epoch: bool  # steps at epoch ends on an iteration timeline


class _Simulation:
    """The LR of every step, produced lazily by stepping the schedulers like the runner."""

    def __init__(self, built: list[_Built], base: float, iters_per_epoch: int | None) -> None:
        self.built = built
        self.base = base
        self.ipe = iters_per_epoch
        self.steppers = [_Stepper(b.spec.kind, b.begin, b.end, b.params, base) for b in built]
        lr = base
        for stepper in self.steppers:  # each constructor calls self.step() once
            lr = stepper.step(lr)
        self.lrs = [lr]
        # the last plan step at which any scheduler still changes the LR
        self.last_end = max((min(b.end, INF) * (iters_per_epoch or 1) if b.per_epoch
                             else b.end for b in built), default=0)

    def _advance(self) -> None:
        index = len(self.lrs) - 1  # the unit that just finished
        lr = self.lrs[-1]
        for built, stepper in zip(self.built, self.steppers, strict=True):
            if not built.per_epoch:
                lr = stepper.step(lr)
        if self.ipe is not None and (index + 1) % self.ipe == 0:
            for built, stepper in zip(self.built, self.steppers, strict=True):
                if built.per_epoch:
                    lr = stepper.step(lr)
        self.lrs.append(lr)

    def lr(self, step: int) -> float:
        if step < 0:
            step = 0
        if step >= len(self.lrs) and step > self.last_end + 1 and \
                len(self.lrs) > self.last_end + 1:
            return self.lrs[-1]  # every scheduler has ended: the LR no longer changes
        if step >= SIMULATION_CAP:
            raise ValueError(f"step {step} is past the {SIMULATION_CAP} steps warmup_cli "
                             "simulates for an MMEngine schedule")
        while len(self.lrs) <= step:
            self._advance()
        return self.lrs[step]


# --- plan ---------------------------------------------------------------------------------


def _place(spec: _Spec, unit: str, ipe: int | None, default_end: int | float) -> _Built:
    """begin/end/params on the plan's timeline, as build_iter_from_epoch would set them."""
    params = dict(spec.params)
    begin, end = spec.begin, spec.end if spec.end is not None else default_end
    per_epoch = False
    if unit == "iter" and spec.by_epoch:
        assert ipe is not None
        if spec.convert:
            if spec.kind == "QuadraticWarmupLR":
                begin = begin * ipe  # mmdet's build_iter_from_epoch does not int() these
                end = end * ipe if end != INF else end
            else:
                begin = int(begin * ipe)
                end = int(end * ipe) if end != INF else end
            for key in _SCALED.get(spec.kind, ()):
                value = params.get(key)
                if isinstance(value, list):
                    params[key] = [v * ipe for v in value]
                elif value is not None:
                    params[key] = value * ipe  # type: ignore[operator]
        else:
            per_epoch = True
    return _Built(spec, int(begin), int(end), params, per_epoch)


def _unit(cfg: _Config, ipe: int | None) -> str | None:
    epochish = [s for s in cfg.specs if s.by_epoch and not s.convert]
    iterish = [s for s in cfg.specs if not s.by_epoch or s.convert]
    if not iterish and cfg.epoch_loop:
        return "epoch"
    if not epochish and not any(s.convert for s in cfg.specs):
        return "iter"
    if not cfg.epoch_loop and not epochish and not any(s.convert for s in cfg.specs):
        return "iter"
    return "iter" if ipe else None


def _validate(spec: _Spec, begin: int, end: int) -> str | None:
    """The ValueError MMEngine raises while building the scheduler, if any."""
    p = spec.params
    if end <= begin:
        return f"end should be larger than begin, but got begin={begin}, end={end}"
    if spec.kind == "LinearLR":
        if p["start_factor"] > 1.0 or p["start_factor"] < 0:  # type: ignore[operator]
            return "Starting multiplicative factor should between 0 and 1."
        if p["end_factor"] > 1.0 or p["end_factor"] < 0:  # type: ignore[operator]
            return "Ending multiplicative factor should between 0 and 1."
    if spec.kind == "ConstantLR" and (p["factor"] > 1.0 or p["factor"] < 0):  # type: ignore
        return "Constant multiplicative factor should between 0 and 1."
    if spec.kind == "QuadraticWarmupLR" and end >= INF:
        return "``end`` must be less than infinity"
    if spec.kind in ("MultiStepLR", "StepLR", "ExponentialLR", "CosineRestartLR"):
        needed = {"MultiStepLR": "milestones", "StepLR": "step_size", "ExponentialLR": "gamma",
                  "CosineRestartLR": "periods"}[spec.kind]
        if p.get(needed) is None:
            return f"{spec.kind} needs {needed}"
    if spec.kind in ("CosineAnnealingLR", "CosineRestartLR") and \
            p.get("eta_min") is not None and p.get("eta_min_ratio") is not None:
        return "Either `eta_min` or `eta_min_ratio should be specified"
    if spec.kind == "CosineRestartLR":
        if (p.get("eta_min") is None) == (p.get("eta_min_ratio") is None):
            return "CosineRestartLR needs exactly one of eta_min and eta_min_ratio"
        if len(p["periods"]) != len(p["restart_weights"]):  # type: ignore[arg-type]
            return "periods and restart_weights should have the same length."
    return None


def _lr_config(root: Node) -> Node | None:
    """The legacy (mmcv) ``lr_config`` mapping, when it names a policy."""
    legacy = mapping_at(root, "lr_config")
    return legacy if legacy is not None and legacy.get("policy") is not None else None


def detect(doc: Document) -> bool:
    return doc.root.get("param_scheduler") is not None or _lr_config(doc.root) is not None


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The ``param_scheduler`` and legacy ``lr_config`` schedules of ``doc``;
    ``facts.updates_per_epoch`` is the iterations per epoch (``len(train_dataloader)``)."""
    iters_per_epoch = facts.updates_per_epoch
    root = doc.root
    found: list[FrameworkSchedule] = []
    node = root.get("param_scheduler")
    if node is not None:
        found.append(_read_param_scheduler(doc, node, iters_per_epoch))
    legacy = _lr_config(root)
    if legacy is not None:
        found.append(_read_legacy(doc, legacy, iters_per_epoch))
    return found


def _read_param_scheduler(doc: Document, node: Node,
                          ipe: int | None) -> FrameworkSchedule:
    root = doc.root
    result = FrameworkSchedule("mmengine", "param_scheduler", node, None)
    cfg = _Config()
    why = _unusable(node)
    if why is not None:
        result.unresolved.append((node, f"param_scheduler: {why}"))
        return result
    if isinstance(node.value, dict) and node.get("type") is None:
        result.unresolved.append((node, "param_scheduler keyed by optimizer name (several "
                                  "optimizers) is not supported"))
        return result
    _specs(node, cfg)
    _optimizer_lr(root, cfg)
    _train_loop(root, cfg, result)
    base_ref = root.get("_base_")
    if ipe is not None and ipe <= 0:
        raise ValueError("iters_per_epoch must be positive")

    # Default ends come from the train loop (runner._build_param_scheduler).
    for spec in cfg.specs:
        if spec.end is None and spec.known:
            spec.end_explicit = False
            default = cfg.max_epochs if spec.by_epoch else cfg.max_iters
            if default is None and not spec.by_epoch and cfg.max_epochs is not None and ipe:
                default = cfg.max_epochs * ipe  # EpochBasedTrainLoop.max_iters
            spec.end = default if default is not None else INF
    _structural_checks(cfg, result, ipe)
    result.notes.append(_describe(cfg))
    result.unresolved[:0] = cfg.unresolved
    result.findings.extend(cfg.rejected)
    if cfg.unresolved or any(s.params.get("__missing__") for s in cfg.specs):
        if base_ref is not None:
            result.notes.append("_base_ files are not merged: values they set stay unknown")
        return result
    if not cfg.specs:
        result.unresolved.append((node, "param_scheduler lists no scheduler"))
        return result
    unit = _unit(cfg, ipe)
    if unit is None:
        result.unresolved.append((node, "the schedulers mix per-iteration and per-epoch "
                                  "stepping (by_epoch=False or convert_to_iter_based=True "
                                  "beside by_epoch=True): the LR of each iteration depends on "
                                  "the iterations per epoch (len(train_dataloader)), which the "
                                  "config does not hold; pass iters_per_epoch to read it "
                                  "(the schedule in epochs is in the notes)"))
        return result
    base = cfg.lr
    relative_ok = all(not s.params.get("eta_min") or s.kind not in
                      ("CosineAnnealingLR", "PolyLR", "CosineRestartLR") for s in cfg.specs)
    if base is None:
        where = cfg.lr_node or base_ref or node
        if not relative_ok:
            result.unresolved.append((where, "the optimizer lr is not known here and an "
                                      "absolute eta_min makes the factor depend on it"))
            return result
        if cfg.lr_node is None:
            result.unresolved.append((where, "the optimizer lr (optim_wrapper.optimizer.lr) is "
                                      "not in this file: LRs are shown relative to it"))
        base = 1.0
    placed: list[_Built] = []
    for spec in cfg.specs:
        default_end = spec.end if spec.end is not None else INF
        built = _place(spec, unit, ipe, default_end)
        problem = _validate(spec, built.begin, built.end)
        if problem is not None:
            message = f"MMEngine rejects this {spec.kind}: {problem}"
            result.unresolved.append((spec.node, message))
            result.findings.append(Finding(Code.WU308, message, spec.node, Severity.ERROR))
            return result
        placed.append(built)
    for built in placed:
        if built.spec.kind == "LinearLR" and built.params["start_factor"] == 0 \
                and built.end - built.begin > 1:
            # WU302 was reported by the structural checks; MMEngine divides by
            # total_iters * start_factor + (last_step - 1) * (end - start) = 0 at step 1.
            result.unresolved.append((built.spec.get("start_factor") or built.spec.node,
                                      "MMEngine's LinearLR raises ZeroDivisionError at its "
                                      "second step when start_factor is 0"))
            return result
    try:
        sim = _Simulation(placed, base, ipe if unit == "iter" else None)
        # Step the run (or the schedulers' own span) now, so MMEngine's own arithmetic errors
        # (a ConstantLR factor of 0, a StepLR step_size of 0) are reported, not raised later.
        sim.lr(min(_run_steps(cfg, unit, ipe) or sim.last_end + 1, EAGER_STEPS) - 1)
    except (ArithmeticError, ValueError) as exc:
        at = len(sim.lrs) if "sim" in locals() else 0
        message = f"MMEngine's schedulers fail at {unit} {at}: {type(exc).__name__}: {exc}"
        result.unresolved.append((node, message))
        result.findings.append(Finding(Code.WU308, message, node, Severity.ERROR))
        return result
    _plan(result, cfg, placed, sim, base, unit, ipe)
    return result


def _run_steps(cfg: _Config, unit: str, ipe: int | None) -> int | None:
    if unit == "epoch":
        return cfg.max_epochs
    if cfg.epoch_loop and cfg.max_epochs is not None and ipe:
        return cfg.max_epochs * ipe
    return cfg.max_iters


def _plan(result: FrameworkSchedule, cfg: _Config, placed: list[_Built], sim: _Simulation,
          base: float, unit: str, ipe: int | None) -> None:
    def factor(step: int) -> float:
        return sim.lr(step) / base

    def span(built: _Built) -> tuple[int, int]:
        if built.per_epoch and ipe:
            # an epoch-stepped scheduler acts at epoch ends: step k of it covers epoch k
            return built.begin * ipe, min(built.end, INF // ipe) * ipe
        return built.begin, built.end

    bounds = sorted({b for built in placed for b in span(built)} | {0})
    phases: list[tuple[int, str]] = []
    for start in bounds:
        if start >= INF:
            continue
        active = [p.spec.kind for p in placed if span(p)[0] <= start < span(p)[1]]
        label = " + ".join(dict.fromkeys(active)) if active else "constant (no scheduler)"
        if not phases or phases[-1][1] != label:
            phases.append((start, label))
    warmup = 0
    for built in placed:
        if built.spec.kind in WARMUPS and built.begin == 0 and _is_warmup(built.spec):
            warmup = max(warmup, span(built)[1])
    horizon: int | None = None
    if unit == "epoch":
        horizon = cfg.max_epochs
    elif cfg.epoch_loop and cfg.max_epochs is not None and ipe:
        horizon = cfg.max_epochs * ipe
    elif cfg.max_iters is not None:
        horizon = cfg.max_iters
    result.horizon = horizon
    ends = [span(b)[1] for b in placed if span(b)[1] < INF]
    total = max(ends) if ends and len(ends) == len(placed) else None
    kinds = ", ".join(b.spec.kind for b in placed)
    schedule = FunctionSchedule(factor, "mmengine " + kinds, f"mmengine param_scheduler "
                                f"[{kinds}]" + (f" (iters_per_epoch={ipe})" if ipe else ""),
                                warmup=warmup, total=total, phases=tuple(phases))
    result.plan = Plan(schedule, (base,), "mmengine", unit)
    if warmup > 0:
        zeros = zero_updates(sim.lr, warmup)
        already = any(f.code == Code.WU302 for f in result.findings)
        if zeros and not already:
            culprit = next((b.spec for b in placed if b.spec.kind in WARMUPS), placed[0].spec)
            result.findings.append(zero_lr_finding(
                zeros, warmup, unit, culprit.get("factor") or culprit.node, suffix=""))


def _is_warmup(spec: _Spec) -> bool:
    p = spec.params
    if spec.kind == "LinearLR":
        start, end = p["start_factor"], p["end_factor"]
        if not isinstance(start, int | float) or not isinstance(end, int | float):
            return True  # a LinearLR whose factors are unknown is read as the warmup it
            # nearly always is (e.g. start_factor=_base_.lr_start_factor)
        return start < end
    if spec.kind == "ConstantLR":
        return isinstance(p["factor"], int | float) and p["factor"] < 1
    return spec.kind == "QuadraticWarmupLR"


def _describe(cfg: _Config) -> str:
    parts = []
    for spec in cfg.specs:
        unit = "epochs" if spec.by_epoch else "iterations"
        if not spec.known:
            parts.append(f"{spec.kind} over {unit} (begin/end unresolved)")
            continue
        end = "end of training" if spec.end in (None, INF) else f"{spec.end:g}"
        conv = ", stepped per iteration" if spec.convert else ""
        parts.append(f"{spec.kind} over {unit} {spec.begin:g} -> {end}{conv}")
    return "schedule: " + "; ".join(parts) if parts else "schedule: (none)"


def _structural_checks(cfg: _Config, result: FrameworkSchedule, ipe: int | None) -> None:
    """Checks that need only begin/end/T_max/factors, so they work without a plan."""
    iters = cfg.max_iters
    if iters is None and cfg.epoch_loop and cfg.max_epochs is not None and ipe:
        iters = cfg.max_epochs * ipe
    run = {True: cfg.max_epochs, False: iters}
    for spec in cfg.specs:
        if not spec.known:
            continue
        p = spec.params
        begin, end = spec.begin, spec.end
        if spec.kind == "LinearLR" and p.get("start_factor") == 0:
            result.findings.append(Finding(
                Code.WU302, "start_factor=0: the first update runs at LR 0, and MMEngine's "
                "LinearLR then divides by zero at its second step", spec.get("start_factor"),
                Severity.ERROR))
        if spec.kind == "ConstantLR" and p.get("factor") == 0 and end not in (None, INF):
            result.findings.append(Finding(
                Code.WU302, "factor=0: every update of this ConstantLR runs at LR 0 (and MMEngine "
                "divides by the factor when it ends)", spec.get("factor"), Severity.ERROR))
        # "self.T_max = T_max or (end - begin)": a T_max of 0 means end - begin
        if spec.kind == "CosineAnnealingLR" and isinstance(p.get("T_max"), int | float) \
                and p["T_max"] and end not in (None, INF) \
                and p["T_max"] != end - begin:  # type: ignore[operator]
            t_max = p["T_max"]
            length = end - begin  # type: ignore[operator]
            if t_max > length:  # type: ignore[operator]
                what = (f"the cosine stops {length:g}/{t_max:g} of the way through its period "
                        "and never reaches eta_min")
            else:
                what = (f"the cosine reaches eta_min after {t_max:g} and rises again for the "
                        f"remaining {length - t_max:g}")  # type: ignore[operator]
            result.findings.append(Finding(
                Code.WU306, f"CosineAnnealingLR T_max={t_max:g} but end - begin = {end:g} - "
                f"{begin:g} = {length:g}: {what}", spec.get("T_max")))
        limit = run[spec.by_epoch]
        if limit is not None and spec.end_explicit and end not in (None, INF) and end > limit:
            unit = "epochs" if spec.by_epoch else "iterations"
            if spec.kind in WARMUPS and begin == 0 and _is_warmup(spec):
                result.findings.append(Finding(
                    Code.WU301, f"{spec.kind} warms up until {end:g} but training stops after "
                    f"{limit} {unit}: the LR never reaches its peak", spec.get("end")))
            elif spec.kind in ("CosineAnnealingLR", "PolyLR", "CosineRestartLR"):
                result.findings.append(Finding(
                    Code.WU307, f"{spec.kind} decays until {end:g} but training stops after "
                    f"{limit} {unit}: the decay never finishes", spec.get("end")))
    _gap_checks(cfg, result, ipe)


def _gap_checks(cfg: _Config, result: FrameworkSchedule, ipe: int | None) -> None:
    for spec in cfg.specs:
        if spec.kind not in WARMUPS or not _is_warmup(spec) or spec.end in (None, INF) \
                or not spec.known:
            continue
        end = spec.end
        assert end is not None
        later = [o for o in cfg.specs if o is not spec and o.known]
        covering = [o for o in later if _before(o.begin, o, end, spec, ipe, or_equal=True)
                    and o.end is not None and _before(end, spec, o.end, o, ipe)]
        if covering:
            continue
        nexts = [o for o in later if _before(end, spec, o.begin, o, ipe)]
        if not nexts:
            continue
        following = nexts[0]
        threshold = ""
        if spec.in_epochs != following.in_epochs and not ipe:
            if spec.in_epochs:
                continue  # epochs vs a later iteration count: only ever a gap for tiny epochs
            threshold = (f" (unless an epoch has fewer than "
                         f"{math.floor(end / max(following.begin, 1e-9)) + 1} iterations)")
        unit_a = "epoch" if spec.in_epochs else "iteration"
        unit_b = "epoch" if following.in_epochs else "iteration"
        result.findings.append(Finding(
            Code.WU309, f"{spec.kind} ends at {unit_a} {end:g} but {following.kind} only begins "
            f"at {unit_b} {following.begin:g}{threshold}: the LR stays flat at the base LR in "
            "between", following.get("begin") or following.node))


def _before(a: float, a_spec: _Spec, b: float, b_spec: _Spec, ipe: int | None,
            or_equal: bool = False) -> bool:
    """Whether position a (in a_spec's unit) is before b (in b_spec's unit)."""
    if a_spec.in_epochs == b_spec.in_epochs:
        return a <= b if or_equal else a < b
    if ipe:
        a_iter = a * ipe if a_spec.in_epochs else a
        b_iter = b * ipe if b_spec.in_epochs else b
        return a_iter <= b_iter if or_equal else a_iter < b_iter
    # Without the epoch length: an iteration count is taken to be before any epoch >= 1,
    # when an epoch has more iterations than the ratio (the caller says so in the message).
    if a_spec.in_epochs:
        return a == 0 and (b > 0 or or_equal)
    return b > 0 or (or_equal and a == 0)


# --- legacy mmcv lr_config --------------------------------------------------------------------


def _read_legacy(doc: Document, node: Node, ipe: int | None) -> FrameworkSchedule:
    """mmcv 1.x ``lr_config`` (mmcv/runner/hooks/lr_updater.py): CosineAnnealing or step
    policies with constant/linear/exp warmup."""
    root = doc.root
    result = FrameworkSchedule("mmengine", "lr_config", node, None)
    cfg = _Config()
    _optimizer_lr(root, cfg)
    _train_loop(root, cfg, result)
    total_epochs = root.get("total_epochs")  # mmdet 1.x spelled the run length this way
    if cfg.max_epochs is None and total_epochs is not None:
        value = _value(total_epochs, "total_epochs", cfg)
        cfg.max_epochs = int(value) if isinstance(value, int | float) else None

    def get(key: str, default: object) -> object:
        child = node.get(key)
        if child is None:
            return default
        if isinstance(child.value, str) and child.as_number() is None:
            return child.value  # policy='CosineAnnealing', warmup='linear'
        return _value(child, key, cfg)

    policy = get("policy", None)
    by_epoch = get("by_epoch", True)
    warmup = get("warmup", None)
    warmup_iters = get("warmup_iters", 0)
    ratio = get("warmup_ratio", 0.1)
    warmup_by_epoch = get("warmup_by_epoch", False)
    if node.get("warmup_ratio") is not None:
        result.notes.append("in mmcv lr_config, warmup_ratio is the starting multiplier of "
                            "the warmup (LR starts at warmup_ratio x lr), not a share of "
                            "training as in HF")
    result.unresolved.extend(cfg.unresolved)
    result.findings.extend(cfg.rejected)
    if cfg.unresolved:
        return result
    if isinstance(ratio, int | float) and warmup is not None and not 0 < ratio <= 1.0:
        result.findings.append(Finding(
            Code.WU302, f"warmup_ratio={ratio:g}: mmcv asserts 0 < warmup_ratio <= 1 (a warmup "
            "from 0 would run the first update at LR 0)", node.get("warmup_ratio"), Severity.ERROR))
        return result
    policy_name = str(policy).lower() if isinstance(policy, str) else ""
    if policy_name not in ("cosineannealing", "step"):
        result.unresolved.append((node.get("policy") or node, f"legacy mmcv policy {policy!r} "
                                  "is not reproduced (CosineAnnealing and step are)"))
        return result
    if warmup not in (None, "linear", "constant", "exp"):
        # mmcv's LrUpdaterHook raises ValueError for any other warmup type
        message = f"unknown mmcv warmup {warmup!r} (mmcv accepts constant, linear, exp)"
        result.unresolved.append((node.get("warmup") or node, message))
        result.findings.append(Finding(Code.WU308, message, node.get("warmup") or node,
                                       Severity.ERROR))
        return result
    needs_ipe = cfg.epoch_loop and (warmup_by_epoch is True or by_epoch is False or
                                    (warmup is not None and by_epoch is True))
    if needs_ipe and not ipe:
        result.unresolved.append((node, "mmcv applies the warmup per iteration (and "
                                  "anneals per epoch, or per iteration over max_epochs x "
                                  "iterations per epoch), so the LR of each iteration depends "
                                  "on the epoch length, which the config does not hold: pass "
                                  "iters_per_epoch"))
        return result
    base = cfg.lr
    if base is None:
        result.unresolved.append((node, "optimizer.lr is not in this file"))
        return result
    max_epochs = cfg.max_epochs
    epoch_len = ipe or 1
    if cfg.epoch_loop and max_epochs is None:
        result.unresolved.append((node, "runner.max_epochs is not in this file"))
        return result
    max_iters = max_epochs * epoch_len if cfg.epoch_loop and max_epochs else cfg.max_iters
    if max_iters is None:
        result.unresolved.append((node, "the run length (runner max_epochs/max_iters) is not "
                                  "in this file"))
        return result
    w_iters = int(warmup_iters) * epoch_len if warmup_by_epoch else int(warmup_iters)  # type: ignore
    min_lr = get("min_lr", None)
    min_lr_ratio = get("min_lr_ratio", None)
    steps = get("step", None)
    gamma = get("gamma", 0.1)
    if policy_name == "cosineannealing" and (min_lr is None) == (min_lr_ratio is None):
        message = "mmcv asserts exactly one of min_lr and min_lr_ratio"
        result.unresolved.append((node, message))
        result.findings.append(Finding(Code.WU308, message, node, Severity.ERROR))
        return result

    def regular(iteration: int) -> float:
        if by_epoch:
            progress, max_progress = iteration // epoch_len, max_epochs
        else:
            progress, max_progress = iteration, max_iters
        if policy_name == "cosineannealing":
            target = base * min_lr_ratio if min_lr_ratio is not None else min_lr
            # annealing_cos(start, end, factor): end + 0.5 * (start - end) * (cos(pi*f) + 1)
            cos_out = math.cos(math.pi * (progress / max_progress)) + 1  # type: ignore
            return target + 0.5 * (base - target) * cos_out  # type: ignore[operator]
        if isinstance(steps, int | float):
            exp = progress // int(steps)
        else:
            exp = len(steps)  # type: ignore[arg-type]
            for i, s in enumerate(steps):  # type: ignore[arg-type]
                if progress < s:
                    exp = i
                    break
        lr = base * (gamma**exp)  # type: ignore[operator]
        return max(lr, min_lr) if min_lr is not None else lr  # type: ignore[type-var]

    def value(iteration: int) -> float:
        reg = regular(iteration)
        if warmup is None or iteration >= w_iters:
            return reg
        if warmup == "constant":
            return reg * ratio  # type: ignore[operator]
        if warmup == "linear":
            k = (1 - iteration / w_iters) * (1 - ratio)  # type: ignore[operator]
            return reg * (1 - k)
        k = ratio ** (1 - iteration / w_iters)  # type: ignore[operator]
        return reg * k

    unit = "iter" if (ipe or not cfg.epoch_loop or not by_epoch or warmup) else "epoch"
    phases = [(0, f"{warmup} warmup")] if warmup else []
    phases.append((w_iters if warmup else 0, str(policy)))
    schedule = FunctionSchedule(lambda k: value(min(k, max_iters - 1)) / base,
                                f"mmcv {policy}", f"mmcv lr_config policy={policy} "
                                f"warmup={warmup} warmup_iters={w_iters} ratio={ratio}",
                                warmup=w_iters if warmup else 0, total=max_iters,
                                phases=tuple(phases))
    result.plan = Plan(schedule, (base,), "mmcv", unit)
    result.horizon = max_iters
    return result


READER = register(Reader("mmengine", detect, read))
