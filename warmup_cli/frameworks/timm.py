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

The formulas, the scheduler classes of timm 1.0.31 (``timm/scheduler/{cosine,tanh,step,
multistep,poly,plateau}_lr.py``, the newest PyPI wheel) and Swin's own, are transcribed in
:mod:`warmup_cli.frameworks.upstream.timm_scheduler`. The LR of step ``t`` is computed
exactly as timm computes it; the plan's base LR is ``lr`` and the factor is ``lr_t / lr``, so
``base * factor`` is timm's LR to about one rounding (<= 2.3e-16 relative), not always bit for
bit.

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

Checks (``Finding`` codes; the rule's default severity unless said):

* WU301, at warmup_epochs: the warmup is at least as long as the run (warmup_epochs >= the
  scheduled epochs), or Swin's t_initial <= 0.
* WU302, at warmup_lr / WARMUP_LR: it is 0, so the first epoch (Swin: the first 2 updates)
  runs at LR 0; error when the zero-LR steps are >= 25 % of the warmup, warning >= 1 %, else
  note.
* WU308, at the value: an error for unknown ``sched`` / LR_SCHEDULER.NAME, non-numbers,
  plateau with sched_on_updates (timm asserts); a note for unmodelled schedulers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    first_updates_run,
    fmt,
    lr_plan,
    mapping_at,
    ordered_phases,
    register,
    spec_text,
    unread_schedule_keys,
    warmup_vs_run,
    zero_lr_start,
)
from warmup_cli.frameworks.upstream.timm_scheduler import (
    Cycles,
    LrFn,
    Warmup,
    cosine_get_lr,
    make_warmup,
    multistep_get_lr,
    plateau_get_lr,
    poly_get_lr,
    step_get_lr,
    stepped,
    swin_linear_get_lr,
    tanh_get_lr,
)
from warmup_cli.schedule import Origin
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "timm"
SOURCE = "huggingface/pytorch-image-models timm/scheduler/*.py (timm 1.0.31)"
TIMM_CITES = "timm/scheduler/*_lr.py and scheduler.py"  # each class's _get_lr, Scheduler.step
SWIN_CITES = "Swin-Transformer lr_scheduler.py (commit 055c5065) on timm's Scheduler"

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
# How each value is read, in the order it is read (argparse's type= / yacs' literal values):
# "number" is a float whatever its default; the others are the default's type ("whole":
# argparse's type=int, any sign), as kit's Reading.like reads them.
_LR_BASE_KINDS = {"lr_base": "number", "lr_base_size": "number", "batch_size": "whole",
                  "grad_accum_steps": "whole", "lr_base_scale": "text", "opt": "text"}
_ARG_KINDS = {"epochs": "whole", "warmup_epochs": "whole", "warmup_lr": "number",
              "min_lr": "number", "warmup_prefix": "flag", "cooldown_epochs": "whole",
              "decay_epochs": "number", "decay_milestones": "numbers", "decay_rate": "number",
              "lr_cycle_mul": "number", "lr_cycle_decay": "number", "lr_cycle_limit": "whole",
              "lr_k_decay": "number", "sched_on_updates": "flag"}
_SWIN_KINDS = {"EPOCHS": "number", "WARMUP_EPOCHS": "number", "BASE_LR": "number",
               "WARMUP_LR": "number", "MIN_LR": "number"}
_SWIN_SCHEDULER_KINDS = {"NAME": "text", "WARMUP_PREFIX": "flag", "DECAY_EPOCHS": "number",
                         "DECAY_RATE": "number", "GAMMA": "number", "MULTISTEPS": "numbers"}
_CYCLIC = ("cosine", "tanh", "poly")  # the schedulers with cycles and a cooldown
# The arguments a plan's params show: every scheduler's, then the ones its class takes.
_SHOWN_ARGS = ("epochs", "warmup_epochs", "warmup_lr", "min_lr", "warmup_prefix",
               "cooldown_epochs")
