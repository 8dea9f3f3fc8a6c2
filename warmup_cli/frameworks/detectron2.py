"""detectron2 LR schedules: yacs ``SOLVER`` keys (with ``_BASE_`` inheritance) and LazyConfig
``WarmupParamScheduler`` multipliers.

detectron2 builds every schedule the same way (detectron2/solver/build.py,
``build_lr_scheduler``): a fvcore ``ParamScheduler`` for the main schedule, wrapped in
``WarmupParamScheduler`` (detectron2/solver/lr_scheduler.py), driven by ``LRMultiplier``, a
torch LR scheduler whose ``get_lr`` is ``base_lr * multiplier(last_epoch / max_iter)``. The LR
of iteration ``k`` (0-based) is therefore ``BASE_LR * multiplier(k / MAX_ITER)``. The fvcore
formulas are in ``frameworks/upstream/fvcore_param_scheduler.py``; detectron2's two wrappers
are below.

Checks (located at the responsible key; a key set in a ``_BASE_`` file is located in that
file, a default on the ``_BASE_`` line):

* WU301 warmup-longer-than-run: ``WARMUP_ITERS >= MAX_ITER`` (detectron2 caps the warmup at the
  whole run, so the main schedule never starts), a LazyConfig ``warmup_length >= 1``.
* WU302 zero-lr-first-update: ``WARMUP_FACTOR`` (LazyConfig ``warmup_factor``) 0: the first
  iteration (every warmup iteration with the constant method) runs at LR 0; severity by the
  share of the warmup lost (``kit.zero_share_severity``).
* WU308 unresolved-value: a ``_BASE_`` file that is not at hand (or, absolute or under ``~``,
  outside the project without ``--follow-bases``), a LazyConfig value computed in code (lint:
  notes); a value fvcore/detectron2/yacs would reject is also a WU308 error.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import partial
from typing import TYPE_CHECKING, Any

from warmup_cli.configs import reads
from warmup_cli.configs.bases import MAX_BASE_DEPTH, project_root
from warmup_cli.configs.bases import inside as _inside
from warmup_cli.configs.document import load_document
from warmup_cli.errors import ConfigError
from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    StopReading,
    constant_warmup_jump,
    mapping_at,
    plan,
    register,
    unread_schedule_keys,
    warmup_vs_run,
    zero_lr_start,
    zero_share_text,
)
from warmup_cli.frameworks.upstream import fvcore_param_scheduler as fvcore
from warmup_cli.frameworks.upstream.fvcore_param_scheduler import Composite, Rejected, WhereFn
from warmup_cli.schedule import Origin
from warmup_cli.vocab import NO_FACTS, RunFacts, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "detectron2"
# tools/golden/detectron2_golden.py runs fvcore's own schedulers under a transcription of
# detectron2's glue (detectron2 is not on PyPI)
ORIGIN = Origin("detectron2's multiplier", "detectron2/solver/lr_scheduler.py over "
                "fvcore/common/param_scheduler.py", "fvcore 0.1.5's ParamSchedulers")


@dataclass(frozen=True)
class _Solver:
    """The SOLVER keys ``build_lr_scheduler`` reads, with detectron2's defaults
    (detectron2/config/defaults.py ``_C.SOLVER``); yacs types each value like its default."""

    LR_SCHEDULER_NAME: str = "WarmupMultiStepLR"
    MAX_ITER: int = 40000
    BASE_LR: float = 0.001
    BASE_LR_END: float = 0.0
    GAMMA: float = 0.1
    STEPS: tuple[float | int, ...] = (30000,)
    NUM_DECAYS: int = 3
    WARMUP_FACTOR: float = 1.0 / 1000
    WARMUP_ITERS: int = 1000
    WARMUP_METHOD: str = "linear"
    RESCALE_INTERVAL: bool = False
    REFERENCE_WORLD_SIZE: int = 0
    BIAS_LR_FACTOR: float = 1.0


DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(_Solver)}
SOLVER_KEYS = frozenset(DEFAULTS)


# --- detectron2/solver/lr_scheduler.py: WarmupParamScheduler and LRMultiplier -----------


def warmup_param_scheduler(scheduler: WhereFn, warmup_factor: float, warmup_length: float,
                           warmup_method: str = "linear",
                           rescale_interval: bool = False) -> Composite:
    """WarmupParamScheduler.__init__ (with rescale_interval): a fvcore Composite of the warmup
    and ``scheduler``."""
    try:
        end_value = scheduler(0.0) if rescale_interval else scheduler(warmup_length)
        start_value = warmup_factor * scheduler(0.0)
    except (RuntimeError, IndexError) as exc:
        # A warmup as long as the run evaluates the main schedule at where = 1.0, where
        # fvcore's Constant raises RuntimeError and Step indexes past its values: detectron2
        # fails while building the scheduler.
        raise Rejected(f"{type(exc).__name__}: {exc}") from None
    if warmup_method == "constant":
        warmup = fvcore.constant(start_value)
    elif warmup_method == "linear":
        warmup = fvcore.linear(start_value, end_value)
    else:
        raise Rejected(f"Unknown warmup method: {warmup_method}")
    return fvcore.composite([warmup, scheduler], [warmup_length, 1 - warmup_length],
                            ["rescaled", "rescaled" if rescale_interval else "fixed"])


def _yaml11_note(label: str, node: Node, number: float | int) -> str:
    # yacs loads YAML with PyYAML and literal_evals the strings, so 1e-3 still becomes a float
    return (f"{label}: {node.value} is a string under YAML 1.1 (PyYAML); yacs reads it as "
            f"{number!r}, other YAML 1.1 loaders keep a string")


def _constant(method: str, key: str, factor: float) -> str | None:
    """How a constant warmup is spelt, for WU107's recipe note (None: a linear warmup)."""
    return f"{key} constant, factor {factor:g}" if method == "constant" else None


