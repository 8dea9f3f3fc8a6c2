"""Lightning CLI (jsonargparse ``class_path``/``init_args``) LR schedulers, and litgpt's own.

Schedulers named by a ``torch.optim.lr_scheduler`` class are not re-implemented: the reader
builds the real class over a one-parameter SGD, steps it the documented way
(``optimizer.step()`` then ``scheduler.step()``; the optimizer only on the first step, since no
scheduler reads what ``optimizer.step()`` changes and it costs 7 times the scheduler's step,
which matters to ``warmup lint`` on a 500,000-step run) and records the LR of every step; the
factor is that LR divided by the optimizer's LR. torch is imported inside the functions that
need it (only once a config names a torch.optim.lr_scheduler class, or is litgpt's), and
everything torch raises while building or stepping becomes a WU310 finding carrying torch's own
message, never a traceback.

Recognised places: ``lr_scheduler`` / ``lr_scheduler_init`` / ``scheduler`` mappings with a
``class_path`` anywhere in the file (LightningCLI's top level, ``model.init_args.lr_scheduler``,
finetuning-scheduler's ``lr_scheduler_init``), with the optimizer beside them
(``optimizer``/``optimizer_init``) or at the top level; ``trainer.max_epochs``/``max_steps`` for
the run length. LightningCLI's own ``lr_scheduler`` steps once per epoch (Lightning's default
``interval: "epoch"``); a model-level scheduler uses ``interval`` from a sibling
``pl_lrs_cfg``/``lr_scheduler_config`` mapping when there is one.

litgpt (``train.lr_warmup_steps``/``train.max_steps``): finetune/full.py ``get_lr_scheduler``
(Lightning-AI/litgpt at 26857050) is ``SequentialLR([LambdaLR(step / warmup_steps),
CosineAnnealingLR(T_max=max_steps - warmup_steps)], milestones=[warmup_steps])``, stepped once
per optimizer step; it is rebuilt here from the same torch classes.

At most ``HORIZON_CAP`` (1,000,000) steps are ever simulated; the first ``EAGER_STEPS`` of the
run are stepped while reading (to catch torch errors), the rest on demand.

Checks (framework-aware findings, located at the responsible key):

======  ===========================  ========================================================
code    name                         when
======  ===========================  ========================================================
WU301   warmup-longer-than-run       litgpt ``lr_warmup_steps`` >= ``max_steps`` (the LR never
                                     reaches its peak and T_max goes negative); a LinearLR
                                     warmup longer than the run
WU302   zero-lr-first-update         updates in the warmup run at LR 0 (litgpt's
                                     ``step / warmup_steps`` at step 0, ConstantLR factor 0):
                                     error >= 25 % of the warmup, warning >= 1 %, else note
WU308   unresolved-value             reported through ``FrameworkSchedule.unresolved``: a class
                                     outside torch.optim.lr_scheduler, a callable argument,
                                     a metric-driven scheduler, a missing run length
WU310   torch-scheduler-rejected     torch raised while building or stepping the scheduler
======  ===========================  ========================================================
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmup_cli.configs.document import Unresolved
from warmup_cli.frameworks.kit import (
    Finding,
    FrameworkSchedule,
    Reader,
    mapping_at,
    register,
    zero_lr_finding,
)
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.vocab import NO_FACTS, Code, RunFacts

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

HORIZON_CAP = 1_000_000
EAGER_STEPS = 20_000
DERIVED_HORIZON_MIN = 20
SCHEDULER_KEYS = ("lr_scheduler", "lr_scheduler_init", "scheduler")
OPTIMIZER_KEYS = ("optimizer", "optimizer_init")
INTERVAL_KEYS = ("pl_lrs_cfg", "lr_scheduler_config", "scheduler_config")
TORCH_PREFIXES = ("torch.optim.lr_scheduler.", "torch.optim.")
NOT_REPRODUCED = {
    "LambdaLR": "takes lr_lambda, a Python callable a config cannot hold",
    "MultiplicativeLR": "takes lr_lambda, a Python callable a config cannot hold",
    "ReduceLROnPlateau": "changes the LR from validation metrics, which a config cannot show",
}
# The public classes of torch.optim.lr_scheduler (torch 2.x): a bare class name is taken for a
# torch scheduler only when it is one of these, so that a config naming anything else is
# reported without importing torch (a fully qualified torch path is checked against torch).
TORCH_SCHEDULERS = frozenset({
    "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "SequentialLR", "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler",
    "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
})
# Messages torch raises, mapped to the argument they are about (so findings point at it).
_MESSAGE_KEYS = (("Starting multiplicative factor", "start_factor"),
                 ("Ending multiplicative factor", "end_factor"),
                 ("Constant multiplicative factor", "factor"),
                 ("Expected positive integer T_0", "T_0"),
                 ("Expected integer T_mult", "T_mult"),
                 ("total_steps", "total_steps"), ("epochs", "epochs"),
                 ("pct_start", "pct_start"), ("milestones", "milestones"))


class _Unusable(Exception):
    def __init__(self, node: Node, why: str) -> None:
        super().__init__(why)
        self.node = node
        self.why = why


class _Rejected(Exception):
    """torch raised; ``node`` is the key the message is about."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def _class_name(node: Node) -> str | None:
    path = node.get("class_path") if isinstance(node.value, dict) else None
    return path.value if path is not None and isinstance(path.value, str) else None


