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

Checks (``Finding`` codes; "rule" leaves the severity to the rule's default):

| code  | fires when                                                   | severity | located at     |
|-------|--------------------------------------------------------------|----------|----------------|
| WU301 | WarmupDecayLR / WarmupCosineLR: total_num_steps <            | rule     | total_num_steps|
|       | max(2, warmup_num_steps) (DeepSpeed only logs a warning)     |          |                |
| WU302 | leading updates at LR 0: warmup_min_lr 0 (the construction   | scaled   | warmup_min_lr  |
|       | value and iteration 0 are both the minimum: 2 updates);      | by share | (else type)    |
|       | WarmupCosineLR always starts at LR 0; cycle_min_lr 0;        | of the   |                |
|       | lr_range_test_min_lr 0                                       | warmup   |                |
| WU304 | warmup_max_lr (given, or WarmupDecayLR's default 0.001) or   | rule     | the peak key   |
|       | cycle_max_lr differs from optimizer.params.lr by > 1e-12 rel |          |                |
| WU308 | "auto" values (note), an unknown or torch scheduler type,    | note /   | the value      |
|       | params the class does not accept, non-numbers (error)        | error    |                |

WU302 severity: error when the zero-LR updates are >= 25 % of the warmup, warning >= 1 %, else
note. WU307 (decay never finishes) does not apply: a DeepSpeed config states no run length
beyond the scheduler's own ``total_num_steps``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    first_updates_run,
    fmt,
    leading_zero_updates,
    mapping_at,
    register,
    zero_share_severity,
)
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "deepspeed"
AUTO_REASON = "set by the launcher (HF integration)"
SOURCE = "deepspeed/runtime/lr_schedules.py@22779f2c6e335b494c90c05917206d3b14510d2d"

WARMUP_LR = "WarmupLR"
WARMUP_DECAY_LR = "WarmupDecayLR"
WARMUP_COSINE_LR = "WarmupCosineLR"
ONE_CYCLE = "OneCycle"
LR_RANGE_TEST = "LRRangeTest"
TYPES = (WARMUP_LR, WARMUP_DECAY_LR, WARMUP_COSINE_LR, ONE_CYCLE, LR_RANGE_TEST)
_REQUIRED = object()

# Constructor parameters and defaults of each class (lr_schedules.py __init__ signatures).
# WarmupLR's warmup_max_lr=None means "the optimizer's lr" (param_groups[0]['lr']).
PARAMS: dict[str, dict[str, Any]] = {
    WARMUP_LR: {"warmup_min_lr": 0.0, "warmup_max_lr": None, "warmup_num_steps": 1000,
                "warmup_type": "log", "last_batch_iteration": -1},
    WARMUP_DECAY_LR: {"total_num_steps": _REQUIRED, "warmup_min_lr": 0.0,
                      "warmup_max_lr": 0.001, "warmup_num_steps": 1000, "warmup_type": "log",
                      "last_batch_iteration": -1},
    WARMUP_COSINE_LR: {"total_num_steps": _REQUIRED, "warmup_min_ratio": 0.0,
                       "warmup_num_steps": 1000, "cos_min_ratio": 0.0001, "warmup_type": "log",
                       "last_batch_iteration": -1},
    ONE_CYCLE: {"cycle_min_lr": _REQUIRED, "cycle_max_lr": _REQUIRED, "decay_lr_rate": 0.0,
                "cycle_first_step_size": 2000, "cycle_second_step_size": None,
                "cycle_first_stair_count": 0, "cycle_second_stair_count": None,
                "decay_step_size": 0, "cycle_momentum": True, "cycle_min_mom": 0.8,
                "cycle_max_mom": 0.9, "decay_mom_rate": 0.0, "last_batch_iteration": -1},
    LR_RANGE_TEST: {"lr_range_test_min_lr": 1e-3, "lr_range_test_step_size": 2000,
                    "lr_range_test_step_rate": 1.0, "lr_range_test_staircase": False,
                    "last_batch_iteration": -1},
}
_NUMBERS = frozenset({"warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "total_num_steps",
                      "warmup_min_ratio", "cos_min_ratio", "cycle_min_lr", "cycle_max_lr",
                      "decay_lr_rate", "cycle_first_step_size", "cycle_second_step_size",
                      "cycle_first_stair_count", "cycle_second_stair_count", "decay_step_size",
                      "cycle_min_mom", "cycle_max_mom", "decay_mom_rate",
                      "lr_range_test_min_lr", "lr_range_test_step_size",
                      "lr_range_test_step_rate", "last_batch_iteration"})
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


@dataclass(frozen=True)
class OneCycleShape:
    """OneCycle._initialize_cycle / _initialize_lr, kept as DeepSpeed stores them (floats)."""

    min_lr: float
    max_lr: float
    first_step_size: float
    second_step_size: float
    first_stair_count: int
    second_stair_count: int
    decay_step_size: float
    decay_lr_rate: float
    total_size: float = field(init=False)
    step_ratio: float = field(init=False)
    skip_lr_decay: bool = field(init=False)

    def __post_init__(self) -> None:
        total = self.first_step_size + self.second_step_size
        object.__setattr__(self, "total_size", total)
        object.__setattr__(self, "step_ratio", self.first_step_size / total)
        skip = math.isclose(self.decay_step_size, 0) or math.isclose(self.decay_lr_rate, 0)
        object.__setattr__(self, "skip_lr_decay", skip)


def one_cycle_lr_at(shape: OneCycleShape) -> Callable[[int], float]:
    """OneCycle LR at ``last_batch_iteration = it`` (``it = -1``: the constructor's
    cycle_min_lr)."""

    def scale_factor(batch_iteration: int) -> float:
        # OneCycle._get_scale_factor (with the stair quantisation of commit 22779f2c)
        cycle = math.floor(1 + batch_iteration / shape.total_size)
        x = 1. + batch_iteration / shape.total_size - cycle
        if x <= shape.step_ratio:
            scale = x / shape.step_ratio
            stair_count = shape.first_stair_count
        else:
            scale = (x - 1) / (shape.step_ratio - 1)
            stair_count = shape.second_stair_count
        if stair_count > 0:
            cycle_iteration = batch_iteration % shape.total_size
            if cycle_iteration <= shape.first_step_size:
                position = cycle_iteration * stair_count / shape.first_step_size
            else:
                position = (shape.total_size - cycle_iteration) * stair_count \
                    / shape.second_step_size
            scale = math.floor(position) / stair_count
        return scale

    def lr(it: int) -> float:
        if it < 0:
            return shape.min_lr  # OneCycle._initialize_lr sets cycle_min_lr
        if it < shape.total_size:
            # OneCycle._get_cycle_lr
            base_height = (shape.max_lr - shape.min_lr) * scale_factor(it + 1)
            return shape.min_lr + base_height
        # OneCycle._get_decay_lr(last_batch_iteration - total_size + 1)
        if shape.skip_lr_decay:
            return shape.min_lr
        decay_interval = (it - shape.total_size + 1) / shape.decay_step_size
        lr_decay_factor = (1 + shape.decay_lr_rate * decay_interval)
        return shape.min_lr / lr_decay_factor

    return lr


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


def per_update(at_iteration: Callable[[int], float], peak: float) -> Callable[[int], float]:
    """Update ``k`` runs at the LR of iteration ``k - 1`` (the engine steps after updating)."""
    if peak == 0:
        def absolute(k: int) -> float:
            return at_iteration(k - 1)

        return absolute

    def factor(k: int) -> float:
        return at_iteration(k - 1) / peak

    return factor


# --- detection --------------------------------------------------------------------------------


def _scheduler_block(root: Node) -> Node | None:
    block = mapping_at(root, "scheduler")
    if block is None:
        return None
    kind = block.get("type")
    if kind is None or not isinstance(kind.value, str):
        return None
    if kind.value in TYPES or set(root.value) & _DS_KEYS:
        return block
    return None


def detect(doc: Document) -> bool:
    """A top-level ``scheduler`` mapping whose ``type`` is a DeepSpeed scheduler name, or any
    ``scheduler.type`` beside DeepSpeed's own top-level keys."""
    return _scheduler_block(doc.root) is not None


# --- reading ----------------------------------------------------------------------------------


def _is_auto(node: Node | None) -> bool:
    return node is not None and isinstance(node.value, str) and node.value.strip() == "auto"


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The schedule of the ``scheduler`` block (one per file)."""
    block = _scheduler_block(doc.root)
    if block is None:
        return []
    type_node = block.get("type")
    assert type_node is not None and isinstance(type_node.value, str)
    kind = type_node.value
    out = FrameworkSchedule(FRAMEWORK, "scheduler", block, None)
    ctx = Reading(doc, out)
    _launcher_notes(ctx, doc.root)
    if kind not in TYPES:
        ctx.finding(Code.WU308, f"scheduler type {kind!r} is not a DeepSpeed scheduler (one of "
                    f"{', '.join(TYPES)}); DeepSpeed then looks it up in "
                    "torch.optim.lr_scheduler, which warmup_cli does not model here",
                    type_node, Severity.WARNING)
        ctx.unresolved(type_node, f"scheduler type {kind!r} is not modelled")
        return [out]

    params_node = block.get("params")
    nodes: dict[str, Node] = {}
    if params_node is None:
        out.notes.append("scheduler.params is missing: DeepSpeed needs it (the engine passes "
                         "**params); the class defaults are shown")
    elif not isinstance(params_node.value, dict):
        ctx.bad(params_node, "scheduler.params is not a mapping")
        return [out]
    else:
        nodes = dict(params_node.value)
    values = _params(ctx, kind, nodes, params_node or block)
    optimizer_lr, optimizer_node = _optimizer_lr(ctx, doc.root, kind, nodes)
    if ctx.failed:
        return [out]
    builder = {WARMUP_LR: _warmup, WARMUP_DECAY_LR: _warmup, WARMUP_COSINE_LR: _cosine,
               ONE_CYCLE: _one_cycle, LR_RANGE_TEST: _range_test}[kind]
    builder(ctx, kind, values, nodes, type_node, optimizer_lr, optimizer_node)
    return [out]


def _launcher_notes(ctx: Reading, root: Node) -> None:
    fp16 = root.get("fp16")
    enabled = fp16.get("enabled") if fp16 is not None else None
    if enabled is not None and enabled.value is True:
        ctx.out.notes.append("fp16 loss scaling: DeepSpeed skips lr_scheduler.step() on every "
                             "overflowing step, so the schedule lags by the skipped steps")


def _params(ctx: Reading, kind: str, nodes: Mapping[str, Node], where: Node) -> dict[str, Any]:
    accepted = PARAMS[kind]
    values: dict[str, Any] = {}
    for name, node in nodes.items():
        if name not in accepted:
            hint = (" (WarmupCosineLR takes warmup_min_ratio / cos_min_ratio, ratios of the "
                    "optimizer's lr)" if kind == WARMUP_COSINE_LR and name.startswith("warmup_m")
                    else "")
            ctx.bad(node, f"{kind} does not accept {name!r}: DeepSpeed raises TypeError{hint}")
            continue
        if _is_auto(node):
            ctx.finding(Code.WU308, f"{name} is \"auto\": {AUTO_REASON}", node, Severity.NOTE)
            ctx.unresolved(node, AUTO_REASON)
            continue
        if name in _NUMBERS:
            if node.value is None and accepted[name] is None:
                values[name] = None
                continue
            number = node.as_number()
            if number is None:
                ctx.bad(node, f"{name} is {node.value!r}, not a number")
                continue
            values[name] = number
        else:
            values[name] = node.value
    for name, default in accepted.items():
        if name not in values and name not in nodes:
            if default is _REQUIRED:
                ctx.bad(where, f"{kind} needs {name!r} in scheduler.params (DeepSpeed raises "
                        "TypeError)")
            else:
                values[name] = default
    iteration = values.get("last_batch_iteration", -1)
    if iteration != -1 and "last_batch_iteration" in nodes:
        ctx.bad(nodes["last_batch_iteration"], "last_batch_iteration != -1 (resuming) is not "
                "modelled")
    for name in ("warmup_num_steps",):
        value = values.get(name)
        # WarmupLR / WarmupCosineLR.__init__: a positive int or ValueError
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value <= 0):
            ctx.bad(nodes.get(name, where), f"{name} must be a positive integer, got "
                    f"{value!r} (DeepSpeed raises ValueError)")
    return values


def _optimizer_lr(ctx: Reading, root: Node, kind: str,
                  params_given: Mapping[str, Node]) -> tuple[float | None, Node | None]:
    optimizer = root.get("optimizer")
    params = optimizer.get("params") if optimizer is not None else None
    node = params.get("lr") if params is not None else None
    if node is None:
        return None, None
    if _is_auto(node):
        # Only WarmupCosineLR, and WarmupLR without warmup_max_lr, read the optimizer's lr.
        needed = kind == WARMUP_COSINE_LR or (kind == WARMUP_LR and
                                              "warmup_max_lr" not in params_given)
        if needed:
            ctx.finding(Code.WU308, f"optimizer.params.lr is \"auto\": {AUTO_REASON}", node,
                        Severity.NOTE)
            ctx.unresolved(node, AUTO_REASON)
        return None, node
    number = node.as_number()
    if number is None:
        ctx.bad(node, f"optimizer.params.lr is {node.value!r}, not a number")
    return number, node


def _horizon(total: float) -> int:
    return int(total) if float(total).is_integer() else math.ceil(total)


def _warmup(ctx: Reading, kind: str, values: dict[str, Any], nodes: Mapping[str, Node],
            type_node: Node, optimizer_lr: float | None, optimizer_node: Node | None) -> None:
    min_lr = values["warmup_min_lr"]
    max_lr = values["warmup_max_lr"]
    peak_node = nodes.get("warmup_max_lr")
    if max_lr is None:
        # WarmupLR: warmup_max_lr None -> the optimizer's lr (param_groups[0]['lr'])
        if optimizer_lr is None:
            ctx.unresolved(nodes.get("warmup_max_lr", type_node), "warmup_max_lr is not set, "
                           "so WarmupLR uses the optimizer's lr, which this config does not give")
            return
        max_lr = optimizer_lr
        ctx.out.notes.append(f"warmup_max_lr is not set: WarmupLR uses optimizer.params.lr "
                             f"{fmt(optimizer_lr)}")
        peak_node = optimizer_node
    elif kind == WARMUP_DECAY_LR and "warmup_max_lr" not in nodes:
        ctx.out.notes.append("warmup_max_lr is not set: WarmupDecayLR's default 0.001 applies "
                             "(not the optimizer's lr)")
    warmup_type = _warmup_type(ctx, values, nodes)
    steps = max(2, values["warmup_num_steps"])
    if values["warmup_num_steps"] < 2:
        ctx.out.notes.append(f"warmup_num_steps {values['warmup_num_steps']} is raised to 2 "
                             "(DeepSpeed uses max(2, warmup_num_steps))")
    total: float | None = None
    if kind == WARMUP_DECAY_LR:
        total = values["total_num_steps"]  # used as given: DeepSpeed does no int()
        ctx.out.horizon = _horizon(total)
    at = warmup_lr_at(min_lr, max_lr, values["warmup_num_steps"], warmup_type, total)
    fn = per_update(at, max_lr)
    base = max_lr if max_lr != 0 else 1.0
    if max_lr == 0:
        ctx.out.notes.append("the peak LR is 0: the factor column is the absolute LR")
    # Update k runs at iteration k - 1: warmup iterations 0..W-1 are updates 1..W.
    phases = [(0, "warmup"), (steps + 1, "constant" if total is None else "linear decay")]
    length: int | None = steps + 1
    if total is not None:
        end = _horizon(total) + 1  # gamma reaches 0 at it = T, which is update T + 1
        phases.append((end, "after total_num_steps"))
        length = end
    params = {"warmup_min_lr": min_lr, "warmup_max_lr": max_lr,
              "warmup_num_steps": values["warmup_num_steps"], "warmup_type": warmup_type}
    if total is not None:
        params["total_num_steps"] = total
    _plan(ctx, kind, fn, base, steps + 1, length, phases, params)
    _total_check(ctx, kind, total, steps, values, nodes, type_node)
    _zero_check(ctx, fn, steps + 1, nodes.get("warmup_min_lr", type_node),
                f"warmup_min_lr is {fmt(min_lr)}: the constructor and iteration 0 both set "
                "the minimum")
    if optimizer_lr is not None and peak_node is not optimizer_node:
        _peak_check(ctx, "warmup_max_lr", max_lr, optimizer_lr, peak_node or type_node, kind)


def _warmup_type(ctx: Reading, values: Mapping[str, Any], nodes: Mapping[str, Node]) -> str:
    warmup_type = values["warmup_type"]
    if warmup_type not in ("log", "linear"):
        # WarmupLR.__init__: unknown types log a warning and fall back to log
        ctx.out.notes.append(f"warmup_type {warmup_type!r} is unknown: DeepSpeed falls back to "
                             "'log'")
        return "log"
    return str(warmup_type)


def _cosine(ctx: Reading, kind: str, values: dict[str, Any], nodes: Mapping[str, Node],
            type_node: Node, optimizer_lr: float | None, optimizer_node: Node | None) -> None:
    if optimizer_lr is None:
        ctx.unresolved(type_node, "WarmupCosineLR scales the optimizer's lr, which this config "
                       "does not give (optimizer.params.lr)")
        return
    warmup_type = _warmup_type(ctx, values, nodes)
    steps = max(2, values["warmup_num_steps"])
    total = values["total_num_steps"]
    ctx.out.horizon = _horizon(total)
    ratio = warmup_cosine_ratio_at(total, values["warmup_min_ratio"], values["warmup_num_steps"],
                                   values["cos_min_ratio"], warmup_type)

    def fn(k: int) -> float:
        return ratio(k - 1)  # get_lr: org_lr * lr_ratio, org_lr is the plan's base

    # cosine progress min(1, (it - W + 1) / max(1, T - W)) reaches 1 at it = T - 1 (update T)
    end = max(_horizon(total), steps + 1)
    phases = [(0, "warmup"), (steps + 1, "cosine decay"), (end, "floor")]
    params = {"warmup_min_ratio": values["warmup_min_ratio"],
              "warmup_num_steps": values["warmup_num_steps"],
              "cos_min_ratio": values["cos_min_ratio"], "warmup_type": warmup_type,
              "total_num_steps": total}
    _plan(ctx, kind, fn, optimizer_lr, steps + 1, end, phases, params)
    _total_check(ctx, kind, total, steps, values, nodes, type_node)
    _zero_check(ctx, fn, steps + 1, nodes.get("warmup_min_ratio", type_node),
                "WarmupCosineLR sets LR 0 when it is built, before its first step"
                + ("" if values["warmup_min_ratio"] else
                   ", and warmup_min_ratio 0 keeps iteration 0 at 0"))


def _one_cycle(ctx: Reading, kind: str, values: dict[str, Any], nodes: Mapping[str, Node],
               type_node: Node, optimizer_lr: float | None, optimizer_node: Node | None) -> None:
    first = float(values["cycle_first_step_size"])
    second_raw = values["cycle_second_step_size"]
    second = float(second_raw) if second_raw is not None else first
    first_stairs = values["cycle_first_stair_count"]
    second_stairs = values["cycle_second_stair_count"]
    if second_stairs is None:
        second_stairs = first_stairs
    shape = OneCycleShape(values["cycle_min_lr"], values["cycle_max_lr"], first, second,
                          first_stairs, second_stairs, values["decay_step_size"],
                          values["decay_lr_rate"])
    if first_stairs or second_stairs:
        ctx.out.notes.append("cycle stair counts follow DeepSpeed commit 22779f2c; older "
                             "releases ignore cycle_*_stair_count and move the LR every step")
    if values["cycle_momentum"]:
        ctx.out.notes.append("OneCycle also cycles Adam's beta1 between cycle_max_mom and "
                             "cycle_min_mom (cycle_momentum defaults to true)")
    peak = shape.max_lr
    fn = per_update(one_cycle_lr_at(shape), peak)
    end = int(shape.total_size) + 1 if shape.total_size.is_integer() else \
        math.ceil(shape.total_size + 1)
    phases = [(0, "cycle increase"), (math.ceil(first), "cycle decrease"),
              (end, "post-cycle decay" if not shape.skip_lr_decay else "cycle_min_lr")]
    params = {key: values[key] for key in PARAMS[ONE_CYCLE] if key != "last_batch_iteration"}
    _plan(ctx, kind, fn, peak if peak != 0 else 1.0, math.ceil(first), None, phases, params)
    _zero_check(ctx, fn, max(1, math.ceil(first)), nodes.get("cycle_min_lr", type_node),
                "cycle_min_lr is 0 and the cycle starts there")
    if optimizer_lr is not None:
        _peak_check(ctx, "cycle_max_lr", peak, optimizer_lr, nodes.get("cycle_max_lr", type_node),
                    kind)


def _range_test(ctx: Reading, kind: str, values: dict[str, Any], nodes: Mapping[str, Node],
                type_node: Node, optimizer_lr: float | None,
                optimizer_node: Node | None) -> None:
    min_lr = values["lr_range_test_min_lr"]
    step_size = values["lr_range_test_step_size"]
    if step_size == 0:
        ctx.bad(nodes.get("lr_range_test_step_size", type_node),
                "lr_range_test_step_size 0 divides by zero")
        return
    increase = lr_range_increase_at(step_size, values["lr_range_test_step_rate"],
                                    bool(values["lr_range_test_staircase"]))

    def fn(k: int) -> float:
        return increase(k - 1)  # get_lr: lr_range_test_min_lr * lr_increase

    ctx.out.notes.append("LRRangeTest grows the LR without bound: it is a probe run, not a "
                         "training schedule")
    params = {key: values[key] for key in PARAMS[LR_RANGE_TEST] if key != "last_batch_iteration"}
    _plan(ctx, kind, fn, min_lr, 0, None, [(0, "range test")], params)
    if min_lr == 0:
        ctx.finding(Code.WU302, "lr_range_test_min_lr is 0: every update runs at LR 0",
                    nodes.get("lr_range_test_min_lr", type_node), Severity.ERROR)


def _plan(ctx: Reading, kind: str, fn: Callable[[int], float], base: float, warmup: int,
          length: int | None, phases: list[tuple[int, str]], params: dict[str, Any]) -> None:
    ordered: dict[int, str] = {}
    for start, label in sorted(phases, key=lambda p: p[0]):
        ordered[start] = label
    spec = f"deepspeed {kind}(" + ", ".join(f"{k}={fmt(v)}" for k, v in params.items()) + ")"
    schedule = FunctionSchedule(fn=fn, label=f"deepspeed {kind}", spec=spec, warmup=warmup,
                                total=length, phases=tuple(sorted(ordered.items())),
                                extra={"framework": FRAMEWORK, "type": kind, "params": params,
                                       "source": SOURCE})
    ctx.out.plan = Plan(schedule, (base,), f"{ctx.doc.path} [deepspeed {kind}]", "step")


def _total_check(ctx: Reading, kind: str, total: float | None, steps: int,
                 values: Mapping[str, Any], nodes: Mapping[str, Node], type_node: Node) -> None:
    # WarmupDecayLR / WarmupCosineLR.__init__: "total_num_steps {} is less than
    # warmup_num_steps {}" (compared with max(2, warmup_num_steps))
    if total is not None and total < steps:
        ctx.finding(Code.WU301, f"total_num_steps {total} is less than warmup_num_steps "
                    f"{values['warmup_num_steps']}: the run ends before the warmup does",
                    nodes.get("total_num_steps", type_node))


def _zero_check(ctx: Reading, fn: Callable[[int], float], warmup: int, node: Node,
                why: str) -> None:
    zeros = leading_zero_updates(fn, warmup)
    if zeros:
        ctx.finding(Code.WU302, f"{first_updates_run(zeros)} at LR 0, {zeros} of the {warmup} "
                    f"warmup updates ({zeros / warmup:.1%}): {why}", node,
                    zero_share_severity(zeros, warmup))


def _peak_check(ctx: Reading, key: str, peak: float, optimizer_lr: float, node: Node,
                kind: str) -> None:
    if abs(peak - optimizer_lr) <= 1e-12 * max(abs(peak), abs(optimizer_lr)):
        return
    ctx.finding(Code.WU304, f"{key} {fmt(peak)} differs from optimizer.params.lr "
                f"{fmt(optimizer_lr)}: {kind} overwrites the optimizer's lr, so "
                f"{fmt(optimizer_lr)} is never used", node)


READER = register(Reader(FRAMEWORK, detect, read))