def _first(pred: Callable[[int], bool], lo: int, hi: int) -> int:
    """The smallest k in [lo, hi) with pred(k) (pred monotone), or hi."""
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _reached(total: int, milestone: int, k: int) -> bool:
    # MultiStepParamScheduler compares its epoch_num at where = k / total with the milestone
    return fvcore.scaled_index(k / total, total) >= milestone


@dataclass
class _Multiplier:
    """What LRMultiplier runs (LRMultiplier.get_lr): multiplier(k / max_iter) for iteration k."""

    multiplier: Composite
    max_iter: int
    label: str
    spec: str
    milestones: Sequence[int] = ()  # main-schedule drops, in iterations
    warmup_iters: int = 0  # as configured (yacs), for WU301
    constant: str | None = None  # a constant warmup, as the config spells it (WU107: a recipe)

    def factor(self, step: int) -> float:
        # Iterations past MAX_ITER never run; hold the last iteration's value.
        k = min(max(step, 0), self.max_iter - 1)
        return self.multiplier(k / self.max_iter)

    def warmup_end(self) -> int:
        return _first(lambda k: self.multiplier.index(k / self.max_iter)[0] > 0, 0,
                      self.max_iter)

    def report(self, out: FrameworkSchedule, base_lr: float, warmup_node: Node,
               longer_than_run: str, factor_node: Node, factor_key: str,
               length: float | None = None) -> None:
        """The plan, WU301 (``longer_than_run``, when the warmup ``length`` as a share of the
        run, or in iterations, reaches the run) and WU302 (a zero ``factor_key``)."""
        end, total = self.warmup_end(), self.max_iter
        phases: list[tuple[int, str]] = [(0, "warmup")] if end > 0 else []
        if end < total:
            phases.append((end, self.label))
        for i, milestone in enumerate(self.milestones, start=1):
            at = _first(partial(_reached, total, milestone), 0, total)
            if end <= at < total:
                phases.append((at, f"{self.label} (drop {i})"))
        phases.append((total, "after MAX_ITER (training has ended)"))
        # LRMultiplier.get_lr: base_lr * multiplier, the product LambdaLR makes
        plan(out, self.factor, float(base_lr), Unit.ITER, "detectron2 " + self.label, self.spec,
             warmup=end, total=total, phases=phases, source=FRAMEWORK, origin=ORIGIN,
             extra=constant_warmup_jump(end, self.constant) if self.constant and end else None)
        warmup_vs_run(out, self.warmup_iters if length is None else length,
                      total if length is None else 1.0, warmup_node, None, Unit.ITER,
                      message=longer_than_run)
        zero_lr_start(out, self.factor, end, factor_node, Unit.ITER, leading=False,
                      message=lambda zeros, warmup: zero_share_text(
                          zeros, warmup, "iteration", prefix=f"{factor_key} is 0: "))