_CYCLE_ARGS = ("lr_cycle_mul", "lr_cycle_decay", "lr_cycle_limit")
_SCHED_ARGS = {"cosine": (*_CYCLE_ARGS, "lr_k_decay"), "tanh": _CYCLE_ARGS,
               "poly": (*_CYCLE_ARGS, "lr_k_decay", "decay_rate"),
               "step": ("decay_rate", "decay_epochs"),
               "multistep": ("decay_rate", "decay_milestones"), "plateau": ("decay_rate",)}
SCHEDS = ("cosine", "tanh", "step", "multistep", "plateau", "poly", "constant", "none")
_UNMODELLED = ("wsd", "rsqrt")
_ARG_KEYS = frozenset({"lr", "epochs", "warmup_epochs", "warmup_lr", "min_lr", "decay_rate",
                       "cooldown_epochs", "lr_cycle_limit", "decay_epochs", "opt", "model"})
# Every train.py argument this reader reads (the rest that look like schedule settings get a
# WU308 note); lr_noise_pct/std go with lr_noise's note, model_ema_* are the weights' EMA, not
# the LR's schedule.
_READ_ARGS = frozenset({*ARG_DEFAULTS, "sched", "lr", "lr_noise", "lr_noise_pct", "lr_noise_std",
                        "layer_decay", "eval_metric", "plateau_mode"})
_NOT_SCHEDULE = re.compile(r"^model_ema")
_SWIN_KEYS = frozenset({"EPOCHS", "WARMUP_EPOCHS", "BASE_LR", "WARMUP_LR", "MIN_LR",
                        "LR_SCHEDULER"})


# --- detection -------------------------------------------------------------------------------


def _swin_train(root: Node) -> Node | None:
    train = mapping_at(root, "TRAIN")
    return train if train is not None and set(train.as_mapping() or ()) & _SWIN_KEYS else None


def _is_args(root: Node) -> bool:
    keys = set(root.as_mapping() or ())
    sched = root.get("sched")
    if sched is not None and sched.as_str() is not None and keys & _ARG_KEYS:
        return True
    return {"lr", "epochs", "warmup_epochs", "warmup_lr"} <= keys


def detect(doc: Document) -> bool:
    """timm train.py arguments (``sched`` beside ``lr``/``epochs``/``warmup_*`` keys) or a Swin
    yacs config (``TRAIN`` with EPOCHS/WARMUP_EPOCHS/BASE_LR/WARMUP_LR/MIN_LR/LR_SCHEDULER)."""
    return _is_args(doc.root) or _swin_train(doc.root) is not None


# --- reading ---------------------------------------------------------------------------------


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The timm / Swin schedule of ``doc``; ``facts.updates_per_epoch`` is the number of
    optimizer updates per epoch, used by per-update schedules (``sched_on_updates``, Swin)."""
    if _is_args(doc.root):
        return [_read_args(doc, facts.updates_per_epoch)]
    train = _swin_train(doc.root)
    return [] if train is None else [_read_swin(doc, train, facts.updates_per_epoch)]


def _yaml11_note(label: str, node: Node, number: float | int) -> str:
    # PyYAML (YAML 1.1) leaves 2e-05 a str; argparse converts string defaults with type=float
    # (timm train.py) and yacs literal_evals them (Swin).
    return (f"{label}: {node.value} is a string under YAML 1.1 (PyYAML); "
            f"{'yacs' if label.isupper() else 'argparse'} reads it as {fmt(number)}, other "
            "YAML 1.1 loaders keep a string")


def _values(ctx: Reading, where: Node | None, defaults: Mapping[str, Any],
            kinds: Mapping[str, str]) -> dict[str, Any]:
    """``where[key]`` for every key of ``kinds``, or ``defaults[key]``: a float where argparse
    says type=float (the default may be an int), else of the default's own type."""
    return {key: ctx.number(where, key, defaults[key]) if kind == "number" else
            ctx.like(where, key, defaults[key]) for key, kind in kinds.items()}


