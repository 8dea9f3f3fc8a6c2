"""MMEngine ``param_scheduler`` lists (and legacy mmcv ``lr_config``) read from the Document.

Nothing is executed: the config is read through :func:`warmup_cli.configs.document.load_document`
(Python configs with ``ast`` only), and values that are expressions, ``_base_`` references or
runtime conditionals stay unresolved with the Document's reason.

The formulas are upstream's, in :mod:`warmup_cli.frameworks.upstream.mmengine_lr_scheduler`
(MMEngine's chainable ``_get_value`` recursion, stepped in the runner's order) and
:mod:`warmup_cli.frameworks.upstream.mmcv_lr_updater` (mmcv 1.x). This reader places each
scheduler on the plan's timeline as the runner builds it (mmengine/runner/runner.py
``_build_param_scheduler``): ``convert_to_iter_based=True`` rebuilds an epoch-based scheduler
in iterations (``build_iter_from_epoch``), and a missing ``end`` defaults to
``train_cfg.max_epochs`` (epoch based) or ``max_iters``.

An iteration-level plan of a config that mixes per-iteration and per-epoch schedulers needs the
number of iterations per epoch (``len(train_dataloader)``), which no config holds: pass
``RunFacts(updates_per_epoch=...)`` to :func:`read`, otherwise the schedule is unresolved and
described in epochs.

Framework-specific checks (each located at the responsible key): WU302 as an error for a
LinearLR ``start_factor`` or ConstantLR ``factor`` of 0 (MMEngine then divides by zero), WU305
(``train_cfg`` sets both ``max_epochs`` and ``max_iters``), WU306 (CosineAnnealingLR ``T_max``
is not ``end - begin``), WU307 (a decay ends past the run), WU308 (what MMEngine or mmcv would
reject) and WU309 (a gap after a warmup, flat at the base LR); WU301 and the WU302 count of
zero-LR warmup updates go through the kit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmup_cli.frameworks.kit import (
    FactorFn,
    Finding,
    FrameworkSchedule,
    Reader,
    Reading,
    lr_plan,
    mapping_at,
    register,
    warmup_vs_run,
    zero_lr_start,
    zero_share_text,
)
from warmup_cli.frameworks.upstream import mmcv_lr_updater as mmcv
from warmup_cli.frameworks.upstream import mmengine_lr_scheduler as mm
from warmup_cli.frameworks.upstream.mmengine_lr_scheduler import (
    INF,
    Num,
    Params,
    number_param,
    optional_param,
)
from warmup_cli.schedule import Origin
from warmup_cli.vocab import DEFAULT_BASE_LR, NO_FACTS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

# tools/golden/mmengine_golden.py runs mmengine 0.10.7's (and mmdet 3.3.0's) own classes
MMENGINE_ORIGIN = Origin(
    "MMEngine's chainable schedulers", "mmengine/optim/scheduler/param_scheduler.py, stepped "
    "as mmengine/hooks/param_scheduler_hook.py steps them", "mmengine 0.10.7")
MMCV_ORIGIN = Origin("mmcv's LR updater hooks", "mmcv/runner/hooks/lr_updater.py (mmcv 1.x)")
EAGER_STEPS = 200_000  # steps simulated while reading, to catch MMEngine's own errors

SUPPORTED = ("LinearLR", "ConstantLR", "CosineAnnealingLR", "MultiStepLR", "StepLR",
             "ExponentialLR", "PolyLR", "QuadraticWarmupLR", "CosineRestartLR")
WARMUPS = ("LinearLR", "ConstantLR", "QuadraticWarmupLR")
DECAYS = ("CosineAnnealingLR", "PolyLR", "CosineRestartLR")
# Each scheduler's parameters and MMEngine's defaults (None: required or unset), from the
# classes' __init__ in mmengine/optim/scheduler/lr_scheduler.py (and mmdet's QuadraticWarmupLR).
_PARAMS: dict[str, Params] = {
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
_LISTS = ("milestones", "periods", "restart_weights")
# Keys every scheduler takes besides its own (_ParamScheduler.__init__, the registry's _scope_).
_COMMON_KEYS = ("type", "by_epoch", "convert_to_iter_based", "begin", "end", "last_step",
                "verbose", "_scope_")
_MIXED_STEPPING = (
    "the schedulers mix per-iteration and per-epoch stepping (by_epoch=False or "
    "convert_to_iter_based=True beside by_epoch=True): the LR of each iteration depends on the "
    "iterations per epoch (len(train_dataloader)), which the config does not hold; pass "
    "--updates-per-epoch N to read it (the schedule in epochs is in the notes)")


# --- reading the config ---------------------------------------------------------------------


@dataclass
class _Spec:
    """One entry of param_scheduler, as written (begin/end in the scheduler's own unit)."""

    node: Node
    kind: str
    by_epoch: bool  # begin/end count epochs (also for a scheduler converted to iterations)
    convert: bool
    begin: Num
    end: Num | None  # None until _default_ends gives it the train loop's length
    params: Params
    known: bool  # begin and end resolved (else the structural checks skip it)
    params_known: bool  # every parameter resolved
    end_explicit: bool

    def get(self, key: str) -> Node | None:
        return self.node.get(key)

    @property
    def bounded_end(self) -> Num | None:
        """``end``, unless it is unknown or MMEngine's INF (the end of training)."""
        return self.end if self.end is not None and self.end != INF else None


@dataclass
class _Run:
    """What the train loop and the optimizer say (runner._build_param_scheduler reads them)."""

    max_epochs: int | None = None
    max_iters: int | None = None
    epoch_loop: bool = True
    lr: float | None = None
    lr_node: Node | None = None

    def length(self, unit: Unit, ipe: int | None) -> int | None:
        """The run length in ``unit``s, when the config (and the epoch length) say it."""
        if unit is Unit.EPOCH:
            return self.max_epochs
        if self.epoch_loop and self.max_epochs is not None and ipe:
            return self.max_epochs * ipe
        return self.max_iters


def _truncated(value: Num | None) -> int | None:
    return None if value is None else int(value)


def _read_optimizer_lr(ctx: Reading, root: Node, run: _Run) -> None:
    """``optim_wrapper.optimizer.lr``, else the mmcv 1.x top-level ``optimizer.lr``."""
    wrapper = mapping_at(root, "optim_wrapper")
    candidates = (wrapper.get("optimizer") if wrapper is not None else None,
                  root.get("optimizer"))
    for optimizer in (c for c in candidates if c is not None):
        if not ctx.usable(optimizer, "optimizer"):
            return
        lr = optimizer.get("lr")
        if lr is None:
            continue
        run.lr_node = lr
        value = ctx.number(lr, None, None, label="optimizer lr")
        run.lr = None if value is None else float(value)
        return


def _read_train_loop(ctx: Reading, root: Node, run: _Run) -> None:
    for holder in (root.get("train_cfg"), root.get("runner")):  # runner: mmcv 1.x configs
        if holder is None or holder.as_mapping() is None:
            continue
        epochs, iters = holder.get("max_epochs"), holder.get("max_iters")
        run.max_epochs = _truncated(ctx.number(holder, "max_epochs", None))
        run.max_iters = _truncated(ctx.number(holder, "max_iters", None))
        loop_type = holder.get("type")
        loop_by_epoch = holder.get("by_epoch")
        if iters is not None and epochs is None:
            run.epoch_loop = False
        if loop_type is not None and loop_type.as_str() is not None:
            run.epoch_loop = "Iter" not in str(loop_type.as_str())
        elif loop_by_epoch is not None and loop_by_epoch.as_bool() is not None:
            run.epoch_loop = loop_by_epoch.as_bool() is True
        if epochs is not None and iters is not None:
            ctx.finding(Code.WU305, "train_cfg sets both max_epochs and max_iters: the loop "
                        "type decides which one counts, and the other is ignored", iters)
        return


def _read_specs(ctx: Reading, node: Node) -> list[_Spec]:
    items = node.as_sequence()
    found = (_read_spec(ctx, item) for item in (items if items is not None else [node]))
    return [spec for spec in found if spec is not None]


def _read_spec(ctx: Reading, item: Node) -> _Spec | None:
    if not ctx.usable(item, "param_scheduler entry"):
        return None
    entry = item.as_mapping()
    if entry is None:
        ctx.reject(item, "param_scheduler entry is not a dict")
        return None
    kind_node = item.get("type")
    kind = kind_node.as_str() if kind_node is not None else None
    if kind_node is None or kind is None:
        ctx.reject(kind_node or item, "param_scheduler entry has no type")
        return None
    short = kind.split(".")[-1]  # "mmdet.QuadraticWarmupLR": a registry scope prefix
    if short not in SUPPORTED:
        ctx.unresolved(kind_node, f"{kind} is not a scheduler warmup_cli reproduces "
                       f"({', '.join(SUPPORTED)})")
        return None
    by_epoch = ctx.flag(item, "by_epoch", True)
    convert = ctx.flag(item, "convert_to_iter_based", False)
    # Separate Readings (same records) tell whether begin/end, and the parameters, resolved.
    span, values = Reading(ctx.doc, ctx.out), Reading(ctx.doc, ctx.out)
    begin = span.number(item, "begin", 0)
    end = span.number(item, "end", None)
    params: Params = {
        key: values.numbers(item, key, default) if key in _LISTS
        else values.number(item, key, default) for key, default in _PARAMS[short].items()}
    unknown = sorted(set(entry) - {*_COMMON_KEYS, *_PARAMS[short]})
    if unknown:
        # MMEngine's registry passes every key to the class: a TypeError
        ctx.reject(item, f"{short} does not take {', '.join(unknown)}")
    return _Spec(item, short, by_epoch, convert, begin, end, params, known=not span.failed,
                 params_known=not values.failed, end_explicit=end is not None)


def _default_ends(specs: list[_Spec], run: _Run, ipe: int | None) -> None:
    """A missing ``end`` is the train loop's length (runner._build_param_scheduler)."""
    for spec in specs:
        if spec.end is None and spec.known:
            default = run.max_epochs if spec.by_epoch else run.max_iters
            if default is None and not spec.by_epoch and run.max_epochs is not None and ipe:
                default = run.max_epochs * ipe  # EpochBasedTrainLoop.max_iters
            spec.end = default if default is not None else INF


# --- plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Placed:
    """A scheduler of the config, as the runner builds it on the plan's timeline."""

    spec: _Spec
    scheduler: mm.Scheduler


def _place(spec: _Spec, unit: Unit, ipe: int | None) -> mm.Scheduler:
    """The scheduler MMEngine builds from ``spec`` on the plan's timeline: an epoch-based one
    stepped per epoch, or rebuilt in iterations with ``convert_to_iter_based``
    (``build_iter_from_epoch``). Raises :class:`mm.InvalidScheduler` as MMEngine would."""
    assert spec.end is not None  # set by _default_ends
    begin, end, params = spec.begin, spec.end, dict(spec.params)
    if unit is not Unit.ITER or not spec.by_epoch:
        return mm.Scheduler(spec.kind, params, int(begin), int(end))
    assert ipe is not None
    if not spec.convert:
        return mm.Scheduler(spec.kind, params, int(begin), int(end), per_epoch=True)
    return mm.build_iter_from_epoch(spec.kind, params, begin, end, ipe)


def _unit(specs: list[_Spec], run: _Run, ipe: int | None) -> Unit | None:
    """The plan's step: epochs when every scheduler steps per epoch in an epoch loop,
    iterations when none does (or with the epoch length), else None."""
    epochish = any(s.by_epoch and not s.convert for s in specs)
    iterish = any(not s.by_epoch or s.convert for s in specs)
    if not iterish and run.epoch_loop:
        return Unit.EPOCH
    if not epochish and not any(s.convert for s in specs):
        return Unit.ITER
    return Unit.ITER if ipe else None


def _lr_config(root: Node) -> Node | None:
    """The legacy (mmcv) ``lr_config`` mapping, when it names a policy."""
    legacy = mapping_at(root, "lr_config")
    return legacy if legacy is not None and legacy.get("policy") is not None else None


def detect(doc: Document) -> bool:
    return doc.root.get("param_scheduler") is not None or _lr_config(doc.root) is not None


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The ``param_scheduler`` and legacy ``lr_config`` schedules of ``doc``;
    ``facts.updates_per_epoch`` is the iterations per epoch (``len(train_dataloader)``)."""
    root = doc.root
    found: list[FrameworkSchedule] = []
    node = root.get("param_scheduler")
    if node is not None:
        found.append(_read_param_scheduler(doc, node, facts.updates_per_epoch))
    legacy = _lr_config(root)
    if legacy is not None:
        found.append(_read_legacy(doc, legacy, facts.updates_per_epoch))
    return found


def _read_param_scheduler(doc: Document, node: Node, ipe: int | None) -> FrameworkSchedule:
    ctx = Reading(doc, FrameworkSchedule("mmengine", "param_scheduler", node, None))
    out = ctx.out
    if not ctx.usable(node, "param_scheduler"):
        return out
    if node.as_mapping() is not None and node.get("type") is None:
        ctx.unresolved(node, "param_scheduler keyed by optimizer name (several optimizers) "
                       "is not supported")
        return out
    specs = _read_specs(ctx, node)
    run = _Run()
    _read_optimizer_lr(ctx, doc.root, run)
    _read_train_loop(ctx, doc.root, run)
    if ipe is not None and ipe <= 0:
        raise ValueError("iters_per_epoch must be positive")
    _default_ends(specs, run, ipe)
    _structural_checks(out, specs, run, ipe)
    ctx.note(_describe(specs))
    if out.unresolved:  # every value that did not resolve (the span Readings' too)
        if doc.root.get("_base_") is not None:
            ctx.note("_base_ files are not merged: values they set stay unknown")
        return out
    if not specs:
        ctx.unresolved(node, "param_scheduler lists no scheduler")
        return out
    unit = _unit(specs, run, ipe)
    if unit is None:
        ctx.unresolved(node, _MIXED_STEPPING)
        return out
    base = _base_lr(ctx, specs, run)
    if base is not None:
        _build(ctx, specs, run, base, unit, ipe)
    return out


def _base_lr(ctx: Reading, specs: list[_Spec], run: _Run) -> float | None:
    """The optimizer lr; without it the LRs are relative to it (factors), unless an absolute
    eta_min ties the curve's shape to it (then None)."""
    if run.lr is not None:
        return run.lr
    where = run.lr_node or ctx.doc.root.get("_base_") or ctx.out.node
    if any(s.params.get("eta_min") and s.kind in DECAYS for s in specs):
        ctx.unresolved(where, "the optimizer lr is not known here and an absolute eta_min "
                       "makes the factor depend on it")
        return None
    if run.lr_node is None:
        ctx.missing(where, "the optimizer lr (optim_wrapper.optimizer.lr) is not in this "
                    "file: LRs are shown relative to it")
    return DEFAULT_BASE_LR


def _build(ctx: Reading, specs: list[_Spec], run: _Run, base: float, unit: Unit,
           ipe: int | None) -> None:
    placed: list[_Placed] = []
    for spec in specs:
        try:
            placed.append(_Placed(spec, _place(spec, unit, ipe)))
        except mm.InvalidScheduler as problem:
            ctx.reject(spec.node, f"MMEngine rejects this {spec.kind}: {problem}")
            return
    for built in placed:
        scheduler = built.scheduler
        if built.spec.kind == "LinearLR" and scheduler.params["start_factor"] == 0 \
                and scheduler.end - scheduler.begin > 1:
            # WU302 was reported by the structural checks; MMEngine divides by
            # total_iters * start_factor + (last_step - 1) * (end - start) = 0 at step 1.
            ctx.unresolved(built.spec.get("start_factor") or built.spec.node,
                           "MMEngine's LinearLR raises ZeroDivisionError at its second step "
                           "when start_factor is 0")
            return
    sim: mm.Simulation | None = None
    try:
        sim = mm.Simulation([p.scheduler for p in placed], base,
                            ipe if unit is Unit.ITER else None)
        # Step the run (or the schedulers' own span) now, so MMEngine's own arithmetic errors
        # (a ConstantLR factor of 0, a StepLR step_size of 0) are reported, not raised later.
        sim.lr(min(run.length(unit, ipe) or sim.last_end + 1, EAGER_STEPS) - 1)
    except (ArithmeticError, ValueError) as exc:
        at = len(sim.lrs) if sim is not None else 0
        ctx.reject(ctx.out.node, f"MMEngine's schedulers fail at {unit} {at}: "
                   f"{type(exc).__name__}: {exc}")
        return
    _plan(ctx.out, placed, sim, base, unit, run, ipe)


def _phases(schedulers: list[mm.Scheduler], ipe: int | None) -> list[tuple[int, str]]:
    """Where the set of active schedulers changes, named by them."""
    bounds = sorted({b for scheduler in schedulers for b in scheduler.span(ipe)} | {0})
    phases: list[tuple[int, str]] = []
    for start in bounds:
        if start >= INF:
            continue
        active = [s.kind for s in schedulers if s.span(ipe)[0] <= start < s.span(ipe)[1]]
        label = " + ".join(dict.fromkeys(active)) if active else "constant (no scheduler)"
        if not phases or phases[-1][1] != label:
            phases.append((start, label))
    return phases


def _plan(out: FrameworkSchedule, placed: list[_Placed], sim: mm.Simulation, base: float,
          unit: Unit, run: _Run, ipe: int | None) -> None:
    schedulers = [p.scheduler for p in placed]
    warmup = max([0, *(p.scheduler.span(ipe)[1] for p in placed if p.spec.kind in WARMUPS
                       and p.scheduler.begin == 0 and _is_warmup(p.spec))])
    out.horizon = run.length(unit, ipe)
    ends = [s.span(ipe)[1] for s in schedulers if s.span(ipe)[1] < INF]
    kinds = ", ".join(s.kind for s in schedulers)
    # the chainable recursion's own LR (each step multiplies the LR in the optimizer)
    lr_plan(out, sim.lr, base, unit, "mmengine " + kinds,
            f"mmengine param_scheduler [{kinds}]" + (f" (iters_per_epoch={ipe})" if ipe else ""),
            origin=MMENGINE_ORIGIN, warmup=warmup,
            total=max(ends) if ends and len(ends) == len(placed) else None,
            phases=_phases(schedulers, ipe), source="mmengine")
    if not any(f.code == Code.WU302 for f in out.findings):
        culprit = next((p.spec for p in placed if p.spec.kind in WARMUPS), placed[0].spec)
        zero_lr_start(out, sim.lr, warmup, culprit.get("factor") or culprit.node, unit,
                      leading=False,
                      message=lambda zeros, of: zero_share_text(zeros, of, str(unit), suffix=""))


# --- checks on the config as written -------------------------------------------------------


def _is_warmup(spec: _Spec) -> bool:
    p = spec.params
    if spec.kind == "LinearLR":
        # a LinearLR whose factors are unknown is read as the warmup it nearly always is
        # (e.g. start_factor=_base_.lr_start_factor)
        return not spec.params_known or \
            number_param(p, "start_factor") < number_param(p, "end_factor")
    if spec.kind == "ConstantLR":
        return spec.params_known and number_param(p, "factor") < 1
    return spec.kind == "QuadraticWarmupLR"


def _describe(specs: list[_Spec]) -> str:
    parts = []
    for spec in specs:
        unit = "epochs" if spec.by_epoch else "iterations"
        if not spec.known:
            parts.append(f"{spec.kind} over {unit} (begin/end unresolved)")
            continue
        end = spec.bounded_end
        shown = "end of training" if end is None else f"{end:g}"
        conv = ", stepped per iteration" if spec.convert else ""
        parts.append(f"{spec.kind} over {unit} {spec.begin:g} -> {shown}{conv}")
    return "schedule: " + "; ".join(parts) if parts else "schedule: (none)"


def _structural_checks(out: FrameworkSchedule, specs: list[_Spec], run: _Run,
                       ipe: int | None) -> None:
    """Checks that need only begin/end/T_max/factors, so they work without a plan."""
    iters = run.max_iters
    if iters is None and run.epoch_loop and run.max_epochs is not None and ipe:
        iters = run.max_epochs * ipe
    limits = {True: run.max_epochs, False: iters}
    for spec in (s for s in specs if s.known):
        _zero_factor_checks(out, spec)
        _cosine_period_check(out, spec)
        _past_run_check(out, spec, limits[spec.by_epoch])
    _gap_checks(out, specs, ipe)


def _zero_factor_checks(out: FrameworkSchedule, spec: _Spec) -> None:
    if spec.kind == "LinearLR" and spec.params.get("start_factor") == 0:
        out.findings.append(Finding(
            Code.WU302, "start_factor=0: the first update runs at LR 0, and MMEngine's "
            "LinearLR then divides by zero at its second step", spec.get("start_factor"),
            Severity.ERROR))
    if spec.kind == "ConstantLR" and spec.params.get("factor") == 0 \
            and spec.bounded_end is not None:
        out.findings.append(Finding(
            Code.WU302, "factor=0: every update of this ConstantLR runs at LR 0 (and MMEngine "
            "divides by the factor when it ends)", spec.get("factor"), Severity.ERROR))


def _cosine_period_check(out: FrameworkSchedule, spec: _Spec) -> None:
    # "self.T_max = T_max or (end - begin)": a T_max of 0 means end - begin
    t_max, end, begin = optional_param(spec.params, "T_max"), spec.bounded_end, spec.begin
    if spec.kind != "CosineAnnealingLR" or not t_max or end is None or t_max == end - begin:
        return
    length = end - begin
    if t_max > length:
        what = (f"the cosine stops {length:g}/{t_max:g} of the way through its period and "
                "never reaches eta_min")
    else:
        what = (f"the cosine reaches eta_min after {t_max:g} and rises again for the "
                f"remaining {length - t_max:g}")
    out.findings.append(Finding(
        Code.WU306, f"CosineAnnealingLR T_max={t_max:g} but end - begin = {end:g} - "
        f"{begin:g} = {length:g}: {what}", spec.get("T_max")))


def _past_run_check(out: FrameworkSchedule, spec: _Spec, limit: int | None) -> None:
    end = spec.bounded_end
    if limit is None or not spec.end_explicit or end is None or end <= limit:
        return
    unit = "epochs" if spec.by_epoch else "iterations"
    if spec.kind in WARMUPS and spec.begin == 0 and _is_warmup(spec):
        warmup_vs_run(out, end, limit, spec.get("end"), None,
                      Unit.EPOCH if spec.by_epoch else Unit.ITER, longer_only=True,
                      message=f"{spec.kind} warms up until {end:g} but training stops after "
                      f"{limit} {unit}: the LR never reaches its peak")
    elif spec.kind in DECAYS:
        out.findings.append(Finding(
            Code.WU307, f"{spec.kind} decays until {end:g} but training stops after {limit} "
            f"{unit}: the decay never finishes", spec.get("end")))


def _gap_checks(out: FrameworkSchedule, specs: list[_Spec], ipe: int | None) -> None:
    for spec in specs:
        end = spec.bounded_end
        if spec.kind not in WARMUPS or not _is_warmup(spec) or end is None or not spec.known:
            continue
        later = [o for o in specs if o is not spec and o.known]
        if any(_before(o.begin, o, end, spec, ipe, or_equal=True) and o.end is not None
               and _before(end, spec, o.end, o, ipe) for o in later):
            continue  # another scheduler is running when the warmup ends
        following = next((o for o in later if _before(end, spec, o.begin, o, ipe)), None)
        if following is None:
            continue
        threshold = ""
        if spec.by_epoch != following.by_epoch and not ipe:
            if spec.by_epoch:
                continue  # epochs vs a later iteration count: only ever a gap for tiny epochs
            threshold = (f" (unless an epoch has fewer than "
                         f"{math.floor(end / max(following.begin, 1e-9)) + 1} iterations)")
        unit_a = "epoch" if spec.by_epoch else "iteration"
        unit_b = "epoch" if following.by_epoch else "iteration"
        out.findings.append(Finding(
            Code.WU309, f"{spec.kind} ends at {unit_a} {end:g} but {following.kind} only "
            f"begins at {unit_b} {following.begin:g}{threshold}: the LR stays flat at the base "
            "LR in between", following.get("begin") or following.node))


def _before(a: float, a_spec: _Spec, b: float, b_spec: _Spec, ipe: int | None,
            or_equal: bool = False) -> bool:
    """Whether position a (in a_spec's unit) is before b (in b_spec's unit)."""
    if a_spec.by_epoch == b_spec.by_epoch:
        return a <= b if or_equal else a < b
    if ipe:
        a_iter = a * ipe if a_spec.by_epoch else a
        b_iter = b * ipe if b_spec.by_epoch else b
        return a_iter <= b_iter if or_equal else a_iter < b_iter
    # Without the epoch length: an iteration count is taken to be before any epoch >= 1,
    # when an epoch has more iterations than the ratio (the caller says so in the message).
    if a_spec.by_epoch:
        return a == 0 and (b > 0 or or_equal)
    return b > 0 or (or_equal and a == 0)


# --- legacy mmcv lr_config --------------------------------------------------------------------


_NEEDS_EPOCH_LENGTH = (
    "mmcv applies the warmup per iteration (and anneals per epoch, or per iteration over "
    "max_epochs x iterations per epoch), so the LR of each iteration depends on the epoch "
    "length, which the config does not hold: pass --updates-per-epoch N")


@dataclass(frozen=True)
class _MmcvWarmup:
    kind: str | None  # None, "constant", "linear" or "exp"
    iters: Num  # warmup_iters as written (epochs with by_epoch)
    by_epoch: bool
    ratio: Num  # the starting multiplier


def _read_legacy(doc: Document, node: Node, ipe: int | None) -> FrameworkSchedule:
    """mmcv 1.x ``lr_config`` (mmcv/runner/hooks/lr_updater.py, defaults from
    ``LrUpdaterHook.__init__``): CosineAnnealing or step policies, constant/linear/exp warmup."""
    ctx = Reading(doc, FrameworkSchedule("mmengine", "lr_config", node, None))
    run = _Run()
    _read_optimizer_lr(ctx, doc.root, run)
    _read_train_loop(ctx, doc.root, run)
    if run.max_epochs is None:  # mmdet 1.x spelled the run length total_epochs
        run.max_epochs = _truncated(ctx.number(doc.root, "total_epochs", None))
    policy = ctx.text(node, "policy", None)
    by_epoch = ctx.flag(node, "by_epoch", True)
    warmup = _MmcvWarmup(ctx.text(node, "warmup", None), ctx.number(node, "warmup_iters", 0),
                         ratio=ctx.number(node, "warmup_ratio", 0.1),
                         by_epoch=ctx.flag(node, "warmup_by_epoch", False))
    if node.get("warmup_ratio") is not None:
        ctx.note("in mmcv lr_config, warmup_ratio is the starting multiplier of the warmup "
                 "(LR starts at warmup_ratio x lr), not a share of training as in HF")
    name = None if ctx.failed else _supported_policy(ctx, node, policy, warmup)
    if name is None:
        return ctx.out
    if run.epoch_loop and (warmup.by_epoch or not by_epoch or warmup.kind is not None) \
            and not ipe:
        ctx.unresolved(node, _NEEDS_EPOCH_LENGTH)
        return ctx.out
    epoch_len = ipe or 1
    found = _mmcv_lr(ctx, node, run, name == "cosineannealing", by_epoch, epoch_len)
    if found is None:
        return ctx.out
    regular, base, max_iters = found
    w_iters = int(warmup.iters) * epoch_len if warmup.by_epoch else int(warmup.iters)
    lr = mmcv.warmup_lr(regular, warmup.kind, w_iters, warmup.ratio)
    unit = Unit.ITER if ipe or not run.epoch_loop or not by_epoch or warmup.kind else Unit.EPOCH
    phases = [(0, f"{warmup.kind} warmup")] if warmup.kind else []
    phases.append((w_iters if warmup.kind else 0, str(policy)))
    lr_plan(ctx.out, lambda k: lr(min(k, max_iters - 1)), base, unit, f"mmcv {policy}",
            f"mmcv lr_config policy={policy} warmup={warmup.kind} warmup_iters={w_iters} "
            f"ratio={warmup.ratio}", origin=MMCV_ORIGIN, warmup=w_iters if warmup.kind else 0,
            total=max_iters, phases=phases, source="mmcv")
    ctx.out.horizon = max_iters
    return ctx.out


def _supported_policy(ctx: Reading, node: Node, policy: str | None,
                      warmup: _MmcvWarmup) -> str | None:
    """The policy's name in lower case, after mmcv's own checks on the warmup, when warmup_cli
    reproduces it; else None with the reason recorded."""
    if warmup.kind is not None and not 0 < warmup.ratio <= 1.0:
        ctx.finding(Code.WU302, f"warmup_ratio={warmup.ratio:g}: mmcv asserts 0 < warmup_ratio "
                    "<= 1 (a warmup from 0 would run the first update at LR 0)",
                    node.get("warmup_ratio"), Severity.ERROR)
        return None
    name = policy.lower() if policy is not None else ""
    if name not in ("cosineannealing", "step"):
        ctx.unresolved(node.get("policy") or node, f"legacy mmcv policy {policy!r} is not "
                       "reproduced (CosineAnnealing and step are)")
        return None
    if warmup.kind is not None and warmup.kind not in mmcv.WARMUPS:
        # mmcv's LrUpdaterHook raises ValueError for any other warmup type
        ctx.reject(node.get("warmup") or node, f"unknown mmcv warmup {warmup.kind!r} (mmcv "
                   "accepts constant, linear, exp)")
        return None
    return name


def _mmcv_lr(ctx: Reading, node: Node, run: _Run, cosine: bool, by_epoch: bool,
             epoch_len: int) -> tuple[FactorFn, float, int] | None:
    """The policy's LR of each iteration, the base LR and the run length (max_iters), or None
    with the reason recorded."""
    base = run.lr
    if base is None:
        ctx.unresolved(node, "optimizer.lr is not in this file")
        return None
    if run.epoch_loop and run.max_epochs is None:
        ctx.unresolved(node, "runner.max_epochs is not in this file")
        return None
    # runner.max_iters: max_epochs x the epoch length in an epoch loop
    max_iters = run.max_epochs * epoch_len if run.epoch_loop and run.max_epochs \
        else run.max_iters
    if max_iters is None:
        ctx.unresolved(node, "the run length (runner max_epochs/max_iters) is not in this file")
        return None
    min_lr = ctx.number(node, "min_lr", None)
    min_lr_ratio = ctx.number(node, "min_lr_ratio", None)
    step = node.get("step")  # a period, or a list of milestones
    steps = ctx.number(node, "step", None) if step is not None and step.as_number() \
        is not None else ctx.numbers(node, "step", None)
    gamma = ctx.number(node, "gamma", 0.1)
    per = epoch_len if by_epoch else 1  # progress: the epoch (by_epoch) or the iteration
    if ctx.failed:
        return None
    if not cosine:
        if steps is None:
            ctx.reject(node, "mmcv's step policy needs step")  # StepLrUpdaterHook(step)
            return None
        return mmcv.step_lr(base, per, steps, gamma, min_lr), base, max_iters
    target = base * min_lr_ratio if min_lr_ratio is not None else min_lr
    max_progress = run.max_epochs if by_epoch else max_iters
    if target is None or (min_lr_ratio is not None and min_lr is not None):
        ctx.reject(node, "mmcv asserts exactly one of min_lr and min_lr_ratio")
    elif max_progress is None:  # by_epoch in an iteration loop: runner.max_epochs is None
        ctx.reject(node, "mmcv anneals by epoch, but an iteration-based runner has no "
                   "max_epochs")
    else:
        return mmcv.cosine_annealing_lr(base, per, target, max_progress), base, max_iters
    return None


READER = register(Reader("mmengine", detect, read))
