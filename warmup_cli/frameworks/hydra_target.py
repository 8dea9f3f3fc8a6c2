"""Hydra ``_target_`` schedulers: the layout of lightning-hydra-template and most Hydra
research code, where ``hydra.utils.instantiate`` builds the scheduler named by ``_target_``
with the mapping's other keys as arguments (``_partial_: true`` leaves the optimizer to the
LightningModule's ``configure_optimizers``)::

    model:
      optimizer: {_target_: torch.optim.Adam, _partial_: true, lr: 0.001}
      scheduler: {_target_: torch.optim.lr_scheduler.CosineAnnealingLR, _partial_: true,
                  T_max: 50}

Targets read (nothing is imported or instantiated):

* ``torch.optim.lr_scheduler.<Class>``: the real torch class, built over a one-parameter SGD
  and stepped, as the Lightning reader does (``lightning.simulate``); ``ReduceLROnPlateau``
  is a plateau phase (``frameworks.plateau``: ``show --metrics`` steps the real class with
  the metric series, the plateau rules see it), its metric the ``monitor`` key beside the
  scheduler when there is one; ``LambdaLR``/``MultiplicativeLR`` (a callable) and nested
  ``SequentialLR``/``ChainedScheduler`` are unresolved.
* ``transformers[.optimization].get_*_schedule*``: the lr_lambda of
  :mod:`.upstream.transformers_optimization` with the function's own defaults and checks.
* ``timm.scheduler[.cosine_lr].CosineLRScheduler``: :func:`.upstream.timm_scheduler.
  cosine_get_lr` with the class's defaults, stepped per epoch (``t_in_epochs: true``, the
  default) or per update.

The optimizer's ``lr`` comes from a sibling ``optimizer`` mapping (a ``torch.optim.*``
``_target_``), else from any ``torch.optim.*`` target in the file, else a torch class's default
``lr``; without one the LRs are relative to it. The run: ``trainer.max_epochs``/``max_steps``
when the file holds them, else ``--steps``/``--epochs``, else the scheduler's own length with
a margin. A torch or timm scheduler is assumed to step once per epoch (Lightning's default
``interval``, which lightning-hydra-template's ``configure_optimizers`` uses), a transformers
one once per optimizer step, each with a note; an ``interval`` key beside the scheduler wins.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmup_cli.frameworks import lightning
from warmup_cli.frameworks.hf import ORIGIN as HF_ORIGIN
from warmup_cli.frameworks.kit import (
    FactorFn,
    FrameworkSchedule,
    Reader,
    Reading,
    fmt,
    lr_plan,
    plan,
    register,
    spec_text,
    warmup_vs_run,
    zero_lr_start,
    zero_share_severity_lowered,
    zero_share_text,
)
from warmup_cli.frameworks.upstream import transformers_optimization as hf
from warmup_cli.frameworks.upstream.timm_scheduler import (
    Cycles,
    cosine_get_lr,
    make_warmup,
    stepped,
)
from warmup_cli.frameworks.upstream.torch_chainable import scheduler_origin
from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    NESTING,
    BuildError,
    SchedulerCall,
    UnknownScheduler,
)
from warmup_cli.schedule import Origin
from warmup_cli.vocab import DEFAULT_BASE_LR, NO_FACTS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "hydra"
TORCH = "torch.optim.lr_scheduler."
OPTIMIZERS = "torch.optim."
HYDRA_KEYS = frozenset({"_target_", "_partial_", "_recursive_", "_convert_", "_args_"})
MARGIN_MIN = 20
# transformers get_* functions: (SchedulerType, takes num_training_steps)
TRANSFORMERS = {
    "get_constant_schedule": "constant",
    "get_constant_schedule_with_warmup": "constant_with_warmup",
    "get_linear_schedule_with_warmup": "linear",
    "get_cosine_schedule_with_warmup": "cosine",
    "get_cosine_with_hard_restarts_schedule_with_warmup": "cosine_with_restarts",
    "get_polynomial_decay_schedule_with_warmup": "polynomial",
    "get_inverse_sqrt_schedule": "inverse_sqrt",
    "get_cosine_with_min_lr_schedule_with_warmup": "cosine_with_min_lr",
}
TIMM_COSINE = ("timm.scheduler.CosineLRScheduler", "timm.scheduler.cosine_lr.CosineLRScheduler")


@dataclass(frozen=True)
class _Target:
    """A scheduler mapping, the library it comes from and its callable's short name."""

    node: Node
    holder: Node | None  # the mapping that holds it (None: the file is the scheduler)
    library: str  # "torch", "transformers", "timm"
    name: str

    @property
    def args(self) -> dict[str, Node]:
        return {key: child for key, child in (self.node.as_mapping() or {}).items()
                if key not in HYDRA_KEYS}

    @property
    def where(self) -> Node:
        return self.node.get("_target_") or self.node


