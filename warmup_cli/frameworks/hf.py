"""HF Trainer reader: ``TrainingArguments`` YAML/JSON (TRL, LLaMA-Factory) and axolotl configs.

The schedule is what ``Trainer.create_scheduler`` builds:
``get_scheduler(lr_scheduler_type, optimizer, num_warmup_steps=args.get_warmup_steps(N),
num_training_steps=N, scheduler_specific_kwargs=lr_scheduler_kwargs)``
(huggingface/transformers ``src/transformers/trainer.py``, ``optimization.py``). The factor
functions are transcribed in :mod:`warmup_cli.frameworks.upstream.transformers_optimization`;
``learning_rate * f(k)`` is the LR LambdaLR gives update ``k`` bit for bit.

Two dialects share these semantics:

* ``transformers`` (TrainingArguments, TRL, LLaMA-Factory): ``lr_scheduler_type`` (default
  ``"linear"``), ``num_train_epochs``; warmup from ``warmup_steps`` / ``warmup_ratio``.
* ``axolotl`` (the ``lr_scheduler`` key): axolotl fills TrainingArguments itself
  (axolotl-ai-cloud/axolotl ``src/axolotl/core/builders/base.py``): an empty ``lr_scheduler``
  becomes ``"cosine"`` (not transformers' ``"linear"``); ``warmup_ratio`` becomes
  ``int(ratio * N)`` (floor, not ceil); with neither warmup key it adds
  ``min(int(0.03 * N), 100)`` warmup steps; a warmup of exactly 1 step becomes 2.

Run length N (``num_training_steps``) -- the policy:

* ``max_steps > 0``: N = max_steps (it overrides the epochs, ``TrainingArguments.max_steps``).
* otherwise N = ``ceil(num_train_epochs * updates_per_epoch)`` (``Trainer.
  set_initial_training_values``), which needs the dataset size.
  ``read(doc, RunFacts(updates_per_epoch=n))`` supplies the updates per epoch, or
  ``RunFacts(total_steps=N)`` the run length itself
  (``warmup lint --horizon N``); without either N is unresolved with the reason
  :data:`UNKNOWN_RUN_LENGTH`.
  The plan is still built when neither the formula nor the warmup needs N (``constant``,
  ``constant_with_warmup``, ``inverse_sqrt``, the metric-driven types, ``warmup_stable_decay``
  with ``num_stable_steps``, all with an integer ``warmup_steps`` or no warmup); the horizon
  then stays unknown.

Warmup steps W:

* ``warmup_steps >= 1``: ``int(warmup_steps)``.
* ``0 < warmup_steps < 1``: a ratio in transformers >= 5 (``TrainingArguments.
  get_warmup_steps``: ``int(w) if w >= 1 else ceil(N * w)``), noted, since 4.x expects an int.
* ``warmup_ratio``: ``ceil(N * ratio)`` (4.x ``get_warmup_steps``; 5.0-5.1 copy the ratio into
  ``warmup_steps``; 5.2 removed the argument, noted). When both are set, 4.x uses
  ``warmup_steps`` and so does this reader (noted).

Checks (``Finding`` codes; the rule's default severity unless said):

* WU301, at the warmup key: the warmup is at least as long as the run (W >= N).
* WU302, at the warmup key: leading updates run at LR 0 (every HF warmup has factor 0 at step
  0; ``cosine_warmup_with_min_lr`` does not). The generic scale (error >= 25 % of the warmup,
  warning >= 1 %, else note) lowered one level (``kit.zero_share_severity_lowered``): the zero
  first update is how every HF warmup is defined (transformers#34754) and users pick it
  knowingly; it is worth more than a note only when the warmup is so short that the lost
  update is a large part of it (e.g. 2 warmup steps).
* WU303, at the warmup key / the empty key: the warmup is ignored (``constant``,
  ``reduce_lr_on_plateau`` or ``greedy`` with a warmup), or an empty scheduler key with a
  warmup (the implicit default schedule gets it).
* WU305, at max_steps: ``max_steps > 0`` and the epochs both set (max_steps wins).
* WU306, at num_cycles: a cosine with ``num_cycles != 0.5`` rises again, or never reaches its
  floor.
* WU307, at the kwargs: ``warmup_stable_decay`` ends after max_steps.
* WU308, at the value: an error for what transformers rejects (unknown scheduler name,
  non-number, bad kwargs), a note for axolotl-only schedulers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmup_cli.configs.torch_script import imports_torch
from warmup_cli.frameworks.kit import (
    FactorFn,
    FrameworkSchedule,
    Reader,
    Reading,
    first_updates_run,
    fmt,
    integral,
    key_of,
    ordered_phases,
    plan,
    plural,
    register,
    shown,
    spec_text,
    unread_schedule_keys,
    warmup_vs_run,
    zero_lr_start,
    zero_share_severity_lowered,
)
from warmup_cli.frameworks.upstream import axolotl_schedulers as axolotl
from warmup_cli.frameworks.upstream.transformers_optimization import (
    METRIC_DRIVEN,
    SCHEDULER_KWARGS,
    WARMUP_IGNORED,
    WSD_SHAPES,
    constant_lambda,
    constant_with_warmup_lambda,
    cosine_lambda,
    cosine_restarts_lambda,
    cosine_warmup_min_lr_lambda,
    inverse_sqrt_lambda,
    linear_lambda,
    needs_training_steps,
    polynomial_lambda,
    wsd_lambda,
)
from warmup_cli.schedule import Origin
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "hf"
# get_scheduler builds a LambdaLR over these lambdas: LR = base * lr_lambda(k), LambdaLR's own
ORIGIN = Origin("transformers' lr_lambda", "transformers/optimization.py", "transformers 5.24.0")
DEFAULT_LR = 5e-5  # TrainingArguments.learning_rate
DEFAULT_EPOCHS = 3.0  # TrainingArguments.num_train_epochs
UNKNOWN_RUN_LENGTH = ("the run length depends on the dataset size: set max_steps, or pass the "
                      "run length (--steps, lint's --horizon) or --updates-per-epoch")

# SchedulerType values (src/transformers/trainer_utils.py, transformers 5.24.0).
SCHEDULER_TYPES: tuple[str, ...] = (
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant",
    "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr",
    "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy",
)
# axolotl's own schedulers (a cosine is registered with transformers and axolotl swaps it).
_AXOLOTL_ONLY = frozenset({"one_cycle", "rex", "log_sweep"})


# --- detection -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dialect:
    name: str  # "transformers", "axolotl" or "open-instruct"
    scheduler_key: str
    epochs_key: str
    default_scheduler: str
    steps_key: str = "max_steps"
    default_lr: float = DEFAULT_LR
    default_epochs: float = DEFAULT_EPOCHS


_TRANSFORMERS = _Dialect("transformers", "lr_scheduler_type", "num_train_epochs", "linear")
_AXOLOTL = _Dialect("axolotl", "lr_scheduler", "num_epochs", "cosine")
# allenai/open-instruct open_instruct/finetune.py FlatArguments (and dpo_tune_cache.py, which
# spells the epochs num_epochs): it calls get_scheduler itself (see _open_instruct_*).
_OPEN_INSTRUCT = _Dialect("open-instruct", "lr_scheduler_type", "num_train_epochs", "linear",
                          steps_key="max_train_steps", default_lr=2e-5, default_epochs=2)

# Keys that mark a TrainingArguments-like file (top level only).
_HF_KEYS = frozenset({"lr_scheduler_type", "warmup_ratio", "warmup_steps", "num_train_epochs",
                      "per_device_train_batch_size", "gradient_accumulation_steps",
                      "lr_scheduler_kwargs", "max_steps"})
_AXOLOTL_KEYS = frozenset({"base_model", "micro_batch_size", "num_epochs", "sequence_len",
                           "datasets", "adapter"})
# Keys only open-instruct's argument dataclasses have (TrainingArguments spells max_steps,
# save_steps, report_to).
_OPEN_INSTRUCT_KEYS = frozenset({"max_train_steps", "with_tracking", "checkpointing_steps",
                                 "dataset_mixer", "dataset_mixer_list", "use_slow_tokenizer",
                                 "keep_last_n_checkpoints", "use_flash_attn", "final_lr_ratio"})


def _scalar_or_missing(node: Node | None) -> bool:
    return node is None or (node.as_mapping() is None and node.as_sequence() is None)


def _dialect(root: Node) -> _Dialect | None:
    keys = set(root.as_mapping() or ())
    if keys & _OPEN_INSTRUCT_KEYS and keys & {"lr_scheduler_type", "learning_rate"} and \
            _scalar_or_missing(root.get("lr_scheduler_type")):
        return _OPEN_INSTRUCT
    if "lr_scheduler_type" in keys and _scalar_or_missing(root.get("lr_scheduler_type")):
        return _TRANSFORMERS
    # axolotl's lr_scheduler is a name (or empty); Lightning CLI's is a class_path mapping.
    if "lr_scheduler" in keys and _scalar_or_missing(root.get("lr_scheduler")) and \
            keys & _AXOLOTL_KEYS:
        return _AXOLOTL
    if "learning_rate" in keys and _scalar_or_missing(root.get("learning_rate")):
        if keys & _AXOLOTL_KEYS and "lr_scheduler" not in keys:
            return _AXOLOTL  # axolotl without a scheduler key: its default applies
        if keys & _HF_KEYS:
            return _TRANSFORMERS
    return None


def detect(doc: Document) -> bool:
    """A top-level ``lr_scheduler_type``, or ``learning_rate`` beside TrainingArguments keys, or
    axolotl's scalar ``lr_scheduler`` beside axolotl keys; never a training script (a ``.py``
    that imports torch: its globals are variables, not TrainingArguments keys)."""
    return _dialect(doc.root) is not None and not imports_torch(doc)


# --- reading ---------------------------------------------------------------------------------


def _yaml11_note(label: str, node: Node, number: float | int) -> str:
    # PyYAML (YAML 1.1) reads 2e-05 as a str; HfArgumentParser.parse_yaml_file hands such
    # strings to TrainingArguments unchanged.
    return (f"{label}: {node.value} is a string under YAML 1.1 (PyYAML) and was read as "
            f"{fmt(number)}; loaders that keep it a string fail on it: write it with a dot and "
            "a signed exponent, e.g. 2.0e-05")


@dataclass(frozen=True)
class _Run:
    """The run length N (None: unknown) and the key it comes from; an unknown N is reported
    there (at the scheduler key when no key sets it)."""

    total: int | None
    node: Node | None


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The HF Trainer schedule of ``doc`` (one per file); ``facts.updates_per_epoch`` is the
    number of optimizer updates per epoch and ``facts.total_steps`` the run length N itself,
    both used only when ``max_steps`` is not set (the updates per epoch win when both are
    given)."""
    dialect = _dialect(doc.root)
    if dialect is None:
        return []
    key = dialect.scheduler_key
    result = FrameworkSchedule(FRAMEWORK, key, doc.root.get(key) or doc.root, None)
    ctx = Reading(doc, result, yaml11=_yaml11_note)
    _read_schedule(ctx, dialect, facts)
    unread_schedule_keys(ctx, doc.root, _READ_KEYS | {dialect.scheduler_key}, dialect.name)
    return [result]


