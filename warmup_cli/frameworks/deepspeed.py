"""DeepSpeed reader: the ``"scheduler": {"type", "params"}`` block of a DeepSpeed JSON config.

The engine builds the scheduler as ``getattr(lr_schedules, type)(optimizer, **params)``
(deepspeedai/DeepSpeed ``deepspeed/runtime/engine.py`` ``_scheduler_from_config``), so missing
params take the class defaults, and it calls ``lr_scheduler.step()`` after every optimizer step
(``_take_model_step``). Update ``k`` therefore runs at the LR the constructor set (``k = 0``) or
the one ``step()`` computed with ``last_batch_iteration = k - 1``. The classes' defaults and
formulas (``deepspeed/runtime/lr_schedules.py``) are in
``warmup_cli.frameworks.upstream.deepspeed_lr_schedules``.

LR versus factor: WarmupLR, WarmupDecayLR and OneCycle compute absolute LRs, so the plan's base
LR is the peak (``warmup_max_lr`` / ``cycle_max_lr``) and the factor is ``lr / peak``;
``base * factor`` then equals DeepSpeed's LR to about 1 ulp (<= 2.3e-16 relative), not always bit
for bit. WarmupCosineLR (base = the optimizer's lr, factor = DeepSpeed's ratio) and LRRangeTest
(base = ``lr_range_test_min_lr``, factor = its increase) multiply exactly as DeepSpeed does, so
they are bit for bit.

``"auto"`` values are filled by the HF Trainer integration at launch
(``transformers.integrations.deepspeed``); they are reported as unresolved, never guessed.

Checks (severity "rule": the rule's default; WU302 scales with the share of the warmup lost,
``kit.zero_share_severity``):

* WU301 (rule, at total_num_steps): WarmupDecayLR / WarmupCosineLR with total_num_steps <
  max(2, warmup_num_steps) (DeepSpeed only logs a warning).
* WU302 (scaled, at warmup_min_lr, else the type): leading updates at LR 0: warmup_min_lr 0
  (the construction value and iteration 0 are both the minimum: 2 updates); WarmupCosineLR
  always starts at LR 0; cycle_min_lr 0; lr_range_test_min_lr 0 (error: every update).
* WU304 (rule, at the peak key): warmup_max_lr (given, or WarmupDecayLR's default 0.001) or
  cycle_max_lr differs from optimizer.params.lr by > 1e-12 relative.
* WU308 (at the value): "auto" values (note), an unknown or torch scheduler type (warning),
  params the class does not accept, non-numbers (error).

WU307 (decay never finishes) does not apply: a DeepSpeed config states no run length beyond the
scheduler's own ``total_num_steps``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    fmt,
    lr_plan,
    mapping_at,
    ordered_phases,
    plan,
    register,
    spec_text,
    warmup_vs_run,
    zero_lr_start,
)
from warmup_cli.frameworks.upstream import deepspeed_lr_schedules as lr_schedules
from warmup_cli.schedule import Origin
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "deepspeed"
AUTO_REASON = "set by the launcher (HF integration)"
# The constructor parameters that are not numbers (a name, two flags): used as written.
_NOT_NUMBERS = frozenset({"warmup_type", "cycle_momentum", "lr_range_test_staircase"})
# Top-level keys of a DeepSpeed config (deepspeed/runtime/config.py constants).
_DS_KEYS = frozenset({"train_batch_size", "train_micro_batch_size_per_gpu",
                      "gradient_accumulation_steps", "zero_optimization", "fp16", "bf16",
                      "steps_per_print", "gradient_clipping", "wall_clock_breakdown",
                      "prescale_gradients", "zero_allow_untested_optimizer", "amp"})


# --- the engine's stepping (engine.py _take_model_step) ---------------------------------------


def per_update(at_iteration: Callable[[int], float]) -> Callable[[int], float]:
    """Update ``k`` runs at the value of iteration ``k - 1`` (the engine steps after
    updating)."""
    return lambda k: at_iteration(k - 1)


# --- detection --------------------------------------------------------------------------------


def _scheduler_block(root: Node) -> tuple[Node, Node, str] | None:
    """The ``scheduler`` mapping, its ``type`` node and the type it names."""
    block = mapping_at(root, "scheduler")
    type_node = block.get("type") if block is not None else None
    kind = type_node.as_str() if type_node is not None else None
    if block is None or type_node is None or kind is None or \
            not (kind in lr_schedules.TYPES or set(root.as_mapping() or ()) & _DS_KEYS):
        return None
    return block, type_node, kind


def detect(doc: Document) -> bool:
    """A top-level ``scheduler`` mapping whose ``type`` is a DeepSpeed scheduler name, or any
    ``scheduler.type`` beside DeepSpeed's own top-level keys."""
    return _scheduler_block(doc.root) is not None