def _init_args(node: Node) -> dict[str, Node]:
    args: dict[str, Node] = {}
    for key in ("init_args", "dict_kwargs"):
        holder = mapping_at(node, key)
        if holder is not None:
            args.update(holder.value)
    return args


def _plain(node: Node) -> Any:
    """A config value as the Python value jsonargparse would pass (numbers parsed)."""
    value = node.value
    if isinstance(value, Unresolved):
        raise _Unusable(node, f"`{value.source}` {value.reason}")
    if isinstance(value, str) and "${" in value:
        raise _Unusable(node, f"`{value}` is an interpolation, which warmup_cli does not "
                        "resolve")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        raise _Unusable(node, "a nested object is only understood as a scheduler in "
                        "SequentialLR/ChainedScheduler's schedulers")
    number = node.as_number()
    return number if number is not None else value


def _torch_name(path: str) -> str | None:
    """The torch.optim.lr_scheduler class a class_path names (LightningCLI also accepts the
    bare class name), or None."""
    for prefix in TORCH_PREFIXES:
        if path.startswith(prefix):
            path = path[len(prefix):]
            if prefix == "torch.optim." and path.startswith("lr_scheduler."):
                path = path[len("lr_scheduler."):]
            break
    else:
        if "." in path:
            return None
    return path if path and "." not in path else None


def _blame(node: Node, args: dict[str, Node], message: str) -> Node:
    for key in args:
        if key in message:
            return args[key]
    for needle, key in _MESSAGE_KEYS:
        if needle in message and key in args:
            return args[key]
    return node.get("class_path") or node


def _without_torch(node: Node) -> None:
    """The checks of :func:`_build` that need no torch, so that only a config that names
    torch.optim.lr_scheduler classes (the whole point of this reader) pays for importing
    torch: a third-party class, a callable-taking class or a nested object is unresolved
    either way."""
    path = _class_name(node)
    if path is None:
        raise _Unusable(node, "the scheduler has no class_path")
    name = _torch_name(path)
    if name is None or ("." not in path and name not in TORCH_SCHEDULERS):
        raise _Unusable(node.get("class_path") or node,
                        f"{path} is not a torch.optim.lr_scheduler class; warmup_cli does not "
                        "import third-party code to find out what it does")
    if name in NOT_REPRODUCED:
        raise _Unusable(node.get("class_path") or node, f"{name} {NOT_REPRODUCED[name]}")
    for key, child in _init_args(node).items():
        if key == "schedulers" and name in ("SequentialLR", "ChainedScheduler"):
            if not isinstance(child.value, list):
                raise _Unusable(child, "schedulers is not a list")
            for item in child.value:
                _without_torch(item)
        elif key != "optimizer":
            _plain(child)