def _read_args(doc: Document, per_epoch: int | None) -> FrameworkSchedule:
    root = doc.root
    sched_node = root.get("sched")
    out = FrameworkSchedule(FRAMEWORK, "sched", sched_node or root, None)
    ctx = Reading(doc, out, yaml11=_yaml11_note)
    unread_schedule_keys(ctx, root, _READ_ARGS | {key for key in root.as_mapping() or ()
                                                  if _NOT_SCHEDULE.match(key)}, "timm")
    sched = ctx.text(root, "sched", ARG_DEFAULTS["sched"])
    if sched not in SCHEDS:
        if sched in _UNMODELLED:
            ctx.finding(Code.WU308, f"sched {sched!r} (timm's WSDLRScheduler) is not modelled",
                        out.node, Severity.NOTE)
            ctx.unresolved(out.node, f"sched {sched!r} is not modelled")
        else:
            ctx.reject(out.node, f"sched {sched!r} is not a timm scheduler (create_scheduler_v2 "
                       f"raises ValueError; one of {', '.join(SCHEDS)})")
        return out
    lr = _args_lr(ctx, root)
    args = _values(ctx, root, ARG_DEFAULTS, _ARG_KINDS)
    for key in ("lr_noise", "layer_decay"):
        node = root.get(key)
        if node is not None and node.value not in (None, 0, 0.0):
            ctx.note(f"{key} is set: " + ("timm adds seeded noise to the LR, not shown"
                                          if key == "lr_noise" else
                                          "each parameter group gets its own lr_scale, the "
                                          "plan shows the base group"))
    if ctx.failed or lr is None:
        return out
    if sched == "plateau" and args["sched_on_updates"]:
        ctx.reject(out.node, "plateau only steps per epoch: create_scheduler_v2 asserts "
                   "'Plateau LR only supports step per epoch'")
        return out
    _args_plan(ctx, sched, lr, args, per_epoch)
    if sched == "plateau":
        _plateau(ctx, args)
    return out


def _args_lr(ctx: Reading, root: Node) -> float | None:
    lr = ctx.number(root, "lr", None)
    node = root.get("lr")
    if lr or (node is not None and node.value is not None and lr is None):
        return lr
    # train.py: "if not args.lr:" the LR is lr_base * global batch / lr_base_size
    base = _values(ctx, root, ARG_DEFAULTS, _LR_BASE_KINDS)
    if ctx.failed:
        return None
    accum = max(1, base["grad_accum_steps"])
    global_batch_size = base["batch_size"] * 1 * accum
    batch_ratio = global_batch_size / base["lr_base_size"]
    scale = base["lr_base_scale"] or (
        "sqrt" if any(o in base["opt"].lower() for o in ("ada", "lamb")) else "linear")
    if scale == "sqrt":
        batch_ratio = batch_ratio ** 0.5
    scaled: float = base["lr_base"] * batch_ratio
    ctx.note(f"lr is not set: train.py uses lr_base {fmt(base['lr_base'])} x (batch "
             f"{base['batch_size']} x {accum} accumulation x world size, assumed 1) / "
             f"{fmt(base['lr_base_size'])}, {scale} scaling = {fmt(scaled)}")
    return scaled