# --- reading ----------------------------------------------------------------------------------


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The schedule of the ``scheduler`` block (one per file); a DeepSpeed config states its
    own run length (``total_num_steps``), so ``facts`` are not used."""
    found = _scheduler_block(doc.root)
    if found is None:
        return []
    block, type_node, kind = found
    ctx = _Scheduler(doc, FrameworkSchedule(FRAMEWORK, "scheduler", block, None), kind, type_node)
    enabled = ctx.node_at(doc.root.get("fp16"), "enabled")
    if enabled is not None and enabled.as_bool() is True:
        ctx.note("fp16 loss scaling: DeepSpeed skips lr_scheduler.step() on every overflowing "
                 "step, so the schedule lags by the skipped steps")
    params = block.get("params")
    if kind not in lr_schedules.TYPES:
        ctx.finding(Code.WU308, f"scheduler type {kind!r} is not a DeepSpeed scheduler (one of "
                    f"{', '.join(lr_schedules.TYPES)}); DeepSpeed then looks it up in "
                    "torch.optim.lr_scheduler, which warmup_cli does not model here",
                    type_node, Severity.WARNING)
        ctx.unresolved(type_node, f"scheduler type {kind!r} is not modelled")
    elif params is None:
        ctx.note("scheduler.params is missing: DeepSpeed needs it (the engine passes **params); "
                 "the class defaults are shown")
    elif params.as_mapping() is None:
        ctx.reject(params, "scheduler.params is not a mapping")
    if not ctx.failed:
        ctx.read_params(params.as_mapping() or {} if params is not None else {}, params or block)
        ctx.read_optimizer_lr(doc.root)
    if not ctx.failed:
        _BUILDERS[kind](ctx)
    return [ctx.out]


class _Scheduler(Reading):
    """One scheduler block: the constructor's arguments (``values``, the class defaults filled
    in) and the optimizer's lr, then what the builders below make of them."""

    def __init__(self, doc: Document, out: FrameworkSchedule, kind: str, type_node: Node) -> None:
        super().__init__(doc, out, auto=AUTO_REASON)
        self.kind = kind
        self.type_node = type_node
        self.nodes: Mapping[str, Node] = {}  # the params as written
        self.values: dict[str, Any] = {}
        self.optimizer_lr: float | None = None
        self.optimizer_node: Node | None = None

    def at(self, name: str) -> Node:
        """Where a finding about param ``name`` points: the param, else the type."""
        return self.nodes.get(name, self.type_node)

    def read_params(self, nodes: Mapping[str, Node], where: Node) -> None:
        """The params given, checked as the class's ``__init__`` checks them."""
        kind, accepted, values = self.kind, lr_schedules.PARAMS[self.kind], self.values
        self.nodes = nodes
        for name, node in nodes.items():
            if name not in accepted:
                hint = (" (WarmupCosineLR takes warmup_min_ratio / cos_min_ratio, ratios of the "
                        "optimizer's lr)" if kind == lr_schedules.WARMUP_COSINE_LR and
                        name.startswith("warmup_m") else "")
                self.reject(node, f"{kind} does not accept {name!r}: DeepSpeed raises "
                            f"TypeError{hint}")
            elif name not in _NOT_NUMBERS:
                values[name] = self.number(node, None, None, label=name,
                                           null=accepted[name] is None)
            elif self.usable(node, name):
                values[name] = node.value
        for name, default in accepted.items():
            if name not in nodes and default is lr_schedules.REQUIRED:
                self.reject(where, f"{kind} needs {name!r} in scheduler.params (DeepSpeed "
                            "raises TypeError)")
            values.setdefault(name, default)
        if values["last_batch_iteration"] not in (-1, None):
            self.reject(nodes["last_batch_iteration"], "last_batch_iteration != -1 (resuming) "
                        "is not modelled")
        steps = values.get("warmup_num_steps")
        # WarmupLR / WarmupCosineLR.__init__: a positive int or ValueError
        if steps is not None and (not isinstance(steps, int) or steps <= 0):
            self.reject(nodes.get("warmup_num_steps", where), "warmup_num_steps must be a "
                        f"positive integer, got {steps!r} (DeepSpeed raises ValueError)")

    def read_optimizer_lr(self, root: Node) -> None:
        node = self.node_at(self.node_at(root.get("optimizer"), "params"), "lr")
        self.optimizer_node = node
        if node is not None and not self.is_auto(node):
            self.optimizer_lr = self.number(node, None, None, label="optimizer.params.lr",
                                            null=False)
        # Only WarmupCosineLR, and WarmupLR without warmup_max_lr, read the optimizer's lr.
        elif node is not None and (self.kind == lr_schedules.WARMUP_COSINE_LR or (
                self.kind == lr_schedules.WARMUP_LR and "warmup_max_lr" not in self.nodes)):
            self.usable(node, "optimizer.params.lr")

    def plan(self, fn: Callable[[int], float], base: float, warmup: int, length: int | None,
             phases: list[tuple[int, str]], *, sets_lr: bool, **shown: Any) -> None:
        """The plan; its spec lists the constructor's arguments, ``shown`` replacing some.
        ``sets_lr``: ``fn`` is the LR the class sets itself (WarmupLR's ``min_lr + delta *
        gamma``, OneCycle), else a ratio of ``base`` its ``get_lr`` multiplies
        (``org_lr * lr_ratio``, ``min_lr * lr_increase``)."""
        params = {key: self.values[key] for key in lr_schedules.PARAMS[self.kind]
                  if key != "last_batch_iteration"} | shown
        label = f"deepspeed {self.kind}"
        # the golden series equal DeepSpeed 0.19.8's (tools/golden/deepspeed_real_check.py)
        origin = Origin(f"DeepSpeed's {self.kind}", lr_schedules.CITES, "DeepSpeed 0.19.8")
        spec, source = spec_text(label, params), f"{self.doc.path} [{label}]"
        extra = {"framework": FRAMEWORK, "type": self.kind, "params": params,
                 "source": lr_schedules.SOURCE}
        if sets_lr:
            lr_plan(self.out, fn, base, Unit.STEP, label, spec, origin=origin, warmup=warmup,
                    total=length, phases=ordered_phases(phases), source=source, extra=extra)
        else:
            plan(self.out, fn, base, Unit.STEP, label, spec, warmup=warmup, total=length,
                 phases=ordered_phases(phases), source=source, extra=extra, origin=origin)

    def zero_check(self, fn: Callable[[int], float], warmup: int, name: str, why: str) -> None:
        zero_lr_start(self.out, fn, warmup, self.at(name), Unit.STEP, noun="update", why=why)

    def warmup(self) -> tuple[str, int, float | None]:
        """warmup_type (WarmupLR.__init__: an unknown one logs a warning and falls back to
        log), the warmup length DeepSpeed uses (max(2, warmup_num_steps)) and total_num_steps,
        checked against it (WU301)."""
        warmup_type, steps = self.values["warmup_type"], self.values["warmup_num_steps"]
        total = self.values.get("total_num_steps")  # used as given: DeepSpeed does no int()
        if warmup_type not in ("log", "linear"):
            self.note(f"warmup_type {warmup_type!r} is unknown: DeepSpeed falls back to 'log'")
            warmup_type = "log"
        if steps < 2 and self.kind != lr_schedules.WARMUP_COSINE_LR:
            self.note(f"warmup_num_steps {steps} is raised to 2 (DeepSpeed uses max(2, "
                      "warmup_num_steps))")
        if total is not None:
            self.out.horizon = int(total) if float(total).is_integer() else math.ceil(total)
        return str(warmup_type), max(2, steps), total

    def total_check(self, total: float | None, steps: int) -> None:
        # WarmupDecayLR / WarmupCosineLR.__init__ warn "total_num_steps {} is less than
        # warmup_num_steps {}", comparing with max(2, warmup_num_steps)
        warmup_vs_run(self.out, steps, total, None, self.at("total_num_steps"), Unit.STEP,
                      longer_only=True, message=f"total_num_steps {total} is less than "
                      f"warmup_num_steps {self.values['warmup_num_steps']}: the run ends before "
                      "the warmup does")

    def peak_check(self, key: str, peak: float, node: Node) -> None:
        lr = self.optimizer_lr
        if lr is not None and abs(peak - lr) > 1e-12 * max(abs(peak), abs(lr)):
            self.finding(Code.WU304, f"{key} {fmt(peak)} differs from optimizer.params.lr "
                         f"{fmt(lr)}: {self.kind} overwrites the optimizer's lr, so {fmt(lr)} "
                         "is never used", node)


