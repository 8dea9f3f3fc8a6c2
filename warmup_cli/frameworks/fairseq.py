"""fairseq (and Hydra/OmegaConf configs with fairseq-style keys) LR schedules.

Recognised layouts:

* a fairseq Hydra config: ``lr_scheduler: {_name: inverse_sqrt, ...}`` with ``optimization.lr``
  (a list), ``optimization.max_update`` and ``optimization.max_epoch``;
* a Hydra group file for the ``lr_scheduler`` group (``# @package _group_`` and nothing but
  scheduler keys), named after the scheduler it configures (``inverse_sqrt.yaml``);
* an argparse-style dump: ``lr_scheduler: inverse_sqrt`` beside ``warmup_updates``, ``lr`` ...;
* audiocraft's ``schedule.lr_scheduler: inverse_sqrt`` with ``schedule.inverse_sqrt`` and
  ``optim.lr``.

fairseq sets the LR of update ``n`` (0-based, the first update is ``n = 0``) to
``step_update(n)``: the trainer calls ``lr_scheduler.step_update(0)`` when it builds the
optimizer and ``step_update(num_updates)`` after every update (fairseq/trainer.py:
``_build_optimizer``, ``set_num_updates`` -> ``lr_step_update``). The factor is that LR divided
by the configured ``lr``. The formulas are fairseq's and audiocraft's own, transcribed in
``upstream.fairseq_lr_scheduler`` and ``upstream.audiocraft_inverse_sqrt_lr_scheduler``; this
reader finds the values, applies the defaults and makes the checks.

Checks, located at the responsible key (WU301, WU302 and the WU308 plumbing are the kit's):

* WU301: the warmup (``warmup_updates``, tri_stage's) is at least ``max_update`` long;
* WU302: warmup updates at LR 0 (``warmup_init_lr`` 0, or -1 which becomes 0; polynomial_decay's
  warmup; a tri_stage ``init_lr_scale`` of 0), severity by the share of the warmup lost;
* WU305: ``max_update`` and ``max_epoch`` are both set (training stops at whichever is first);
* WU307: tri_stage phases sum past ``max_update``; polynomial_decay's ``total_num_update`` is
  past it; a cosine ``lr_period_updates`` longer than the run;
* WU308: a Hydra interpolation, ``${eval:...}`` (never evaluated), ``???`` or a value missing
  from this file (notes); a value fairseq would reject: not a number, an assertion, a division
  by zero (errors).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from warmup_cli.frameworks.kit import (
    ZERO_SCAN_CAP,
    FrameworkSchedule,
    Reader,
    Reading,
    StopReading,
    fmt,
    lr_plan,
    mapping_at,
    register,
    unread_schedule_keys,
    warmup_vs_run,
    zero_lr_finding,
    zero_updates,
)
from warmup_cli.frameworks.monotone import first_failure, zero_count
from warmup_cli.frameworks.upstream import (
    audiocraft_inverse_sqrt_lr_scheduler,
    fairseq_lr_scheduler,
)
from warmup_cli.frameworks.upstream.fairseq_lr_scheduler import Rejected
from warmup_cli.schedule import Origin
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

NAMES = ("inverse_sqrt", "cosine", "polynomial_decay", "tri_stage")

# Keys of the lr_scheduler dataclasses in fairseq/optim/lr_scheduler/*.py (fairseq 0.12.2),
# plus max_lr of the 2020 cosine scheduler. A group file holds nothing else.
SCHEDULER_KEYS = frozenset({
    "_name", "warmup_updates", "warmup_init_lr", "lr", "max_update", "min_lr", "max_lr",
    "t_mult", "lr_period_updates", "lr_shrink", "force_anneal", "end_learning_rate", "power",
    "total_num_update", "warmup_steps", "hold_steps", "decay_steps", "phase_ratio",
    "init_lr_scale", "final_lr_scale",
})
_KEYS_OF = {  # distinctive keys, to name a group file that does not say its scheduler
    "cosine": {"max_lr", "min_lr", "t_mult", "lr_period_updates", "lr_shrink"},
    "polynomial_decay": {"end_learning_rate", "power", "total_num_update", "force_anneal"},
    "tri_stage": {"warmup_steps", "hold_steps", "decay_steps", "phase_ratio", "init_lr_scale",
                  "final_lr_scale"},
}
_WARMUP_KEYS = {"warmup_updates", "warmup_init_lr", "warmup_steps", "max_lr",
                "lr_period_updates", "end_learning_rate", "phase_ratio"}
# Beside a bare ``lr_scheduler: name`` (axolotl's spelling too), the keys that make it fairseq's.
_ARGPARSE_KEYS = ("optimization", "warmup_updates", "max_update", "warmup_init_lr")
_FIRST_LINE = re.compile(r"\s*([^\r\n]*)")  # the first non-blank line of a file


@dataclass
class _Source:
    """Where one scheduler's settings live in the document."""

    name: str
    name_node: Node | None
    params: Node  # the mapping holding the scheduler's keys
    declared: Node  # where the schedule is declared (findings without a better place)
    lr: Node | None
    max_update: Node | None
    max_epoch: Node | None
    full_config: bool  # the file has the optimization section (fairseq defaults apply)
    audiocraft: bool = False
    certain: bool = True  # the layout is fairseq's beyond doubt (what ``detect`` answers)
    notes: list[str] = field(default_factory=list)


