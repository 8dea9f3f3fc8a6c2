"""Lightning CLI (jsonargparse ``class_path``/``init_args``) LR schedulers, and litgpt's own.

A ``torch.optim.lr_scheduler`` class is not re-implemented: the reader turns the config into
a ``SchedulerCall`` and ``upstream.torch_lr_scheduler`` builds the real class over a
one-parameter SGD and steps it the documented way; the factor is the LR of each step divided by
the optimizer's. torch is imported only once a config names a torch class (or is litgpt's);
whatever torch raises while building or stepping becomes a WU310 finding with torch's own
message. At most ``HORIZON_CAP`` steps are simulated, the first ``EAGER_STEPS``
while reading (to catch torch's errors), the rest on demand.

Places: ``lr_scheduler`` / ``lr_scheduler_init`` / ``scheduler`` mappings with a ``class_path``
anywhere (LightningCLI's top level, ``model.init_args.lr_scheduler``, finetuning-scheduler's
``lr_scheduler_init``), the optimizer (``optimizer``/``optimizer_init``) beside them or at the
top level, ``trainer.max_epochs``/``max_steps`` for the run. LightningCLI's own
``lr_scheduler`` steps once per epoch (Lightning's default ``interval``); a model-level one
follows ``interval`` of a sibling ``pl_lrs_cfg``/``lr_scheduler_config``, else every step.

litgpt (``train.lr_warmup_steps``/``max_steps``): its finetune ``get_lr_scheduler``
(``upstream.litgpt_finetune_full``, a SequentialLR of a LambdaLR warmup and a
CosineAnnealingLR) is built from the same torch classes and stepped once per optimizer step.

Checks: WU301 (litgpt's ``lr_warmup_steps`` >= ``max_steps``; a LinearLR, ConstantLR or
OneCycleLR warmup longer than the run), WU302 (warmup steps at LR 0), WU308 (unresolved: a class
outside torch.optim.lr_scheduler, a callable argument, a metric-driven scheduler, an
interpolation, a missing run length), WU310 (torch raised while building or stepping).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    lr_plan,
    mapping_at,
    register,
    shown,
    warmup_vs_run,
    zero_lr_start,
    zero_share_text,
)
from warmup_cli.frameworks.upstream.litgpt_finetune_full import get_lr_scheduler
from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    NESTING,
    SCHEDULER_CLASSES,
    BuildError,
    SchedulerCall,
    SteppedScheduler,
    UnknownScheduler,
    blamed_argument,
)
from warmup_cli.schedule import Origin
from warmup_cli.vocab import DEFAULT_BASE_LR, NO_FACTS, Code, RunFacts, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

HORIZON_CAP = 1_000_000
TORCH_CITES = "torch/optim/lr_scheduler.py"
LITGPT_CITES = "litgpt/finetune/full.py get_lr_scheduler"  # built from torch's classes
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
class _Refused(Exception):
    """A scheduler this reader cannot step: ``by_torch`` when torch itself raised (WU310), else
    unresolved; ``node`` is the key the reason is about."""

    def __init__(self, node: Node, why: str, *, by_torch: bool = False) -> None:
        super().__init__(why)
        self.node, self.why, self.by_torch = node, why, by_torch


def _class_name(node: Node) -> str | None:
    path = node.get("class_path")
    return path.as_str() if path is not None else None


def _init_args(node: Node) -> dict[str, Node]:
    args: dict[str, Node] = {}
    for key in ("init_args", "dict_kwargs"):
        holder = node.get(key)
        args.update((holder.as_mapping() if holder is not None else None) or {})
    return args


def _plain(ctx: Reading, node: Node) -> Any:
    """A config value as the Python value jsonargparse would pass (numbers parsed)."""
    why = ctx.why_unusable(node)
    if why is not None:
        raise _Refused(node, why)
    value = node.value
    if isinstance(value, bool) or value is None:
        return value
    items = node.as_sequence()
    if items is not None:
        return [_plain(ctx, item) for item in items]
    if node.as_mapping() is not None:
        raise _Refused(node, "a nested object is only understood as a scheduler in "
                        "SequentialLR/ChainedScheduler's schedulers")
    number = node.as_number()
    return number if number is not None else value


def _torch_name(path: str) -> str | None:
    """The torch.optim.lr_scheduler class a class_path names (LightningCLI also accepts the
    bare class name), or None."""
    name = next((path[len(prefix):] for prefix in TORCH_PREFIXES if path.startswith(prefix)),
                path)
    return name if name and "." not in name else None


def _not_torch(path: str) -> str:
    return (f"{path} is not a torch.optim.lr_scheduler class; warmup_cli does not import "
            "third-party code to find out what it does")


@dataclass
class _Call:
    """A torch scheduler as a class_path node spells it, and the call it makes."""

    node: Node
    path: str
    args: dict[str, Node]  # every init arg (torch's messages are blamed on one)
    spec: SchedulerCall
    children: list[_Call]  # SequentialLR / ChainedScheduler's schedulers

    @property
    def where(self) -> Node:
        return self.node.get("class_path") or self.node

    def origin(self, spec: SchedulerCall) -> _Call | None:
        """The call (this one or a child's) that made ``spec``."""
        if spec is self.spec:
            return self
        return next((found for child in self.children
                     if (found := child.origin(spec)) is not None), None)


def _call(ctx: Reading, node: Node) -> _Call:
    """Everything about a scheduler that needs no torch, so that only a config that names
    torch.optim.lr_scheduler classes (the whole point of this reader) pays for importing
    torch: a third-party class, a callable-taking class or a nested object is unresolved
    either way."""
    path = _class_name(node)
    if path is None:
        raise _Refused(node, "the scheduler has no class_path")
    name = _torch_name(path)
    where = node.get("class_path") or node
    # a bare class name is torch's only if torch has that class: anything else is reported
    # without importing torch (a fully qualified torch path is checked against torch)
    if name is None or ("." not in path and name not in SCHEDULER_CLASSES):
        raise _Refused(where, _not_torch(path))
    if name in NOT_REPRODUCED:
        raise _Refused(where, f"{name} {NOT_REPRODUCED[name]}")
    args = _init_args(node)
    kwargs: dict[str, Any] = {}
    children: list[_Call] | None = None
    for key, child in args.items():
        if key == "schedulers" and name in NESTING:
            items = child.as_sequence()
            if items is None:
                raise _Refused(child, "schedulers is not a list")
            children = [_call(ctx, item) for item in items]
        elif key != "optimizer":
            kwargs[key] = _plain(ctx, child)
    spec = SchedulerCall(name, kwargs, None if children is None
                         else tuple(child.spec for child in children))
    return _Call(node, path, args, spec, children or [])


def _refusal(call: _Call, exc: BuildError) -> _Refused:
    """What torch's refusal of (a child of) ``call`` means, at the key it is about."""
    origin = call.origin(exc.call) or call
    if isinstance(exc, UnknownScheduler):
        return _Refused(origin.where, _not_torch(origin.path))
    key = blamed_argument(exc.message, origin.args)
    return _Refused(origin.args[key] if key is not None else origin.where,
                    f"torch rejected {origin.spec.name}: {exc.message}", by_torch=True)


def _simulate(ctx: Reading, spec: SchedulerCall, base: float, limit: int, what: str,
              unit: Unit, blame: Node,
              refusal: Callable[[BuildError], _Refused]) -> SteppedScheduler | None:
    """The run stepped through its first EAGER_STEPS; None (and why) when torch refuses."""
    try:
        run = SteppedScheduler(spec, base, limit)
    except BuildError as exc:
        refused = refusal(exc)
        if refused.by_torch:
            ctx.finding(Code.WU310, refused.why, refused.node)
        else:
            ctx.unresolved(refused.node, refused.why)
        return None
    failure = run.extend(EAGER_STEPS)
    if failure is not None:
        ctx.finding(Code.WU310, f"torch raised while stepping {what} at {unit} "
                    f"{failure.step}: {failure.message}", blame)
        return None
    return run


def detect(doc: Document) -> bool:
    root = doc.root
    if root.as_mapping() is None:
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
        for key in SCHEDULER_KEYS:
            child = mapping_at(node, key)
            if child is not None and child.get("class_path") is not None:
                found.append((child, node))
    return found


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    root = doc.root
    found: list[FrameworkSchedule] = []
    train = _litgpt(root)
    if train is not None:
        found.append(_read_litgpt(doc, train))
    for node, holder in _scheduler_nodes(root):
        found.append(_read_cli(doc, node, holder))
    return found


_Optimizer = tuple[float | None, "Node | None", str | None]  # lr, where it is set, a note


def _optimizer(ctx: Reading, holder: Node | None) -> _Optimizer:
    """The lr of the optimizer beside the scheduler, at the top level or the model's."""
    root = ctx.doc.root
    model = root.get("model")
    model_args = _init_args(model) if model is not None else {}
    places = [*(place.get(key) for place in (holder, root) if place is not None
                for key in OPTIMIZER_KEYS), *(model_args.get(key) for key in OPTIMIZER_KEYS)]
    for node in (place for place in places if place is not None):
        named = node.as_str()
        if named is not None:
            return _default_lr(named, node)
        path = _class_name(node)
        lr = _init_args(node).get("lr") if path else node.get("lr")
        if lr is None:
            if path:
                return _default_lr(path, node)
            continue
        why = ctx.why_unusable(lr)
        if why is not None:
            return None, lr, f"optimizer lr: {why}"
        number = lr.as_number()
        if number is None:
            return None, lr, f"optimizer lr is {shown(lr)}, not a number"
        return float(number), lr, None
    return None, None, None


def _default_lr(path: str, node: Node) -> _Optimizer:
    """The lr default of a torch optimizer class named without an lr."""
    import inspect

    import torch

    name = path.rsplit(".", 1)[-1]
    cls = getattr(torch.optim, name, None)
    if isinstance(cls, type):
        default = inspect.signature(cls).parameters.get("lr")
        if default is not None and isinstance(default.default, int | float):
            return (float(default.default), node,
                    f"no lr given: torch.optim.{name}'s default {default.default:g}")
    return None, node, f"the lr of optimizer {path} is not in this file"


def _base_lr(ctx: Reading, holder: Node | None, fallback: Node, why: str) -> float:
    """The optimizer's lr, which the factor is relative to (DEFAULT_BASE_LR when unknown)."""
    lr, node, note = _optimizer(ctx, holder)
    if note:
        ctx.note(note)
    if lr is None:
        ctx.missing(node or fallback, why)
        return DEFAULT_BASE_LR
    return lr


def _trainer(root: Node) -> tuple[int | None, int | None]:
    """trainer.max_epochs and max_steps when they limit the run (-1 and 0 do not)."""
    trainer = root.get("trainer")
    limits: dict[str, int] = {}
    for key in ("max_epochs", "max_steps"):
        child = trainer.get(key) if trainer is not None else None
        number = child.as_number() if child is not None else None
        if number is not None and number > 0:
            limits[key] = int(number)
    return limits.get("max_epochs"), limits.get("max_steps")


def _interval(holder: Node, top_level: bool) -> tuple[Unit, str | None]:
    for key in INTERVAL_KEYS:
        cfg = mapping_at(holder, key)
        interval = cfg.get("interval") if cfg is not None else None
        if interval is not None and interval.value in ("epoch", "step"):
            return Unit(interval.value), None
    if top_level:
        return Unit.EPOCH, ("LightningCLI steps its lr_scheduler once per epoch (Lightning's "
                            "default interval)")
    return Unit.STEP, ("the LightningModule chooses the interval in configure_optimizers; "
                       "one scheduler step per optimizer step is assumed")


def _derived_horizon(node: Node) -> int:
    """A horizon from the scheduler's own lengths when the run length is unknown."""
    longest = 0.0
    for item in node.walk():
        if item.as_mapping() is None:
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
    """Warmup steps of a torch scheduler config (0 when it is not a warmup), with torch's
    defaults (torch/optim/lr_scheduler.py: LinearLR, ConstantLR, OneCycleLR, SequentialLR)."""
    name = _torch_name(_class_name(node) or "") or ""
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
        items = children.as_sequence() if children is not None else None
        if items and firsts and _warmup_of(items[0]):
            return int(firsts[0])
    return 0


def _read_cli(doc: Document, node: Node, holder: Node) -> FrameworkSchedule:
    root = doc.root
    name = _class_name(node) or "?"
    short = _torch_name(name) or name
    out = FrameworkSchedule("lightning", f"{node.path[-1] if node.path else 'lr_scheduler'}"
                            f" ({short})", node, None)
    ctx = Reading(doc, out, hydra=True)
    unit, interval_note = _interval(holder, holder is root)
    if interval_note:
        ctx.note(interval_note)
    epochs, steps = _trainer(root)
    run = epochs if unit is Unit.EPOCH else steps
    if unit is Unit.EPOCH and epochs is None and steps is None and root.get("trainer") is not None:
        run = 1000  # Lightning's Trainer: max_epochs defaults to 1000 when max_steps is -1
        ctx.note("trainer.max_epochs is not set: Lightning's default of 1000 epochs is assumed")
    horizon = run if run is not None else _derived_horizon(node)
    if horizon > HORIZON_CAP:
        ctx.note(f"only the first {HORIZON_CAP:,} {unit}s are simulated")
        horizon = HORIZON_CAP
    out.horizon = run
    try:
        call = _call(ctx, node)
    except _Refused as exc:
        ctx.unresolved(exc.node, exc.why)
        return out
    base = _base_lr(ctx, holder, node, "the optimizer lr is not in this file (a layered config "
                    "may set it): LRs are shown relative to it")
    torch_run = _simulate(ctx, call.spec, base, horizon, short, unit, call.where,
                          lambda exc: _refusal(call, exc))
    if torch_run is None:
        return out
    if run is None:
        ctx.note(f"the run length is not in the config: {horizon} {unit}s are simulated")
    warmup = min(_warmup_of(node), horizon)
    phases = ((0, "warmup"), (warmup, short)) if warmup else ((0, short),)
    # the LRs are the real class's own, stepped (torch/optim/lr_scheduler.py)
    lr_plan(out, torch_run.lr, base, unit, f"torch {short}", f"{name}({_args_text(node)})",
            origin=Origin(f"torch's {short}", TORCH_CITES, torch_class=short), warmup=warmup,
            total=horizon, phases=phases, source="torch")
    zero_lr_start(out, torch_run.simulated, warmup, node, unit, leading=False,
                  message=lambda zeros, length: zero_share_text(zeros, length, str(unit)))
    warmup_vs_run(out, _warmup_of(node), run, call.where, None, unit, longer_only=True)
    return out


def _args_text(node: Node) -> str:
    parts = []
    for key, child in _init_args(node).items():
        if isinstance(child.value, dict | list) and key == "schedulers":
            parts.append(f"{key}=[...]")
        else:
            parts.append(f"{key}={child.value!r}")
    return ", ".join(parts)


def _read_litgpt(doc: Document, train: Node) -> FrameworkSchedule:
    out = FrameworkSchedule("lightning", "litgpt train", train, None)
    ctx = Reading(doc, out, hydra=True)
    fraction = train.get("lr_warmup_fraction")
    if fraction is not None and fraction.value is not None:
        ctx.unresolved(fraction, "lr_warmup_fraction is a share of the dataloader length, "
                       "which the config does not hold")
        return out
    warmup_node = train.get("lr_warmup_steps")
    steps_node = train.get("max_steps")
    # litgpt TrainArgs.lr_warmup_steps defaults to 100
    warmup_value = warmup_node.as_number() if warmup_node is not None else None
    warmup = int(warmup_value if warmup_value is not None else 100)
    max_steps = steps_node.as_number() if steps_node is not None else None
    if max_steps is None:
        ctx.unresolved(steps_node or train, "litgpt decays over min(epochs x steps per epoch, "
                       "max_steps); max_steps is not set and the steps per epoch depend on the "
                       "dataset")
        return out
    max_steps = out.horizon = int(max_steps)
    base = _base_lr(ctx, None, train, "the optimizer lr is not in this file: LRs are shown "
                    "relative to it")
    ctx.note("litgpt finetune: SequentialLR(LambdaLR(step / warmup_steps), "
             "CosineAnnealingLR(T_max=max_steps - warmup_steps)); max_steps bounds the run "
             "(epochs x steps per epoch may end it sooner)")
    blame = warmup_node or train

    def refusal(exc: BuildError) -> _Refused:
        return _Refused(blame, f"torch rejected litgpt's scheduler: {exc.message}",
                        by_torch=True)

    run = _simulate(ctx, get_lr_scheduler(warmup, max_steps), base,
                    min(max_steps, HORIZON_CAP), "litgpt's scheduler", Unit.STEP, blame, refusal)
    if run is None:
        return out
    phases = ((0, "linear warmup"), (warmup, "cosine")) if warmup < max_steps \
        else ((0, "linear warmup"),)
    lr_plan(out, run.lr, base, Unit.STEP, "litgpt warmup + cosine",
            f"litgpt get_lr_scheduler(warmup_steps={warmup}, max_steps={max_steps})",
            origin=Origin("litgpt's get_lr_scheduler", LITGPT_CITES,
                          torch_class="SequentialLR"),
            warmup=min(warmup, max_steps), total=max_steps, phases=phases, source="torch")
    zero_lr_start(out, run.simulated, warmup, blame, Unit.STEP, leading=False,
                  message=lambda zeros, length: zero_share_text(zeros, length, "step"))
    if warmup >= max_steps:
        peak = run.lr(max_steps - 1) / base if max_steps > 0 else 0.0
        warmup_vs_run(out, warmup, max_steps, blame, None, Unit.STEP, message=(
            f"lr_warmup_steps ({warmup}) is not shorter than max_steps ({max_steps}): the LR "
            f"only reaches {peak:.2f}x its peak, and the cosine's T_max = max_steps - "
            f"warmup_steps = {max_steps - warmup}"))
    return out


READER = register(Reader("lightning", detect, read))
