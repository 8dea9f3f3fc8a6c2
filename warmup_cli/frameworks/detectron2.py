"""detectron2 LR schedules: yacs ``SOLVER`` keys (with ``_BASE_`` inheritance) and LazyConfig
``WarmupParamScheduler`` multipliers.

detectron2 builds every schedule the same way (detectron2/solver/build.py,
``build_lr_scheduler``): a fvcore ``ParamScheduler`` for the main schedule, wrapped in
``WarmupParamScheduler`` (detectron2/solver/lr_scheduler.py), driven by ``LRMultiplier``, a
torch LR scheduler whose ``get_lr`` is ``base_lr * multiplier(last_epoch / max_iter)``. The LR
of iteration ``k`` (0-based) is therefore ``BASE_LR * multiplier(k / MAX_ITER)``; the fvcore
formulas are reproduced below with fvcore's operation order and its ``WHERE_EPSILON``.

Checks (framework-aware findings, located at the responsible key):

======  ===========================  ========================================================
code    name                         when
======  ===========================  ========================================================
WU301   warmup-longer-than-run       ``WARMUP_ITERS >= MAX_ITER``: detectron2 caps the warmup
                                     at the whole run, so the main schedule never starts
WU302   zero-lr-first-update         ``WARMUP_FACTOR`` 0 (or a LazyConfig ``warmup_factor``
                                     0): the first iteration (every warmup iteration with the
                                     constant method) runs at LR 0. Severity by the share of
                                     the warmup lost: error >= 25 %, warning >= 1 %, else note
WU308   unresolved-value             reported through ``FrameworkSchedule.unresolved``: a
                                     ``_BASE_`` file that is not at hand, a LazyConfig value
                                     computed in code (lint: notes); a value fvcore/
                                     detectron2/yacs would reject is also a WU308 error
                                     finding at that value
======  ===========================  ========================================================
"""

from __future__ import annotations

import bisect
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warmup_cli.configs.document import Unresolved, load_document
from warmup_cli.errors import WarmupError
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

# detectron2/config/defaults.py (_C.SOLVER.*)
DEFAULTS: dict[str, object] = {
    "LR_SCHEDULER_NAME": "WarmupMultiStepLR",
    "MAX_ITER": 40000,
    "BASE_LR": 0.001,
    "BASE_LR_END": 0.0,
    "GAMMA": 0.1,
    "STEPS": (30000,),
    "NUM_DECAYS": 3,
    "WARMUP_FACTOR": 1.0 / 1000,
    "WARMUP_ITERS": 1000,
    "WARMUP_METHOD": "linear",
    "RESCALE_INTERVAL": False,
    "REFERENCE_WORLD_SIZE": 0,
    "BIAS_LR_FACTOR": 1.0,
}
SOLVER_KEYS = frozenset(DEFAULTS)
MAX_BASE_DEPTH = 10  # _BASE_ chains longer than this are refused
# fvcore/common/param_scheduler.py: ParamScheduler.WHERE_EPSILON
WHERE_EPSILON = 1e-6

WhereFn = Callable[[float], float]


# --- fvcore ParamSchedulers (fvcore/common/param_scheduler.py) -----------------------------


class Rejected(ValueError):
    """fvcore/detectron2 would raise while building the scheduler (message is theirs)."""


def constant_sched(value: float) -> WhereFn:
    def fn(where: float) -> float:  # ConstantParamScheduler.__call__
        if where >= 1.0:
            raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
        return value

    return fn


def linear_sched(start: float, end: float) -> WhereFn:
    # LinearParamScheduler: self._end_value * where + self._start_value * (1 - where)
    return lambda where: end * where + start * (1 - where)


def cosine_sched(start: float, end: float) -> WhereFn:
    # CosineParamScheduler: end + 0.5 * (start - end) * (1 + cos(pi * where))
    return lambda where: end + 0.5 * (start - end) * (1 + math.cos(math.pi * where))


def exponential_sched(start: float, decay: float) -> WhereFn:
    # ExponentialParamScheduler: start * (decay ** where)
    return lambda where: start * (decay**where)


def poly_sched(base: float, power: float) -> WhereFn:
    # PolynomialDecayParamScheduler: base * (1 - where) ** power
    return lambda where: base * (1 - where) ** power