def _warmup(ctx: _Scheduler) -> None:
    min_lr, max_lr = ctx.values["warmup_min_lr"], ctx.values["warmup_max_lr"]
    peak_node = ctx.nodes.get("warmup_max_lr")
    if max_lr is None:
        # WarmupLR: warmup_max_lr None -> the optimizer's lr (param_groups[0]['lr'])
        if ctx.optimizer_lr is None:
            ctx.unresolved(ctx.at("warmup_max_lr"), "warmup_max_lr is not set, so WarmupLR uses "
                           "the optimizer's lr, which this config does not give")
            return
        max_lr, peak_node = ctx.optimizer_lr, ctx.optimizer_node
        ctx.note(f"warmup_max_lr is not set: WarmupLR uses optimizer.params.lr {fmt(max_lr)}")
    elif ctx.kind == lr_schedules.WARMUP_DECAY_LR and "warmup_max_lr" not in ctx.nodes:
        ctx.note("warmup_max_lr is not set: WarmupDecayLR's default 0.001 applies (not the "
                 "optimizer's lr)")
    warmup_type, steps, total = ctx.warmup()
    fn = per_update(lr_schedules.warmup_lr_at(min_lr, max_lr, ctx.values["warmup_num_steps"],
                                              warmup_type, total))
    if max_lr == 0:
        ctx.note("the peak LR is 0: the factor column is the absolute LR")
    # Update k runs at iteration k - 1: warmup iterations 0..W-1 are updates 1..W.
    phases = [(0, "warmup"), (steps + 1, "constant" if total is None else "linear decay")]
    length = steps + 1 if ctx.out.horizon is None else ctx.out.horizon + 1  # gamma 0 at it = T
    if total is not None:
        phases.append((length, "after total_num_steps"))
    ctx.plan(fn, max_lr, steps + 1, length, phases, sets_lr=True, warmup_max_lr=max_lr,
             warmup_type=warmup_type)
    ctx.total_check(total, steps)
    ctx.zero_check(fn, steps + 1, "warmup_min_lr", f"warmup_min_lr is {fmt(min_lr)}: the "
                   "constructor and iteration 0 both set the minimum")
    if peak_node is not ctx.optimizer_node:
        ctx.peak_check("warmup_max_lr", max_lr, peak_node or ctx.type_node)


