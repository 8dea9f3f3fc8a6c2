"""DeepSpeed reader: the ``"scheduler": {"type", "params"}`` block of a DeepSpeed JSON config.

The engine builds the scheduler as ``getattr(lr_schedules, type)(optimizer, **params)``
(deepspeedai/DeepSpeed ``deepspeed/runtime/engine.py`` ``_scheduler_from_config``), so missing
params take the class defaults, and it calls ``lr_scheduler.step()`` after every optimizer step
(``_take_model_step``). Update ``k`` therefore runs at the LR the constructor set (``k = 0``) or
the one ``step()`` computed with ``last_batch_iteration = k - 1``. Formulas, defaults and
operation order follow ``deepspeed/runtime/lr_schedules.py`` at commit
22779f2c6e335b494c90c05917206d3b14510d2d (read through the search index); each function below
cites the method it reproduces.

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
    mapping_at,
    ordered_phases,
    plan,
    register,
    spec_text,
    warmup_vs_run,
    zero_lr_start,
)
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "deepspeed"
AUTO_REASON = "set by the launcher (HF integration)"
SOURCE = "deepspeed/runtime/lr_schedules.py@22779f2c6e335b494c90c05917206d3b14510d2d"

TYPES = WARMUP_LR, WARMUP_DECAY_LR, WARMUP_COSINE_LR, ONE_CYCLE, LR_RANGE_TEST = (
    "WarmupLR", "WarmupDecayLR", "WarmupCosineLR", "OneCycle", "LRRangeTest")
_REQUIRED = object()

# Constructor parameters and defaults of each class (lr_schedules.py __init__ signatures).
# WarmupLR's warmup_max_lr=None means "the optimizer's lr" (param_groups[0]['lr']).
PARAMS: dict[str, dict[str, Any]] = {
    WARMUP_LR: {"warmup_min_lr": 0.0, "warmup_max_lr": None, "warmup_num_steps": 1000,
                "warmup_type": "log", "last_batch_iteration": -1},
    WARMUP_DECAY_LR: {"warmup_min_lr": 0.0, "warmup_max_lr": 0.001, "warmup_num_steps": 1000,
                      "warmup_type": "log", "last_batch_iteration": -1,
                      "total_num_steps": _REQUIRED},
    WARMUP_COSINE_LR: {"warmup_min_ratio": 0.0, "warmup_num_steps": 1000,
                       "cos_min_ratio": 0.0001, "warmup_type": "log", "last_batch_iteration": -1,
                       "total_num_steps": _REQUIRED},
    ONE_CYCLE: {"cycle_min_lr": _REQUIRED, "cycle_max_lr": _REQUIRED, "decay_lr_rate": 0.0,
                "cycle_first_step_size": 2000, "cycle_second_step_size": None,
                "cycle_first_stair_count": 0, "cycle_second_stair_count": None,
                "decay_step_size": 0, "cycle_momentum": True, "cycle_min_mom": 0.8,
                "cycle_max_mom": 0.9, "decay_mom_rate": 0.0, "last_batch_iteration": -1},
    LR_RANGE_TEST: {"lr_range_test_min_lr": 1e-3, "lr_range_test_step_size": 2000,
                    "lr_range_test_step_rate": 1.0, "lr_range_test_staircase": False,
                    "last_batch_iteration": -1},
}
_NOT_NUMBERS = frozenset({"warmup_type", "cycle_momentum", "lr_range_test_staircase"})
# Top-level keys of a DeepSpeed config (deepspeed/runtime/config.py constants).
_DS_KEYS = frozenset({"train_batch_size", "train_micro_batch_size_per_gpu",
                      "gradient_accumulation_steps", "zero_optimization", "fp16", "bf16",
                      "steps_per_print", "gradient_clipping", "wall_clock_breakdown",
                      "prescale_gradients", "zero_allow_untested_optimizer", "amp"})


# --- DeepSpeed's LR at iteration ``it`` (last_batch_iteration), lr_schedules.py ---------------


def warmup_lr_at(min_lr: float, max_lr: float, warmup_num_steps: int, warmup_type: str,
                 total_num_steps: float | None) -> Callable[[int], float]:
    """WarmupLR (``total_num_steps`` None) or WarmupDecayLR LR after ``step()`` set
    ``last_batch_iteration = it``; ``it = -1`` is the constructor's value."""
    steps = max(2, warmup_num_steps)  # WarmupLR.__init__: max(2, warmup_num_steps)
    inverse_log_warm_up = 1.0 / math.log(steps)
    delta = max_lr - min_lr  # WarmupLR.__init__: delta_lrs = big - small

    def gamma(it: int) -> float:
        # WarmupLR._get_gamma / WarmupDecayLR._get_gamma
        if it < steps:
            if warmup_type == "log":
                return inverse_log_warm_up * math.log(it + 1)
            return it / steps
        if total_num_steps is None:
            return 1.0
        return max(0.0, float(total_num_steps - it) / float(max(1.0, total_num_steps - steps)))

    def lr(it: int) -> float:
        if it < 0:
            return min_lr  # WarmupLR.get_lr before the first step: min_lrs
        return min_lr + (delta * gamma(it))  # WarmupLR.get_lr

    return lr