def multistep_sched(values: Sequence[float], num_updates: int | None = None,
                    milestones: Sequence[int] | None = None) -> tuple[WhereFn, list[int], int]:
    """MultiStepParamScheduler; also returns the milestones and num_updates it settled on."""
    if num_updates is None and milestones is None:
        raise Rejected("num_updates and milestones cannot both be None")
    if milestones is None:
        assert num_updates is not None
        milestones = []
        step_width = math.ceil(num_updates / float(len(values)))
        for idx in range(len(values) - 1):
            milestones.append(step_width * (idx + 1))
    elif len(milestones) != len(values) - int(num_updates is not None):
        raise Rejected("MultiStep scheduler requires a list of "
                       f"{len(values) - int(num_updates is not None)} miletones")
    milestones = list(milestones)
    if num_updates is None:
        num_updates, milestones = milestones[-1], milestones[:-1]
    if num_updates < len(values):
        raise Rejected("Total num_updates must be greater than length of param schedule")
    start = 0
    for milestone in milestones:
        if milestone >= num_updates:
            raise Rejected("Milestone must be smaller than total number of updates: "
                           f"num_updates={num_updates}, milestone={milestone}")
        if start >= milestone:
            raise Rejected("Milestone must be smaller than start epoch: "
                           f"start_epoch={start}, milestone={milestone}")
        start = milestone
    total = num_updates
    table = list(values)

    def fn(where: float) -> float:
        if where > 1.0:
            raise RuntimeError(f"where in ParamScheduler must be in [0, 1]: got {where}")
        epoch_num = int((where + WHERE_EPSILON) * total)
        return table[bisect.bisect_right(milestones, epoch_num)]

    return fn, milestones, total


def step_sched(num_updates: float, values: Sequence[float]) -> WhereFn:
    # StepParamScheduler: values[int((where + WHERE_EPSILON) * len(values))]
    if num_updates <= 0:
        raise Rejected("Number of updates must be larger than 0")
    if len(values) == 0:
        raise Rejected("Step scheduler requires a list of at least one param value")
    table = list(values)
    return lambda where: table[int((where + WHERE_EPSILON) * len(table))]


def step_fixed_gamma_sched(base_value: float, num_decays: int, gamma: float,
                           num_updates: int) -> WhereFn:
    # StepWithFixedGammaParamScheduler
    for k in (base_value, gamma):
        if not (isinstance(k, int | float) and k > 0):
            raise Rejected("base_value and gamma must be positive numbers")
    for k in (num_decays, num_updates):
        if not (isinstance(k, int) and k > 0):
            raise Rejected("num_decays and num_updates must be positive integers")
    values = [base_value]
    for _ in range(num_decays):
        values.append(values[-1] * gamma)
    return step_sched(num_updates, values)


@dataclass(frozen=True)
class Composite:
    """CompositeParamScheduler, with the index of the piece in use exposed for phases."""

    schedulers: tuple[WhereFn, ...]
    lengths: tuple[float, ...]
    scaling: tuple[str, ...]

    def index(self, where: float) -> tuple[int, float]:
        i = 0
        running_total = self.lengths[i]
        while (where + WHERE_EPSILON) > running_total and i < len(self.schedulers) - 1:
            i += 1
            running_total += self.lengths[i]
        return i, running_total

    def __call__(self, where: float) -> float:
        i, running_total = self.index(where)
        scheduler_where = where
        if self.scaling[i] == "rescaled":
            scheduler_start = running_total - self.lengths[i]
            scheduler_where = (where - scheduler_start) / self.lengths[i]
        return self.schedulers[i](scheduler_where)


def composite(schedulers: Sequence[WhereFn], lengths: Sequence[float],
              interval_scaling: Sequence[str]) -> Composite:
    if len(schedulers) != len(lengths):
        raise Rejected("Schedulers and lengths must be same length")
    if abs(sum(lengths) - 1.0) >= 1e-3:
        raise Rejected("The sum of all values in lengths must be 1")
    fixed = list(lengths)
    if sum(fixed) != 1.0:
        fixed[-1] = 1.0 - sum(fixed[:-1])
    return Composite(tuple(schedulers), tuple(fixed), tuple(interval_scaling))