def _args_plan(ctx: Reading, sched: str, lr: float, a: dict[str, Any],
               per_epoch: int | None) -> None:
    # create_scheduler_v2: lengths in epochs, or in updates when stepping per update
    updates, unit, on_updates = 1, Unit.EPOCH, a["sched_on_updates"]
    if on_updates and per_epoch:
        updates, unit = per_epoch, Unit.STEP
    elif on_updates:
        ctx.note("sched_on_updates: timm steps per update with every length x updates per "
                 "epoch, which the config does not give; shown per epoch (1 update per epoch)")
    # sched "none": no scheduler at all, the warmup arguments are not used
    warmup_t = 0 if sched == "none" else a["warmup_epochs"] * updates
    cycles = Cycles(a["epochs"] * updates, a["lr_cycle_mul"], a["lr_cycle_decay"],
                    a["lr_cycle_limit"])
    get_lr = _args_get_lr(ctx, sched, lr, a, cycles, make_warmup(warmup_t, a["warmup_lr"], lr),
                          updates)
    phases: list[tuple[int, str]] = [(0, "warmup")] if warmup_t else []
    if sched in _CYCLIC:
        # create_scheduler_v2: get_cycle_length() + cooldown_t, in epochs
        cycle_end = cycles.length(warmup_t, a["warmup_prefix"])
        length = cycle_end + a["cooldown_epochs"] * updates
        scheduled = length if not on_updates else length // updates
        phases += [(_ceil(warmup_t), f"{sched} decay"), (_ceil(cycle_end), "min lr")]
    else:
        scheduled = a["epochs"] + (a["warmup_epochs"] if a["warmup_prefix"] else 0)
        label = {"step": "step decay", "multistep": "multistep decay", "constant": "constant",
                 "plateau": "plateau (metric-driven)", "none": "constant"}[sched]
        phases.append((_ceil(warmup_t) + (1 if sched == "plateau" and warmup_t else 0), label))
    horizon = _ceil(scheduled * (updates if unit is Unit.STEP else 1))
    phases.append((horizon, "after the run"))
    ctx.out.horizon = horizon
    # Scheduler.__init__ sets warmup_lr_init (or lr without a warmup) before the first epoch
    fn = stepped(get_lr, a["warmup_lr"] if warmup_t else lr)
    if _plan(ctx, f"timm {sched}", fn, lr, _ceil(warmup_t), horizon, phases,
             _args_params(sched, lr, a, updates), unit):
        _warmup_checks(ctx, fn, _ceil(warmup_t), horizon, ctx.doc.root.get("warmup_lr"),
                       ctx.doc.root.get("warmup_epochs"), a["warmup_lr"], "warmup_lr", unit)


def _args_get_lr(ctx: Reading, sched: str, lr: float, a: dict[str, Any], cycles: Cycles,
                 warmup: Warmup, updates: int) -> LrFn:
    prefix, lr_min, k_decay = a["warmup_prefix"], a["min_lr"], a["lr_k_decay"]
    if sched == "cosine":
        return cosine_get_lr(lr, lr_min, cycles, warmup, prefix, k_decay)
    if sched == "tanh":
        return tanh_get_lr(lr, lr_min, cycles, warmup.t, a["warmup_lr"], prefix)[0]
    if sched == "poly":
        # scheduler_factory: power=decay_rate ("overloading 'decay_rate' as polynomial power")
        return poly_get_lr(lr, lr_min, cycles, warmup, prefix, a["decay_rate"], k_decay)
    if sched == "step":
        return step_get_lr(lr, a["decay_epochs"] * updates, a["decay_rate"], warmup, prefix)
    if sched == "constant":
        return step_get_lr(lr, 1, 1., warmup, prefix)  # StepLRScheduler(decay_t=1, rate=1.)
    if sched == "multistep":
        return multistep_get_lr(lr, [d * updates for d in a["decay_milestones"]],
                                a["decay_rate"], warmup, prefix)
    return _flat(ctx, sched, lr, warmup)  # plateau, none


def _args_params(sched: str, lr: float, a: dict[str, Any], updates: int) -> dict[str, Any]:
    params = {"sched": sched, "lr": lr, **{key: a[key] for key in _SHOWN_ARGS},
              "updates_per_epoch": updates}
    for key in _SCHED_ARGS.get(sched, ()):
        params[key] = list(a[key]) if isinstance(a[key], list) else a[key]
    return params