def warmup_cosine_ratio_at(total_num_steps: float, warmup_min_ratio: float, warmup_num_steps: int,
                           cos_min_ratio: float, warmup_type: str) -> Callable[[int], float]:
    """WarmupCosineLR.get_lr_ratio at ``last_batch_iteration = it`` (0.0 before the first
    step: get_lr returns 0.0 for every group)."""
    steps = max(2, warmup_num_steps)
    inverse_log_warm_up = 1.0 / math.log(steps)

    def ratio_at(it: int) -> float:
        if it < 0:
            return 0.0
        if it < steps:
            # log: inverse_log_warm_up * log(it + 1); linear: it / warmup_num_steps
            ratio = (inverse_log_warm_up * math.log(it + 1) if warmup_type == "log"
                     else it / steps)
            ratio_delta = 1. - warmup_min_ratio
            return warmup_min_ratio + ratio * ratio_delta
        real_last_step = it - steps + 1
        real_total_steps = max(1, total_num_steps - steps)
        cosine_progress = min(1.0, real_last_step / real_total_steps)
        ratio_delta = 1. - cos_min_ratio
        ratio = (1 + math.cos(math.pi * cosine_progress)) / 2
        return max(0.0, cos_min_ratio + ratio_delta * ratio)

    return ratio_at


def one_cycle_lr_at(params: Mapping[str, Any]) -> tuple[Callable[[int], float], float, bool]:
    """OneCycle LR at ``last_batch_iteration = it`` (``it = -1``: the constructor's
    cycle_min_lr) from the constructor's arguments, with the cycle length and whether the LR
    decays after it."""
    # OneCycle._initialize_cycle / _initialize_lr: sizes kept as floats, the second ones
    # default to the first
    min_lr: float = params["cycle_min_lr"]
    max_lr: float = params["cycle_max_lr"]
    first_step_size = float(params["cycle_first_step_size"])
    second = params["cycle_second_step_size"]
    second_step_size = float(second) if second is not None else first_step_size
    first_stair_count = params["cycle_first_stair_count"]
    second_stair_count = params["cycle_second_stair_count"]
    if second_stair_count is None:
        second_stair_count = first_stair_count
    total_size = first_step_size + second_step_size
    step_ratio = first_step_size / total_size
    decay_step_size: float = params["decay_step_size"]
    decay_lr_rate: float = params["decay_lr_rate"]
    skip_lr_decay = math.isclose(decay_step_size, 0) or math.isclose(decay_lr_rate, 0)

    def scale_factor(batch_iteration: int) -> float:
        # OneCycle._get_scale_factor (with the stair quantisation of commit 22779f2c)
        cycle = math.floor(1 + batch_iteration / total_size)
        x = 1. + batch_iteration / total_size - cycle
        if x <= step_ratio:
            scale = x / step_ratio
            stair_count = first_stair_count
        else:
            scale = (x - 1) / (step_ratio - 1)
            stair_count = second_stair_count
        if stair_count > 0:
            cycle_iteration = batch_iteration % total_size
            if cycle_iteration <= first_step_size:
                position = cycle_iteration * stair_count / first_step_size
            else:
                position = (total_size - cycle_iteration) * stair_count / second_step_size
            scale = math.floor(position) / stair_count
        return scale

    def lr(it: int) -> float:
        if it < 0:
            return min_lr  # OneCycle._initialize_lr sets cycle_min_lr
        if it < total_size:
            # OneCycle._get_cycle_lr
            base_height = (max_lr - min_lr) * scale_factor(it + 1)
            return min_lr + base_height
        # OneCycle._get_decay_lr(last_batch_iteration - total_size + 1)
        if skip_lr_decay:
            return min_lr
        decay_interval = (it - total_size + 1) / decay_step_size
        lr_decay_factor = (1 + decay_lr_rate * decay_interval)
        return min_lr / lr_decay_factor

    return lr, total_size, skip_lr_decay