# Every top-level key the dialects read (the rest that look like schedule settings are noted).
_READ_KEYS = frozenset({
    "learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_steps", "warmup_ratio",
    "max_steps", "num_train_epochs", "num_epochs", "max_train_steps", "final_lr_ratio",
    "lr_quadratic_warmup", "cosine_min_lr_ratio", "cosine_constant_lr_ratio"})


def _read_schedule(ctx: Reading, dialect: _Dialect, facts: RunFacts) -> None:
    root = ctx.doc.root
    warmup_steps = ctx.number(root, "warmup_steps", None)
    warmup_ratio = ctx.number(root, "warmup_ratio", None)
    warmup_node = (root.get("warmup_steps") if warmup_steps else
                   root.get("warmup_ratio") if warmup_ratio else None)
    name = _scheduler_name(ctx, dialect, warmup_node)
    lr = _learning_rate(ctx, root, dialect)
    kwargs = _scheduler_kwargs(ctx, root.get("lr_scheduler_kwargs"))
    run = _run_length(ctx, dialect, root, facts)
    ctx.out.horizon = run.total
    if name is None:
        return
    given_kwargs = kwargs
    kwargs = _what_the_type_ignores(ctx, dialect, name, warmup_node, kwargs)
    if name == PLATEAU_TYPE:
        _plateau(ctx, dialect, given_kwargs, lr)
        return
    warmup = _warmup_steps(ctx, dialect, name, run, warmup_steps, warmup_ratio)
    scheduled = (_open_instruct_total(ctx, name, warmup, run.total)
                 if dialect is _OPEN_INSTRUCT and run.total is not None else None)
    if ctx.failed or lr is None:
        return
    own = _axolotl_cosine(ctx, warmup, run) if dialect is _AXOLOTL and name == "cosine" \
        else None
    if ctx.failed:
        return
    built = _build(ctx, name, warmup, run, kwargs, lr, scheduled, own)
    if built is not None:
        ctx.out.plan = plan(ctx.out, built.fn, (lr,), Unit.STEP, f"hf {name}",
                            spec_text(f"hf {name}", built.params), warmup=warmup,
                            total=built.length, phases=built.phases,
                            source=f"{ctx.doc.path} [{dialect.name} {name}]",
                            extra={"framework": FRAMEWORK, "type": name, "params": built.params},
                            origin=ORIGIN)
        _check(ctx, built, name, warmup, run, warmup_node)


