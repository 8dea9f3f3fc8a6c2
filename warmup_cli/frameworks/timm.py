"""timm reader: ``train.py`` argument files (timm's ``--config`` YAML, args.yaml dumps) and the
yacs configs of microsoft/Swin-Transformer, which feed timm's schedulers.

timm ``train.py`` (huggingface/pytorch-image-models, commit 2aabaef0) loads the YAML as
argparse defaults, builds the scheduler with ``create_scheduler_v2(optimizer,
**scheduler_kwargs(args), updates_per_epoch=...)`` (``timm/scheduler/scheduler_factory.py``) and
steps it as:

* per epoch (``sched_on_updates`` false, the default: ``t_in_epochs=True``): epoch ``e >= 1``
  runs at ``_get_lr(e)`` (``lr_scheduler.step(epoch + 1)`` after each epoch); epoch 0 at the
  value the constructor set: ``warmup_lr`` when there is a warmup, else ``lr``;
* per update (``sched_on_updates``): the same with updates (``step_update(num_updates)`` after
  incrementing ``num_updates``), every length multiplied by the updates per epoch.

Formulas follow the scheduler classes of timm 1.0.31 (``timm/scheduler/{cosine,tanh,step,
multistep,poly,plateau}_lr.py``, the newest PyPI wheel) with the same operation order. The LR
of step ``t`` is computed exactly as timm computes it; the plan's base LR is ``lr`` and the
factor is ``lr_t / lr``, so ``base * factor`` is timm's LR to about one rounding (<= 2.3e-16
relative), not always bit for bit.

Defaults are train.py's argparse defaults (commit 2aabaef0): sched cosine, lr from
``lr_base`` 0.1 x global batch / 256 (linear, sqrt for ada*/lamb optimizers), epochs 300,
warmup_epochs 5, warmup_lr 1e-5, min_lr 0, warmup_prefix false, cooldown_epochs 0,
decay_epochs 90, decay_milestones [90, 180, 270], decay_rate 0.1 (also the ``poly`` power),
lr_cycle_mul 1, lr_cycle_decay 0.5, lr_cycle_limit 1, lr_k_decay 1. The run lasts the
``num_epochs`` create_scheduler_v2 returns: cycle length (+ warmup with warmup_prefix) +
cooldown_epochs for cosine/tanh/poly, epochs (+ warmup_epochs with warmup_prefix) otherwise.
Version notes: ``multistep`` compares milestones with ``t + 1`` (timm 1.0.31 restored that
convention after a brief change to ``t``); ``wsd``/``rsqrt`` (timm >= 1.0.2x) are not modelled.

Swin-Transformer (``lr_scheduler.py`` build_scheduler, ``config.py`` defaults, ``main.py``):
``CosineLRScheduler(t_initial=(EPOCHS - WARMUP_EPOCHS) * n if WARMUP_PREFIX else EPOCHS * n,
lr_min=MIN_LR, warmup_lr_init=WARMUP_LR, warmup_t=WARMUP_EPOCHS * n, cycle_limit=1,
t_in_epochs=False)`` with ``n`` iterations per epoch, stepped with
``step_update(epoch * num_steps + idx)`` *after* update ``idx``: update ``j >= 1`` runs at
``_get_lr(j - 1)``. ``read(doc, RunFacts(updates_per_epoch=n))`` gives ``n``; without it the
plan uses ``n = 1`` in unit "epoch" (noted: the same curve sampled once per epoch). ``linear``
and ``multistep`` are Swin's own classes; ``step`` is timm's StepLRScheduler of the timm 0.4.12 Swin
pins (no warmup prefix; Swin's ``t_mul=`` argument only exists in timm < 0.6). Swin scales
BASE_LR, WARMUP_LR and MIN_LR by ``DATA.BATCH_SIZE x world size / 512`` (x accumulation steps)
in main.py: the config's own values are shown (noted).

Checks (``Finding`` codes; "rule" leaves the severity to the rule's default):

| code  | fires when                                                   | severity | located at     |
|-------|--------------------------------------------------------------|----------|----------------|
| WU301 | the warmup is at least as long as the run (warmup_epochs >=  | rule     | warmup_epochs  |
|       | the scheduled epochs), or Swin's t_initial <= 0              |          |                |
| WU302 | warmup_lr / WARMUP_LR 0: the first epoch (Swin: the first 2  | scaled   | warmup_lr      |
|       | updates) run at LR 0                                         | by share |                |
| WU308 | unknown or unmodelled ``sched`` / LR_SCHEDULER.NAME,         | error /  | the value      |
|       | non-numbers, plateau with sched_on_updates (timm asserts)    | note     |                |

WU302 severity: error when the zero-LR steps are >= 25 % of the warmup, warning >= 1 %, else
note.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    first_updates_run,
    fmt,
    integral,
    leading_zero_updates,
    mapping_at,
    register,
    zero_share_severity,
)
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "timm"
SOURCE = "huggingface/pytorch-image-models timm/scheduler/*.py (timm 1.0.31)"

# train.py argparse defaults (huggingface/pytorch-image-models train.py @ 2aabaef0).
ARG_DEFAULTS: dict[str, Any] = {
    "sched": "cosine", "lr": None, "lr_base": 0.1, "lr_base_size": 256, "lr_base_scale": "",
    "batch_size": 128, "grad_accum_steps": 1, "opt": "sgd", "epochs": 300,
    "warmup_epochs": 5, "warmup_lr": 1e-5, "min_lr": 0, "warmup_prefix": False,
    "cooldown_epochs": 0, "decay_epochs": 90, "decay_milestones": [90, 180, 270],
    "decay_rate": 0.1, "lr_cycle_mul": 1.0, "lr_cycle_decay": 0.5, "lr_cycle_limit": 1,
    "lr_k_decay": 1.0, "sched_on_updates": False, "patience_epochs": 10,
}
# microsoft/Swin-Transformer config.py _C.TRAIN defaults (commit d19503d7).
SWIN_DEFAULTS: dict[str, Any] = {
    "EPOCHS": 300, "WARMUP_EPOCHS": 20, "BASE_LR": 5e-4, "WARMUP_LR": 5e-7, "MIN_LR": 5e-6,
    "ACCUMULATION_STEPS": 1,
}
SWIN_SCHEDULER_DEFAULTS: dict[str, Any] = {
    "NAME": "cosine", "DECAY_EPOCHS": 30, "DECAY_RATE": 0.1, "WARMUP_PREFIX": True,
    "GAMMA": 0.1, "MULTISTEPS": [],
}
SCHEDS = ("cosine", "tanh", "step", "multistep", "plateau", "poly", "constant", "none")
_UNMODELLED = ("wsd", "rsqrt")
_ARG_KEYS = frozenset({"lr", "epochs", "warmup_epochs", "warmup_lr", "min_lr", "decay_rate",
                       "cooldown_epochs", "lr_cycle_limit", "decay_epochs", "opt", "model"})
_SWIN_KEYS = frozenset({"EPOCHS", "WARMUP_EPOCHS", "BASE_LR", "WARMUP_LR", "MIN_LR",
                        "LR_SCHEDULER"})


# --- timm's _get_lr(t) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Warmup:
    """The linear warmup every timm scheduler shares (``warmup_t``, ``warmup_lr_init``)."""

    t: int | float
    lr_init: float
    step: float  # (target - warmup_lr_init) / warmup_t, the class's warmup_steps[0]

    def lr(self, t: int | float) -> float:
        return self.lr_init + t * self.step  # every _get_lr: warmup_lr_init + t * s


def make_warmup(t: int | float, lr_init: float, target: float) -> Warmup:
    # Scheduler subclasses' __init__: warmup_steps = [(v - warmup_lr_init) / warmup_t], or
    # [1] without a warmup (then never used)
    return Warmup(t, lr_init, (target - lr_init) / t if t else 1)


@dataclass(frozen=True)
class Cycles:
    """t_initial, cycle_mul, cycle_decay, cycle_limit of cosine/tanh/poly."""

    t_initial: int | float
    mul: float
    decay: float
    limit: int

    def locate(self, t: int | float) -> tuple[int | float, float, float]:
        """(i, t_i, t_curr), CosineLRScheduler._get_lr's cycle arithmetic."""
        if self.mul != 1:
            i = math.floor(math.log(1 - t / self.t_initial * (1 - self.mul), self.mul))
            t_i = self.mul ** i * self.t_initial
            t_curr = t - (1 - self.mul ** i) / (1 - self.mul) * self.t_initial
        else:
            i = t // self.t_initial
            t_i = self.t_initial
            t_curr = t - (self.t_initial * i)
        return i, t_i, t_curr

    def length(self, warmup_t: int | float, prefix: bool) -> int | float:
        # get_cycle_length(): cycles = max(1, cycle_limit)
        cycles = max(1, self.limit)
        if self.mul == 1.0:
            t = self.t_initial * cycles
        else:
            # timm: int(math.floor(...)); math.floor already returns an int
            t = math.floor(-self.t_initial * (self.mul ** cycles - 1) / (1 - self.mul))
        return t + warmup_t if prefix else t