def _classify(target: str) -> tuple[str, str] | None:
    if target.startswith(TORCH) and "." not in target[len(TORCH):]:
        return "torch", target[len(TORCH):]
    short = target.rsplit(".", 1)[-1]
    if target.startswith("transformers.") and short in TRANSFORMERS:
        return "transformers", short
    if target.startswith("timm.scheduler."):
        return "timm", short
    return None


def _as_target(node: Node, holder: Node | None) -> _Target | None:
    if node.as_mapping() is None:
        return None
    child = node.get("_target_")
    text = child.as_str() if child is not None else None
    kind = _classify(text) if text is not None else None
    return _Target(node, holder, *kind) if kind is not None else None


def _targets(root: Node) -> list[_Target]:
    found = [target] if (target := _as_target(root, None)) is not None else []
    for node in root.walk():
        for child in (node.as_mapping() or {}).values():
            target = _as_target(child, node)
            if target is not None:
                found.append(target)
    return found


def detect(doc: Document) -> bool:
    """A mapping whose ``_target_`` is a torch, transformers or timm scheduler."""
    return bool(_targets(doc.root))


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    return [_read(doc, target, facts) for target in _targets(doc.root)]


def _yaml11_note(label: str, node: Node, number: float | int) -> str:
    # OmegaConf's loader reads 1e-3 as a float; PyYAML (YAML 1.1) keeps it a string
    text = str(node.value)
    dotted = text if "." in text else text.lower().replace("e", ".0e", 1)
    return (f"{label}: {text} is a string under YAML 1.1 (PyYAML); OmegaConf reads it as "
            f"{number!r}, other YAML 1.1 loaders keep a string: write it with a dot, {dotted}")


# --- the optimizer, the run ------------------------------------------------------------------


def _optimizers(doc: Document, target: _Target) -> list[Node]:
    sibling = target.holder.get("optimizer") if target.holder is not None else None
    others = [node for node in doc.root.walk() if node.as_mapping() is not None
              and _is_optimizer(node)]
    return ([sibling] if sibling is not None and _is_optimizer(sibling) else []) + others


def _is_optimizer(node: Node) -> bool:
    child = node.get("_target_")
    text = child.as_str() if child is not None else None
    return text is not None and text.startswith(OPTIMIZERS) and not text.startswith(TORCH)


def _base_lr(ctx: Reading, target: _Target) -> float:
    """The optimizer's lr (a torch class's default when it names none; DEFAULT_BASE_LR, shown
    relative, when there is no optimizer)."""
    for optimizer in _optimizers(ctx.doc, target):
        lr = ctx.number(optimizer, "lr", None, label="optimizer lr", low=0)
        if lr is not None:
            return float(lr)
        if optimizer.get("lr") is None and target.library == "torch":
            named = optimizer.get("_target_")
            default, _, note = lightning.default_lr(named.as_str() or "", optimizer) \
                if named is not None else (None, None, None)
            if note:
                ctx.note(note)
            if default is not None:
                return default
        break
    ctx.missing(target.node, "the optimizer lr is not in this file: LRs are shown relative "
                "to it")
    return DEFAULT_BASE_LR


def _unit(ctx: Reading, target: _Target) -> Unit:
    holder = target.holder
    interval = holder.get("interval") if holder is not None else None
    if interval is not None and interval.value in ("epoch", "step"):
        return Unit(interval.value)
    if target.library == "transformers":
        ctx.note("a transformers schedule is assumed to step once per optimizer step")
        return Unit.STEP
    if target.library == "timm":
        in_epochs = ctx.flag(target.node, "t_in_epochs", True)
        return Unit.EPOCH if in_epochs else Unit.STEP
    ctx.note("stepped once per epoch, Lightning's default interval (lightning-hydra-template's "
             "configure_optimizers uses interval 'epoch'); an `interval` key beside the "
             "scheduler says otherwise")
    return Unit.EPOCH


def _run_length(ctx: Reading, unit: Unit, facts: RunFacts) -> int | None:
    trainer = ctx.doc.root.get("trainer")
    key = "max_epochs" if unit is Unit.EPOCH else "max_steps"
    value = ctx.count(trainer, key, None, label=f"trainer.{key}") if trainer is not None \
        else None
    if value is not None and value > 0:
        return int(value)
    return facts.total_steps