def _ceil(value: int | float) -> int:
    return value if isinstance(value, int) else math.ceil(value)


def _flat(ctx: Reading, sched: str, lr: float, warmup: Warmup) -> LrFn:
    if sched == "none":
        ctx.note("sched 'none': timm creates no scheduler and the LR stays at lr")
        return lambda t: lr
    ctx.note("plateau lowers the LR when the eval metric stops improving; after the warmup it "
             "is shown as the LR the warmup ends at")
    return plateau_get_lr(lr, warmup)


def _plateau(ctx: Reading, a: dict[str, Any]) -> None:
    """scheduler_factory ``sched == 'plateau'``: PlateauLRScheduler over torch's
    ReduceLROnPlateau(patience=patience_epochs, factor=decay_rate, threshold=1e-4, cooldown=0,
    mode=plateau_mode, min_lr=min_lr); plateau_lr.py ``step(epoch, metric)`` warms up while
    ``epoch <= warmup_t`` and passes the metric on after, so train.py's ``step(epoch + 1,
    metric)`` gives the scheduler the metrics of epochs warmup_t, warmup_t + 1, ...
    (scheduler_kwargs: plateau_mode is 'min' when eval_metric names a loss, else 'max')."""
    from dataclasses import replace

    from warmup_cli.frameworks.plateau import Refused, plateau_schedule
    from warmup_cli.schedule import FunctionSchedule, Join

    built = ctx.out.plan
    if built is None:
        return
    root = ctx.doc.root
    metric = ctx.text(root, "eval_metric", "top1")
    mode = ctx.text(root, "plateau_mode", "min" if "loss" in metric else "max")
    patience = ctx.like(root, "patience_epochs", ARG_DEFAULTS["patience_epochs"])
    phase = plateau_schedule({"mode": mode, "factor": a["decay_rate"], "patience": patience,
                              "threshold": 1e-4, "cooldown": 0, "min_lr": a["min_lr"]},
                             metric)
    if isinstance(phase, Refused):
        ctx.reject(root.get(_PLATEAU_KEYS.get(phase.key, phase.key)) or ctx.out.node,
                   phase.message)
        ctx.out.plan = None
        return
    warmup_t = a["warmup_epochs"]
    if warmup_t and built.schedule(warmup_t) != 1.0:
        ctx.note(f"the warmup ends at {fmt(built.lrs(warmup_t)[0])}, not at lr: the plateau "
                 "is shown from the LR the warmup ends at, without reductions")
        return
    schedule = phase if not warmup_t else Join((FunctionSchedule(
        fn=built.schedule.factor_fn, label="warmup", spec=built.schedule.to_spec(),
        warmup=warmup_t, total=warmup_t), phase))
    ctx.out.notes[:] = [note for note in ctx.out.notes if not note.startswith("plateau lowers")]
    ctx.note(f"plateau lowers the LR when {metric} stops improving: show it with --metrics "
             f"FILE --metric {metric} (one value per epoch)")
    ctx.out.plan = replace(built, schedule=schedule)


_PLATEAU_KEYS = {"factor": "decay_rate", "patience": "patience_epochs"}