def _with_warmup(warmup: Warmup, prefix: bool,
                 after: Callable[[int | float], float]) -> Callable[[int | float], float]:
    """The frame of every _get_lr: the warmup's LR before ``warmup_t``, then ``after(t)``, with
    ``t`` counted from the end of the warmup when ``warmup_prefix`` is set."""
    def get_lr(t: int | float) -> float:
        if t < warmup.t:
            return warmup.lr(t)
        return after(t - warmup.t if prefix else t)

    return get_lr


def cosine_get_lr(base: float, lr_min: float, cycles: Cycles, warmup: Warmup, prefix: bool,
                  k_decay: float) -> Callable[[int | float], float]:
    # cosine_lr.py CosineLRScheduler._get_lr
    def after_warmup(t: int | float) -> float:
        i, t_i, t_curr = cycles.locate(t)
        gamma = cycles.decay ** i
        lr_max = base * gamma
        k = k_decay
        if i < cycles.limit:
            return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr ** k
                                                                    / t_i ** k))
        return lr_min

    return _with_warmup(warmup, prefix, after_warmup)


def tanh_get_lr(base: float, lr_min: float, cycles: Cycles, warmup_t: int | float,
                warmup_lr_init: float, prefix: bool, lb: float = -7., ub: float = 3.
                ) -> tuple[Callable[[int | float], float], Warmup]:
    # tanh_lr.py TanhLRScheduler._get_lr; the warmup climbs to base with warmup_prefix, else
    # to the tanh value at warmup_t (__init__: t_v = base_values if prefix else _get_lr(W))
    def after_warmup(t: int | float) -> float:
        if prefix:
            t = t - warmup_t
        i, t_i, t_curr = cycles.locate(t)
        if i < cycles.limit:
            gamma = cycles.decay ** i
            lr_max = base * gamma
            tr = t_curr / t_i
            return lr_min + 0.5 * (lr_max - lr_min) * (1 - math.tanh(lb * (1. - tr) + ub * tr))
        return lr_min

    target = base if prefix or not warmup_t else after_warmup(warmup_t)
    warmup = make_warmup(warmup_t, warmup_lr_init, target)
    return _with_warmup(warmup, False, after_warmup), warmup