def _scheduler_name(ctx: Reading, dialect: _Dialect, warmup_node: Node | None) -> str | None:
    key, default = dialect.scheduler_key, dialect.default_scheduler
    node = ctx.doc.root.get(key)
    if node is None:
        ctx.note(f"{key} is not set: {dialect.name}'s default {default!r} applies")
        return default
    if node.value is None or node.as_str() == "":
        ctx.note(f"{key} is empty: {dialect.name} uses its default {default!r}"
                 + (" (transformers itself rejects a null lr_scheduler_type)"
                    if dialect is _TRANSFORMERS else ""))
        if warmup_node is not None:
            ctx.finding(Code.WU303, f"{key} is empty, so the warmup "
                        f"({key_of(warmup_node)} {fmt(warmup_node.value)}) goes to the "
                        f"implicit default schedule {default!r}: name the scheduler", node)
        return default
    value = node.as_str()
    if not ctx.usable(node, key):
        return None
    if value is None:
        ctx.reject(node, f"{key} is {shown(node)}, not a scheduler name")
    elif dialect is _AXOLOTL and value in _AXOLOTL_ONLY:
        ctx.finding(Code.WU308, f"{key} {value!r} is axolotl's own scheduler, which warmup_cli "
                    "does not model", node, Severity.NOTE)
        ctx.unresolved(node, f"axolotl's {value!r} scheduler is not modelled")
    elif value not in SCHEDULER_TYPES:
        ctx.reject(node, f"{key} {value!r} is not a transformers SchedulerType (one of "
                   f"{', '.join(SCHEDULER_TYPES)})")
    else:
        return value
    return None


def _learning_rate(ctx: Reading, root: Node, dialect: _Dialect) -> float | None:
    # transformers builds a torch optimizer with it, and torch refuses a negative LR.
    lr = ctx.number(root, "learning_rate", None, low=0,
                    consequence="the optimizer refuses a negative learning rate")
    node = root.get("learning_rate")
    if node is None or node.value is None:
        ctx.note(f"learning_rate is not set: the {dialect.name} default "
                 f"{dialect.default_lr!r} applies")
        return dialect.default_lr
    return lr