def _read_swin(doc: Document, train: Node, per_epoch: int | None) -> FrameworkSchedule:
    scheduler = train.get("LR_SCHEDULER")
    out = FrameworkSchedule(FRAMEWORK, "TRAIN.LR_SCHEDULER", scheduler or train, None)
    ctx = Reading(doc, out, yaml11=_yaml11_note)
    unread_schedule_keys(ctx, train, {*SWIN_DEFAULTS, "LR_SCHEDULER"}, "Swin-Transformer")
    unread_schedule_keys(ctx, mapping_at(train, "LR_SCHEDULER"), SWIN_SCHEDULER_DEFAULTS,
                         "Swin-Transformer")
    t = _values(ctx, train, SWIN_DEFAULTS, _SWIN_KINDS)
    # a scheduler that is not a mapping keeps every default, as yacs would refuse it
    s = _values(ctx, mapping_at(train, "LR_SCHEDULER"), SWIN_SCHEDULER_DEFAULTS,
                _SWIN_SCHEDULER_KINDS)
    bases = doc.root.get("BASE")
    items = bases.as_sequence() if bases is not None else None
    if bases is not None and bases.value is not None and \
            not (items is not None and all(item.as_str() == "" for item in items)):
        ctx.note("BASE configs are not followed: missing keys take Swin's config.py defaults")
    ctx.note("Swin's main.py scales BASE_LR, WARMUP_LR and MIN_LR by DATA.BATCH_SIZE x world "
             "size / 512 (x ACCUMULATION_STEPS): the config's own values are shown, the curve's "
             "shape does not change")
    name = s["NAME"]
    if name not in ("cosine", "linear", "step", "multistep"):
        ctx.reject(_name_node(out), f"LR_SCHEDULER.NAME {name!r} is not one of Swin's "
                   "cosine, linear, step, multistep (build_scheduler returns None)")
    if ctx.failed:
        return out
    if per_epoch:
        n, unit = per_epoch, Unit.STEP
    else:
        n, unit = 1, Unit.EPOCH
        ctx.note("Swin steps per iteration (t_in_epochs=False, lengths x iterations per epoch), "
                 "which the config does not give: shown with 1 iteration per epoch")
    # lr_scheduler.py build_scheduler
    num_steps, warmup_steps = int(t["EPOCHS"] * n), int(t["WARMUP_EPOCHS"] * n)
    base, warmup_lr = t["BASE_LR"], t["WARMUP_LR"]
    made = _swin_get_lr(ctx, train, t, s, n, num_steps, warmup_steps)
    if made is None:
        return out
    get_lr, decay_phases = made
    phases = ([(0, "warmup")] if warmup_steps else []) + decay_phases
    phases.append((num_steps, "after the run"))
    out.horizon = num_steps
    # main.py: step_update(epoch * num_steps + idx) after update idx -> update j uses j - 1
    fn = stepped(get_lr, warmup_lr if warmup_steps else base, lag=1)
    params = {"NAME": name, "EPOCHS": t["EPOCHS"], "WARMUP_EPOCHS": t["WARMUP_EPOCHS"],
              "BASE_LR": base, "WARMUP_LR": warmup_lr, "MIN_LR": t["MIN_LR"],
              "WARMUP_PREFIX": s["WARMUP_PREFIX"], "iterations_per_epoch": n}
    warmup_updates = warmup_steps + 1 if warmup_steps else 0
    if _plan(ctx, f"swin {name}", fn, base, warmup_updates, num_steps, phases, params, unit):
        _warmup_checks(ctx, fn, warmup_updates, num_steps, train.get("WARMUP_LR"),
                       train.get("WARMUP_EPOCHS"), warmup_lr, "WARMUP_LR", unit)
    return out


def _name_node(out: FrameworkSchedule) -> Node:
    return out.node.get("NAME") or out.node