def _cosine(ctx: _Scheduler) -> None:
    if ctx.optimizer_lr is None:
        ctx.unresolved(ctx.type_node, "WarmupCosineLR scales the optimizer's lr, which this "
                       "config does not give (optimizer.params.lr)")
        return
    warmup_type, steps, total = ctx.warmup()
    assert total is not None and ctx.out.horizon is not None
    # get_lr: org_lr * lr_ratio, org_lr is the plan's base
    fn = per_update(lr_schedules.warmup_cosine_ratio_at(total, ctx.values["warmup_min_ratio"],
                                                        ctx.values["warmup_num_steps"],
                                                        ctx.values["cos_min_ratio"], warmup_type))
    # cosine progress min(1, (it - W + 1) / max(1, T - W)) reaches 1 at it = T - 1 (update T)
    end = max(ctx.out.horizon, steps + 1)
    ctx.plan(fn, ctx.optimizer_lr, steps + 1, end,
             [(0, "warmup"), (steps + 1, "cosine decay"), (end, "floor")], sets_lr=False,
             warmup_type=warmup_type)
    ctx.total_check(total, steps)
    ctx.zero_check(fn, steps + 1, "warmup_min_ratio", "WarmupCosineLR sets LR 0 when it is "
                   "built, before its first step" + ("" if ctx.values["warmup_min_ratio"] else
                                                     ", and warmup_min_ratio 0 keeps iteration "
                                                     "0 at 0"))


