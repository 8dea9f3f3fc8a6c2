"""Ultralytics YOLO and YOLOv5 hyperparameter files: ``lr0``, ``lrf``, ``warmup_epochs``,
``warmup_bias_lr``, ``warmup_momentum``, ``cos_lr``, ``epochs``.

Both trainers step a ``LambdaLR(lf)`` once an epoch and, during the warmup, set every parameter
group's LR per iteration with ``np.interp`` (:mod:`.upstream.ultralytics_trainer` has the
formulas, the two trainers' differences and the cited files). The bias group ramps *down* from
``warmup_bias_lr`` while the weight and BatchNorm groups ramp *up* from 0, so the reader gives
two schedules, ``bias group`` and ``weight, bn groups`` (one, ``all groups``, when they start
alike), both per iteration (one row per batch). The warmup length needs the batches per epoch
(``len(train_loader)``), which only the dataset knows: ``--updates-per-epoch`` supplies it.

Dialects: a file with Ultralytics train settings (``epochs``, ``cos_lr``, ``optimizer``,
``task``, ...: ``default.yaml``, ``args.yaml`` dumps) is read as ``ultralytics``
(engine/trainer.py); a bare hyperparameter file (``data/hyps/hyp.*.yaml``) as ``yolov5``
(train.py, whose ``--epochs`` 100 and ``--cos-lr`` live on the command line).
``--framework yolov5`` / ``ultralytics`` forces one.

Checks: WU302 (the weight groups' first iteration at LR 0, one level lower as for HF: it is how
both trainers define the warmup), WU301 (a YOLOv5 warmup of at least 100 iterations that is not
shorter than the run), WU308 (``optimizer: auto`` chooses lr0 itself; ``time`` re-sizes the run;
values that are not numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmup_cli.frameworks.kit import (
    FrameworkSchedule,
    Reader,
    Reading,
    first_updates_run,
    fmt,
    lr_plan,
    register,
    unread_schedule_keys,
    warmup_vs_run,
    zero_lr_start,
    zero_share_severity_lowered,
)
from warmup_cli.frameworks.upstream.ultralytics_trainer import (
    CITES,
    ULTRALYTICS,
    YOLOV5,
    YoloWarmup,
)
from warmup_cli.schedule import Origin
from warmup_cli.vocab import (
    DEFAULT_BASE_LR,
    NO_FACTS,
    RECIPE_DIPS,
    Code,
    RunFacts,
    Severity,
    Unit,
)

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

# ultralytics/cfg/default.yaml (and YOLOv5 data/hyps/hyp.scratch-low.yaml for the hyp keys)
DEFAULTS = {"lr0": 0.01, "lrf": 0.01, "warmup_epochs": 3.0, "warmup_bias_lr": 0.1}
DEFAULT_EPOCHS = 100  # ultralytics default.yaml epochs; YOLOv5 train.py --epochs
_HYP_KEYS = frozenset({"lr0", "lrf", "warmup_epochs", "warmup_bias_lr", "warmup_momentum"})
# Train settings only an Ultralytics cfg / args.yaml holds (a YOLOv5 hyp file has none).
_ULTRALYTICS_KEYS = frozenset({"task", "mode", "epochs", "cos_lr", "optimizer", "nbs", "batch",
                               "close_mosaic", "dfl", "imgsz", "time"})


# Neither package installs here (both pull opencv and a second torch): the test suite runs a
# line-by-line copy of each trainer's loop with torch's LambdaLR and numpy's np.interp.
_VERIFIED = "a line-by-line copy of the trainer's loop run with torch's LambdaLR and numpy"
ORIGINS = {dialect: Origin(f"{trainer} warmup and lf", CITES[dialect], _VERIFIED)
           for dialect, trainer in ((ULTRALYTICS, "Ultralytics'"), (YOLOV5, "YOLOv5's"))}

_READ_KEYS = frozenset({*_HYP_KEYS, "epochs", "cos_lr", "optimizer", "time", "momentum"})


def _dialect(root: Node) -> str | None:
    keys = set(root.as_mapping() or ())
    if "lr0" not in keys or len(keys & _HYP_KEYS) < 2:
        return None
    return ULTRALYTICS if keys & _ULTRALYTICS_KEYS else YOLOV5


def detect(doc: Document) -> bool:
    """``lr0`` beside at least one other YOLO hyperparameter at the top level."""
    return _dialect(doc.root) is not None


def _yaml11_note(label: str, node: Node, number: float | int) -> str:
    # Ultralytics and YOLOv5 read their YAML with PyYAML, which leaves 1e-3 a string.
    return (f"{label}: {node.value} is a string under YAML 1.1 (PyYAML, which both trainers "
            f"use) and was read as {fmt(number)}; write it with a dot, e.g. 1.0e-3")


class _Settings:
    """The values one file gives (with the trainers' defaults), read once for both groups."""

    def __init__(self, ctx: Reading, dialect: str) -> None:
        root = ctx.doc.root
        self.ctx, self.root, self.dialect = ctx, root, dialect
        number = ctx.number
        self.lr0 = number(root, "lr0", DEFAULTS["lr0"], low=0)
        self.lrf = number(root, "lrf", DEFAULTS["lrf"])
        self.warmup_epochs = number(root, "warmup_epochs", DEFAULTS["warmup_epochs"], low=0)
        self.warmup_bias_lr = number(root, "warmup_bias_lr", DEFAULTS["warmup_bias_lr"])
        self.cos_lr = ctx.flag(root, "cos_lr", False)
        self.epochs = ctx.count(root, "epochs", DEFAULT_EPOCHS, low=1)
        self.relative = False
        for key in ("lr0", "lrf", "warmup_epochs", "warmup_bias_lr", "epochs"):
            if root.get(key) is None:
                shown = DEFAULT_EPOCHS if key == "epochs" else DEFAULTS[key]
                where = ("train.py --epochs" if key == "epochs" and dialect == YOLOV5
                         else "the default")
                ctx.note(f"{key} is not set: {where} {fmt(shown)} is assumed")
        if dialect == ULTRALYTICS:
            self._optimizer()

    def _optimizer(self) -> None:
        # engine/trainer.py build_optimizer: optimizer=auto ignores lr0 and momentum, picks
        # MuSGD lr 0.01 (> 10,000 iterations) or AdamW round(0.002 * 5 / (4 + nc), 6), and sets
        # warmup_bias_lr = 0.0.
        ctx, node = self.ctx, self.root.get("optimizer")
        name = ctx.text(node, None, "auto", label="optimizer")
        if str(name).lower() != "auto":
            return
        blame = node or self.root.get("lr0") or ctx.out.node
        why = ("optimizer is 'auto' (the default): Ultralytics ignores lr0 and picks the "
               "optimizer and its lr from the iterations and the number of classes "
               "(MuSGD 0.01, or AdamW round(0.002 * 5 / (4 + nc), 6)); LRs are shown relative "
               "to it, and warmup_bias_lr becomes 0.0")
        ctx.finding(Code.WU308, why, blame, Severity.NOTE)
        ctx.missing(blame, why)
        self.lr0, self.warmup_bias_lr, self.relative = DEFAULT_BASE_LR, 0.0, True


def read(doc: Document, facts: RunFacts = NO_FACTS, *,
         dialect: str | None = None) -> list[FrameworkSchedule]:
    """The schedules of the parameter groups; ``facts.updates_per_epoch`` is the batches per
    epoch (``len(train_loader)``)."""
    dialect = dialect or _dialect(doc.root)
    if dialect is None:
        return []
    probe = FrameworkSchedule(dialect, "all groups", doc.root.get("lr0") or doc.root, None)
    ctx = Reading(doc, probe, yaml11=_yaml11_note)
    trainer, other = (("Ultralytics engine/trainer.py", YOLOV5) if dialect == ULTRALYTICS
                      else ("YOLOv5 train.py", ULTRALYTICS))
    ctx.note(f"read as {trainer} (--framework {other} reads it as the other trainer)")
    settings = _Settings(ctx, dialect)
    _notes(ctx, settings)
    unread_schedule_keys(ctx, doc.root, _READ_KEYS, dialect)
    nb = facts.updates_per_epoch
    if nb is None:
        ctx.unresolved(doc.root.get("warmup_epochs") or probe.node,
                       "the warmup lasts warmup_epochs x the batches per epoch (len("
                       "train_loader)), which the dataset decides: pass --updates-per-epoch")
    if ctx.failed or nb is None:
        return [probe]
    run = _run(settings, nb)
    same = run.warmup_bias_lr == 0.0
    groups = [(False, "all groups" if same else "weight, bn groups")] + ([] if same else
                                                                         [(True, "bias group")])
    # the file's findings (WU308 notes) are reported once, with the first group
    return [_group(ctx, probe, run, bias, name, first=index == 0)
            for index, (bias, name) in enumerate(groups)]


def _run(s: _Settings, nb: int) -> YoloWarmup:
    return YoloWarmup(s.dialect, float(s.lr0), float(s.lrf), int(s.epochs),
                      float(s.warmup_epochs), float(s.warmup_bias_lr), bool(s.cos_lr), nb)


def _notes(ctx: Reading, s: _Settings) -> None:
    root = ctx.doc.root
    if s.dialect == YOLOV5:
        ctx.note("YOLOv5 steps the LambdaLR at the end of each epoch after setting last_epoch "
                 "= -1, so after the warmup epoch e runs at lf(e - 1) (epochs 0 and 1 share "
                 "lf(0))")
        if s.warmup_epochs == 0:
            ctx.note("warmup_epochs is 0, but YOLOv5 warms up for max(round(0 x nb), 100) = "
                     "100 iterations anyway")
    if root.get("warmup_momentum") is not None or root.get("momentum") is not None:
        ctx.note("momentum also ramps from warmup_momentum to momentum during the warmup "
                 "(not shown: only LRs are)")
    ctx.note("one row per iteration (batch); during the warmup the optimizer steps every "
             "`accumulate` iterations, which ramps from 1 to round(nbs / batch)")
    time = root.get("time")
    if time is not None and time.value not in (None, 0, False):
        ctx.finding(Code.WU308, "time is set: Ultralytics re-sizes epochs (and the schedule) "
                    "from the measured epoch time after every epoch; shown for epochs as "
                    "written", time, Severity.NOTE)


def _group(ctx: Reading, probe: FrameworkSchedule, run: YoloWarmup, bias: bool,
           name: str, *, first: bool) -> FrameworkSchedule:
    out = FrameworkSchedule(run.dialect, name, probe.node, None, notes=list(probe.notes),
                            unresolved=list(probe.unresolved),
                            findings=list(probe.findings) if first else [])
    total = run.epochs * run.nb
    out.horizon = total
    lr = run.lr_fn(bias)
    lr0 = run.lr0
    warmup_end = run.nw + (0 if run.dialect == ULTRALYTICS else 1)
    decay = "cosine" if run.cos_lr else "linear"
    phases = ((0, "warmup"), (warmup_end, f"{decay} lf")) if warmup_end > 0 else \
        ((0, f"{decay} lf"),)
    params = {"lr0": lr0, "lrf": run.lrf, "epochs": run.epochs, "nw": run.nw, "nb": run.nb,
              "start": run.warmup_bias_lr if bias else 0.0}
    spec = f"{run.dialect} {name}(" + ", ".join(f"{k}={fmt(v)}" for k, v in params.items()) + ")"
    # the trainers set x["lr"] themselves (np.interp, LambdaLR): the LR, never lr0 x factor
    lr_plan(out, lr, lr0, Unit.ITER, f"{run.dialect} {decay} lf", spec,
            origin=ORIGINS[run.dialect], warmup=min(warmup_end, total), total=total,
            phases=phases, source=f"{ctx.doc.path} [{run.dialect} {name}]",
            extra={"framework": run.dialect, "group": name, "params": params,
                   RECIPE_DIPS: "the warmup aims at initial_lr x lf(epoch), which drops at "
                   "every epoch boundary (the trainer's design, not the config's)"})
    warmup_node = ctx.doc.root.get("warmup_epochs")
    if not bias:
        zero_lr_start(out, lr, warmup_end, warmup_node, Unit.ITER, scan=1,
                      policy=zero_share_severity_lowered, message=lambda zeros, of: (
                          f"{first_updates_run(zeros, 'iteration')} at LR 0, {zeros} of the "
                          f"{of} warmup iterations: the weight and BatchNorm groups ramp up "
                          "from 0.0 (np.interp from [0, nw])"))
    if run.dialect == YOLOV5:
        warmup_vs_run(out, run.nw, total, warmup_node, None, Unit.ITER, noun="iteration",
                      message=(f"the warmup (max(round(warmup_epochs x {run.nb}), 100) = "
                               f"{run.nw} iterations) is not shorter than the run ({run.epochs} "
                               f"epochs x {run.nb} = {total} iterations)"))
    return out


def _read_yolov5(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    return read(doc, facts, dialect=YOLOV5) if detect(doc) else []


def _read_ultralytics(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    return read(doc, facts, dialect=ULTRALYTICS) if detect(doc) else []


READER = register(Reader(ULTRALYTICS, lambda doc: _dialect(doc.root) == ULTRALYTICS,
                         _read_ultralytics))
YOLOV5_READER = register(Reader(YOLOV5, lambda doc: _dialect(doc.root) == YOLOV5, _read_yolov5))