def warmup_param_scheduler(scheduler: WhereFn, warmup_factor: float, warmup_length: float,
                           warmup_method: str = "linear",
                           rescale_interval: bool = False) -> Composite:
    """detectron2/solver/lr_scheduler.py WarmupParamScheduler (with rescale_interval)."""
    end_value = scheduler(0.0) if rescale_interval else scheduler(warmup_length)
    start_value = warmup_factor * scheduler(0.0)
    if warmup_method == "constant":
        warmup = constant_sched(start_value)
    elif warmup_method == "linear":
        warmup = linear_sched(start_value, end_value)
    else:
        raise Rejected(f"Unknown warmup method: {warmup_method}")
    return composite([warmup, scheduler], [warmup_length, 1 - warmup_length],
                     ["rescaled", "rescaled" if rescale_interval else "fixed"])


def _first(pred: Callable[[int], bool], lo: int, hi: int) -> int:
    """The smallest k in [lo, hi) with pred(k) (pred monotone), or hi."""
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass
class _Multiplier:
    """What LRMultiplier runs: multiplier(k / max_iter) for iteration k."""

    multiplier: Composite
    max_iter: int
    label: str
    spec: str
    milestones: list[int] = field(default_factory=list)  # main-schedule drops, in iterations

    def factor(self, step: int) -> float:
        # Iterations past MAX_ITER never run; hold the last iteration's value.
        k = min(max(step, 0), self.max_iter - 1)
        return self.multiplier(k / self.max_iter)

    def warmup_end(self) -> int:
        return _first(lambda k: self.multiplier.index(k / self.max_iter)[0] > 0, 0,
                      self.max_iter)

    def schedule(self) -> FunctionSchedule:
        end = self.warmup_end()
        phases: list[tuple[int, str]] = [(0, "warmup")] if end > 0 else []
        if end < self.max_iter:
            phases.append((end, self.label))
        total = self.max_iter
        for i, milestone in enumerate(self.milestones, start=1):
            # fvcore counts int((where + WHERE_EPSILON) * num_updates) against the milestone
            at = _first(lambda k, m=milestone: int((k / total + WHERE_EPSILON) * total) >= m,
                        0, total)
            if end <= at < total:
                phases.append((at, f"{self.label} (drop {i})"))
        phases.append((self.max_iter, "after MAX_ITER (training has ended)"))
        return FunctionSchedule(self.factor, "detectron2 " + self.label, self.spec,
                                warmup=end, total=self.max_iter, phases=tuple(phases))


# --- yacs configs -----------------------------------------------------------------------


@dataclass
class _Setting:
    node: Node
    origin: str  # the file that set it


@dataclass
class _Chain:
    solver: dict[str, _Setting] = field(default_factory=dict)
    unresolved: list[tuple[Node, str]] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    # _BASE_ values detectron2 itself cannot load (WU308 errors, beside their unresolved entry)
    rejected: list[Finding] = field(default_factory=list)

    def reject(self, node: Node, why: str) -> None:
        self.unresolved.append((node, why))
        self.rejected.append(Finding(Code.WU308, why, node, Severity.ERROR))


def _load_chain(doc: Document) -> _Chain:
    """SOLVER keys after detectron2's _BASE_ merge (child over base, recursively):
    detectron2/config/config.py CfgNode.load_yaml_with_base."""
    chain = _Chain()
    base_node = doc.root.get("_BASE_")

    def visit(current: Document, depth: int, seen: tuple[str, ...]) -> None:
        base = current.root.get("_BASE_")
        if base is not None:
            blame = base_node if base_node is not None else base
            if not isinstance(base.value, str):
                chain.reject(blame, f"_BASE_ in {current.path} is not a path")
            else:
                target = os.path.expanduser(base.value)
                if not target.startswith(("/", "https://", "http://")):
                    target = os.path.join(os.path.dirname(current.path), target)
                resolved = os.path.realpath(target)
                if target.startswith(("https://", "http://")):
                    chain.unresolved.append((blame, f"_BASE_ {base.value} is a URL; "
                                             "warmup_cli reads local files only"))
                elif resolved in seen:
                    chain.reject(blame, f"_BASE_ chain loops back to {target}")
                elif depth >= MAX_BASE_DEPTH:
                    chain.unresolved.append((blame, f"_BASE_ chain is deeper than "
                                             f"{MAX_BASE_DEPTH} files"))
                elif not os.path.isfile(resolved):
                    chain.unresolved.append((blame, f"the base config {base.value} "
                                             f"({target}) is not at hand, so the SOLVER keys "
                                             "it sets are unknown"))
                else:
                    try:
                        parent = load_document(resolved)
                    except WarmupError as exc:
                        chain.unresolved.append((blame, f"the base config {base.value} cannot "
                                                 f"be read: {exc.message}"))
                    else:
                        chain.bases.append(resolved)
                        visit(parent, depth + 1, (*seen, resolved))
        solver = mapping_at(current.root, "SOLVER")
        if solver is not None:
            for key, node in solver.value.items():
                chain.solver[key] = _Setting(node, current.path)

    visit(doc, 0, (os.path.realpath(doc.path),))
    return chain