def _is_group_file(doc: Document) -> bool:
    keys = set(doc.root.as_mapping() or ())
    if not (keys and keys <= SCHEDULER_KEYS and keys & _WARMUP_KEYS):
        return False
    # Only now the first line (lint calls detect on every file: no copy of a whole file).
    first = _FIRST_LINE.match(doc.text)
    return first is not None and "@package _group_" in first.group(1)


def detect(doc: Document) -> bool:
    return any(source.certain for source in _sources(doc))


def _group_name(doc: Document) -> tuple[str, str | None]:
    """The scheduler a Hydra group file configures: Hydra names the option after the file."""
    stem = re.sub(r"[^a-z0-9]+", "_", Path(doc.path).stem.lower())
    for name in NAMES:
        if stem == name or stem.endswith("_" + name):
            return name, None
    keys = set(doc.root.as_mapping() or ())
    for name, distinctive in _KEYS_OF.items():
        if keys & distinctive:
            return name, f"the scheduler is taken to be {name} from its keys"
    return "inverse_sqrt", ("the scheduler is taken to be inverse_sqrt: the file sets only "
                            "warmup_updates/warmup_init_lr")


def _sources(doc: Document) -> list[_Source]:
    root = doc.root
    found: list[_Source] = []
    optimization = root.get("optimization")
    scheduler = root.get("lr_scheduler")

    def opt(key: str) -> Node | None:
        own = scheduler.get(key) if scheduler is not None else None
        if own is not None and key != "max_update":
            return own
        return optimization.get(key) if optimization is not None else None

    name_node = scheduler.get("_name") if scheduler is not None else None
    chosen = _chosen(doc, "lr_scheduler")
    if scheduler is not None and name_node is None and chosen is not None \
            and scheduler.as_mapping() is not None:
        # a Hydra group file composed into lr_scheduler: fairseq's dataclass for the chosen
        # option supplies _name (FairseqDataclass), the defaults list names the option
        found.append(_Source(chosen, None, scheduler, scheduler, opt("lr"),
                             scheduler.get("max_update") or opt("max_update"), opt("max_epoch"),
                             optimization is not None, notes=[
                                 f"the scheduler is {chosen}: the lr_scheduler option its "
                                 "defaults list chooses (fairseq's dataclass sets _name)"]))
    elif scheduler is not None and name_node is not None:
        found.append(_Source(str(name_node.value), name_node, scheduler, scheduler,
                             opt("lr"), scheduler.get("max_update") or opt("max_update"),
                             opt("max_epoch"), optimization is not None,
                             certain=name_node.as_str() is not None))
    elif scheduler is not None and (bare := scheduler.as_str()) is not None:
        found.append(_Source(bare, scheduler, root, scheduler, root.get("lr"),
                             root.get("max_update"), root.get("max_epoch"), True,
                             certain=any(root.get(k) is not None for k in _ARGPARSE_KEYS)))
    schedule = mapping_at(root, "schedule")
    name_node = schedule.get("lr_scheduler") if schedule is not None else None
    optim = root.get("optim")
    if schedule is not None and name_node is not None and optim is not None \
            and (name := name_node.as_str()) is not None:
        params = schedule.get(name)
        found.append(_Source(name, name_node, params if params is not None else schedule,
                             name_node, optim.get("lr"), None, None, True, audiocraft=True))
    if not found and _is_group_file(doc):
        name, note = _group_name(doc)
        found.append(_Source(name, None, root, root, root.get("lr"), root.get("max_update"),
                             None, False, notes=[note] if note else []))
    return found