def _swin_get_lr(ctx: Reading, train: Node, t: dict[str, Any], s: dict[str, Any], n: int,
                 num_steps: int, warmup_steps: int) -> tuple[LrFn,
                                             list[tuple[int, str]]] | None:
    """The scheduler build_scheduler makes, and its phases after the warmup."""
    name, prefix, base = s["NAME"], s["WARMUP_PREFIX"], t["BASE_LR"]
    warmup = make_warmup(warmup_steps, t["WARMUP_LR"], base)
    after = warmup_steps + 1  # the warmup's last LR is that of update warmup_steps
    if name == "cosine":
        t_initial = (num_steps - warmup_steps) if prefix else num_steps
        if t_initial <= 0:
            # CosineLRScheduler.__init__: assert t_initial > 0
            where = train.get("WARMUP_EPOCHS") or ctx.out.node
            ctx.finding(Code.WU301, f"WARMUP_EPOCHS {fmt(t['WARMUP_EPOCHS'])} leaves no cosine "
                        f"after the warmup (EPOCHS {fmt(t['EPOCHS'])}): timm asserts "
                        "t_initial > 0", where)
            ctx.unresolved(where, "t_initial <= 0")
            return None
        get_lr = cosine_get_lr(base, t["MIN_LR"], Cycles(t_initial, 1.0, 1.0, 1), warmup, prefix,
                               1.0)
        return get_lr, [(after, "cosine decay"),
                        ((warmup_steps if prefix else 0) + t_initial + 1, "min lr")]
    if name == "linear":
        return swin_linear_get_lr(base, num_steps, 0.01, warmup), [(after, "linear decay")]
    if name == "step":
        return (step_get_lr(base, int(s["DECAY_EPOCHS"] * n), s["DECAY_RATE"], warmup, False),
                [(after, "step decay")])
    multi_steps = [i * n for i in s["MULTISTEPS"]]
    if not multi_steps or warmup_steps > min(multi_steps):
        ctx.reject(_name_node(ctx.out), "Swin's MultiStepLRScheduler asserts warmup_t <= "
                   "min(milestones): MULTISTEPS must be set and not inside the warmup")
        return None
    return (multistep_get_lr(base, multi_steps, s["GAMMA"], warmup, False, offset=0),
            [(after, "multistep decay")])


def _plan(ctx: Reading, label: str, fn: Callable[[int], float], base: float, warmup: int,
          length: int, phases: list[tuple[int, str]], params: dict[str, Any],
          unit: Unit) -> bool:
    """Sets the plan: ``fn`` is the LR timm sets for update k (its schedulers write
    ``_get_lr``'s value into the param group). False: the base LR is 0, which the factor
    column lr_t / base cannot have."""
    if base == 0:
        ctx.reject(ctx.out.node, "the base LR is 0")
        return False
    # the run stops at ``length``: later phases are never reached
    reached = [(start, name) for start, name in phases if start < length or
               name == "after the run"]
    swin = label.startswith("swin")
    # test_framework_timm runs timm 1.0.31's own classes; the Swin golden series equal Swin's
    # own lr_scheduler.py on timm 0.4.12 (tools/golden/swin_real_check.py)
    origin = (Origin(f"Swin-Transformer's {label.split()[1]} scheduler", SWIN_CITES,
                     "Swin-Transformer's own lr_scheduler.py on timm 0.4.12") if swin
              else Origin(f"timm's {label.split()[1]} scheduler", TIMM_CITES, "timm 1.0.31"))
    lr_plan(ctx.out, fn, base, unit, label, spec_text(label, params), origin=origin,
            warmup=warmup, total=length, phases=ordered_phases(reached),
            source=f"{ctx.doc.path} [{label}]",
            extra={"framework": FRAMEWORK, "params": params, "source": SOURCE})
    return True


def _warmup_checks(ctx: Reading, fn: Callable[[int], float], warmup: int, horizon: int,
                   lr_node: Node | None, warmup_node: Node | None, warmup_lr: float,
                   key: str, unit: Unit) -> None:
    warmup_vs_run(ctx.out, warmup, horizon, warmup_node, None, unit, message=(
        f"the warmup ({warmup} {unit}s) is at least as long as the run ({horizon} {unit}s): "
        "the LR never reaches its peak"))
    zero_lr_start(ctx.out, fn, warmup, lr_node or warmup_node, unit, message=lambda zeros, of: (
        f"{first_updates_run(zeros, unit)} at LR 0, {zeros} of {of} warmup {unit}s "
        f"({zeros / of:.1%}): {key} is {fmt(warmup_lr)}"))


READER = register(Reader(FRAMEWORK, detect, read))