def _scheduler_kwargs(ctx: Reading, node: Node | None) -> dict[str, object]:
    if node is None or node.value is None or not ctx.usable(node, "lr_scheduler_kwargs"):
        return {}
    text, children = node.as_str(), node.as_mapping()
    if text is not None:
        return _json_kwargs(ctx, node, text)
    if children is None:
        ctx.reject(node, f"lr_scheduler_kwargs is {shown(node)}, not a mapping")
        return {}
    kwargs: dict[str, object] = {}
    for name, child in children.items():
        label = f"lr_scheduler_kwargs.{name}"
        if not ctx.usable(child, label):
            continue
        if child.as_mapping() is not None or child.as_sequence() is not None:
            ctx.reject(child, f"{label} is {shown(child)}")
        elif child.as_str() is not None and child.as_number() is not None:
            kwargs[name] = ctx.number(child, None, None, label=label)
        else:
            kwargs[name] = child.value
    return kwargs


def _json_kwargs(ctx: Reading, node: Node, text: str) -> dict[str, object]:
    # TrainingArguments.__post_init__ json.loads strings that start with "{" and converts
    # "true"/"false"/number strings (_convert_str_dict).
    if not text.strip():
        return {}
    if not text.startswith("{"):
        ctx.reject(node, "lr_scheduler_kwargs is a string that is not a JSON object")
        return {}
    try:
        loaded = json.loads(text)
    except ValueError as exc:
        ctx.reject(node, f"lr_scheduler_kwargs is not valid JSON: {exc}")
        return {}
    return {str(k): _converted(v) for k, v in loaded.items()}


def _converted(value: object) -> object:
    # transformers training_args._convert_str_dict: "true"/"false" -> bool, digits -> int,
    # other number strings -> float.
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        if value.isdigit():
            return int(value)
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _run_length(ctx: Reading, dialect: _Dialect, root: Node, facts: RunFacts) -> _Run:
    steps_key = dialect.steps_key
    max_steps_node = root.get(steps_key)
    max_steps = ctx.number(max_steps_node, None, None, label=steps_key)
    epochs_key = dialect.epochs_key if root.get(dialect.epochs_key) else "num_train_epochs"
    if dialect is _OPEN_INSTRUCT and root.get("num_epochs") is not None:
        epochs_key = "num_epochs"  # dpo_tune_cache.py's spelling
    epochs_node = root.get(epochs_key)
    epochs = ctx.number(epochs_node, None, dialect.default_epochs, label=epochs_key)
    if max_steps_node is not None and max_steps is not None and max_steps > 0:
        steps = integral(max_steps)
        if steps is None:
            ctx.reject(max_steps_node, f"{steps_key} {max_steps!r} is not an integer")
        elif epochs_node is not None and epochs_node.value is not None:
            ctx.finding(Code.WU305, f"{steps_key} {steps} and {epochs_key} "
                        f"{fmt(epochs_node.value)} are both set: {steps_key} wins, the epoch "
                        "count is ignored", max_steps_node)
        return _Run(steps, max_steps_node)
    per_epoch, total = facts.updates_per_epoch, facts.total_steps
    if per_epoch is not None and per_epoch > 0:
        # Trainer.set_initial_training_values: max_steps = ceil(num_train_epochs * updates)
        total = math.ceil(epochs * per_epoch)
        ctx.note(f"run length {total} = ceil({fmt(epochs)} epochs x {per_epoch} updates "
                 "per epoch) (updates per epoch supplied by the caller)")
    elif total is not None and total > 0:
        # The caller knows N (lint's --horizon): Trainer would compute it from the dataset.
        ctx.note(f"run length {total} supplied by the caller (the config leaves it to "
                 "the dataset size)")
    else:
        total = None
    return _Run(total, epochs_node)


def _what_the_type_ignores(ctx: Reading, dialect: _Dialect, name: str, warmup_node: Node | None,
                           kwargs: dict[str, object]) -> dict[str, object]:
    """Findings and notes on the settings ``name`` does not use; the kwargs get_scheduler
    passes on."""
    if name in WARMUP_IGNORED and warmup_node is not None:
        ctx.finding(Code.WU303, f"lr_scheduler {name!r} ignores the warmup "
                    f"({key_of(warmup_node)} {fmt(warmup_node.value)}): get_scheduler builds "
                    f"it without num_warmup_steps"
                    + ("; use constant_with_warmup" if name == "constant" else ""), warmup_node)
    if name in METRIC_DRIVEN:
        ctx.note(f"{name} changes the LR from evaluation metrics; shown as the constant "
                 "learning_rate it starts from")
        return {}  # ReduceLROnPlateau / GreedyLR arguments: metric behaviour, not shown
    if name in ("constant", "constant_with_warmup") and kwargs:
        ctx.note(f"lr_scheduler_kwargs are ignored by {name} (get_scheduler does not pass them)")
        return {}
    return kwargs


# --- warmup steps W: TrainingArguments.get_warmup_steps, axolotl core/builders ---------------