def _chosen(doc: Document, group: str) -> str | None:
    """The option of ``group`` the Hydra defaults list chose (``configs.hydra_defaults``)."""
    inheritance = doc.inheritance
    return dict(inheritance.choices).get(group) if inheritance is not None else None


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    return [_read_one(doc, source) for source in _sources(doc)]


@dataclass
class _Built:
    value: Callable[[int], float]  # the absolute LR fairseq sets for update n
    peak: float  # the configured LR the factor is relative to
    warmup: int
    phases: list[tuple[int, str]]
    total: int | None
    label: str
    spec: str
    zero_node: Node | None = None  # the key to blame for LR-0 updates

    @property
    def origin(self) -> Origin:
        """The upstream file ``value`` transcribes, and what the tests verify it against."""
        # The golden series of tools/golden/fairseq_golden.py come from fairseq 0.12.2's own
        # classes; audiocraft's are checked against audiocraft's own file by
        # tools/golden/audiocraft_real_check.py; the 2020 cosine (no installable release) is
        # transcribed there too, so nothing real verifies it.
        if self.label.startswith("audiocraft"):
            return Origin("audiocraft's inverse_sqrt",
                          audiocraft_inverse_sqrt_lr_scheduler.CITES,
                          "audiocraft's own class (commit bf705222)")
        name = self.label.split()[1]
        if self.label.endswith("(2020)"):
            return Origin("fairseq's 2020 cosine", fairseq_lr_scheduler.CITES_2020)
        return Origin(f"fairseq's {name}", fairseq_lr_scheduler.CITES[name], "fairseq 0.12.2")


def _yaml11_note(label: str, node: Node, number: float | int) -> str:
    # fairseq-hydra and audiocraft load YAML with OmegaConf, which reads 5e-4 as a float;
    # PyYAML (YAML 1.1) keeps it a string
    text = str(node.value)
    dotted = text if "." in text else text.lower().replace("e", ".0e", 1)
    return (f"{label}: {text} is a string under YAML 1.1 (PyYAML); OmegaConf reads it as "
            f"{fmt(number)}, other YAML 1.1 loaders keep a string: write it with a dot, {dotted}")


# Keys beside the scheduler's in an argparse dump that are not the LR schedule's: the model
# EMA (ema_decay, ema_start_update, ...) and whether a checkpoint's scheduler state is reset.
_NOT_SCHEDULE = re.compile(r"^ema_|^reset_lr_scheduler$")


def _unread_keys(run: Reading, src: _Source) -> None:
    """WU308 notes at the schedule-like keys among the scheduler's that no fairseq scheduler
    reads; ``stop_min_lr`` only when it is on (fairseq's default -1 disables it)."""
    keys = src.params.as_mapping() or {}
    # audiocraft's inverse_sqrt reads warmup; a nested mapping is another section (audiocraft's
    # schedule holds every scheduler's settings, only the chosen one runs)
    known = set(SCHEDULER_KEYS) | {"lr_scheduler", "max_epoch", "warmup"} | {
        key for key, child in keys.items() if _NOT_SCHEDULE.match(key)
        or child.as_mapping() is not None
        or (key == "stop_min_lr" and (child.as_number() or 0) <= 0)}
    unread_schedule_keys(run, src.params, known, "audiocraft" if src.audiocraft else "fairseq")