def detect(doc: Document) -> bool:
    root = doc.root
    if not isinstance(root.value, dict):
        return False
    solver = mapping_at(root, "SOLVER")
    if solver is not None and set(solver.value) & SOLVER_KEYS:
        return True
    if doc.format == "yaml" and isinstance(root.get("_BASE_") and root.get("_BASE_").value,
                                           str) and (root.get("MODEL") or root.get("SOLVER")):
        return True
    if doc.format == "python":
        if any(key.startswith("lr_multiplier") for key in root.value):
            return True
        return any(_type_name(node).endswith("WarmupParamScheduler") for node in root.walk())
    return False


def _type_name(node: Node) -> str:
    kind = node.get("type") if isinstance(node.value, dict) else None
    return kind.value if kind is not None and isinstance(kind.value, str) else ""


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    if doc.format == "python":
        return _read_lazy(doc)
    return [_read_yacs(doc)]


class _Values:
    def __init__(self, chain: _Chain, doc: Document, result: FrameworkSchedule) -> None:
        self.chain = chain
        self.doc = doc
        self.result = result
        self.failed = False

    def node(self, key: str) -> Node | None:
        setting = self.chain.solver.get(key)
        return setting.node if setting else None

    def blame(self, key: str) -> Node:
        """Where a finding about key points: the key itself when this file sets it, else the
        _BASE_ line (a node of another file has no place in this one)."""
        setting = self.chain.solver.get(key)
        if setting is not None and setting.origin == self.doc.path:
            return setting.node
        base = self.doc.root.get("_BASE_")
        return base if base is not None else self.result.node

    def where(self, key: str) -> str:
        setting = self.chain.solver.get(key)
        if setting is None:
            return f"{key} (detectron2 default)"
        if setting.origin == self.doc.path:
            return key
        return f"{key} (from {os.path.basename(setting.origin)}:{setting.node.line})"

    def get(self, key: str) -> object:
        setting = self.chain.solver.get(key)
        if setting is None:
            return DEFAULTS[key]
        node = setting.node
        value = node.value
        if isinstance(value, Unresolved):
            self._fail(key, f"`{value.source}` {value.reason}")
            return None
        default = DEFAULTS[key]
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
        elif isinstance(default, str):
            if isinstance(value, str):
                return value
        elif isinstance(default, tuple):
            numbers = node.as_number_list()
            if numbers is not None:
                return tuple(numbers)
        else:
            number = node.as_number()
            if number is not None and isinstance(default, int):
                if isinstance(number, int):
                    return number
                # yacs refuses a float where the default is an int (type mismatch)
                self._fail(key, f"{value!r} is not an integer (yacs requires one)",
                           rejected=True)
                return None
            if number is not None:
                return number
        self._fail(key, f"{value!r} is not a valid value here", rejected=True)
        return None

    def _fail(self, key: str, why: str, rejected: bool = False) -> None:
        """``key`` cannot be used; ``rejected``: detectron2 would refuse the value itself
        (a WU308 error), not merely leave it unknown here."""
        self.failed = True
        message = f"SOLVER.{self.where(key)}: {why}"
        self.result.unresolved.append((self.blame(key), message))
        if rejected:
            self.result.findings.append(Finding(Code.WU308, message, self.blame(key),
                                                Severity.ERROR))