def _warmup_steps(ctx: Reading, dialect: _Dialect, name: str, run: _Run,
                  warmup_steps: float | int | None, warmup_ratio: float | int | None) -> int:
    """W as Trainer computes it; 0 with ``ctx.failed`` set when it needs an unknown N."""
    root = ctx.doc.root
    steps_node, ratio_node = root.get("warmup_steps"), root.get("warmup_ratio")
    if warmup_steps is not None and warmup_steps < 0 and steps_node is not None:
        ctx.reject(steps_node, f"warmup_steps {warmup_steps!r} is negative "
                   "(TrainingArguments raises ValueError)")
        return 0
    if warmup_ratio is not None and warmup_ratio < 0 and ratio_node is not None:
        ctx.reject(ratio_node, f"warmup_ratio {warmup_ratio!r} is negative")
        return 0
    if warmup_ratio and dialect is _TRANSFORMERS:
        ctx.note("warmup_ratio was deprecated in transformers 5.0 and removed in 5.2 "
                 "(TrainingArguments rejects it there): write warmup_steps: <ratio> instead")
    if warmup_steps and warmup_ratio:
        ctx.note("warmup_steps and warmup_ratio are both set: transformers 4.x and axolotl use "
                 "warmup_steps (shown), transformers 5.0-5.1 use warmup_ratio")
    ignored = name in WARMUP_IGNORED
    if dialect is _OPEN_INSTRUCT:
        return _open_instruct_warmup(ctx, run, warmup_ratio, ignored)
    warmup: int | None = 0
    if warmup_steps is not None and (warmup_steps or dialect is _AXOLOTL):
        warmup = _from_warmup_steps(ctx, run, warmup_steps, steps_node, ignored)
    elif warmup_ratio:
        # transformers: math.ceil(N * ratio); axolotl: max(int(warmup_ratio * N), 0)
        warmup = _share(ctx, run, warmup_ratio, ratio_node, ignored,
                        ceil=dialect is _TRANSFORMERS)
    elif dialect is _AXOLOTL:
        warmup = _axolotl_default_warmup(ctx, run, ignored)
    if warmup == 1 and dialect is _AXOLOTL:
        warmup = 2  # axolotl core/builders: "if warmup_steps == 1: warmup_steps = 2"
        ctx.note("axolotl turns a 1-step warmup into 2 steps")
    return warmup or 0


# --- axolotl's own cosines: core/trainers/mixins/scheduler.py create_scheduler ------------------


def _axolotl_ratio(ctx: Reading, key: str) -> float | None:
    """A ratio axolotl asserts is in [0, 1] (None: unset, or 0, which axolotl treats as unset)."""
    value = ctx.number(ctx.doc.root, key, None, low=0, high=1,
                       consequence="axolotl's assertion fails")
    return float(value) if value else None


def _axolotl_cosine(ctx: Reading, warmup: int, run: _Run
                    ) -> tuple[FactorFn, str, dict[str, object]] | None:
    """The scheduler axolotl builds instead of transformers' cosine, if any (see
    :mod:`.upstream.axolotl_schedulers`); the run length N is required by all three."""
    root = ctx.doc.root
    quadratic = ctx.flag(root, "lr_quadratic_warmup", None) is True
    min_ratio = _axolotl_ratio(ctx, "cosine_min_lr_ratio")
    constant = _axolotl_ratio(ctx, "cosine_constant_lr_ratio")
    if ctx.failed or not (quadratic or min_ratio):
        return None
    if run.total is None:
        ctx.unresolved(run.node or ctx.out.node, f"{UNKNOWN_RUN_LENGTH} (axolotl's cosine "
                       "decays over it)")
        return None
    total = run.total
    if quadratic:
        if min_ratio:
            ctx.note("lr_quadratic_warmup and cosine_min_lr_ratio are both set: axolotl uses "
                     "the quadratic warmup (and no floor)")
        return (axolotl.cosine_quadratic_warmup_lambda(warmup, total),
                "cosine decay (axolotl, quadratic warmup)", {"quadratic_warmup": True})
    assert min_ratio is not None
    if constant:
        ctx.note(f"axolotl get_cosine_schedule_with_warmup_decay_constant: the cosine ends at "
                 f"int({total} x {fmt(constant)}) = {int(total * constant)} and holds "
                 f"{fmt(min_ratio)} x learning_rate after")
        return (axolotl.cosine_decay_constant_lambda(warmup, total, constant, min_ratio),
                "cosine decay (axolotl, then constant)",
                {"min_lr_ratio": min_ratio, "constant_lr_ratio": constant})
    return (axolotl.cosine_min_lr_lambda(warmup, total, min_ratio),
            "cosine decay (axolotl, min lr)", {"min_lr_ratio": min_ratio})


# --- open-instruct: finetune.py _create_scheduler, dpo_tune_cache.py ----------------------------


OPEN_INSTRUCT_WARMUP_RATIO = 0.03  # finetune.py FlatArguments.warmup_ratio


def _open_instruct_warmup(ctx: Reading, run: _Run, warmup_ratio: float | int | None,
                          ignored: bool) -> int:
    """``num_warmup_steps = int(num_training_steps * args.warmup_ratio)``: floored, where the
    Trainer rounds up; open-instruct has no warmup_steps argument."""
    root = ctx.doc.root
    if root.get("warmup_steps") is not None:
        ctx.note("warmup_steps is not an open-instruct argument (it sizes the warmup with "
                 "warmup_ratio only): ignored")
    ratio = OPEN_INSTRUCT_WARMUP_RATIO if warmup_ratio is None else warmup_ratio
    if warmup_ratio is None:
        ctx.note(f"warmup_ratio is not set: open-instruct's default {ratio} applies")
    if not ratio:
        return 0
    node = root.get("warmup_ratio") or ctx.out.node
    warmup = _share(ctx, run, ratio, node, ignored, ceil=False)
    if warmup is not None and run.total is not None:
        ctx.note(f"open-instruct: num_warmup_steps = int({run.total} x {fmt(ratio)}) = "
                 f"{warmup} (floored; the HF Trainer would round up)")
    return warmup or 0