def _build(torch: Any, node: Node, optimizer: Any) -> Any:
    """The real torch scheduler for a class_path node (nested ones for Sequential/Chained)."""
    path = _class_name(node)
    if path is None:
        raise _Unusable(node, "the scheduler has no class_path")
    name = _torch_name(path)
    module = torch.optim.lr_scheduler
    if name is None or not isinstance(getattr(module, name, None), type):
        raise _Unusable(node.get("class_path") or node,
                        f"{path} is not a torch.optim.lr_scheduler class; warmup_cli does not "
                        "import third-party code to find out what it does")
    if name in NOT_REPRODUCED:
        raise _Unusable(node.get("class_path") or node, f"{name} {NOT_REPRODUCED[name]}")
    args = _init_args(node)
    kwargs: dict[str, Any] = {}
    for key, child in args.items():
        if key == "schedulers" and name in ("SequentialLR", "ChainedScheduler"):
            if not isinstance(child.value, list):
                raise _Unusable(child, "schedulers is not a list")
            kwargs[key] = [_build(torch, item, optimizer) for item in child.value]
        elif key == "optimizer":
            continue
        else:
            kwargs[key] = _plain(child)
    cls = getattr(module, name)
    try:
        if name == "ChainedScheduler":
            return cls(optimizer=optimizer, **kwargs)
        return cls(optimizer, **kwargs)
    except (TypeError, ValueError, ZeroDivisionError, KeyError, IndexError,
            AttributeError, OverflowError, RuntimeError) as exc:
        message = f"{type(exc).__name__}: {exc}"
        raise _Rejected(_blame(node, args, message), f"torch rejected {name}: {message}") \
            from None


class _Run:
    """A built torch optimizer + scheduler, stepped on demand; remembers every LR."""

    def __init__(self, make: Callable[[Any, Any], Any], base: float, limit: int) -> None:
        import torch

        self.limit = limit
        self.failure: tuple[int, str] | None = None
        with warnings.catch_warnings():
            # Nothing torch says about the dummy optimizer is the user's business.
            warnings.simplefilter("ignore")
            param = torch.nn.Parameter(torch.zeros(1))
            self.optimizer = torch.optim.SGD([param], lr=base)
            self.scheduler = make(torch, self.optimizer)
        self.lrs = [float(self.optimizer.param_groups[0]["lr"])]

    def extend(self, count: int) -> None:
        target = min(count, self.limit)
        if len(self.lrs) >= target or self.failure is not None:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            while len(self.lrs) < target:
                try:
                    if len(self.lrs) == 1:
                        # torch checks the order once (its "scheduler.step() before
                        # optimizer.step()" warning); the LRs never depend on the optimizer's
                        # own step, so later steps skip it (13 of 15 us per step).
                        self.optimizer.step()
                    self.scheduler.step()
                except Exception as exc:  # torch's own error, reported as a finding
                    self.failure = (len(self.lrs), f"{type(exc).__name__}: {exc}")
                    return
                self.lrs.append(float(self.optimizer.param_groups[0]["lr"]))

    def lr(self, step: int) -> float:
        step = max(step, 0)
        self.extend(step + 1)
        if step < len(self.lrs):
            return self.lrs[step]
        if self.failure is not None:
            raise ValueError(f"torch raised at step {self.failure[0]}: {self.failure[1]}")
        return self.lrs[-1]  # past the simulated horizon: held


def detect(doc: Document) -> bool:
    root = doc.root
    if not isinstance(root.value, dict):
        return False
    if _litgpt(root) is not None:
        return True
    return any(_class_name(node) for node, _ in _scheduler_nodes(root))


def _litgpt(root: Node) -> Node | None:
    train = mapping_at(root, "train")
    if train is None:
        return None
    if train.get("lr_warmup_steps") is None and train.get("lr_warmup_fraction") is None:
        return None
    return train


def _scheduler_nodes(root: Node) -> list[tuple[Node, Node]]:
    """(scheduler node, the mapping holding it) for every class_path scheduler."""
    found: list[tuple[Node, Node]] = []
    for node in root.walk():
        if not isinstance(node.value, dict):
            continue
        for key in SCHEDULER_KEYS:
            child = node.value.get(key)
            if child is not None and isinstance(child.value, dict) and \
                    child.get("class_path") is not None:
                found.append((child, node))
    return found


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    root = doc.root
    found: list[FrameworkSchedule] = []
    train = _litgpt(root)
    if train is not None:
        found.append(_read_litgpt(root, train))
    for node, holder in _scheduler_nodes(root):
        found.append(_read_cli(root, node, holder))
    return found