def _read_yacs(doc: Document) -> FrameworkSchedule:
    declared = doc.root.get("SOLVER") or doc.root
    result = FrameworkSchedule("detectron2", "SOLVER", declared, None)
    chain = _load_chain(doc)
    result.unresolved.extend(chain.unresolved)
    result.findings.extend(chain.rejected)
    if chain.bases:
        result.notes.append("inherited through _BASE_: " +
                            " <- ".join(os.path.basename(b) for b in chain.bases))
    values = _Values(chain, doc, result)
    settings = {key: values.get(key) for key in DEFAULTS}
    if values.failed or chain.unresolved:
        return result
    assumed = sorted(k for k in ("BASE_LR", "MAX_ITER", "WARMUP_ITERS", "WARMUP_FACTOR",
                                 "WARMUP_METHOD", "LR_SCHEDULER_NAME")
                     if k not in chain.solver)
    if assumed:
        result.notes.append("detectron2 defaults used for " + ", ".join(
            f"{k}={DEFAULTS[k]!r}" for k in assumed))
    if settings["REFERENCE_WORLD_SIZE"]:
        result.notes.append("REFERENCE_WORLD_SIZE is set: DefaultTrainer.auto_scale_workers "
                            "rescales BASE_LR, MAX_ITER, WARMUP_ITERS and STEPS for the actual "
                            "number of GPUs; the values as written are shown")
    if settings["BIAS_LR_FACTOR"] != 1.0:
        result.notes.append("BIAS_LR_FACTOR != 1 gives biases their own LR group; the factor "
                            "applies to both")
    max_iter = settings["MAX_ITER"]
    base_lr = settings["BASE_LR"]
    assert isinstance(max_iter, int) and isinstance(base_lr, int | float)
    if max_iter <= 0:
        values._fail("MAX_ITER", "must be positive (detectron2 divides by it)", rejected=True)
        return result
    result.horizon = max_iter
    name = settings["LR_SCHEDULER_NAME"]
    milestones: list[int] = []
    # detectron2/solver/build.py build_lr_scheduler
    try:
        if name == "WarmupMultiStepLR":
            steps_all = settings["STEPS"]
            assert isinstance(steps_all, tuple)
            steps = [x for x in steps_all if x <= max_iter]
            if len(steps) != len(steps_all):
                result.notes.append("SOLVER.STEPS has values past MAX_ITER; detectron2 ignores "
                                    "them (with a warning)")
            gamma = settings["GAMMA"]
            assert isinstance(gamma, int | float)
            sched, milestones, _ = multistep_sched(
                values=[gamma**k for k in range(len(steps) + 1)],
                milestones=[int(s) for s in steps], num_updates=max_iter)
            label, spec = "multistep", f"steps={list(steps)}, gamma={gamma:g}"
        elif name == "WarmupCosineLR":
            end = settings["BASE_LR_END"]
            assert isinstance(end, int | float)
            end_value = end / base_lr
            if not 0.0 <= end_value <= 1.0:
                raise Rejected(f"BASE_LR_END / BASE_LR = {end_value:g} must be in [0, 1] "
                               "(detectron2 asserts it)")
            sched = cosine_sched(1, end_value)
            label, spec = "cosine", f"end={end_value:g}"
        elif name == "WarmupStepWithFixedGammaLR":
            gamma, decays = settings["GAMMA"], settings["NUM_DECAYS"]
            assert isinstance(gamma, int | float) and isinstance(decays, int)
            sched = step_fixed_gamma_sched(1.0, decays, gamma, max_iter)
            label, spec = "step with fixed gamma", f"num_decays={decays}, gamma={gamma:g}"
            width = max_iter / (decays + 1)
            milestones = [math.ceil(width * i) for i in range(1, decays + 1)]
        else:
            result.unresolved.append((values.blame("LR_SCHEDULER_NAME"),
                                      f"LR_SCHEDULER_NAME {name!r} is not one of detectron2's "
                                      "(WarmupMultiStepLR, WarmupCosineLR, "
                                      "WarmupStepWithFixedGammaLR); projects that add their "
                                      "own are not supported"))
            return result
        warmup_iters, factor = settings["WARMUP_ITERS"], settings["WARMUP_FACTOR"]
        method, rescale = settings["WARMUP_METHOD"], settings["RESCALE_INTERVAL"]
        assert isinstance(warmup_iters, int | float) and isinstance(factor, int | float)
        assert isinstance(method, str) and isinstance(rescale, bool)
        multiplier = warmup_param_scheduler(sched, factor, min(warmup_iters / max_iter, 1.0),
                                            method, rescale)
    except Rejected as exc:
        message = f"detectron2 would fail to build the scheduler: {exc}"
        result.unresolved.append((declared, message))
        result.findings.append(Finding(Code.WU308, message, declared, Severity.ERROR))
        return result
    run = _Multiplier(multiplier, max_iter, label,
                      f"detectron2 {name}({spec}, warmup_iters={warmup_iters}, "
                      f"warmup_factor={factor:g}, warmup_method={method}, max_iter={max_iter})",
                      milestones)
    result.plan = Plan(run.schedule(), (float(base_lr),), "detectron2", "iter")
    if warmup_iters >= max_iter:
        result.findings.append(Finding(
            Code.WU301, f"WARMUP_ITERS ({warmup_iters}) is not shorter than MAX_ITER ({max_iter}): "
            "detectron2 caps the warmup at the whole run, so the main schedule never starts",
            values.blame("WARMUP_ITERS")))
    _zero_check(run, result, values.blame("WARMUP_FACTOR"), values.where("WARMUP_FACTOR"))
    return result