def poly_get_lr(base: float, lr_min: float, cycles: Cycles, warmup: Warmup, prefix: bool,
                power: float, k_decay: float) -> Callable[[int | float], float]:
    # poly_lr.py PolyLRScheduler._get_lr
    def after_warmup(t: int | float) -> float:
        i, t_i, t_curr = cycles.locate(t)
        gamma = cycles.decay ** i
        lr_max = base * gamma
        k = k_decay
        if i < cycles.limit:
            return lr_min + (lr_max - lr_min) * (1 - t_curr ** k / t_i ** k) ** power
        return lr_min

    return _with_warmup(warmup, prefix, after_warmup)


def step_get_lr(base: float, decay_t: float, decay_rate: float, warmup: Warmup,
                prefix: bool) -> Callable[[int | float], float]:
    # step_lr.py StepLRScheduler._get_lr (timm 0.4.12 had no warmup_prefix: prefix=False)
    return _with_warmup(warmup, prefix, lambda t: base * (decay_rate ** (t // decay_t)))


def multistep_get_lr(base: float, milestones: Sequence[int | float], decay_rate: float,
                     warmup: Warmup, prefix: bool, offset: int = 1
                     ) -> Callable[[int | float], float]:
    # multistep_lr.py MultiStepLRScheduler._get_lr: bisect_right(decay_t, t + 1) in timm
    # 1.0.31 (offset 1); Swin's own MultiStepLRScheduler uses bisect_right(milestones, t)
    # without a prefix (offset 0).
    return _with_warmup(warmup, prefix, lambda t: base * (
        decay_rate ** bisect.bisect_right(milestones, t + offset)))


def swin_linear_get_lr(base: float, t_initial: int, lr_min_rate: float,
                       warmup: Warmup) -> Callable[[int | float], float]:
    # Swin-Transformer lr_scheduler.py LinearLRScheduler._get_lr (t always counted from the
    # end of the warmup)
    total_t = t_initial - warmup.t
    return _with_warmup(warmup, True,
                        lambda t: base - ((base - base * lr_min_rate) * (t / total_t)))


def stepped(get_lr: Callable[[int | float], float], initial: float, base: float,
            lag: int = 0) -> Callable[[int], float]:
    """The factor of step ``k``: the constructor's LR at 0, ``_get_lr(k - lag)`` after, over
    ``base``. ``lag`` is 0 for timm's train.py (it steps before the next update) and 1 for
    Swin (it steps with the index of the update just done)."""
    def factor(k: int) -> float:
        return (initial if k == 0 else get_lr(k - lag)) / base

    return factor


# --- detection --------------------------------------------------------------------------------


def _swin_train(root: Node) -> Node | None:
    train = mapping_at(root, "TRAIN")
    return train if train is not None and set(train.value) & _SWIN_KEYS else None


def _is_args(root: Node) -> bool:
    if not isinstance(root.value, dict):
        return False
    keys = set(root.value)
    sched = root.get("sched")
    if sched is not None and isinstance(sched.value, str) and keys & _ARG_KEYS:
        return True
    return {"lr", "epochs", "warmup_epochs", "warmup_lr"} <= keys


def detect(doc: Document) -> bool:
    """timm train.py arguments (``sched`` beside ``lr``/``epochs``/``warmup_*`` keys) or a Swin
    yacs config (``TRAIN`` with EPOCHS/WARMUP_EPOCHS/BASE_LR/WARMUP_LR/MIN_LR/LR_SCHEDULER)."""
    return _is_args(doc.root) or _swin_train(doc.root) is not None


# --- reading ----------------------------------------------------------------------------------


class _Reading(Reading):
    def value(self, parent: Node, key: str, defaults: dict[str, Any], kind: str) -> Any:
        """``parent[key]`` as ``kind`` ("number", "int", "bool", "str", "numbers"), or the
        default when absent or null."""
        node = parent.get(key)
        if node is None or node.value is None:
            return defaults[key]
        if kind in ("number", "int"):
            number = node.as_number()
            if number is None or (kind == "int" and integral(number) is None):
                self.bad(node, f"{key} is {node.value!r}, not "
                         f"{'an integer' if kind == 'int' else 'a number'}")
                return defaults[key]
            if isinstance(node.value, str) and self.doc.format == "yaml":
                # PyYAML (YAML 1.1) leaves 2e-05 a str; argparse converts string defaults
                # with type=float (timm train.py) and yacs literal_evals them (Swin).
                self.note(f"{key}: {node.value} is a string under YAML 1.1 (PyYAML); "
                          f"{'yacs' if key.isupper() else 'argparse'} reads it as "
                          f"{fmt(number)}, other YAML 1.1 loaders keep a string")
            return integral(number) if kind == "int" else number
        if kind == "numbers":
            numbers = node.as_number_list()
            if numbers is None:
                self.bad(node, f"{key} is {node.value!r}, not a list of numbers")
                return defaults[key]
            return numbers
        if kind == "bool":
            if not isinstance(node.value, bool):
                self.bad(node, f"{key} is {node.value!r}, not true/false")
                return defaults[key]
            return node.value
        if not isinstance(node.value, str):
            self.bad(node, f"{key} is {node.value!r}, not a name")
            return defaults[key]
        return node.value


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The timm / Swin schedule of ``doc``; ``facts.updates_per_epoch`` is the number of
    optimizer updates per epoch, used by per-update schedules (``sched_on_updates``, Swin)."""
    steps_per_epoch = facts.updates_per_epoch
    if _is_args(doc.root):
        return [_read_args(doc, steps_per_epoch)]
    train = _swin_train(doc.root)
    if train is not None:
        return [_read_swin(doc, train, steps_per_epoch)]
    return []


def _read_args(doc: Document, steps_per_epoch: int | None) -> FrameworkSchedule:
    root = doc.root
    sched_node = root.get("sched")
    out = FrameworkSchedule(FRAMEWORK, "sched", sched_node or root, None)
    ctx = _Reading(doc, out)
    get = ctx.value
    sched = get(root, "sched", ARG_DEFAULTS, "str")
    if sched not in SCHEDS:
        node = sched_node or root
        if sched in _UNMODELLED:
            ctx.finding(Code.WU308, f"sched {sched!r} (timm's WSDLRScheduler) is not modelled",
                        node, Severity.NOTE)
            out.unresolved.append((node, f"sched {sched!r} is not modelled"))
        else:
            ctx.bad(node, f"sched {sched!r} is not a timm scheduler (create_scheduler_v2 "
                    f"raises ValueError; one of {', '.join(SCHEDS)})")
        return out
    lr = _args_lr(ctx, root)
    epochs = get(root, "epochs", ARG_DEFAULTS, "int")
    warmup_epochs = get(root, "warmup_epochs", ARG_DEFAULTS, "int")
    warmup_lr = get(root, "warmup_lr", ARG_DEFAULTS, "number")
    min_lr = get(root, "min_lr", ARG_DEFAULTS, "number")
    prefix = get(root, "warmup_prefix", ARG_DEFAULTS, "bool")
    cooldown = get(root, "cooldown_epochs", ARG_DEFAULTS, "int")
    decay_epochs = get(root, "decay_epochs", ARG_DEFAULTS, "number")
    milestones = get(root, "decay_milestones", ARG_DEFAULTS, "numbers")
    decay_rate = get(root, "decay_rate", ARG_DEFAULTS, "number")
    cycle_mul = get(root, "lr_cycle_mul", ARG_DEFAULTS, "number")
    cycle_decay = get(root, "lr_cycle_decay", ARG_DEFAULTS, "number")
    cycle_limit = get(root, "lr_cycle_limit", ARG_DEFAULTS, "int")
    k_decay = get(root, "lr_k_decay", ARG_DEFAULTS, "number")
    on_updates = get(root, "sched_on_updates", ARG_DEFAULTS, "bool")
    for key in ("lr_noise", "layer_decay"):
        node = root.get(key)
        if node is not None and node.value not in (None, 0, 0.0):
            ctx.note(f"{key} is set: " + ("timm adds seeded noise to the LR, not shown"
                                          if key == "lr_noise" else
                                          "each parameter group gets its own lr_scale, the "
                                          "plan shows the base group"))
    if ctx.failed or lr is None:
        return out
    if sched == "plateau" and on_updates:
        ctx.bad(sched_node or root, "plateau only steps per epoch: create_scheduler_v2 asserts "
                "'Plateau LR only supports step per epoch'")
        return out

    # create_scheduler_v2: lengths in epochs, or in updates when stepping per update
    updates = 1
    unit = "epoch"
    if on_updates:
        if steps_per_epoch:
            updates = steps_per_epoch
            unit = "step"
        else:
            ctx.note("sched_on_updates: timm steps per update with every length x updates per "
                     "epoch, which the config does not give; shown per epoch (1 update per "
                     "epoch)")
    t_initial = epochs * updates
    warmup_t = warmup_epochs * updates
    decay_t = decay_epochs * updates
    decay_milestones = [d * updates for d in milestones]
    cooldown_t = cooldown * updates
    if sched == "none":
        warmup_t = 0  # no scheduler at all: the warmup arguments are not used
    cycles = Cycles(t_initial, cycle_mul, cycle_decay, cycle_limit)
    warmup = make_warmup(warmup_t, warmup_lr, lr)
    initial = warmup_lr if warmup_t else lr  # Scheduler.__init__, then update_groups(init)
    phases: list[tuple[int, str]] = [(0, "warmup")] if warmup_t else []
    get_lr: Callable[[int | float], float]
    if sched == "cosine":
        get_lr = cosine_get_lr(lr, min_lr, cycles, warmup, prefix, k_decay)
    elif sched == "tanh":
        get_lr, warmup = tanh_get_lr(lr, min_lr, cycles, warmup_t, warmup_lr, prefix)
    elif sched == "poly":
        # scheduler_factory: power=decay_rate ("overloading 'decay_rate' as polynomial power")
        get_lr = poly_get_lr(lr, min_lr, cycles, warmup, prefix, decay_rate, k_decay)
    elif sched == "step":
        get_lr = step_get_lr(lr, decay_t, decay_rate, warmup, prefix)
    elif sched == "constant":
        get_lr = step_get_lr(lr, 1, 1., warmup, prefix)  # StepLRScheduler(decay_t=1, rate=1.)
    elif sched == "multistep":
        get_lr = multistep_get_lr(lr, decay_milestones, decay_rate, warmup, prefix)
    else:  # plateau, none
        get_lr = _flat(sched, lr, warmup, ctx)
    if sched in ("cosine", "tanh", "poly"):
        # create_scheduler_v2: get_cycle_length() + cooldown_t, in epochs
        cycle_end = cycles.length(warmup_t, prefix)
        length = cycle_end + cooldown_t
        scheduled = length if not on_updates else length // updates
        phases.append((_ceil(warmup_t), f"{sched} decay"))
        phases.append((_ceil(cycle_end), "min lr"))
    else:
        scheduled = epochs + (warmup_epochs if prefix else 0)
        label = {"step": "step decay", "multistep": "multistep decay", "constant": "constant",
                 "plateau": "plateau (metric-driven)", "none": "constant"}[sched]
        phases.append((_ceil(warmup_t) + (1 if sched == "plateau" and warmup_t else 0), label))
    horizon = _ceil(scheduled * (updates if unit == "step" else 1))
    phases.append((horizon, "after the run"))
    out.horizon = horizon
    fn = stepped(get_lr, initial, lr)
    params = {"sched": sched, "lr": lr, "epochs": epochs, "warmup_epochs": warmup_epochs,
              "warmup_lr": warmup_lr, "min_lr": min_lr, "warmup_prefix": prefix,
              "cooldown_epochs": cooldown, "updates_per_epoch": updates}
    if sched in ("cosine", "tanh", "poly"):
        params.update(lr_cycle_mul=cycle_mul, lr_cycle_decay=cycle_decay,
                      lr_cycle_limit=cycle_limit)
    if sched in ("cosine", "poly"):
        params["lr_k_decay"] = k_decay
    if sched in ("step", "multistep", "poly", "plateau"):
        params["decay_rate"] = decay_rate
    if sched == "step":
        params["decay_epochs"] = decay_epochs
    if sched == "multistep":
        params["decay_milestones"] = list(milestones)
    _plan(ctx, f"timm {sched}", fn, lr, _ceil(warmup_t), horizon, phases, params, unit)
    _warmup_checks(ctx, fn, _ceil(warmup_t), horizon, root.get("warmup_lr"),
                   root.get("warmup_epochs"), warmup_lr, "warmup_lr")
    return out


def _ceil(value: int | float) -> int:
    return value if isinstance(value, int) else math.ceil(value)


def _flat(sched: str, lr: float, warmup: Warmup,
          ctx: _Reading) -> Callable[[int | float], float]:
    if sched == "none":
        ctx.note("sched 'none': timm creates no scheduler and the LR stays at lr")
        return lambda t: lr
    ctx.note("plateau lowers the LR when the eval metric stops improving; after the warmup it "
             "is shown as the LR the warmup ends at")

    # plateau_lr.py PlateauLRScheduler.step: epoch <= warmup_t gets warmup_lr_init + epoch * s,
    # later epochs keep the LR until ReduceLROnPlateau lowers it
    def get_lr(t: int | float) -> float:
        if not warmup.t:
            return lr
        return warmup.lr(min(t, warmup.t))

    return get_lr


def _args_lr(ctx: _Reading, root: Node) -> float | None:
    node = root.get("lr")
    value = None if node is None or node.value is None else node.as_number()
    if node is not None and node.value is not None and value is None:
        ctx.bad(node, f"lr is {node.value!r}, not a number")
        return None
    if value:
        return value
    # train.py: "if not args.lr:" the LR is lr_base * global batch / lr_base_size
    get = ctx.value
    lr_base = get(root, "lr_base", ARG_DEFAULTS, "number")
    base_size = get(root, "lr_base_size", ARG_DEFAULTS, "number")
    batch = get(root, "batch_size", ARG_DEFAULTS, "int")
    accum = max(1, get(root, "grad_accum_steps", ARG_DEFAULTS, "int"))
    scale = get(root, "lr_base_scale", ARG_DEFAULTS, "str")
    opt = get(root, "opt", ARG_DEFAULTS, "str")
    if ctx.failed:
        return None
    global_batch_size = batch * 1 * accum
    batch_ratio = global_batch_size / base_size
    if not scale:
        scale = "sqrt" if any(o in opt.lower() for o in ("ada", "lamb")) else "linear"
    if scale == "sqrt":
        batch_ratio = batch_ratio ** 0.5
    lr: float = lr_base * batch_ratio
    ctx.note(f"lr is not set: train.py uses lr_base {fmt(lr_base)} x (batch {batch} x "
             f"{accum} accumulation x world size, assumed 1) / {fmt(base_size)}, {scale} "
             f"scaling = {fmt(lr)}")
    return lr


def _read_swin(doc: Document, train: Node, steps_per_epoch: int | None) -> FrameworkSchedule:
    scheduler = train.get("LR_SCHEDULER")
    name_node = scheduler.get("NAME") if scheduler is not None else None
    out = FrameworkSchedule(FRAMEWORK, "TRAIN.LR_SCHEDULER", scheduler or train, None)
    ctx = _Reading(doc, out)
    get = ctx.value
    epochs = get(train, "EPOCHS", SWIN_DEFAULTS, "number")
    warmup_epochs = get(train, "WARMUP_EPOCHS", SWIN_DEFAULTS, "number")
    base = get(train, "BASE_LR", SWIN_DEFAULTS, "number")
    warmup_lr = get(train, "WARMUP_LR", SWIN_DEFAULTS, "number")
    min_lr = get(train, "MIN_LR", SWIN_DEFAULTS, "number")
    sched_node = scheduler if scheduler is not None and isinstance(scheduler.value, dict) \
        else None
    if sched_node is not None:
        name = get(sched_node, "NAME", SWIN_SCHEDULER_DEFAULTS, "str")
        prefix = get(sched_node, "WARMUP_PREFIX", SWIN_SCHEDULER_DEFAULTS, "bool")
        decay_epochs = get(sched_node, "DECAY_EPOCHS", SWIN_SCHEDULER_DEFAULTS, "number")
        decay_rate = get(sched_node, "DECAY_RATE", SWIN_SCHEDULER_DEFAULTS, "number")
        gamma = get(sched_node, "GAMMA", SWIN_SCHEDULER_DEFAULTS, "number")
        multisteps = get(sched_node, "MULTISTEPS", SWIN_SCHEDULER_DEFAULTS, "numbers")
    else:
        name, prefix = SWIN_SCHEDULER_DEFAULTS["NAME"], SWIN_SCHEDULER_DEFAULTS["WARMUP_PREFIX"]
        decay_epochs = SWIN_SCHEDULER_DEFAULTS["DECAY_EPOCHS"]
        decay_rate = SWIN_SCHEDULER_DEFAULTS["DECAY_RATE"]
        gamma, multisteps = SWIN_SCHEDULER_DEFAULTS["GAMMA"], SWIN_SCHEDULER_DEFAULTS["MULTISTEPS"]
    base_list = doc.root.get("BASE")
    if base_list is not None and base_list.value not in (None, [], [""]):
        ctx.note("BASE configs are not followed: missing keys take Swin's config.py defaults")
    ctx.note("Swin's main.py scales BASE_LR, WARMUP_LR and MIN_LR by DATA.BATCH_SIZE x world "
             "size / 512 (x ACCUMULATION_STEPS): the config's own values are shown, the curve's "
             "shape does not change")
    if name not in ("cosine", "linear", "step", "multistep"):
        ctx.bad(name_node or out.node, f"LR_SCHEDULER.NAME {name!r} is not one of Swin's "
                "cosine, linear, step, multistep (build_scheduler returns None)")
    if ctx.failed:
        return out
    if steps_per_epoch:
        n, unit = steps_per_epoch, "step"
    else:
        n, unit = 1, "epoch"
        ctx.note("Swin steps per iteration (t_in_epochs=False, lengths x iterations per epoch), "
                 "which the config does not give: shown with 1 iteration per epoch")
    # lr_scheduler.py build_scheduler
    num_steps = int(epochs * n)
    warmup_steps = int(warmup_epochs * n)
    decay_steps = int(decay_epochs * n)
    multi_steps = [i * n for i in multisteps]
    warmup = make_warmup(warmup_steps, warmup_lr, base)
    initial = warmup_lr if warmup_steps else base
    warmup_node = train.get("WARMUP_EPOCHS")
    phases: list[tuple[int, str]] = [(0, "warmup")] if warmup_steps else []
    get_lr: Callable[[int | float], float]
    if name == "cosine":
        t_initial = (num_steps - warmup_steps) if prefix else num_steps
        if t_initial <= 0:
            # CosineLRScheduler.__init__: assert t_initial > 0
            ctx.finding(Code.WU301, f"WARMUP_EPOCHS {fmt(warmup_epochs)} leaves no cosine after "
                        f"the warmup (EPOCHS {fmt(epochs)}): timm asserts t_initial > 0",
                        warmup_node or out.node)
            out.unresolved.append((warmup_node or out.node, "t_initial <= 0"))
            return out
        get_lr = cosine_get_lr(base, min_lr, Cycles(t_initial, 1.0, 1.0, 1), warmup, prefix, 1.0)
        phases += [(warmup_steps + 1, "cosine decay"),
                   ((warmup_steps if prefix else 0) + t_initial + 1, "min lr")]
    elif name == "linear":
        get_lr = swin_linear_get_lr(base, num_steps, 0.01, warmup)
        phases.append((warmup_steps + 1, "linear decay"))
    elif name == "step":
        get_lr = step_get_lr(base, decay_steps, decay_rate, warmup, False)
        phases.append((warmup_steps + 1, "step decay"))
    else:
        if not multi_steps or warmup_steps > min(multi_steps):
            ctx.bad(name_node or out.node, "Swin's MultiStepLRScheduler asserts warmup_t <= "
                    "min(milestones): MULTISTEPS must be set and not inside the warmup")
            return out
        get_lr = multistep_get_lr(base, multi_steps, gamma, warmup, False, offset=0)
        phases.append((warmup_steps + 1, "multistep decay"))
    phases.append((num_steps, "after the run"))
    out.horizon = num_steps
    # main.py: step_update(epoch * num_steps + idx) after update idx -> update j uses j - 1
    fn = stepped(get_lr, initial, base, lag=1)
    params = {"NAME": name, "EPOCHS": epochs, "WARMUP_EPOCHS": warmup_epochs, "BASE_LR": base,
              "WARMUP_LR": warmup_lr, "MIN_LR": min_lr, "WARMUP_PREFIX": prefix,
              "iterations_per_epoch": n}
    warmup_updates = warmup_steps + 1 if warmup_steps else 0
    _plan(ctx, f"swin {name}", fn, base, warmup_updates, num_steps, phases, params, unit)
    _warmup_checks(ctx, fn, warmup_updates, num_steps, train.get("WARMUP_LR"), warmup_node,
                   warmup_lr, "WARMUP_LR")
    return out


def _plan(ctx: _Reading, label: str, fn: Callable[[int], float], base: float, warmup: int,
          length: int | None, phases: list[tuple[int, str]], params: dict[str, Any],
          unit: str) -> None:
    ordered: dict[int, str] = {}
    for start, name in sorted(phases, key=lambda p: p[0]):
        # the run stops at ``length``: later phases are never reached
        if length is None or start < length or name == "after the run":
            ordered[start] = name
    if base == 0:
        ctx.bad(ctx.out.node, "the base LR is 0")
        return
    spec = f"{label}(" + ", ".join(f"{k}={fmt(v)}" for k, v in params.items()) + ")"
    schedule = FunctionSchedule(fn=fn, label=label, spec=spec, warmup=warmup, total=length,
                                phases=tuple(sorted(ordered.items())),
                                extra={"framework": FRAMEWORK, "params": params,
                                       "source": SOURCE})
    ctx.out.plan = Plan(schedule, (base,), f"{ctx.doc.path} [{label}]", unit)


def _warmup_checks(ctx: _Reading, fn: Callable[[int], float], warmup: int, horizon: int,
                   lr_node: Node | None, warmup_node: Node | None, warmup_lr: float,
                   key: str) -> None:
    unit = ctx.out.plan.unit if ctx.out.plan else "step"
    if warmup and warmup >= horizon:
        ctx.finding(Code.WU301, f"the warmup ({warmup} {unit}s) is at least as long as the run "
                    f"({horizon} {unit}s): the LR never reaches its peak",
                    warmup_node or ctx.out.node)
    zeros = leading_zero_updates(fn, warmup)
    if zeros:
        ctx.finding(Code.WU302, f"{first_updates_run(zeros, unit)} at LR 0, {zeros} of {warmup} "
                    f"warmup {unit}s ({zeros / warmup:.1%}): {key} is {fmt(warmup_lr)}",
                    lr_node or warmup_node or ctx.out.node, zero_share_severity(zeros, warmup))


READER = register(Reader(FRAMEWORK, detect, read))