@dataclass
class _Optimizer:
    lr: float | None
    node: Node | None
    note: str | None = None


def _optimizer(root: Node, holder: Node | None) -> _Optimizer:
    candidates: list[Node] = []
    for place in (holder, root):
        if place is None:
            continue
        for key in OPTIMIZER_KEYS:
            child = place.get(key)
            if child is not None:
                candidates.append(child)
    model = root.get("model")
    args = _init_args(model) if model is not None and isinstance(model.value, dict) else {}
    candidates += [args[k] for k in OPTIMIZER_KEYS if k in args]
    for node in candidates:
        if isinstance(node.value, str):
            return _default_lr(node.value, node)
        path = _class_name(node)
        lr = _init_args(node).get("lr") if path else node.get("lr")
        if lr is None:
            if path:
                return _default_lr(path, node)
            continue
        try:
            value = _plain(lr)
        except _Unusable as exc:
            return _Optimizer(None, exc.node, f"optimizer lr: {exc.why}")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _Optimizer(float(value), lr)
        return _Optimizer(None, lr, f"optimizer lr is {lr.value!r}, not a number")
    return _Optimizer(None, None)


def _default_lr(path: str, node: Node) -> _Optimizer:
    """The lr default of a torch optimizer class named without an lr."""
    import inspect

    import torch

    name = path.rsplit(".", 1)[-1]
    cls = getattr(torch.optim, name, None)
    if isinstance(cls, type):
        default = inspect.signature(cls).parameters.get("lr")
        if default is not None and isinstance(default.default, int | float):
            return _Optimizer(float(default.default), node,
                              f"no lr given: torch.optim.{name}'s default {default.default:g}")
    return _Optimizer(None, node, f"the lr of optimizer {path} is not in this file")


def _trainer(root: Node) -> tuple[int | None, int | None, Node | None]:
    trainer = root.get("trainer")
    epochs = steps = None
    if trainer is not None and isinstance(trainer.value, dict):
        for key in ("max_epochs", "max_steps"):
            child = trainer.get(key)
            number = child.as_number() if child is not None else None
            if number is not None and number > 0:
                if key == "max_epochs":
                    epochs = int(number)
                else:
                    steps = int(number)
    return epochs, steps, trainer


def _interval(holder: Node, top_level: bool) -> tuple[str, str | None]:
    for key in INTERVAL_KEYS:
        cfg = holder.get(key)
        interval = cfg.get("interval") if cfg is not None and isinstance(cfg.value, dict) \
            else None
        if interval is not None and interval.value in ("epoch", "step"):
            return str(interval.value), None
    if top_level:
        return "epoch", ("LightningCLI steps its lr_scheduler once per epoch (Lightning's "
                         "default interval)")
    return "step", ("the LightningModule chooses the interval in configure_optimizers; "
                    "one scheduler step per optimizer step is assumed")


def _derived_horizon(node: Node) -> int:
    """A horizon from the scheduler's own lengths when the run length is unknown."""
    longest = 0.0
    for item in node.walk():
        if not isinstance(item.value, dict):
            continue
        for key, child in _init_args(item).items():
            if key in ("total_iters", "T_max", "T_0", "step_size", "total_steps",
                       "milestones", "step_size_up"):
                values = child.as_number_list() if key == "milestones" else [child.as_number()]
                for value in values or []:
                    if value is not None and math.isfinite(value):
                        longest = max(longest, float(value))
    return max(DERIVED_HORIZON_MIN, math.ceil(longest * 1.5))


def _warmup_of(node: Node) -> int:
    """Warmup steps of a torch scheduler config (0 when it is not a warmup)."""
    path = _class_name(node) or ""
    name = _torch_name(path) or ""
    args = _init_args(node)

    def number(key: str, default: float) -> float:
        child = args.get(key)
        value = child.as_number() if child is not None else None
        return float(value) if value is not None else default

    if name == "LinearLR" and number("start_factor", 1 / 3) < number("end_factor", 1.0):
        return int(number("total_iters", 5))
    if name == "ConstantLR" and number("factor", 1 / 3) < 1:
        return int(number("total_iters", 5))
    if name == "OneCycleLR":
        total = number("total_steps", 0) or number("epochs", 0) * number("steps_per_epoch", 0)
        return max(0, int(number("pct_start", 0.3) * total))
    if name == "SequentialLR":
        children = args.get("schedulers")
        milestones = args.get("milestones")
        firsts = milestones.as_number_list() if milestones is not None else None
        if children is not None and isinstance(children.value, list) and children.value and \
                firsts and _warmup_of(children.value[0]):
            return int(firsts[0])
    return 0