def _own_length(target: _Target) -> int:
    """A horizon from the scheduler's own lengths, when the run length is unknown."""
    longest = 0.0
    for key, child in target.args.items():
        values = child.as_number_list() if key == "milestones" else [child.as_number()]
        if key in ("total_iters", "T_max", "T_0", "step_size", "total_steps", "milestones",
                   "num_training_steps", "t_initial", "warmup_t", "num_warmup_steps"):
            longest = max([longest, *(float(v) for v in values or [] if v is not None
                                      and math.isfinite(v))])
    return max(MARGIN_MIN, math.ceil(longest * 1.5))


# --- one schedule ----------------------------------------------------------------------------


def _read(doc: Document, target: _Target, facts: RunFacts) -> FrameworkSchedule:
    path = (target.node.get("_target_") or target.node).as_str() or target.name
    label = ".".join(str(p) for p in target.node.path) or "_target_"
    out = FrameworkSchedule(FRAMEWORK, f"{label} ({target.name})", target.node, None)
    ctx = Reading(doc, out, hydra=True, yaml11=_yaml11_note)
    unit = _unit(ctx, target)
    run = _run_length(ctx, unit, facts)
    out.horizon = run
    horizon = run if run is not None else _own_length(target)
    if target.library == "torch":
        _torch(ctx, target, path, unit, run, horizon)
    elif target.library == "transformers":
        _transformers(ctx, target, unit, run, horizon, facts)
    elif target.name == "CosineLRScheduler":
        _timm_cosine(ctx, target, unit, run, horizon)
    else:
        ctx.finding(Code.WU308, f"{path} is not modelled (of timm's schedulers warmup_cli "
                    "reads CosineLRScheduler under _target_)", target.where, Severity.NOTE)
        ctx.unresolved(target.where, f"{path} is not modelled")
    # a plateau runs as long as its metric series does, so no length is assumed for it
    if out.plan is not None and out.horizon is None and target.name != "ReduceLROnPlateau":
        ctx.note(f"the run length is not in the file: {horizon} {unit}s are shown")
    return out


def _torch(ctx: Reading, target: _Target, path: str, unit: Unit, run: int | None,
           horizon: int) -> None:
    name = target.name
    if name == "ReduceLROnPlateau":
        _plateau(ctx, target, unit)
        return
    why = lightning.NOT_REPRODUCED.get(name) or (
        "takes schedulers, which Hydra builds without the optimizer; not modelled"
        if name in NESTING else None)
    if why is not None:
        ctx.unresolved(target.where, f"{name} {why}")
        return
    try:
        kwargs = {key: lightning.plain_value(ctx, child) for key, child in target.args.items()
                  if key != "optimizer"}
    except lightning.Refused as exc:
        ctx.unresolved(exc.node, exc.why)
        return
    base = _base_lr(ctx, target)
    call = SchedulerCall(name, kwargs)

    def refusal(exc: BuildError) -> lightning.Refused:
        key = next((k for k in target.args if k in exc.message), None)
        return lightning.Refused(target.args[key] if key else target.where,
                                 f"torch rejected {name}: {exc.message}",
                                 by_torch=not isinstance(exc, UnknownScheduler))

    stepped_run = lightning.simulate(ctx, call, base, min(horizon, lightning.HORIZON_CAP),
                                     name, unit, target.where, refusal)
    if stepped_run is None:
        return
    warmup = min(lightning.torch_warmup(name, target.args), horizon)
    phases = ((0, "warmup"), (warmup, name)) if warmup else ((0, name),)
    # the LRs are the real class's own, stepped (torch/optim/lr_scheduler.py)
    lr_plan(ctx.out, stepped_run.lr, base, unit, f"torch {name}",
            f"{path}({', '.join(f'{k}={fmt(v)}' for k, v in kwargs.items())})",
            origin=scheduler_origin(stepped_run, call, base, f"torch's {name}",
                                    lightning.TORCH_CITES),
            warmup=warmup, total=horizon, phases=phases, source="torch",
            extra=lightning.constant_warmup(stepped_run, name, target.args, warmup))
    zero_lr_start(ctx.out, stepped_run.simulated, warmup, target.node, unit, leading=False,
                  message=lambda zeros, length: zero_share_text(zeros, length, str(unit)))
    warmup_vs_run(ctx.out, lightning.torch_warmup(name, target.args), run, target.where, None,
                  unit, longer_only=True)