def lr_range_increase_at(step_size: float, step_rate: float,
                         staircase: bool) -> Callable[[int], float]:
    """LRRangeTest._get_increase at ``last_batch_iteration = it`` (1.0 for the constructor,
    which sets lr_range_test_min_lr as is)."""

    def increase(it: int) -> float:
        if it < 0:
            return 1.0
        # _staircase_interval: floor((it + 1) / size); _continuous_interval: (it + 1) / size
        interval = (math.floor(float(it + 1) / step_size) if staircase
                    else float(it + 1) / step_size)
        return (1 + step_rate * interval)

    return increase


def per_update(at_iteration: Callable[[int], float],
               peak: float | None = None) -> Callable[[int], float]:
    """Update ``k`` runs at the LR of iteration ``k - 1`` (the engine steps after updating),
    as a share of ``peak`` (none, or 0: as it is)."""
    if not peak:
        return lambda k: at_iteration(k - 1)
    return lambda k: at_iteration(k - 1) / peak


# --- detection --------------------------------------------------------------------------------


def _scheduler_block(root: Node) -> tuple[Node, Node, str] | None:
    """The ``scheduler`` mapping, its ``type`` node and the type it names."""
    block = mapping_at(root, "scheduler")
    type_node = block.get("type") if block is not None else None
    kind = type_node.as_str() if type_node is not None else None
    if block is None or type_node is None or kind is None or \
            not (kind in TYPES or set(root.as_mapping() or ()) & _DS_KEYS):
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
    if kind not in TYPES:
        ctx.finding(Code.WU308, f"scheduler type {kind!r} is not a DeepSpeed scheduler (one of "
                    f"{', '.join(TYPES)}); DeepSpeed then looks it up in "
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
        kind, accepted, values = self.kind, PARAMS[self.kind], self.values
        self.nodes = nodes
        for name, node in nodes.items():
            if name not in accepted:
                hint = (" (WarmupCosineLR takes warmup_min_ratio / cos_min_ratio, ratios of the "
                        "optimizer's lr)" if kind == WARMUP_COSINE_LR and
                        name.startswith("warmup_m") else "")
                self.reject(node, f"{kind} does not accept {name!r}: DeepSpeed raises "
                            f"TypeError{hint}")
            elif name not in _NOT_NUMBERS:
                values[name] = self.number(node, None, None, label=name,
                                           null=accepted[name] is None)
            elif self.usable(node, name):
                values[name] = node.value
        for name, default in accepted.items():
            if name not in nodes and default is _REQUIRED:
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
        elif node is not None and (self.kind == WARMUP_COSINE_LR or (
                self.kind == WARMUP_LR and "warmup_max_lr" not in self.nodes)):
            self.usable(node, "optimizer.params.lr")

    def plan(self, fn: Callable[[int], float], base: float, warmup: int, length: int | None,
             phases: list[tuple[int, str]], **shown: Any) -> None:
        """The plan; its spec lists the constructor's arguments, ``shown`` replacing some."""
        params = {key: self.values[key] for key in PARAMS[self.kind]
                  if key != "last_batch_iteration"} | shown
        label = f"deepspeed {self.kind}"
        plan(self.out, fn, base, Unit.STEP, label, spec_text(label, params), warmup=warmup,
             total=length, phases=ordered_phases(phases), source=f"{self.doc.path} [{label}]",
             extra={"framework": FRAMEWORK, "type": self.kind, "params": params,
                    "source": SOURCE})

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
        if steps < 2 and self.kind != WARMUP_COSINE_LR:
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
    elif ctx.kind == WARMUP_DECAY_LR and "warmup_max_lr" not in ctx.nodes:
        ctx.note("warmup_max_lr is not set: WarmupDecayLR's default 0.001 applies (not the "
                 "optimizer's lr)")
    warmup_type, steps, total = ctx.warmup()
    fn = per_update(warmup_lr_at(min_lr, max_lr, ctx.values["warmup_num_steps"], warmup_type,
                                 total), max_lr)
    if max_lr == 0:
        ctx.note("the peak LR is 0: the factor column is the absolute LR")
    # Update k runs at iteration k - 1: warmup iterations 0..W-1 are updates 1..W.
    phases = [(0, "warmup"), (steps + 1, "constant" if total is None else "linear decay")]
    length = steps + 1 if ctx.out.horizon is None else ctx.out.horizon + 1  # gamma 0 at it = T
    if total is not None:
        phases.append((length, "after total_num_steps"))
    ctx.plan(fn, max_lr if max_lr != 0 else 1.0, steps + 1, length, phases,
             warmup_max_lr=max_lr, warmup_type=warmup_type)
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
    fn = per_update(warmup_cosine_ratio_at(total, ctx.values["warmup_min_ratio"],
                                           ctx.values["warmup_num_steps"],
                                           ctx.values["cos_min_ratio"], warmup_type))
    # cosine progress min(1, (it - W + 1) / max(1, T - W)) reaches 1 at it = T - 1 (update T)
    end = max(ctx.out.horizon, steps + 1)
    ctx.plan(fn, ctx.optimizer_lr, steps + 1, end,
             [(0, "warmup"), (steps + 1, "cosine decay"), (end, "floor")],
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
    at_iteration, total, skips_decay = one_cycle_lr_at(values)
    fn = per_update(at_iteration, peak)
    end = int(total) + 1 if total.is_integer() else math.ceil(total + 1)
    ctx.plan(fn, peak if peak != 0 else 1.0, first, None,
             [(0, "cycle increase"), (first, "cycle decrease"),
              (end, "post-cycle decay" if not skips_decay else "cycle_min_lr")])
    ctx.zero_check(fn, max(1, first), "cycle_min_lr", "cycle_min_lr is 0 and the cycle starts "
                   "there")
    ctx.peak_check("cycle_max_lr", peak, ctx.at("cycle_max_lr"))


def _range_test(ctx: _Scheduler) -> None:
    values = ctx.values
    if values["lr_range_test_step_size"] == 0:
        ctx.reject(ctx.at("lr_range_test_step_size"), "lr_range_test_step_size 0 divides by zero")
        return
    # get_lr: lr_range_test_min_lr * lr_increase
    fn = per_update(lr_range_increase_at(values["lr_range_test_step_size"],
                                         values["lr_range_test_step_rate"],
                                         bool(values["lr_range_test_staircase"])))
    ctx.note("LRRangeTest grows the LR without bound: it is a probe run, not a training schedule")
    ctx.plan(fn, values["lr_range_test_min_lr"], 0, None, [(0, "range test")])
    if values["lr_range_test_min_lr"] == 0:
        ctx.finding(Code.WU302, "lr_range_test_min_lr is 0: every update runs at LR 0",
                    ctx.at("lr_range_test_min_lr"), Severity.ERROR)


_BUILDERS: dict[str, Callable[[_Scheduler], None]] = {
    WARMUP_LR: _warmup, WARMUP_DECAY_LR: _warmup, WARMUP_COSINE_LR: _cosine,
    ONE_CYCLE: _one_cycle, LR_RANGE_TEST: _range_test,
}
READER = register(Reader(FRAMEWORK, detect, read))