def _read_cli(root: Node, node: Node, holder: Node) -> FrameworkSchedule:
    name = _class_name(node) or "?"
    short = _torch_name(name) or name
    result = FrameworkSchedule("lightning", f"{node.path[-1] if node.path else 'lr_scheduler'}"
                               f" ({short})", node, None)
    top_level = holder is root
    unit, interval_note = _interval(holder, top_level)
    if interval_note:
        result.notes.append(interval_note)
    epochs, steps, _ = _trainer(root)
    run = epochs if unit == "epoch" else steps
    if unit == "epoch" and epochs is None and steps is None and root.get("trainer") is not None:
        run = 1000  # Lightning's Trainer: max_epochs defaults to 1000 when max_steps is -1
        result.notes.append("trainer.max_epochs is not set: Lightning's default of 1000 "
                            "epochs is assumed")
    horizon = run if run is not None else _derived_horizon(node)
    if horizon > HORIZON_CAP:
        result.notes.append(f"only the first {HORIZON_CAP:,} {unit}s are simulated")
        horizon = HORIZON_CAP
    result.horizon = run
    try:
        _without_torch(node)
    except _Unusable as exc:
        result.unresolved.append((exc.node, exc.why))
        return result
    optimizer = _optimizer(root, holder)
    if optimizer.note:
        result.notes.append(optimizer.note)
    base = optimizer.lr
    if base is None:
        result.unresolved.append((optimizer.node or node, "the optimizer lr is not in this "
                                  "file (a layered config may set it): LRs are shown relative "
                                  "to it"))
    base_lr = base if base is not None else 1.0

    def make(torch: Any, opt: Any) -> Any:
        return _build(torch, node, opt)

    try:
        torch_run = _Run(make, base_lr, horizon)
    except _Unusable as exc:
        result.unresolved.append((exc.node, exc.why))
        return result
    except _Rejected as exc:
        result.findings.append(Finding(Code.WU310, exc.message, exc.node))
        return result
    torch_run.extend(min(horizon, EAGER_STEPS))
    if torch_run.failure is not None:
        step, message = torch_run.failure
        result.findings.append(Finding(
            Code.WU310, f"torch raised while stepping {short} at {unit} {step}: {message}",
            node.get("class_path") or node))
        return result
    if run is None:
        result.notes.append(f"the run length is not in the config: {horizon} {unit}s are "
                            "simulated")
    warmup = min(_warmup_of(node), horizon)
    result.plan = _plan(torch_run, base_lr, f"torch {short}", f"{name}({_args_text(node)})",
                        warmup, horizon, unit, short)
    _zero_check(result, torch_run, warmup, unit, node)
    if run is not None and 0 < run < _warmup_of(node):
        result.findings.append(Finding(
            Code.WU301, f"the warmup ({_warmup_of(node)} {unit}s) is longer than the run ({run} "
            f"{unit}s): the LR never reaches its peak", node.get("class_path") or node))
    return result


def _args_text(node: Node) -> str:
    parts = []
    for key, child in _init_args(node).items():
        if isinstance(child.value, dict | list) and key == "schedulers":
            parts.append(f"{key}=[...]")
        else:
            parts.append(f"{key}={child.value!r}")
    return ", ".join(parts)


def _plan(run: _Run, base: float, label: str, spec: str, warmup: int, total: int | None,
          unit: str, phase: str, phases: tuple[tuple[int, str], ...] | None = None) -> Plan:
    def factor(step: int) -> float:
        return run.lr(step) / base

    if phases is None:
        phases = ((0, "warmup"), (warmup, phase)) if warmup else ((0, phase),)
    schedule = FunctionSchedule(factor, label, spec, warmup=warmup, total=total, phases=phases)
    return Plan(schedule, (base,), "torch", unit)