def _read_one(doc: Document, src: _Source) -> FrameworkSchedule:
    out = FrameworkSchedule("fairseq", f"lr_scheduler ({src.name})", src.declared, None)
    out.notes.extend(src.notes)
    # The run's own values: one that cannot be used is reported but leaves the schedule
    # buildable (relative to lr, or without a run length).
    run = Reading(doc, out, hydra=True, yaml11=_yaml11_note)
    _unread_keys(run, src)
    lrs = run.numbers(src.lr, None, None, label="lr", scalar=True)
    if src.lr is None and src.full_config and not src.audiocraft:
        lrs = [0.25]  # fairseq OptimizationConfig.lr default (fairseq/dataclass/configs.py)
        run.note("optimization.lr is not set: fairseq's default [0.25] is assumed")
    max_update = run.number(src.max_update, None, None, label="max_update")
    if src.max_update is None and src.full_config:
        max_update = 0  # fairseq's default: no update limit
    max_epoch = run.number(src.max_epoch, None, None, label="max_epoch")
    if max_update and max_update > 0:
        out.horizon = int(max_update)
    if max_update and max_epoch and max_update > 0 and max_epoch > 0:
        run.finding(Code.WU305, f"both max_update ({max_update:g}) and max_epoch "
                    f"({max_epoch:g}) are set: fairseq stops at whichever comes first, so the "
                    "schedule's length depends on the dataset size", src.max_update)
    if lrs is not None and len(lrs) > 1:
        assert src.lr is not None
        if src.name == "polynomial_decay":
            run.unresolved(src.lr, "polynomial_decay with several lrs uses lr[epoch] per "
                           "epoch; the epoch length is not in the config")
        else:
            run.reject(src.lr, f"fairseq's {src.name} raises ValueError with more than one "
                       f"lr ({len(lrs)} given): 'Cannot use a fixed learning rate schedule'")
        return out
    builder = _BUILDERS.get(src.name)
    if src.audiocraft:
        builder = _audiocraft_inverse_sqrt if src.name == "inverse_sqrt" else None
    if builder is None:
        owner = "audiocraft" if src.audiocraft else "fairseq"
        run.unresolved(src.name_node or src.declared, f"{owner}'s {src.name!r} scheduler is "
                       f"not supported by warmup_cli (supported: {', '.join(NAMES)})")
        return out
    ctx = _Context(Reading(doc, out, hydra=True, yaml11=_yaml11_note), src.params,
                   float(lrs[0]) if lrs else 1.0, lrs is not None, max_update)
    try:
        built = builder(ctx)
    except Rejected as exc:  # fairseq's own assertion: a WU308 error at the key
        ctx.values.reject(ctx.node(exc.key), str(exc))
        return out
    except StopReading:
        return out
    if built is None:
        return out
    if lrs is None:
        if src.lr is None:
            run.missing(src.declared, "lr is not in this file (fairseq takes it from "
                        "optimization.lr): LRs are shown relative to it")
        else:
            run.note("lr is unresolved: LRs are shown relative to it")
    _finish(ctx, built)
    return out


@dataclass
class _Context:
    """What a scheduler's formula reads: its own keys, the peak ``lr`` and the run length."""

    values: Reading
    params: Node  # the mapping of the scheduler's keys
    lr: float
    lr_known: bool
    max_update: float | int | None

    @property
    def out(self) -> FrameworkSchedule:
        return self.values.out

    @property
    def run(self) -> float | int | None:
        """max_update when it limits the run (fairseq's 0 means no limit)."""
        return self.max_update if self.max_update and self.max_update > 0 else None

    def param(self, key: str) -> Node | None:
        return self.params.get(key)

    def number(self, key: str, default: float | int | None) -> float | int | None:
        """The scheduler's ``key``; fairseq's ``default`` when the file leaves it out (or
        null); None when it cannot be used (the kit records why)."""
        node = self.param(key)
        if node is None or node.value is None:
            return default
        return self.values.number(node, None, None, label=key)

    def whole(self, key: str, default: int) -> int | None:
        """An update count, truncated as fairseq's ``int`` dataclass fields are."""
        number = self.number(key, default)
        return None if number is None else int(number)

    def node(self, key: str | None) -> Node:
        """The node of the scheduler's ``key``, else where the schedule is declared."""
        return (self.param(key) if key else None) or self.out.node

    def fail(self, key: str | None, message: str) -> NoReturn:
        """The schedule cannot be built: it needs something this file does not hold."""
        self.values.fail(self.node(key), message)