def _zero_check(run: _Multiplier, result: FrameworkSchedule, node: Node, what: str) -> None:
    warmup = run.warmup_end()
    if warmup <= 0:
        return
    zeros = zero_updates(run.factor, warmup)
    if zeros:
        result.findings.append(zero_lr_finding(zeros, warmup, "iteration", node,
                                               prefix=f"{what} is 0: "))


# --- LazyConfig (Python) ------------------------------------------------------------------


class _Unusable(Exception):
    """A LazyConfig value that cannot be used; ``rejected``: fvcore/detectron2 would refuse
    it (a WU308 error), as opposed to a value warmup_cli cannot see (computed in code)."""

    def __init__(self, node: Node, why: str, rejected: bool = False) -> None:
        super().__init__(why)
        self.node = node
        self.why = why
        self.rejected = rejected


def _lazy_number(node: Node | None, what: str, default: float | None = None) -> float:
    if node is None:
        if default is None:
            raise KeyError(what)
        return default
    if isinstance(node.value, Unresolved):
        raise _Unusable(node, f"{what}: `{node.value.source}` {node.value.reason}")
    number = node.as_number()
    if number is None:
        raise _Unusable(node, f"{what} is {node.value!r}, not a number", rejected=True)
    return number


def _lazy_numbers(node: Node | None, what: str) -> list[float] | None:
    if node is None:
        return None
    if isinstance(node.value, Unresolved):
        raise _Unusable(node, f"{what}: `{node.value.source}` {node.value.reason}")
    if isinstance(node.value, list):
        return [_lazy_number(item, what) for item in node.value]
    numbers = node.as_number_list()
    if numbers is None:
        raise _Unusable(node, f"{what} is {node.value!r}, not a list of numbers",
                        rejected=True)
    return numbers


def _fvcore_from_node(node: Node) -> tuple[WhereFn, list[int], str]:
    """A fvcore ParamScheduler written as L(Class)(...) in a LazyConfig."""
    if isinstance(node.value, Unresolved):
        raise _Unusable(node, f"`{node.value.source}` {node.value.reason}")
    kind = _type_name(node).split(".")[-1]

    def num(key: str, default: float | None = None) -> float:
        try:
            return _lazy_number(node.get(key), key, default)
        except KeyError:
            raise _Unusable(node, f"{kind} needs {key}", rejected=True) from None

    try:
        if kind == "MultiStepParamScheduler":
            values = _lazy_numbers(node.get("values"), "values")
            milestones = _lazy_numbers(node.get("milestones"), "milestones")
            updates = node.get("num_updates")
            if values is None:
                raise _Unusable(node, "MultiStepParamScheduler needs values", rejected=True)
            fn, kept, _ = multistep_sched(
                values, int(num("num_updates")) if updates is not None else None,
                [int(m) for m in milestones] if milestones is not None else None)
            return fn, kept, "multistep"
        if kind == "CosineParamScheduler":
            return cosine_sched(num("start_value"), num("end_value")), [], "cosine"
        if kind == "LinearParamScheduler":
            return linear_sched(num("start_value"), num("end_value")), [], "linear"
        if kind == "ConstantParamScheduler":
            return constant_sched(num("value")), [], "constant"
        if kind == "ExponentialParamScheduler":
            return exponential_sched(num("start_value"), num("decay")), [], "exponential"
        if kind == "PolynomialDecayParamScheduler":
            return poly_sched(num("base_value"), num("power")), [], "polynomial decay"
        if kind == "StepWithFixedGammaParamScheduler":
            return step_fixed_gamma_sched(num("base_value"), int(num("num_decays")),
                                          num("gamma"), int(num("num_updates"))), [], "step"
    except Rejected as exc:
        raise _Unusable(node, f"fvcore would reject {kind}: {exc}", rejected=True) from None
    raise _Unusable(node, f"{kind or 'this scheduler'} is not a fvcore ParamScheduler "
                    "warmup_cli reproduces")