def _zero_check(result: FrameworkSchedule, run: _Run, warmup: int, unit: str,
                node: Node | None, length: int | None = None) -> None:
    """WU302 for LR-0 updates among the first ``warmup`` steps; ``length`` is the configured
    warmup length when the run ends before it (the share is of the whole warmup)."""
    if warmup <= 0:
        return
    run.extend(warmup)
    zeros = sum(1 for lr in run.lrs[:warmup] if lr == 0.0)
    warmup = max(warmup, length or 0)
    if zeros:
        result.findings.append(zero_lr_finding(zeros, warmup, unit, node))


def _read_litgpt(root: Node, train: Node) -> FrameworkSchedule:
    result = FrameworkSchedule("lightning", "litgpt train", train, None)
    fraction = train.get("lr_warmup_fraction")
    if fraction is not None and fraction.value is not None:
        result.unresolved.append((fraction, "lr_warmup_fraction is a share of the dataloader "
                                  "length, which the config does not hold"))
        return result
    warmup_node = train.get("lr_warmup_steps")
    steps_node = train.get("max_steps")
    warmup_value = warmup_node.as_number() if warmup_node is not None else 100
    if warmup_value is None:  # litgpt TrainArgs.lr_warmup_steps defaults to 100
        warmup_value = 100
    warmup = int(warmup_value)
    max_steps = steps_node.as_number() if steps_node is not None else None
    if max_steps is None:
        result.unresolved.append((steps_node or train, "litgpt decays over min(epochs x steps "
                                  "per epoch, max_steps); max_steps is not set and the steps per "
                                  "epoch depend on the dataset"))
        return result
    max_steps = int(max_steps)
    result.horizon = max_steps
    optimizer = _optimizer(root, None)
    if optimizer.note:
        result.notes.append(optimizer.note)
    base = optimizer.lr if optimizer.lr is not None else 1.0
    if optimizer.lr is None:
        result.unresolved.append((optimizer.node or train, "the optimizer lr is not in this "
                                  "file: LRs are shown relative to it"))
    result.notes.append("litgpt finetune: SequentialLR(LambdaLR(step / warmup_steps), "
                        "CosineAnnealingLR(T_max=max_steps - warmup_steps)); max_steps bounds "
                        "the run (epochs x steps per epoch may end it sooner)")

    def make(torch: Any, opt: Any) -> Any:
        # litgpt/finetune/full.py get_lr_scheduler
        sched = torch.optim.lr_scheduler
        try:
            first = sched.LambdaLR(opt, lambda step: step / warmup)
            second = sched.CosineAnnealingLR(opt, T_max=(max_steps - warmup))
            return sched.SequentialLR(opt, [first, second], milestones=[warmup])
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            raise _Rejected(warmup_node or train, f"torch rejected litgpt's scheduler: "
                            f"{type(exc).__name__}: {exc}") from None

    try:
        run = _Run(make, base, min(max_steps, HORIZON_CAP))
    except _Rejected as exc:
        result.findings.append(Finding(Code.WU310, exc.message, exc.node))
        return result
    run.extend(min(max_steps, EAGER_STEPS))
    if run.failure is not None:
        result.findings.append(Finding(Code.WU310, f"torch raised while stepping litgpt's "
                                       f"scheduler at step {run.failure[0]}: {run.failure[1]}",
                                       warmup_node or train))
        return result
    phases = ((0, "linear warmup"), (warmup, "cosine")) if warmup < max_steps \
        else ((0, "linear warmup"),)
    result.plan = _plan(run, base, "litgpt warmup + cosine",
                        f"litgpt get_lr_scheduler(warmup_steps={warmup}, max_steps={max_steps})",
                        min(warmup, max_steps), max_steps, "step", "cosine", phases)
    _zero_check(result, run, min(warmup, max_steps), "step", warmup_node or train, warmup)
    if warmup >= max_steps:
        peak = run.lr(max_steps - 1) / base if max_steps > 0 else 0.0
        result.findings.append(Finding(
            Code.WU301, f"lr_warmup_steps ({warmup}) is not shorter than max_steps ({max_steps}): "
            f"the LR only reaches {peak:.2f}x its peak, and the cosine's T_max = max_steps - "
            f"warmup_steps = {max_steps - warmup}", warmup_node or train))
    return result


READER = register(Reader("lightning", detect, read))