EAGER_CHECK = 200_000  # updates checked while reading, to catch fairseq's own errors


def _finish(ctx: _Context, built: _Built) -> None:
    value, peak, out = built.value, built.peak, ctx.out
    run = int(ctx.run) if ctx.run is not None else max(built.warmup * 2, 10_000)
    # fairseq's formulas fail (log of a number <= 0, an overflowing power, a division by a
    # zero period) from some update of a phase to that phase's end: cosine's restart index
    # and polynomial_decay's remaining share move one way with the update, tri_stage's
    # exponent too. That is the shape monotone.first_failure finds exactly from samples.
    failure = first_failure(value, min(run, EAGER_CHECK), (start for start, _ in built.phases))
    if failure is not None:
        n, exc = failure
        ctx.values.reject(out.node, f"fairseq's formula fails at update {n}: "
                          f"{type(exc).__name__}: {exc}")
        return

    # fairseq sets the LR itself (step_update returns it): the plan is that LR, not a factor
    lr_plan(out, value, peak, Unit.UPDATE, built.label, built.spec, origin=built.origin,
            warmup=built.warmup, total=built.total, phases=built.phases, source="fairseq")
    _zero_lr_warmup(out, value, built)
    if ctx.run is not None:
        warmup_vs_run(out, built.warmup, ctx.run, ctx.param("warmup_steps")
                      or ctx.param("warmup_updates"), None, Unit.UPDATE,
                      message=f"the warmup ({built.warmup} updates) is not shorter than the "
                      f"run (max_update {ctx.run:g}): the LR never reaches its peak")


def _zero_lr_warmup(out: FrameworkSchedule, value: Callable[[int], float], built: _Built) -> None:
    """WU302 for the warmup updates at LR 0. Every fairseq and audiocraft warmup is
    ``warmup_init_lr + n * lr_step`` (polynomial_decay's ``n / warmup * lr``), monotone in n in
    floats, so its zeros are counted by bisection (monotone.zero_count); a NaN at either end
    (a NaN in the config) falls back to counting update by update (kit.zero_updates)."""
    if built.warmup <= 0:
        return
    stop = min(built.warmup, ZERO_SCAN_CAP)
    zeros = zero_count(value, stop)
    if zeros is None:
        zeros = zero_updates(value, stop)
    if zeros:
        out.findings.append(zero_lr_finding(zeros, built.warmup, "update",
                                            built.zero_node or out.node,
                                            suffix=", starting with the first update"))


def _inverse_sqrt(ctx: _Context) -> _Built | None:
    warmup = ctx.whole("warmup_updates", 4000)
    init = ctx.number("warmup_init_lr", -1)
    if warmup is None or init is None:
        return None
    if init < 0 and warmup > 0:
        ctx.values.note("warmup_init_lr -1 means 0 here (fairseq sets it to 0 when "
                        "warmup_updates > 0)")
    schedule = fairseq_lr_scheduler.inverse_sqrt(ctx.lr, warmup, init)
    return _Built(schedule, ctx.lr, warmup,
                  [(0, "linear warmup"), (warmup, "inverse sqrt decay")], None,
                  "fairseq inverse_sqrt", f"fairseq inverse_sqrt(warmup_updates={warmup}, "
                  f"warmup_init_lr={schedule.warmup_init_lr:g})",
                  ctx.param("warmup_init_lr") or ctx.param("warmup_updates"))


def _audiocraft_inverse_sqrt(ctx: _Context) -> _Built | None:
    # update n runs at audiocraft's step n + 1, so its warmup ends one update early
    warmup = ctx.whole("warmup", 0)
    init = ctx.number("warmup_init_lr", 0)
    if warmup is None or init is None:
        return None
    schedule = audiocraft_inverse_sqrt_lr_scheduler.inverse_sqrt(ctx.lr, warmup, init)
    if init == 0:
        ctx.values.note("audiocraft counts steps from 1, so warmup_init_lr 0 gives the first "
                        f"update lr/{warmup}, not 0")
    return _Built(schedule, ctx.lr, max(warmup - 1, 0),
                  [(0, "linear warmup"), (max(warmup - 1, 0), "inverse sqrt decay")], None,
                  "audiocraft inverse_sqrt", f"audiocraft inverse_sqrt(warmup={warmup}, "
                  f"warmup_init_lr={schedule.warmup_init_lr:g})", ctx.param("warmup_init_lr"))