def _open_instruct_total(ctx: Reading, name: str, warmup: int, total: int) -> float:
    """The num_training_steps open-instruct passes: with ``final_lr_ratio`` r (linear only),
    ``(N - r * W) / (1 - r)``, so that the linear decay ends at r x learning_rate at step N."""
    if ctx.doc.root.get("max_train_steps") is not None:
        ctx.note("with max_train_steps, open-instruct sizes the scheduler for max_train_steps x "
                 "the number of processes and accelerate steps it once per process: shown for "
                 "one process")
    node = ctx.doc.root.get("final_lr_ratio")
    ratio = ctx.number(node, None, None, label="final_lr_ratio", low=0, high=1,
                       consequence="FlatArguments raises ValueError")
    if ratio is None:
        return total
    if name != "linear":
        assert node is not None
        ctx.reject(node, "final_lr_ratio is only implemented for linear schedulers "
                   "(open-instruct raises NotImplementedError)")
        return total
    scaled = (total - ratio * warmup) / (1 - ratio)
    ctx.note(f"final_lr_ratio {fmt(ratio)}: get_scheduler gets num_training_steps = ({total} - "
             f"{fmt(ratio)} x {warmup}) / (1 - {fmt(ratio)}) = {fmt(scaled)}")
    return scaled


def _from_warmup_steps(ctx: Reading, run: _Run, warmup_steps: float | int, node: Node | None,
                       ignored: bool) -> int | None:
    if warmup_steps >= 1:
        warmup = int(warmup_steps)  # TrainingArguments.get_warmup_steps: int(w) if w >= 1
        if warmup != warmup_steps:
            ctx.note(f"warmup_steps {warmup_steps!r} is truncated to {warmup}")
        return warmup
    if warmup_steps == 0:
        return 0
    shared = _share(ctx, run, warmup_steps, node, ignored, ceil=True)
    what = f"ceil(N x {warmup_steps!r})" + ("" if shared is None else f" = {shared}")
    ctx.note(f"warmup_steps {warmup_steps!r} < 1 is a ratio of the run in transformers "
             f">= 5 ({what}); transformers 4.x expects an integer step count")
    return shared


def _share(ctx: Reading, run: _Run, ratio: float, node: Node | None, ignored: bool, *,
           ceil: bool) -> int | None:
    if run.total is None:
        if not ignored and node is not None:
            ctx.unresolved(run.node or ctx.out.node, f"{UNKNOWN_RUN_LENGTH} ({key_of(node)} "
                           f"{fmt(node.value)} is a share of it)")
        return None
    # transformers get_warmup_steps: math.ceil(N * ratio); axolotl: int(ratio * N)
    return math.ceil(run.total * ratio) if ceil else max(int(ratio * run.total), 0)


def _axolotl_default_warmup(ctx: Reading, run: _Run, ignored: bool) -> int | None:
    # axolotl adds min(int(0.03 * N), 100) warmup steps when neither key is set
    if run.total is None:
        if not ignored:
            ctx.unresolved(run.node or ctx.out.node, f"{UNKNOWN_RUN_LENGTH} (axolotl's default "
                           "warmup min(int(0.03 * N), 100) needs it)")
        return None
    warmup = min(int(0.03 * run.total), 100)
    if warmup:
        ctx.note(f"no warmup key: axolotl adds min(int(0.03 x {run.total}), 100) = {warmup} "
                 "warmup steps")
    return warmup


# --- the schedule get_scheduler builds -------------------------------------------------------

Phases = list[tuple[int, str]]


@dataclass(frozen=True)
class _Built:
    fn: FactorFn
    length: int | None  # the schedule's own length (None: it runs on)
    params: dict[str, object]
    phases: tuple[tuple[int, str], ...]


class _Kwargs:
    """lr_scheduler_kwargs as get_scheduler passes them to the type's function; a value that
    is not a number where the function computes with it is a WU308 error at the kwargs key."""

    def __init__(self, ctx: Reading, values: dict[str, object]) -> None:
        self.ctx = ctx
        self.values = values
        self.node = ctx.doc.root.get("lr_scheduler_kwargs") or ctx.out.node

    def number(self, key: str, default: float | None) -> float | None:
        value = self.values.get(key, default)
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return value
        self.reject(f"lr_scheduler_kwargs.{key} is {value!r}, not a number")
        return None

    def reject(self, message: str) -> None:
        self.ctx.reject(self.node, message)