def _plateau(ctx: Reading, target: _Target, unit: Unit) -> None:
    """torch's ReduceLROnPlateau as a plateau phase (``frameworks.plateau``), resolved with a
    metric series as the Lightning reader's is; the metric is the ``monitor`` beside the
    scheduler when the file has one (lightning-hydra-template's configure_optimizers names it
    in the lr_scheduler dict it returns, outside the config)."""
    from warmup_cli.frameworks.plateau import Refused, plateau_schedule
    from warmup_cli.schedule import Plan

    monitor_node = target.holder.get("monitor") if target.holder is not None else None
    monitor = monitor_node.as_str() if monitor_node is not None else None
    try:
        kwargs = {key: lightning.plain_value(ctx, child) for key, child in target.args.items()
                  if key != "optimizer"}
    except lightning.Refused as exc:
        ctx.unresolved(exc.node, exc.why)
        return
    phase = plateau_schedule(kwargs, monitor)
    if isinstance(phase, Refused):
        at = target.args.get(phase.key) or target.where
        ctx.finding(Code.WU310, f"torch rejected ReduceLROnPlateau: {phase.message}", at)
        ctx.unresolved(at, phase.message)
        return
    base = _base_lr(ctx, target)
    ctx.note(f"ReduceLROnPlateau lowers the LR when {monitor or 'the monitored metric'} stops "
             f"improving: show it with --metrics FILE --metric {monitor or 'NAME'} (its logged "
             "values)")
    ctx.out.plan = Plan(phase, (base,), "ReduceLROnPlateau", unit)


# --- transformers ----------------------------------------------------------------------------


def _steps(ctx: Reading, target: _Target, key: str, facts: RunFacts | None) -> int | None:
    """A step count argument; an interpolation (``${trainer.max_steps}``) is what ``--steps``
    supplies, when given."""
    node = target.node.get(key)
    if node is not None and facts is not None and facts.total_steps is not None and \
            ctx.why_unusable(node) is not None:
        ctx.note(f"{key} {node.value!r} is resolved by Hydra at launch: --steps "
                 f"{facts.total_steps} is used")
        return facts.total_steps
    if node is None:
        ctx.reject(target.where, f"{target.name} needs {key} (a TypeError at instantiation)")
        return None
    value = ctx.count(target.node, key, None, low=0)
    return None if value is None else int(value)


def _transformers(ctx: Reading, target: _Target, unit: Unit, run: int | None, horizon: int,
                  facts: RunFacts) -> None:
    kind = TRANSFORMERS[target.name]
    warmup = 0 if kind == "constant" else _steps(ctx, target, "num_warmup_steps", None)
    total = _steps(ctx, target, "num_training_steps", facts) \
        if hf.needs_training_steps(kind, None) else None
    known = {"optimizer", "num_warmup_steps", "num_training_steps", "last_epoch"}
    extra = {key: child for key, child in target.args.items() if key not in known}
    unknown = sorted(set(extra) - hf.SCHEDULER_KWARGS.get(kind, frozenset()))
    if unknown:
        ctx.reject(extra[unknown[0]], f"{target.name} takes no argument "
                   f"{', '.join(unknown)} (a TypeError at instantiation)")
    kwargs = {key: ctx.number(child, None, None, label=key) for key, child in extra.items()
              if key not in unknown}
    base = _base_lr(ctx, target)
    if ctx.failed or warmup is None or (total is None and kind not in (
            "constant", "constant_with_warmup", "inverse_sqrt")):
        return
    fn = _hf_factor(ctx, target, kind, warmup, total or 0, kwargs, base)
    if fn is None:
        return
    length = total if total is not None else horizon
    if run is None and total is not None:
        ctx.out.horizon = total  # num_training_steps is the run the schedule was sized for
    phases = ((0, "warmup"), (warmup, kind)) if warmup else ((0, kind),)
    plan(ctx.out, fn, base, unit, f"transformers {target.name}",
         spec_text(target.name, {"num_warmup_steps": warmup, "num_training_steps": total,
                                 **kwargs}),
         warmup=warmup, total=length, phases=phases, source="transformers", origin=HF_ORIGIN)
    node = target.node.get("num_warmup_steps") or target.where
    zero_lr_start(ctx.out, fn, warmup, node, unit, scan=1000,
                  policy=zero_share_severity_lowered)
    warmup_vs_run(ctx.out, warmup, total if total is not None else run, node,
                  target.node.get("num_training_steps"), unit)