def _cosine(ctx: _Context) -> _Built | None:
    # fairseq 0.12's scheduler has lr as the peak and min_lr as the floor; the 2020 one had
    # max_lr as the peak and lr as the floor: a config that sets max_lr can only be for it.
    warmup = ctx.whole("warmup_updates", 0)
    init = ctx.number("warmup_init_lr", -1)
    t_mult = ctx.number("t_mult", 1.0)
    period = ctx.number("lr_period_updates", -1)
    lr_shrink = ctx.number("lr_shrink", 0.1)
    legacy = ctx.param("max_lr") is not None
    if legacy:
        max_lr = ctx.number("max_lr", 1.0)
        min_lr = ctx.lr if ctx.lr_known else None
        if min_lr is None:
            ctx.values.unresolved(ctx.out.node, "the 2020 cosine scheduler uses lr as the "
                                  "floor (and as warmup_init_lr -1), and lr is not in this file")
        if max_lr is not None:
            ctx.values.note(f"max_lr {max_lr:g} is the peak LR: in this (2020) fairseq cosine "
                            "scheduler lr is the floor, not the peak")
    else:
        max_lr = ctx.lr
        min_lr = ctx.number("min_lr", 0.0)
    if period is not None and period <= 0 and ctx.run is None:
        ctx.fail("lr_period_updates", "lr_period_updates <= 0 takes the period from "
                 "max_update, which is not set here")
    if warmup is None or init is None or t_mult is None or period is None \
            or lr_shrink is None or max_lr is None or min_lr is None:
        return None
    build = fairseq_lr_scheduler.cosine_2020 if legacy else fairseq_lr_scheduler.cosine
    schedule = build(max_lr, min_lr, warmup_updates=warmup, warmup_init_lr=init, t_mult=t_mult,
                     lr_period_updates=period, lr_shrink=lr_shrink, max_update=ctx.run)
    if period > 0 and ctx.run is not None and period > ctx.run - warmup:
        ctx.values.finding(Code.WU307, f"the cosine period ({period:g} updates) is longer than "
                           f"the updates left after warmup ({ctx.run - warmup:g}): the run ends "
                           "before the LR reaches min_lr", ctx.param("lr_period_updates"))
    period = schedule.period
    phases: list[tuple[int, str]] = [(0, "linear warmup")] if warmup > 0 else []
    start, length, cycle = float(warmup), float(period), 0
    limit = ctx.run if ctx.run is not None else warmup + 10 * period
    while start < limit and cycle < 50:
        phases.append((math.ceil(start), "cosine" if cycle == 0 else f"cosine (restart {cycle})"))
        start += length
        length *= t_mult
        cycle += 1
    total = int(warmup + period) if ctx.max_update and warmup + period >= ctx.max_update \
        else None
    return _Built(schedule, max_lr, warmup, phases, total,
                  "fairseq cosine" + (" (2020)" if legacy else ""),
                  f"fairseq cosine(warmup_updates={warmup}, period={period:g}, "
                  f"t_mult={t_mult:g}, lr_shrink={lr_shrink:g})",
                  ctx.param("warmup_init_lr") or ctx.param("min_lr"))