def _build(ctx: Reading, name: str, warmup: int, run: _Run, kwargs: dict[str, object],
           lr: float, scheduled: float | None = None,
           own: tuple[FactorFn, str, dict[str, object]] | None = None) -> _Built | None:
    """``scheduled``: the num_training_steps get_scheduler gets when it is not N (open-instruct's
    final_lr_ratio); ``own``: the factor, phase and parameters of a scheduler that replaces
    get_scheduler's (axolotl's cosines)."""
    kw = _Kwargs(ctx, kwargs)
    unknown = sorted(set(kwargs) - SCHEDULER_KWARGS.get(name, frozenset()))
    if unknown and name not in ("constant", "constant_with_warmup", *METRIC_DRIVEN):
        kw.reject(f"lr_scheduler_kwargs {', '.join(unknown)} not accepted by {name} "
                  "(transformers raises TypeError)")
        return None
    needs_total = needs_training_steps(name, kwargs.get("num_stable_steps"))
    if needs_total and run.total is None:
        ctx.unresolved(run.node or ctx.out.node, f"{UNKNOWN_RUN_LENGTH} ({name} decays over it)")
        return None
    params: dict[str, object] = {"warmup": warmup}
    if needs_total:
        params["total"] = run.total
    params.update(kwargs)
    n = run.total if run.total is not None else 0
    made: tuple[FactorFn, Phases, int | None] | None
    if own is not None:
        params.update(own[2])
        made = (own[0], _after_warmup(warmup, own[1]), run.total)
    elif scheduled is not None and scheduled != n and name == "linear":
        params["num_training_steps"] = scheduled
        made = (linear_lambda(warmup, scheduled), _after_warmup(warmup, "linear decay"),
                run.total)
    elif name == "warmup_stable_decay":
        made = _wsd(kw, warmup, run.total, params)
    elif needs_total:
        decay = _decay_factor(kw, name, warmup, n, lr, params)
        made = None if decay is None else (decay[0], _after_warmup(warmup, decay[1]), run.total)
    else:
        made = _open_factor(kw, name, warmup, params)
    if made is None or ctx.failed:
        return None
    fn, phases, length = made
    if run.total is not None and length is not None and name != "warmup_stable_decay":
        # The Trainer stops after N updates: nothing that starts later is shown as a phase.
        phases = [(start, label) for start, label in phases if start < run.total]
        phases.append((run.total, "after max_steps"))
    return _Built(fn, length, params, ordered_phases(phases))


def _after_warmup(warmup: int, label: str) -> Phases:
    return [(0, "warmup"), (warmup, label)] if warmup > 0 else [(warmup, label)]


def _decay_factor(kw: _Kwargs, name: str, warmup: int, total: int, lr: float,
                  params: dict[str, object]) -> tuple[FactorFn, str] | None:
    """The types that decay over N, with the phase after their warmup."""
    if name == "linear":
        return linear_lambda(warmup, total), "linear decay"
    if name == "polynomial":
        lr_end, power = kw.number("lr_end", 1e-7), kw.number("power", 1.0)
        if lr_end is None or power is None:
            return None
        if not lr > lr_end:  # get_polynomial_decay_schedule_with_warmup raises
            kw.reject(f"lr_end ({lr_end!r}) must be smaller than the learning_rate ({lr!r}): "
                      "transformers raises ValueError")
            return None
        return polynomial_lambda(warmup, total, lr_end, power, lr), "polynomial decay"
    if name == "cosine_with_restarts":
        cycles = kw.number("num_cycles", 1)
        return None if cycles is None else (cosine_restarts_lambda(warmup, total, cycles),
                                            "cosine restarts")
    cycles = kw.number("num_cycles", 0.5)
    if name == "cosine":
        return None if cycles is None else (cosine_lambda(warmup, total, cycles), "cosine decay")
    rate = _min_lr_rate(kw, lr)
    if cycles is None or rate is None:
        return None
    fn = cosine_lambda(warmup, total, cycles, rate)
    if name == "cosine_warmup_with_min_lr":
        warmup_rate = kw.number("warmup_lr_rate", None)
        fn = cosine_warmup_min_lr_lambda(warmup, total, cycles, rate, warmup_rate)
    params["min_lr_rate"] = rate
    return fn, "cosine decay"


def _open_factor(kw: _Kwargs, name: str, warmup: int, params: dict[str, object]
                 ) -> tuple[FactorFn, Phases, int | None] | None:
    """The types whose factor does not depend on N."""
    if name == "constant_with_warmup":
        return constant_with_warmup_lambda(warmup), _after_warmup(warmup, "constant"), warmup
    if name == "inverse_sqrt":
        timescale = kw.number("timescale", None)
        if timescale is None:
            timescale = warmup or 10_000  # get_inverse_sqrt_schedule: num_warmup_steps or 10_000
        elif timescale == 0:
            kw.reject("timescale 0 divides by zero")
            return None
        params["timescale"] = timescale
        return (inverse_sqrt_lambda(warmup, timescale),
                _after_warmup(warmup, "inverse sqrt decay"), None)
    return constant_lambda(), [], None  # constant and the metric-driven types


def _min_lr_rate(kw: _Kwargs, lr: float) -> float | None:
    # get_cosine_with_min_lr_schedule_with_warmup(_lr_rate): exactly one of min_lr / min_lr_rate
    has_lr = kw.values.get("min_lr") is not None
    has_rate = kw.values.get("min_lr_rate") is not None
    if has_lr and has_rate:
        kw.reject("only one of min_lr and min_lr_rate may be set (transformers raises "
                  "ValueError)")
    elif has_lr:
        min_lr = kw.number("min_lr", None)
        return None if min_lr is None else min_lr / lr  # min_lr / optimizer.defaults["lr"]
    elif has_rate:
        return kw.number("min_lr_rate", None)
    else:
        kw.reject("one of min_lr or min_lr_rate must be set in lr_scheduler_kwargs "
                  "(transformers raises ValueError)")
    return None