# --- yacs configs -----------------------------------------------------------------------


def detect(doc: Document) -> bool:
    root = doc.root
    keys = root.as_mapping()
    solver = mapping_at(root, "SOLVER")
    base = root.get("_BASE_")
    if keys is None:
        return False
    if (solver is not None and set(solver.as_mapping() or ()) & SOLVER_KEYS) or (
            doc.format == "yaml" and base is not None and base.as_str() is not None
            and (root.get("MODEL") or solver)):
        return True
    return doc.format == "python" and (
        any(key.startswith("lr_multiplier") for key in keys)
        or any(_type_name(node).endswith("WarmupParamScheduler") for node in root.walk()))


def _type_name(node: Node) -> str:
    kind = node.get("type")
    return (kind.as_str() if kind is not None else None) or ""


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The schedules of ``doc``: the SOLVER keys, or each LazyConfig multiplier; MAX_ITER
    (train.max_iter) is the run length, so of ``facts`` only ``follow_bases`` is used."""
    if doc.format == "python":
        return _read_lazy(doc)
    return [_read_yacs(doc, follow_bases=facts.follow_bases)]


class _Yacs:
    """The SOLVER keys after detectron2's _BASE_ merge (child over base, recursively:
    detectron2/config/config.py CfgNode.load_yaml_with_base), each with the file that sets it
    last. What cannot be followed is recorded in ``ctx``, blamed on this file's _BASE_ line.

    A relative _BASE_ is followed as detectron2 follows it. An absolute or ``~`` one is followed
    only inside :func:`project_root` or with ``follow_bases``: a config from a stranger must not
    make lint read (and quote values of) any file of the machine it runs on."""

    def __init__(self, ctx: Reading, *, follow_bases: bool = False) -> None:
        self.ctx = ctx
        self.solver: dict[str, tuple[Node, str]] = {}
        self.bases: list[str] = []
        self.root = None if follow_bases else project_root(ctx.doc.path)
        self._visit(ctx.doc, 0, (os.path.realpath(ctx.doc.path),))
        if self.bases:
            ctx.note("inherited through _BASE_: " + " <- ".join(os.path.basename(b)
                                                                for b in self.bases))

    def _visit(self, current: Document, depth: int, seen: tuple[str, ...]) -> None:
        base = current.root.get("_BASE_")
        if base is not None:
            self._follow(current, self.ctx.doc.root.get("_BASE_") or base, base, depth, seen)
        section = mapping_at(current.root, "SOLVER")
        for key, node in (section.as_mapping() or {}).items() if section is not None else ():
            self.solver[key] = (node, current.path)

    def _follow(self, current: Document, blame: Node, base: Node, depth: int,
                seen: tuple[str, ...]) -> None:
        ctx, name = self.ctx, base.as_str()
        if name is None:
            ctx.reject(blame, f"_BASE_ in {current.path} is not a path")
            return
        target = os.path.expanduser(name)
        outside_tree = os.path.isabs(target)  # absolute, or ~ (expanded to an absolute path)
        if not target.startswith(("/", "https://", "http://")):
            target = os.path.join(os.path.dirname(current.path), target)
        resolved = os.path.realpath(target)
        if target.startswith(("https://", "http://")):
            ctx.unresolved(blame, f"_BASE_ {name} is a URL; warmup_cli reads local files only")
        elif outside_tree and self.root is not None and not _inside(resolved, self.root):
            ctx.unresolved(blame, f"_BASE_ {name} is outside the project ({self.root}), so it "
                           "was not followed and the SOLVER keys it sets are unknown; "
                           "--follow-bases reads it")
        elif resolved in seen:
            ctx.reject(blame, f"_BASE_ chain loops back to {target}")
        elif depth >= MAX_BASE_DEPTH:
            ctx.unresolved(blame, f"_BASE_ chain is deeper than {MAX_BASE_DEPTH} files")
        elif not reads.is_file(resolved):
            ctx.unresolved(blame, f"the base config {name} ({target}) is not at hand, so the "
                           "SOLVER keys it sets are unknown")
        else:
            try:
                parent = load_document(resolved)
            except ConfigError as exc:
                where = f"{exc.where}: " if exc.where else ""
                ctx.unresolved(blame, f"the base config {name} cannot be read: "
                               f"{where}{exc.message}")
                return
            for node in parent.root.walk():  # its values are located in it (configs.tree)
                if node.source is None:
                    node.source = os.path.normpath(target)
            self.bases.append(resolved)
            self._visit(parent, depth + 1, (*seen, resolved))

    def blame(self, key: str) -> Node:
        """Where a finding about key points: the key itself, in the file that sets it last
        (a base's values carry their file, ``Node.source``), else the _BASE_ line."""
        node, _ = self.solver.get(key, (None, None))
        if node is not None:
            return node
        return self.ctx.doc.root.get("_BASE_") or self.ctx.out.node

    def where(self, key: str) -> str:
        node, origin = self.solver.get(key, (None, None))
        if node is None or origin is None:
            return f"{key} (detectron2 default)"
        if origin == self.ctx.doc.path:
            return key
        return f"{key} (from {os.path.basename(origin)}:{node.line})"

    def read(self) -> _Solver:
        """Every key typed like its default (yacs/config.py _check_and_coerce_cfg_value_type;
        a null is no value here)."""
        return _Solver(**{key: self.ctx.like(
            self.solver[key][0] if key in self.solver else None, None, default,
            label=f"SOLVER.{self.where(key)}", blame=self.blame(key), null=False,
            whole_floats=False, consequence="yacs requires one")
            for key, default in DEFAULTS.items()})


def _read_yacs(doc: Document, *, follow_bases: bool) -> FrameworkSchedule:
    declared = doc.root.get("SOLVER") or doc.root
    ctx = Reading(doc, FrameworkSchedule(FRAMEWORK, "SOLVER", declared, None),
                  yaml11=_yaml11_note)
    keys = _Yacs(ctx, follow_bases=follow_bases)
    solver = keys.read()
    if declared is not doc.root:
        unread_schedule_keys(ctx, declared, DEFAULTS, "detectron2")
    if ctx.failed:
        return ctx.out
    assumed = sorted(k for k in ("BASE_LR", "MAX_ITER", "WARMUP_ITERS", "WARMUP_FACTOR",
                                 "WARMUP_METHOD", "LR_SCHEDULER_NAME") if k not in keys.solver)
    if assumed:
        ctx.note("detectron2 defaults used for " + ", ".join(f"{k}={DEFAULTS[k]!r}"
                                                              for k in assumed))
    if solver.REFERENCE_WORLD_SIZE:
        ctx.note("REFERENCE_WORLD_SIZE is set: DefaultTrainer.auto_scale_workers rescales "
                 "BASE_LR, MAX_ITER, WARMUP_ITERS and STEPS for the actual number of GPUs; the "
                 "values as written are shown")
    if solver.BIAS_LR_FACTOR != 1.0:
        ctx.note("BIAS_LR_FACTOR != 1 gives biases their own LR group; the factor applies to "
                 "both")
    max_iter, name, warmup_iters = solver.MAX_ITER, solver.LR_SCHEDULER_NAME, solver.WARMUP_ITERS
    if max_iter <= 0:
        ctx.reject(keys.blame("MAX_ITER"), f"SOLVER.{keys.where('MAX_ITER')} must be positive, "
                   f"got {max_iter} (detectron2 divides by it)")
        return ctx.out
    ctx.out.horizon = max_iter
    try:
        main = _main_schedule(ctx, solver)
        if main is None:
            ctx.unresolved(keys.blame("LR_SCHEDULER_NAME"), f"LR_SCHEDULER_NAME {name!r} is not "
                           "one of detectron2's (WarmupMultiStepLR, WarmupCosineLR, "
                           "WarmupStepWithFixedGammaLR); projects that add their own are not "
                           "supported")
            return ctx.out
        sched, label, spec, milestones = main
        multiplier = warmup_param_scheduler(sched, solver.WARMUP_FACTOR,
                                            min(warmup_iters / max_iter, 1.0),
                                            solver.WARMUP_METHOD, solver.RESCALE_INTERVAL)
    except Rejected as exc:
        ctx.reject(declared, f"detectron2 would fail to build the scheduler: {exc}")
        return ctx.out
    _Multiplier(multiplier, max_iter, label, f"detectron2 {name}({spec}, warmup_iters="
                f"{warmup_iters}, warmup_factor={solver.WARMUP_FACTOR:g}, warmup_method="
                f"{solver.WARMUP_METHOD}, max_iter={max_iter})", milestones, warmup_iters,
                _constant(solver.WARMUP_METHOD, "WARMUP_METHOD", solver.WARMUP_FACTOR)).report(
        ctx.out, solver.BASE_LR, keys.blame("WARMUP_ITERS"), f"WARMUP_ITERS ({warmup_iters}) is "
        f"not shorter than MAX_ITER ({max_iter}): detectron2 caps the warmup at the whole run, "
        "so the main schedule never starts", keys.blame("WARMUP_FACTOR"),
        keys.where("WARMUP_FACTOR"))
    return ctx.out


def _main_schedule(ctx: Reading,
                   solver: _Solver) -> tuple[WhereFn, str, str, Sequence[int]] | None:
    """detectron2/solver/build.py build_lr_scheduler: the main schedule, its label and spec and
    its drops (iterations); None for a name detectron2 does not know."""
    name, max_iter, gamma = solver.LR_SCHEDULER_NAME, solver.MAX_ITER, solver.GAMMA
    if name == "WarmupMultiStepLR":
        steps = [x for x in solver.STEPS if x <= max_iter]
        if len(steps) != len(solver.STEPS):
            ctx.note("SOLVER.STEPS has values past MAX_ITER; detectron2 ignores them (with a "
                     "warning)")
        multistep = fvcore.multistep(values=[gamma**k for k in range(len(steps) + 1)],
                                     milestones=[int(s) for s in steps], num_updates=max_iter)
        return (multistep, "multistep", f"steps={list(steps)}, gamma={gamma:g}",
                multistep.milestones)
    if name == "WarmupCosineLR":
        end_value = solver.BASE_LR_END / solver.BASE_LR
        if not 0.0 <= end_value <= 1.0:
            raise Rejected(f"BASE_LR_END / BASE_LR = {end_value:g} must be in [0, 1] "
                           "(detectron2 asserts it)")
        return fvcore.cosine(1, end_value), "cosine", f"end={end_value:g}", []
    if name == "WarmupStepWithFixedGammaLR":
        decays = solver.NUM_DECAYS
        width = max_iter / (decays + 1)
        return (fvcore.step_with_fixed_gamma(1.0, decays, gamma, max_iter),
                "step with fixed gamma", f"num_decays={decays}, gamma={gamma:g}",
                [math.ceil(width * i) for i in range(1, decays + 1)])
    return None


# --- LazyConfig (Python) ----------------------------------------------------------------


def _fvcore_from_node(ctx: Reading, node: Node) -> tuple[WhereFn, str]:
    """A fvcore ParamScheduler written as L(Class)(...) in a LazyConfig."""
    ctx.usable(node, "scheduler")
    kind = _type_name(node).split(".")[-1]

    def num(key: str) -> float:
        value = ctx.number(node, key, None, null=False)
        if value is None:
            ctx.fail(node, f"{kind} needs {key}", rejected=True)
        return value

    try:
        if kind in fvcore.BY_CLASS:
            build, keys, label = fvcore.BY_CLASS[kind]
            return build(*[num(key) for key in keys]), label
        if kind == "MultiStepParamScheduler":
            values = ctx.numbers(node, "values", None, null=False)
            milestones = ctx.numbers(node, "milestones", None, null=False)
            if values is None:
                ctx.fail(node, "MultiStepParamScheduler needs values", rejected=True)
            return fvcore.multistep(
                values, int(num("num_updates")) if node.get("num_updates") is not None else None,
                [int(m) for m in milestones] if milestones is not None else None), "multistep"
        if kind == "StepWithFixedGammaParamScheduler":
            return fvcore.step_with_fixed_gamma(num("base_value"), int(num("num_decays")),
                                                num("gamma"), int(num("num_updates"))), "step"
    except Rejected as exc:
        ctx.fail(node, f"fvcore would reject {kind}: {exc}", rejected=True)
    ctx.fail(node, f"{kind or 'this scheduler'} is not a fvcore ParamScheduler warmup_cli "
             "reproduces")


def _read_lazy(doc: Document) -> list[FrameworkSchedule]:
    found: list[FrameworkSchedule] = []
    for key, node in (doc.root.as_mapping() or {}).items():
        wrapped = _type_name(node).endswith("WarmupParamScheduler")
        if wrapped or key.startswith("lr_multiplier"):
            found.append(FrameworkSchedule(FRAMEWORK, key, node, None))
            # detectron2 raises at the first bad value: so does this reading
            ctx = Reading(doc, found[-1], stop=True)
            with contextlib.suppress(StopReading):
                ctx.usable(node, key)
                if not wrapped:
                    ctx.fail(node, f"{key} is not a WarmupParamScheduler warmup_cli can read")
                _read_lazy_one(ctx, doc.root, node)
    return found


def _read_lazy_one(ctx: Reading, root: Node, node: Node) -> None:
    inner = node.get("scheduler")
    if inner is None:
        ctx.fail(node, "WarmupParamScheduler needs scheduler=", rejected=True)
    sched, label = _fvcore_from_node(ctx, inner)
    warmup_length = ctx.number(node, "warmup_length", -1.0, null=False)
    if warmup_length < 0:
        ctx.fail(node, "WarmupParamScheduler needs warmup_length", rejected=True)
    factor = ctx.number(node, "warmup_factor", -1.0, null=False)
    if factor < 0:
        ctx.fail(node, "WarmupParamScheduler needs warmup_factor", rejected=True)
    method = ctx.text(node, "warmup_method", "linear", null=False)
    rescale_node = node.get("rescale_interval")  # used as `if rescale_interval:`
    rescale = bool(rescale_node.value) if rescale_node is not None else False
    try:
        multiplier = warmup_param_scheduler(sched, factor, warmup_length, method, rescale)
    except Rejected as exc:
        ctx.fail(node, f"detectron2 would reject it: {exc}", rejected=True)
    max_iter_node = ctx.node_at(root.get("train"), "max_iter")
    if max_iter_node is None:
        ctx.fail(node, "the multiplier is evaluated at iteration / train.max_iter, and "
                 "train.max_iter is not in this file")
    max_iter = int(ctx.number(max_iter_node, None, 0, label="train.max_iter", null=False))
    if max_iter <= 0:
        ctx.fail(max_iter_node, "train.max_iter must be positive", rejected=True)
    lr_node = ctx.node_at(root.get("optimizer"), "lr")
    if lr_node is None:
        ctx.missing(node, "optimizer.lr is not in this file: LRs are shown relative to it")
    base_lr = ctx.number(lr_node, None, 1.0, label="optimizer.lr", null=False)
    ctx.out.horizon = max_iter
    _Multiplier(multiplier, max_iter, label, f"detectron2 WarmupParamScheduler({label}, "
                f"warmup_length={warmup_length:g}, warmup_factor={factor:g}, warmup_method="
                f"{method}, max_iter={max_iter})",
                constant=_constant(method, "warmup_method", factor)).report(ctx.out, base_lr, node,
        f"warmup_length {warmup_length:g} covers the whole run",
        node.get("warmup_factor") or node, "warmup_factor", length=warmup_length)


READER = register(Reader(FRAMEWORK, detect, read))