def _polynomial(ctx: _Context) -> _Built | None:
    warmup = ctx.whole("warmup_updates", 0)
    end = ctx.number("end_learning_rate", 0.0)
    power = ctx.number("power", 1.0)
    total = ctx.number("total_num_update", ctx.max_update)
    force_anneal = ctx.param("force_anneal")
    if force_anneal is not None and force_anneal.value is not None:
        ctx.fail("force_anneal", "force_anneal switches to epoch-based annealing, which "
                 "warmup_cli does not model")
    if total is None and ctx.param("total_num_update") is None:
        ctx.fail(None, "total_num_update defaults to max_update, which is not in this file")
    if warmup is None or end is None or power is None or total is None:
        return None
    schedule = fairseq_lr_scheduler.polynomial_decay(ctx.lr, warmup, total, end, power)
    if ctx.run is not None and total > ctx.run:
        ctx.values.finding(Code.WU307, f"total_num_update ({total:g}) is past max_update "
                           f"({ctx.run:g}): the run ends before the LR decays to "
                           "end_learning_rate", ctx.param("total_num_update"))
    elif ctx.run is not None and total < ctx.run:
        ctx.values.note(f"the LR stays at end_learning_rate ({end:g}) for the last "
                        f"{ctx.run - total:g} updates")
    phases = [(0, "linear warmup")] if warmup > 0 else []
    if total > warmup:
        phases += [(warmup, "polynomial decay"), (math.ceil(total), "end_learning_rate")]
    else:  # the warmup branch wins up to warmup_updates, then n >= total_num_update
        phases.append((warmup + 1, "end_learning_rate"))
    return _Built(schedule, ctx.lr, warmup, phases, math.ceil(total), "fairseq polynomial_decay",
                  f"fairseq polynomial_decay(warmup_updates={warmup}, total_num_update="
                  f"{total:g}, power={power:g}, end_learning_rate={end:g})",
                  ctx.param("warmup_updates"))


def _tri_stage(ctx: _Context) -> _Built | None:
    init_scale = ctx.number("init_lr_scale", 0.01)
    final_scale = ctx.number("final_lr_scale", 0.01)
    ratio_node = ctx.param("phase_ratio")
    if ratio_node is not None and ratio_node.value is None:
        ratio_node = None
    steps = _tri_stage_steps(ctx, ratio_node)
    if steps is None or init_scale is None or final_scale is None:
        return None
    warmup, hold, decay = steps
    schedule = fairseq_lr_scheduler.tri_stage(ctx.lr, init_scale, final_scale, warmup, hold,
                                              decay)
    end = warmup + hold + decay
    if ctx.run is not None and end > ctx.run:
        ctx.values.finding(
            Code.WU307, f"the tri_stage phases ({warmup} + {hold} + {decay} = {end} updates) run "
            f"past max_update ({ctx.run:g}): the decay stops at "
            f"{math.exp(-schedule.decay_factor * max(0, ctx.run - 1 - warmup - hold)):.3g}x "
            f"the peak instead of final_lr_scale {final_scale:g}",
            ratio_node or ctx.param("decay_steps"))
    phases = [(0, "linear warmup")] if warmup else []
    if hold:
        phases.append((warmup, "hold"))
    phases += [(warmup + hold, "exponential decay"), (end + 1, "final LR")]
    return _Built(schedule, ctx.lr, warmup, phases, end + 1, "fairseq tri_stage",
                  f"fairseq tri_stage(warmup={warmup}, hold={hold}, decay={decay}, "
                  f"init_lr_scale={init_scale:g}, final_lr_scale={final_scale:g})",
                  ctx.param("init_lr_scale") or ctx.param("warmup_steps"))


def _tri_stage_steps(ctx: _Context, ratio_node: Node | None) -> list[int] | None:
    """tri_stage's warmup, hold and decay steps: ``phase_ratio`` shares of max_update when it
    is set, else the three step counts."""
    if ratio_node is None:
        steps: list[int] = []
        for key in ("warmup_steps", "hold_steps", "decay_steps"):
            number = ctx.number(key, 0)
            if number is None:
                return None
            steps.append(int(number))
        return steps
    ratios = ctx.values.numbers(ratio_node, None, None, label="phase_ratio", scalar=True)
    if ratios is None:
        return None
    if ctx.run is None:
        ctx.fail("phase_ratio", "phase_ratio is a share of max_update, which is not set")
    return fairseq_lr_scheduler.tri_stage_steps(ratios, ctx.run)


_BUILDERS: dict[str, Callable[[_Context], _Built | None]] = {
    "inverse_sqrt": _inverse_sqrt, "cosine": _cosine, "polynomial_decay": _polynomial,
    "tri_stage": _tri_stage}
READER = register(Reader("fairseq", detect, read))