def _wsd(kw: _Kwargs, warmup: int, total: int | None, params: dict[str, object]
         ) -> tuple[FactorFn, Phases, int] | None:
    # get_wsd_schedule: num_decay_steps is required; num_stable_steps defaults to
    # N - W - D; warmup_type "linear", decay_type "cosine", min_lr_ratio 0, num_cycles 0.5.
    ctx = kw.ctx
    decay = kw.number("num_decay_steps", None)
    if decay is None:
        if not ctx.failed:
            kw.reject("warmup_stable_decay needs lr_scheduler_kwargs.num_decay_steps "
                      "(transformers raises TypeError)")
        return None
    stable = kw.number("num_stable_steps", None)
    if stable is None and not ctx.failed and total is not None:
        stable = total - warmup - decay
    ratio, cycles = kw.number("min_lr_ratio", 0), kw.number("num_cycles", 0.5)
    shapes: list[str] = []
    for key, default in (("warmup_type", "linear"), ("decay_type", "cosine")):
        shape = kw.values.get(key, default)
        if not isinstance(shape, str) or shape not in WSD_SHAPES:
            kw.reject(f"{key} {shape!r} is not one of {', '.join(WSD_SHAPES)} "
                      "(transformers raises ValueError)")
            return None
        shapes.append(shape)
    if ctx.failed or stable is None or ratio is None or cycles is None:
        return None
    decay_i, stable_i = integral(decay), integral(stable)
    if decay_i is None or stable_i is None:
        kw.reject("num_decay_steps and num_stable_steps must be integers")
        return None
    params["num_stable_steps"] = stable_i
    end = warmup + stable_i + decay_i
    phases = [(0, "warmup")] if warmup > 0 else []
    phases += [(warmup, "stable"), (warmup + stable_i, f"{shapes[1]} decay"), (end, "min lr")]
    fn = wsd_lambda(warmup, stable_i, decay_i, shapes[0], shapes[1], ratio, cycles)
    return fn, phases, end


# --- checks ----------------------------------------------------------------------------------


def _check(ctx: Reading, built: _Built, name: str, warmup: int, run: _Run,
           warmup_node: Node | None) -> None:
    if name in WARMUP_IGNORED:
        return
    total, fn = run.total, built.fn
    if total is not None and warmup >= total:
        # the last update (N - 1) is still in the warmup: the peak is never reached
        peak = fn(total - 1) if total > 0 else 0.0
        warmup_vs_run(ctx.out, warmup, total, warmup_node, run.node, Unit.STEP, message=(
            f"the warmup ({plural(warmup, 'step')}) is "
            f"{'as long as' if warmup == total else 'longer than'} the run "
            f"({plural(total, 'step')}): the LR only reaches {peak:.1%} of learning_rate"))
    zero_lr_start(ctx.out, fn, warmup, warmup_node, Unit.STEP, scan=1000,
                  policy=zero_share_severity_lowered, message=lambda zeros, of: (
                      f"{first_updates_run(zeros)} at LR 0, {zeros} of the {of} warmup steps "
                      f"({zeros / of:.1%}): HF warmups start from factor 0 at step 0"))
    cycles = built.params.get("num_cycles")
    if name in ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr") and \
            isinstance(cycles, int | float) and cycles != 0.5:
        effect = ("the LR rises again after the half period" if cycles > 0.5 else
                  "the cosine stops before reaching its floor")
        ctx.finding(Code.WU306, f"num_cycles {fmt(cycles)} != 0.5: {effect}",
                    _kwarg_node(ctx, "num_cycles"))
    if name == "warmup_stable_decay" and total is not None and built.length is not None and \
            built.length > total:
        ctx.finding(Code.WU307, f"warmup + stable + decay = {built.length} steps ends after the "
                    f"run ({total} steps): the decay never finishes",
                    _kwarg_node(ctx, "num_stable_steps"))


def _kwarg_node(ctx: Reading, key: str) -> Node:
    kwargs = ctx.doc.root.get("lr_scheduler_kwargs")
    child = kwargs.get(key) if kwargs is not None else None
    return child or kwargs or ctx.out.node



# --- reduce_lr_on_plateau: a plateau phase, resolved with a metric series (warmup_cli.plateau) -

PLATEAU_TYPE = "reduce_lr_on_plateau"


def _plateau(ctx: Reading, dialect: _Dialect, kwargs: dict[str, object], lr: float | None
             ) -> None:
    """transformers optimization.get_reduce_on_plateau_schedule: ``ReduceLROnPlateau(optimizer,
    **lr_scheduler_kwargs)``, no warmup; Trainer._evaluate steps it with
    ``metrics[metric_for_best_model]`` (``eval_`` prefixed; TrainingArguments sets it to
    ``loss`` for this scheduler when it is not given)."""
    from warmup_cli.frameworks.plateau import Refused, plateau_schedule
    from warmup_cli.schedule import Plan

    ctx.out.notes[:] = [note for note in ctx.out.notes
                        if not note.startswith(f"{PLATEAU_TYPE} changes the LR")]
    root = ctx.doc.root
    metric = root.get("metric_for_best_model")
    name = metric.as_str() if metric is not None else None
    monitor = name or "loss"
    monitor = monitor if monitor.startswith("eval_") else f"eval_{monitor}"
    phase = plateau_schedule(kwargs, monitor)
    if isinstance(phase, Refused):
        ctx.reject(_kwarg_node(ctx, phase.key), f"lr_scheduler_kwargs: {phase.message}")
        return
    ctx.note(f"{PLATEAU_TYPE} lowers the LR when {monitor} stops improving: show it with "
             f"--metrics FILE --metric {monitor} (its logged values)")
    if lr is not None:
        ctx.out.plan = Plan(phase, (lr,), f"{ctx.doc.path} [{dialect.name} {PLATEAU_TYPE}]",
                            Unit.STEP)


READER = register(Reader(FRAMEWORK, detect, read))