def _hf_factor(ctx: Reading, target: _Target, kind: str, warmup: int, total: int,
               kwargs: dict[str, float | int | None], base: float) -> FactorFn | None:
    """The get_* function's lr_lambda with its defaults and its ValueErrors."""
    def arg(key: str, default: float) -> float:
        value = kwargs.get(key)
        return float(value) if value is not None else default

    makers: dict[str, Callable[[], FactorFn]] = {
        "constant": hf.constant_lambda,
        "constant_with_warmup": lambda: hf.constant_with_warmup_lambda(warmup),
        "linear": lambda: hf.linear_lambda(warmup, total),
        "cosine": lambda: hf.cosine_lambda(warmup, total, arg("num_cycles", 0.5)),
        "cosine_with_restarts": lambda: hf.cosine_restarts_lambda(warmup, total,
                                                                  arg("num_cycles", 1)),
        "inverse_sqrt": lambda: hf.inverse_sqrt_lambda(
            warmup, arg("timescale", float(warmup or 10_000))),
    }
    if kind in makers:
        return makers[kind]()
    if kind == "polynomial":
        lr_end, power = arg("lr_end", 1e-7), arg("power", 1.0)
        if not base > lr_end:
            ctx.reject(target.node.get("lr_end") or target.where, f"lr_end ({lr_end!r}) must "
                       f"be smaller than the optimizer lr ({base!r}): transformers raises "
                       "ValueError")
            return None
        return hf.polynomial_lambda(warmup, total, lr_end, power, base)
    # cosine_with_min_lr: exactly one of min_lr / min_lr_rate
    if (kwargs.get("min_lr") is None) == (kwargs.get("min_lr_rate") is None):
        ctx.reject(target.where, "exactly one of min_lr and min_lr_rate must be set "
                   "(transformers raises ValueError)")
        return None
    rate = arg("min_lr", 0.0) / base if kwargs.get("min_lr") is not None \
        else arg("min_lr_rate", 0.0)
    return hf.cosine_lambda(warmup, total, arg("num_cycles", 0.5), rate)


# --- timm ------------------------------------------------------------------------------------


def _timm_cosine(ctx: Reading, target: _Target, unit: Unit, run: int | None,
                 horizon: int) -> None:
    # timm/scheduler/cosine_lr.py CosineLRScheduler.__init__ defaults (timm 1.0.31)
    node = target.node
    t_initial = ctx.number(node, "t_initial", None, low=1)
    if node.get("t_initial") is None:
        ctx.reject(target.where, "CosineLRScheduler needs t_initial (a TypeError at "
                   "instantiation)")
    lr_min = ctx.number(node, "lr_min", 0.0)
    cycles = Cycles(t_initial or 1, ctx.number(node, "cycle_mul", 1.0),
                    ctx.number(node, "cycle_decay", 1.0), int(ctx.count(node, "cycle_limit", 1)))
    warmup_t = ctx.number(node, "warmup_t", 0, low=0)
    warmup_lr = ctx.number(node, "warmup_lr_init", 0.0)
    prefix = ctx.flag(node, "warmup_prefix", False)
    k_decay = ctx.number(node, "k_decay", 1.0)
    base = _base_lr(ctx, target)
    if ctx.failed or t_initial is None:
        return
    warmup = make_warmup(warmup_t, warmup_lr, base)
    get_lr = cosine_get_lr(base, lr_min, cycles, warmup, prefix, k_decay)
    fn = stepped(get_lr, warmup_lr if warmup_t else base)  # timm sets the LR itself
    length = int(cycles.length(warmup_t, prefix))
    end = math.ceil(warmup_t)
    lr_plan(ctx.out, fn, base, unit, "timm CosineLRScheduler",
            spec_text("CosineLRScheduler", {"t_initial": t_initial, "warmup_t": warmup_t,
                                            "warmup_lr_init": warmup_lr, "lr_min": lr_min}),
            origin=Origin("timm's CosineLRScheduler", "timm/scheduler/cosine_lr.py",
                          "timm 1.0.31"),
            warmup=end, total=max(length, horizon if run is None else run),
            phases=((0, "warmup"), (end, "cosine")) if end else ((0, "cosine"),),
            source="timm")
    zero_lr_start(ctx.out, fn, end, node.get("warmup_lr_init") or target.where, unit)
    warmup_vs_run(ctx.out, warmup_t, run, node.get("warmup_t"), None, unit)


READER = register(Reader(FRAMEWORK, detect, read))