def _read_lazy(doc: Document) -> list[FrameworkSchedule]:
    root = doc.root
    assert isinstance(root.value, dict)
    found: list[FrameworkSchedule] = []
    for key, node in root.value.items():
        wrapped = _type_name(node).endswith("WarmupParamScheduler")
        if not (wrapped or key.startswith("lr_multiplier")):
            continue
        result = FrameworkSchedule("detectron2", key, node, None)
        found.append(result)
        if isinstance(node.value, Unresolved):
            result.unresolved.append((node, f"{key}: `{node.value.source}` "
                                      f"{node.value.reason}"))
            continue
        if not wrapped:
            result.unresolved.append((node, f"{key} is not a WarmupParamScheduler "
                                      "warmup_cli can read"))
            continue
        try:
            _read_lazy_one(root, node, result)
        except _Unusable as exc:
            result.unresolved.append((exc.node, exc.why))
            if exc.rejected:
                result.findings.append(Finding(Code.WU308, exc.why, exc.node, Severity.ERROR))
    return found


def _read_lazy_one(root: Node, node: Node, result: FrameworkSchedule) -> None:
    inner = node.get("scheduler")
    if inner is None:
        raise _Unusable(node, "WarmupParamScheduler needs scheduler=", rejected=True)
    sched, milestones_where, label = _fvcore_from_node(inner)
    warmup_length = _lazy_number(node.get("warmup_length"), "warmup_length", -1.0)
    if warmup_length < 0:
        raise _Unusable(node, "WarmupParamScheduler needs warmup_length", rejected=True)
    factor = _lazy_number(node.get("warmup_factor"), "warmup_factor", -1.0)
    if factor < 0:
        raise _Unusable(node, "WarmupParamScheduler needs warmup_factor", rejected=True)
    method_node = node.get("warmup_method")
    method = method_node.value if method_node is not None else "linear"
    rescale_node = node.get("rescale_interval")
    rescale = bool(rescale_node.value) if rescale_node is not None else False
    if not isinstance(method, str):
        raise _Unusable(method_node or node, "warmup_method is not a string", rejected=True)
    try:
        multiplier = warmup_param_scheduler(sched, factor, warmup_length, method, rescale)
    except Rejected as exc:
        raise _Unusable(node, f"detectron2 would reject it: {exc}", rejected=True) from None
    train = root.get("train")
    max_iter_node = train.get("max_iter") if train is not None else None
    if max_iter_node is None:
        raise _Unusable(node, "the multiplier is evaluated at iteration / train.max_iter, and "
                        "train.max_iter is not in this file")
    max_iter = int(_lazy_number(max_iter_node, "train.max_iter"))
    if max_iter <= 0:
        raise _Unusable(max_iter_node, "train.max_iter must be positive", rejected=True)
    optimizer = root.get("optimizer")
    lr_node = optimizer.get("lr") if optimizer is not None else None
    base_lr = 1.0
    if lr_node is None:
        result.unresolved.append((node, "optimizer.lr is not in this file: LRs are shown "
                                  "relative to it"))
    else:
        base_lr = _lazy_number(lr_node, "optimizer.lr")
    run = _Multiplier(multiplier, max_iter, label,
                      f"detectron2 WarmupParamScheduler({label}, warmup_length="
                      f"{warmup_length:g}, warmup_factor={factor:g}, warmup_method={method}, "
                      f"max_iter={max_iter})", [])
    result.horizon = max_iter
    result.plan = Plan(run.schedule(), (float(base_lr),), "detectron2", "iter")
    if warmup_length >= 1.0:
        result.findings.append(Finding(
            Code.WU301, f"warmup_length {warmup_length:g} covers the whole run", node))
    _zero_check(run, result, node.get("warmup_factor") or node, "warmup_factor")
    del milestones_where


READER = register(Reader("detectron2", detect, read))