def _one_cycle(ctx: _Scheduler) -> None:
    values = ctx.values
    if values["cycle_first_stair_count"] or values["cycle_second_stair_count"]:
        ctx.note("cycle stair counts follow DeepSpeed commit 22779f2c; older releases ignore "
                 "cycle_*_stair_count and move the LR every step")
    if values["cycle_momentum"]:
        ctx.note("OneCycle also cycles Adam's beta1 between cycle_max_mom and cycle_min_mom "
                 "(cycle_momentum defaults to true)")
    peak, first = values["cycle_max_lr"], math.ceil(float(values["cycle_first_step_size"]))
    at_iteration, total, skips_decay = lr_schedules.one_cycle_lr_at(values)
    fn = per_update(at_iteration)
    end = int(total) + 1 if total.is_integer() else math.ceil(total + 1)
    ctx.plan(fn, peak, first, None,
             [(0, "cycle increase"), (first, "cycle decrease"),
              (end, "post-cycle decay" if not skips_decay else "cycle_min_lr")], sets_lr=True)
    ctx.zero_check(fn, max(1, first), "cycle_min_lr", "cycle_min_lr is 0 and the cycle starts "
                   "there")
    ctx.peak_check("cycle_max_lr", peak, ctx.at("cycle_max_lr"))


def _range_test(ctx: _Scheduler) -> None:
    values = ctx.values
    if values["lr_range_test_step_size"] == 0:
        ctx.reject(ctx.at("lr_range_test_step_size"), "lr_range_test_step_size 0 divides by zero")
        return
    # get_lr: lr_range_test_min_lr * lr_increase
    fn = per_update(lr_schedules.lr_range_increase_at(values["lr_range_test_step_size"],
                                                      values["lr_range_test_step_rate"],
                                                      bool(values["lr_range_test_staircase"])))
    ctx.note("LRRangeTest grows the LR without bound: it is a probe run, not a training schedule")
    ctx.plan(fn, values["lr_range_test_min_lr"], 0, None, [(0, "range test")], sets_lr=False)
    if values["lr_range_test_min_lr"] == 0:
        ctx.finding(Code.WU302, "lr_range_test_min_lr is 0: every update runs at LR 0",
                    ctx.at("lr_range_test_min_lr"), Severity.ERROR)


_BUILDERS: dict[str, Callable[[_Scheduler], None]] = {
    lr_schedules.WARMUP_LR: _warmup,
    lr_schedules.WARMUP_DECAY_LR: _warmup,
    lr_schedules.WARMUP_COSINE_LR: _cosine,
    lr_schedules.ONE_CYCLE: _one_cycle,
    lr_schedules.LR_RANGE_TEST: _range_test,
}
READER = register(Reader(FRAMEWORK, detect, read))
