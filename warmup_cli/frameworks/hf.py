"""HF Trainer reader: ``TrainingArguments`` YAML/JSON (TRL, LLaMA-Factory) and axolotl configs.

The schedule is what ``Trainer.create_scheduler`` builds:
``get_scheduler(lr_scheduler_type, optimizer, num_warmup_steps=args.get_warmup_steps(N),
num_training_steps=N, scheduler_specific_kwargs=lr_scheduler_kwargs)``
(huggingface/transformers ``src/transformers/trainer.py``, ``optimization.py``). Every factor
function below is the matching ``lr_lambda`` of ``src/transformers/optimization.py``
(transformers 5.24.0, the version the parity tests run against) with the same operation order,
so ``learning_rate * f(k)`` is the LR LambdaLR gives update ``k`` bit for bit.

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

Checks (``Finding`` codes; "rule" leaves the severity to the rule's default):

| code  | fires when                                                  | severity  | located at    |
|-------|-------------------------------------------------------------|-----------|---------------|
| WU301 | the warmup is at least as long as the run (W >= N)          | rule      | warmup key    |
| WU302 | leading updates run at LR 0 (every HF warmup has factor 0   | scaled,   | warmup key    |
|       | at step 0; ``cosine_warmup_with_min_lr`` does not)          | see below |               |
| WU303 | the warmup is ignored: ``constant``,                        | rule      | warmup key /  |
|       | ``reduce_lr_on_plateau`` or ``greedy`` with a warmup; or an |           | empty key     |
|       | empty scheduler key with a warmup (the implicit default     |           |               |
|       | schedule gets it)                                           |           |               |
| WU305 | ``max_steps > 0`` and the epochs both set (max_steps wins)  | rule      | max_steps     |
| WU306 | a cosine with ``num_cycles != 0.5``: the LR rises again, or | rule      | num_cycles    |
|       | never reaches its floor                                     |           |               |
| WU307 | ``warmup_stable_decay`` ends after max_steps                | rule      | kwargs        |
| WU308 | a value cannot be resolved: unknown scheduler name,         | error;    | the value     |
|       | non-number, bad kwargs; axolotl-only schedulers             | note      |               |

WU302 severity: the generic scale is error when the zero-LR updates are >= 25 % of the warmup,
warning >= 1 %, else note. For HF it is lowered one level (error -> warning, warning -> note):
the zero first update is how every HF warmup is defined (transformers#34754) and users pick
it knowingly; it is worth more than a note only when the warmup is so short that the lost
update is a large part of it (e.g. 2 warmup steps).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
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
    plural,
    register,
    zero_share_severity,
)
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

FRAMEWORK = "hf"
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
# Types whose factor does not depend on num_training_steps (get_scheduler passes it to the
# others; warmup_stable_decay only needs it without num_stable_steps).
_N_FREE = frozenset({"constant", "constant_with_warmup", "inverse_sqrt", "reduce_lr_on_plateau",
                     "greedy"})
# Types that never use the warmup: get_scheduler returns before reading num_warmup_steps.
_WARMUP_IGNORED = frozenset({"constant", "reduce_lr_on_plateau", "greedy"})
_METRIC_DRIVEN = frozenset({"reduce_lr_on_plateau", "greedy"})
# scheduler_specific_kwargs each type's function accepts (optimization.py signatures, minus
# optimizer / num_warmup_steps / num_training_steps, which get_scheduler passes itself).
_KWARGS: dict[str, frozenset[str]] = {
    "linear": frozenset(),
    "cosine": frozenset({"num_cycles"}),
    "cosine_with_restarts": frozenset({"num_cycles"}),
    "polynomial": frozenset({"lr_end", "power"}),
    "inverse_sqrt": frozenset({"timescale"}),
    "cosine_with_min_lr": frozenset({"num_cycles", "min_lr", "min_lr_rate"}),
    "cosine_warmup_with_min_lr": frozenset({"num_cycles", "min_lr", "min_lr_rate",
                                            "warmup_lr_rate"}),
    "warmup_stable_decay": frozenset({"num_decay_steps", "num_stable_steps", "warmup_type",
                                      "decay_type", "min_lr_ratio", "num_cycles"}),
}
# axolotl's own schedulers (a cosine is registered with transformers and axolotl swaps it).
_AXOLOTL_ONLY = frozenset({"one_cycle", "rex", "log_sweep"})
_WSD_SHAPES = ("linear", "cosine", "1-sqrt")


# --- the factor functions: transformers src/transformers/optimization.py -----------------------


def _warmup_fraction(t: int, warmup: int) -> float:
    # optimization.py, every *_lr_lambda warmup branch: float(step) / float(max(1, W))
    return float(t) / float(max(1, warmup))


def linear_lambda(warmup: int, total: int) -> Callable[[int], float]:
    # optimization.py _get_linear_schedule_with_warmup_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        return max(0.0, float(total - t) / float(max(1, total - warmup)))

    return fn


def cosine_lambda(warmup: int, total: int, num_cycles: float,
                  min_lr_rate: float = 0.0) -> Callable[[int], float]:
    # optimization.py _get_cosine_schedule_with_warmup_lr_lambda: the module defines it twice
    # and the second definition (with min_lr_rate=0.0) is the one both cosine and
    # cosine_with_min_lr bind, so plain cosine also computes factor * (1 - 0.0) + 0.0.
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        progress = float(t - warmup) / float(max(1, total - warmup))
        factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)

    return fn


def cosine_restarts_lambda(warmup: int, total: int, num_cycles: float) -> Callable[[int], float]:
    # optimization.py _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        progress = float(t - warmup) / float(max(1, total - warmup))
        if progress >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))

    return fn


def polynomial_lambda(warmup: int, total: int, lr_end: float, power: float,
                      lr_init: float) -> Callable[[int], float]:
    # optimization.py _get_polynomial_decay_schedule_with_warmup_lr_lambda; lr_init is
    # optimizer.defaults["lr"], the Trainer's learning_rate. decay_steps is 0 when W == N and
    # step N then divides by zero, as in transformers.
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        if t > total:
            return lr_end / lr_init
        lr_range = lr_init - lr_end
        decay_steps = total - warmup
        pct_remaining = 1 - (t - warmup) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init

    return fn


def constant_lambda() -> Callable[[int], float]:
    # optimization.py _get_constant_lambda returns the int 1
    def fn(t: int) -> float:
        return 1

    return fn


def constant_with_warmup_lambda(warmup: int) -> Callable[[int], float]:
    # optimization.py _get_constant_schedule_with_warmup_lr_lambda (max(1.0, W), a float)
    def fn(t: int) -> float:
        if t < warmup:
            return float(t) / float(max(1.0, warmup))
        return 1.0

    return fn


def inverse_sqrt_lambda(warmup: int, timescale: float) -> Callable[[int], float]:
    # optimization.py _get_inverse_sqrt_schedule_lr_lambda
    def fn(t: int) -> float:
        if t < warmup:
            return _warmup_fraction(t, warmup)
        shift = timescale - warmup
        return 1.0 / math.sqrt((t + shift) / timescale)

    return fn


def cosine_warmup_min_lr_lambda(warmup: int, total: int, num_cycles: float, min_lr_rate: float,
                                warmup_lr_rate: float | None) -> Callable[[int], float]:
    # optimization.py _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda: everything
    # in floats, the warmup starts at 1/W (or warmup_lr_rate), progress counts from W - 1.
    def fn(t: int) -> float:
        current = float(t)
        w = float(warmup)
        n = float(total)
        if current < w:
            if warmup_lr_rate is None:
                return (current + 1.0) / max(1.0, w)
            rate = float(warmup_lr_rate)
            return rate + (1.0 - rate) * (current) / (max(1, w - 1))
        progress = (current - w + 1.0) / (max(1.0, n - w))
        factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
        factor = factor * (1 - min_lr_rate) + min_lr_rate
        return max(0, factor)

    return fn


def wsd_lambda(warmup: int, stable: int, decay: int, warmup_type: str, decay_type: str,
               min_lr_ratio: float, num_cycles: float) -> Callable[[int], float]:
    # optimization.py _get_wsd_scheduler_lambda
    def fn(t: int) -> float:
        if t < warmup:
            progress = float(t) / float(max(1, warmup))
            if warmup_type == "linear":
                factor = progress
            elif warmup_type == "cosine":
                factor = 0.5 * (1.0 - math.cos(math.pi * progress))
            else:  # "1-sqrt"
                factor = 1.0 - math.sqrt(1.0 - progress)
            factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
            return max(0.0, factor)
        if t < warmup + stable:
            return 1.0
        if t < warmup + stable + decay:
            progress = float(t - warmup - stable) / float(max(1, decay))
            if decay_type == "linear":
                factor = 1.0 - progress
            elif decay_type == "cosine":
                factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
            else:  # "1-sqrt"
                factor = 1.0 - math.sqrt(progress)
            factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
            return max(0.0, factor)
        return min_lr_ratio

    return fn


# --- helpers ---------------------------------------------------------------------------------


# --- reading --------------------------------------------------------------------------------


@dataclass
class _Dialect:
    name: str  # "transformers" or "axolotl"
    scheduler_key: str
    epochs_key: str
    default_scheduler: str


_TRANSFORMERS = _Dialect("transformers", "lr_scheduler_type", "num_train_epochs", "linear")
_AXOLOTL = _Dialect("axolotl", "lr_scheduler", "num_epochs", "cosine")

# Keys that mark a TrainingArguments-like file (top level only).
_HF_KEYS = frozenset({"lr_scheduler_type", "warmup_ratio", "warmup_steps", "num_train_epochs",
                      "per_device_train_batch_size", "gradient_accumulation_steps",
                      "lr_scheduler_kwargs", "max_steps"})
_AXOLOTL_KEYS = frozenset({"base_model", "micro_batch_size", "num_epochs", "sequence_len",
                           "datasets", "adapter"})


def _scalar_or_missing(node: Node | None) -> bool:
    return node is None or not isinstance(node.value, dict | list)


def _dialect(root: Node) -> _Dialect | None:
    if not isinstance(root.value, dict):
        return None
    keys = set(root.value)
    if "lr_scheduler_type" in keys and _scalar_or_missing(root.get("lr_scheduler_type")):
        return _TRANSFORMERS
    # axolotl's lr_scheduler is a name (or empty); Lightning CLI's is a class_path mapping.
    scheduler = root.get("lr_scheduler")
    if "lr_scheduler" in keys and _scalar_or_missing(scheduler) and keys & _AXOLOTL_KEYS:
        return _AXOLOTL
    if "learning_rate" in keys and _scalar_or_missing(root.get("learning_rate")):
        if keys & _AXOLOTL_KEYS and "lr_scheduler" not in keys:
            return _AXOLOTL  # axolotl without a scheduler key: its default applies
        if keys & _HF_KEYS:
            return _TRANSFORMERS
    return None


def detect(doc: Document) -> bool:
    """A top-level ``lr_scheduler_type``, or ``learning_rate`` beside TrainingArguments keys, or
    axolotl's scalar ``lr_scheduler`` beside axolotl keys."""
    return _dialect(doc.root) is not None


class _Reading(Reading):
    def __init__(self, doc: Document, schedule: FrameworkSchedule) -> None:
        super().__init__(doc, schedule)
        # Where an unknown run length is reported: the epochs key, else the scheduler key.
        self.run_node: Node = schedule.node

    def number(self, key: str, node: Node | None) -> float | int | None:
        """The number at ``node``; None when absent or null; WU308 when not a number."""
        if node is None or node.value is None:
            return None
        value = node.as_number()
        if value is None:
            self.bad(node, f"{key} is {_shown(node)}, not a number")
            return None
        if isinstance(node.value, str) and self.doc.format == "yaml":
            # PyYAML (YAML 1.1) reads 2e-05 as a str; HfArgumentParser.parse_yaml_file hands
            # such strings to TrainingArguments unchanged.
            self.note(f"{key}: {node.value} is a string under YAML 1.1 (PyYAML) and was read as "
                      f"{fmt(value)}; loaders that keep it a string fail on it: write it with "
                      "a dot and a signed exponent, e.g. 2.0e-05")
        return value


def _shown(node: Node) -> str:
    value = node.value
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str | int | float | bool) or value is None:
        return repr(value)
    source = getattr(value, "source", None)
    return f"the expression {source}" if source else repr(value)


def read(doc: Document, facts: RunFacts = NO_FACTS) -> list[FrameworkSchedule]:
    """The HF Trainer schedule of ``doc`` (one per file); ``facts.updates_per_epoch`` is the
    number of optimizer updates per epoch and ``facts.total_steps`` the run length N itself,
    both used only when ``max_steps`` is not set (the updates per epoch win when both are
    given)."""
    steps_per_epoch, total_steps = facts.updates_per_epoch, facts.total_steps
    dialect = _dialect(doc.root)
    if dialect is None:
        return []
    root = doc.root
    key = dialect.scheduler_key
    scheduler_node = root.get(key)
    result = FrameworkSchedule(FRAMEWORK, key, scheduler_node or root, None)
    ctx = _Reading(doc, result)

    warmup_steps_node = root.get("warmup_steps")
    warmup_ratio_node = root.get("warmup_ratio")
    warmup_steps = ctx.number("warmup_steps", warmup_steps_node)
    warmup_ratio = ctx.number("warmup_ratio", warmup_ratio_node)
    warmup_given = bool(warmup_steps) or bool(warmup_ratio)
    warmup_node = (warmup_steps_node if warmup_steps else
                   warmup_ratio_node if warmup_ratio else None)

    name = _scheduler_name(ctx, dialect, scheduler_node, warmup_given, warmup_node)
    lr = _learning_rate(ctx, root.get("learning_rate"))
    kwargs = _scheduler_kwargs(ctx, root.get("lr_scheduler_kwargs"))
    total, total_node = _run_length(ctx, dialect, root, steps_per_epoch, total_steps)
    result.horizon = total
    if total is None and total_node is not None:
        ctx.run_node = total_node

    if name is None:
        return [result]
    if dialect is _AXOLOTL and name == "cosine":
        for extra in ("cosine_min_lr_ratio", "cosine_constant_lr_ratio"):
            node = root.get(extra)
            if node is not None and node.value is not None:
                ctx.finding(Code.WU308, f"{extra} makes axolotl replace the cosine with its own "
                            "min-LR cosine scheduler, which warmup_cli does not model", node,
                            Severity.NOTE)
                ctx.unresolved(node, f"{extra}: axolotl's own scheduler is not modelled")
    if name in _WARMUP_IGNORED and warmup_given and warmup_node is not None:
        ctx.finding(Code.WU303, f"lr_scheduler {name!r} ignores the warmup "
                    f"({_key_of(warmup_node)} {fmt(warmup_node.value)}): get_scheduler builds "
                    f"it without num_warmup_steps"
                    + ("; use constant_with_warmup" if name == "constant" else ""), warmup_node)
    if name in _METRIC_DRIVEN:
        ctx.note(f"{name} changes the LR from evaluation metrics; shown as the constant "
                 "learning_rate it starts from")
    if name in ("constant", "constant_with_warmup") and kwargs:
        ctx.note(f"lr_scheduler_kwargs are ignored by {name} (get_scheduler does not pass them)")
        kwargs = {}
    if name in _METRIC_DRIVEN:
        kwargs = {}  # ReduceLROnPlateau / GreedyLR arguments: metric behaviour, not shown

    warmup = _warmup_steps(ctx, dialect, name, total, warmup_steps, warmup_ratio,
                           warmup_steps_node, warmup_ratio_node)
    if ctx.failed or lr is None:
        return [result]
    schedule = _build(ctx, name, warmup, total, kwargs, lr, root)
    if schedule is None:
        return [result]
    result.plan = Plan(schedule, (lr,), f"{doc.path} [{dialect.name} {name}]", "step")
    _check(ctx, schedule, name, warmup, total, warmup_node, total_node)
    return [result]


def _key_of(node: Node) -> str:
    return str(node.path[-1]) if node.path else "value"


def _scheduler_name(ctx: _Reading, dialect: _Dialect, node: Node | None, warmup_given: bool,
                    warmup_node: Node | None) -> str | None:
    key = dialect.scheduler_key
    if node is None or node.value is None or node.value == "":
        default = dialect.default_scheduler
        if node is None:
            ctx.note(f"{key} is not set: {dialect.name}'s default {default!r} applies")
            return default
        ctx.note(f"{key} is empty: {dialect.name} uses its default {default!r}"
                 + (" (transformers itself rejects a null lr_scheduler_type)"
                    if dialect is _TRANSFORMERS else ""))
        if warmup_given and warmup_node is not None:
            ctx.finding(Code.WU303, f"{key} is empty, so the warmup "
                        f"({_key_of(warmup_node)} {fmt(warmup_node.value)}) goes to the "
                        f"implicit default schedule {default!r}: name the scheduler", node)
        return default
    value = node.value
    if not isinstance(value, str):
        ctx.bad(node, f"{key} is {_shown(node)}, not a scheduler name")
        return None
    if dialect is _AXOLOTL and value in _AXOLOTL_ONLY:
        ctx.finding(Code.WU308, f"{key} {value!r} is axolotl's own scheduler, which warmup_cli "
                    "does not model", node, Severity.NOTE)
        ctx.unresolved(node, f"axolotl's {value!r} scheduler is not modelled")
        return None
    if value not in SCHEDULER_TYPES:
        ctx.bad(node, f"{key} {value!r} is not a transformers SchedulerType (one of "
                f"{', '.join(SCHEDULER_TYPES)})")
        return None
    return value


def _learning_rate(ctx: _Reading, node: Node | None) -> float | None:
    value = ctx.number("learning_rate", node)
    if value is None:
        if node is None or node.value is None:
            ctx.note(f"learning_rate is not set: the TrainingArguments default {DEFAULT_LR!r} "
                     "applies")
            return DEFAULT_LR
        return None
    return value


def _scheduler_kwargs(ctx: _Reading, node: Node | None) -> dict[str, Any]:
    if node is None or node.value is None:
        return {}
    value = node.value
    if isinstance(value, str):
        if not value.strip():
            return {}
        # TrainingArguments.__post_init__ json.loads strings that start with "{" and converts
        # "true"/"false"/number strings (_convert_str_dict).
        if not value.startswith("{"):
            ctx.bad(node, "lr_scheduler_kwargs is a string that is not a JSON object")
            return {}
        try:
            loaded = json.loads(value)
        except ValueError as exc:
            ctx.bad(node, f"lr_scheduler_kwargs is not valid JSON: {exc}")
            return {}
        if not isinstance(loaded, dict):
            ctx.bad(node, "lr_scheduler_kwargs JSON is not an object")
            return {}
        return {str(k): _converted(v) for k, v in loaded.items()}
    if not isinstance(value, dict):
        ctx.bad(node, f"lr_scheduler_kwargs is {_shown(node)}, not a mapping")
        return {}
    kwargs: dict[str, Any] = {}
    for name, child in value.items():
        raw = child.value
        if isinstance(raw, str) and child.as_number() is not None:
            number = ctx.number(f"lr_scheduler_kwargs.{name}", child)
            kwargs[name] = number
        elif isinstance(raw, bool | int | float | str) or raw is None:
            kwargs[name] = raw
        else:
            ctx.bad(child, f"lr_scheduler_kwargs.{name} is {_shown(child)}")
    return kwargs


def _converted(value: Any) -> Any:
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


def _run_length(ctx: _Reading, dialect: _Dialect, root: Node,
                steps_per_epoch: int | None, total_steps: int | None = None
                ) -> tuple[int | None, Node | None]:
    max_steps_node = root.get("max_steps")
    max_steps = ctx.number("max_steps", max_steps_node)
    epochs_node = root.get(dialect.epochs_key) or root.get("num_train_epochs")
    epochs_key = _key_of(epochs_node) if epochs_node is not None else dialect.epochs_key
    epochs = ctx.number(epochs_key, epochs_node)
    if max_steps is not None and max_steps > 0:
        steps = integral(max_steps)
        if steps is None:
            assert max_steps_node is not None
            ctx.bad(max_steps_node, f"max_steps {max_steps!r} is not an integer")
            return None, max_steps_node
        if epochs_node is not None and epochs_node.value is not None and \
                max_steps_node is not None:
            ctx.finding(Code.WU305, f"max_steps {steps} and {_key_of(epochs_node)} "
                        f"{fmt(epochs_node.value)} are both set: max_steps wins, the epoch "
                        "count is ignored", max_steps_node)
        return steps, max_steps_node
    if epochs is None:
        epochs = DEFAULT_EPOCHS
    if steps_per_epoch is not None and steps_per_epoch > 0:
        # Trainer.set_initial_training_values: max_steps = ceil(num_train_epochs * updates)
        total = math.ceil(epochs * steps_per_epoch)
        ctx.note(f"run length {total} = ceil({fmt(epochs)} epochs x {steps_per_epoch} updates "
                 "per epoch) (updates per epoch supplied by the caller)")
        return total, epochs_node
    if total_steps is not None and total_steps > 0:
        # The caller knows N (lint's --horizon): Trainer would compute it from the dataset.
        ctx.note(f"run length {total_steps} supplied by the caller (the config leaves it to "
                 "the dataset size)")
        return total_steps, epochs_node
    return None, epochs_node


def _needs_total(name: str, kwargs: Mapping[str, Any]) -> bool:
    if name in _N_FREE:
        return False
    return not (name == "warmup_stable_decay" and kwargs.get("num_stable_steps") is not None)


def _warmup_steps(ctx: _Reading, dialect: _Dialect, name: str, total: int | None,
                  warmup_steps: float | int | None, warmup_ratio: float | int | None,
                  steps_node: Node | None, ratio_node: Node | None) -> int:
    """W as Trainer computes it; 0 with ``ctx.failed`` set when it needs an unknown N."""
    if warmup_steps is not None and warmup_steps < 0 and steps_node is not None:
        ctx.bad(steps_node, f"warmup_steps {warmup_steps!r} is negative "
                "(TrainingArguments raises ValueError)")
        return 0
    if warmup_ratio is not None and warmup_ratio < 0 and ratio_node is not None:
        ctx.bad(ratio_node, f"warmup_ratio {warmup_ratio!r} is negative")
        return 0
    if warmup_ratio and dialect is _TRANSFORMERS:
        ctx.note("warmup_ratio was deprecated in transformers 5.0 and removed in 5.2 "
                 "(TrainingArguments rejects it there): write warmup_steps: <ratio> instead")
    if warmup_steps and warmup_ratio:
        ctx.note("warmup_steps and warmup_ratio are both set: transformers 4.x and axolotl use "
                 "warmup_steps (shown), transformers 5.0-5.1 use warmup_ratio")
    ignored = name in _WARMUP_IGNORED
    warmup: int | None
    if warmup_steps is not None and (warmup_steps or dialect is _AXOLOTL):
        if warmup_steps >= 1:
            warmup = int(warmup_steps)  # TrainingArguments.get_warmup_steps: int(w) if w >= 1
            if warmup != warmup_steps:
                ctx.note(f"warmup_steps {warmup_steps!r} is truncated to {warmup}")
        elif warmup_steps == 0:
            warmup = 0
        else:
            warmup = _ratio(ctx, total, warmup_steps, steps_node, ignored, ceil=True)
            what = f"ceil(N x {warmup_steps!r})" + ("" if warmup is None else f" = {warmup}")
            ctx.note(f"warmup_steps {warmup_steps!r} < 1 is a ratio of the run in transformers "
                     f">= 5 ({what}); transformers 4.x expects an integer step count")
    elif warmup_ratio:
        if dialect is _AXOLOTL:
            # axolotl core/builders: max(int(warmup_ratio * total_num_steps), 0)
            warmup = _ratio(ctx, total, warmup_ratio, ratio_node, ignored, ceil=False)
        else:
            warmup = _ratio(ctx, total, warmup_ratio, ratio_node, ignored, ceil=True)
    elif dialect is _AXOLOTL:
        # axolotl adds min(int(0.03 * N), 100) warmup steps when neither key is set
        warmup = None if total is None else min(int(0.03 * total), 100)
        if warmup is None and not ignored:
            ctx.unresolved(ctx.run_node, f"{UNKNOWN_RUN_LENGTH} (axolotl's default warmup "
                           "min(int(0.03 * N), 100) needs it)")
            return 0
        if warmup:
            ctx.note(f"no warmup key: axolotl adds min(int(0.03 x {total}), 100) = {warmup} "
                     "warmup steps")
    else:
        warmup = 0
    if warmup is None:
        return 0
    if dialect is _AXOLOTL and warmup == 1:
        warmup = 2  # axolotl core/builders: "if warmup_steps == 1: warmup_steps = 2"
        ctx.note("axolotl turns a 1-step warmup into 2 steps")
    return warmup


def _ratio(ctx: _Reading, total: int | None, ratio: float, node: Node | None, ignored: bool,
           *, ceil: bool) -> int | None:
    if total is None:
        if not ignored and node is not None:
            ctx.unresolved(ctx.run_node, f"{UNKNOWN_RUN_LENGTH} ({_key_of(node)} "
                           f"{fmt(node.value)} is a share of it)")
        return None
    # transformers get_warmup_steps: math.ceil(N * ratio); axolotl: int(ratio * N)
    return math.ceil(total * ratio) if ceil else max(int(ratio * total), 0)


def _build(ctx: _Reading, name: str, warmup: int, total: int | None, kwargs: dict[str, Any],
           lr: float, root: Node) -> FunctionSchedule | None:
    kwargs_node = root.get("lr_scheduler_kwargs") or ctx.out.node
    allowed = _KWARGS.get(name, frozenset())
    unknown = sorted(set(kwargs) - allowed)
    if unknown and name not in ("constant", "constant_with_warmup", *_METRIC_DRIVEN):
        ctx.bad(kwargs_node, f"lr_scheduler_kwargs {', '.join(unknown)} not accepted by "
                f"{name} (transformers raises TypeError)")
        return None
    if _needs_total(name, kwargs) and total is None:
        ctx.unresolved(ctx.run_node, f"{UNKNOWN_RUN_LENGTH} ({name} decays over it)")
        return None
    params: dict[str, Any] = {"warmup": warmup}
    if total is not None and _needs_total(name, kwargs):
        params["total"] = total
    params.update(kwargs)
    phases: list[tuple[int, str]] = [(0, "warmup")] if warmup > 0 else []
    length: int | None = total
    label = f"hf {name}"

    def numeric(key: str, default: Any) -> Any:
        value = kwargs.get(key, default)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            ctx.bad(kwargs_node, f"lr_scheduler_kwargs.{key} is {value!r}, not a number")
            return None
        return value

    fn: Callable[[int], float]
    assert total is not None or not _needs_total(name, kwargs)
    n = total if total is not None else 0
    if name == "linear":
        fn = linear_lambda(warmup, n)
        phases.append((warmup, "linear decay"))
    elif name == "cosine":
        cycles = numeric("num_cycles", 0.5)
        if cycles is None:
            return None
        fn = cosine_lambda(warmup, n, cycles)
        phases.append((warmup, "cosine decay"))
    elif name == "cosine_with_restarts":
        cycles = numeric("num_cycles", 1)
        if cycles is None:
            return None
        fn = cosine_restarts_lambda(warmup, n, cycles)
        phases.append((warmup, "cosine restarts"))
    elif name == "polynomial":
        lr_end, power = numeric("lr_end", 1e-7), numeric("power", 1.0)
        if lr_end is None or power is None:
            return None
        # get_polynomial_decay_schedule_with_warmup: raises unless lr_init > lr_end
        if not lr > lr_end:
            ctx.bad(kwargs_node, f"lr_end ({lr_end!r}) must be smaller than the "
                    f"learning_rate ({lr!r}): transformers raises ValueError")
            return None
        fn = polynomial_lambda(warmup, n, lr_end, power, lr)
        phases.append((warmup, "polynomial decay"))
    elif name in ("constant", *_METRIC_DRIVEN):
        fn = constant_lambda()
        phases = []
        length = None
    elif name == "constant_with_warmup":
        fn = constant_with_warmup_lambda(warmup)
        phases.append((warmup, "constant"))
        length = warmup
    elif name == "inverse_sqrt":
        timescale = numeric("timescale", None)
        if timescale is None:
            # get_inverse_sqrt_schedule: timescale = num_warmup_steps or 10_000
            timescale = warmup or 10_000
        elif timescale == 0:
            ctx.bad(kwargs_node, "timescale 0 divides by zero")
            return None
        params["timescale"] = timescale
        fn = inverse_sqrt_lambda(warmup, timescale)
        phases.append((warmup, "inverse sqrt decay"))
        length = None
    elif name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        cycles = numeric("num_cycles", 0.5)
        rate = _min_lr_rate(ctx, kwargs, lr, kwargs_node, numeric)
        if cycles is None or rate is None:
            return None
        if name == "cosine_with_min_lr":
            fn = cosine_lambda(warmup, n, cycles, rate)
        else:
            warmup_rate = numeric("warmup_lr_rate", None)
            if ctx.failed:
                return None
            fn = cosine_warmup_min_lr_lambda(warmup, n, cycles, rate, warmup_rate)
        params["min_lr_rate"] = rate
        phases.append((warmup, "cosine decay"))
    elif name == "warmup_stable_decay":
        built = _wsd(ctx, kwargs, warmup, total, kwargs_node, numeric, params)
        if built is None:
            return None
        fn, phases, length = built
    else:  # pragma: no cover - SCHEDULER_TYPES is checked before
        raise AssertionError(name)
    if ctx.failed:
        return None
    if total is not None and length is not None and name != "warmup_stable_decay":
        # The Trainer stops after N updates: nothing that starts later is shown as a phase.
        phases = [(start, label) for start, label in phases if start < total]
        phases.append((total, "after max_steps"))
    phases = _monotone(phases)
    spec = f"{label}(" + ", ".join(f"{k}={fmt(v)}" for k, v in params.items()) + ")"
    return FunctionSchedule(fn=fn, label=label, spec=spec, warmup=warmup, total=length,
                            phases=tuple(phases), extra={"framework": FRAMEWORK, "type": name,
                                                         "params": params})


def _monotone(phases: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Phases sorted by start, empty ranges dropped (a later phase at the same start wins)."""
    by_start: dict[int, str] = {}
    for start, label in sorted(phases, key=lambda p: p[0]):
        by_start[start] = label
    return sorted(by_start.items())


def _min_lr_rate(ctx: _Reading, kwargs: Mapping[str, Any], lr: float, node: Node,
                 numeric: Callable[[str, Any], Any]) -> float | None:
    # get_cosine_with_min_lr_schedule_with_warmup(_lr_rate): exactly one of min_lr / min_lr_rate
    has_lr, has_rate = kwargs.get("min_lr") is not None, kwargs.get("min_lr_rate") is not None
    if has_lr and has_rate:
        ctx.bad(node, "only one of min_lr and min_lr_rate may be set (transformers raises "
                "ValueError)")
        return None
    if has_lr:
        min_lr = numeric("min_lr", None)
        return None if min_lr is None else min_lr / lr  # min_lr / optimizer.defaults["lr"]
    if has_rate:
        return numeric("min_lr_rate", None)
    ctx.bad(node, "one of min_lr or min_lr_rate must be set in lr_scheduler_kwargs "
            "(transformers raises ValueError)")
    return None


def _wsd(ctx: _Reading, kwargs: Mapping[str, Any], warmup: int, total: int | None, node: Node,
         numeric: Callable[[str, Any], Any], params: dict[str, Any]
         ) -> tuple[Callable[[int], float], list[tuple[int, str]], int] | None:
    # get_wsd_schedule: num_decay_steps is required; num_stable_steps defaults to
    # N - W - D; warmup_type "linear", decay_type "cosine", min_lr_ratio 0, num_cycles 0.5.
    decay = numeric("num_decay_steps", None)
    if decay is None:
        if not ctx.failed:
            ctx.bad(node, "warmup_stable_decay needs lr_scheduler_kwargs.num_decay_steps "
                    "(transformers raises TypeError)")
        return None
    stable = numeric("num_stable_steps", None)
    if stable is None and not ctx.failed:
        assert total is not None
        stable = total - warmup - decay
    ratio, cycles = numeric("min_lr_ratio", 0), numeric("num_cycles", 0.5)
    shapes = {}
    for key, default in (("warmup_type", "linear"), ("decay_type", "cosine")):
        value = kwargs.get(key, default)
        if value not in _WSD_SHAPES:
            ctx.bad(node, f"{key} {value!r} is not one of {', '.join(_WSD_SHAPES)} "
                    "(transformers raises ValueError)")
            return None
        shapes[key] = value
    if ctx.failed or stable is None or ratio is None or cycles is None:
        return None
    decay_i, stable_i = integral(decay), integral(stable)
    if decay_i is None or stable_i is None:
        ctx.bad(node, "num_decay_steps and num_stable_steps must be integers")
        return None
    params["num_stable_steps"] = stable_i
    fn = wsd_lambda(warmup, stable_i, decay_i, shapes["warmup_type"], shapes["decay_type"],
                    ratio, cycles)
    end = warmup + stable_i + decay_i
    phases = [(0, "warmup")] if warmup > 0 else []
    phases += [(warmup, "stable"), (warmup + stable_i, f"{shapes['decay_type']} decay"),
               (end, "min lr")]
    return fn, phases, end


def _check(ctx: _Reading, schedule: FunctionSchedule, name: str, warmup: int, total: int | None,
           warmup_node: Node | None, total_node: Node | None) -> None:
    where = warmup_node or ctx.out.node
    fn = schedule.fn
    if name in _WARMUP_IGNORED:
        return
    # WU301: the last update (N - 1) is still in the warmup, the peak is never reached.
    if total is not None and warmup > 0 and warmup >= total:
        peak = fn(total - 1) if total > 0 else 0.0
        ctx.finding(Code.WU301, f"the warmup ({plural(warmup, 'step')}) is "
                    f"{'as long as' if warmup == total else 'longer than'} the run "
                    f"({plural(total, 'step')}): the LR only reaches {peak:.1%} of "
                    "learning_rate", warmup_node or total_node)
    # WU302: leading updates at LR 0, relative to the warmup.
    if warmup > 0:
        zeros = leading_zero_updates(fn, min(warmup, 1000))
        if zeros:
            generic = zero_share_severity(zeros, warmup)
            lowered = generic.lower()
            ctx.finding(Code.WU302, f"{first_updates_run(zeros)} at LR 0, {zeros} of the "
                        f"{warmup} warmup steps ({zeros / warmup:.1%}): HF warmups start from "
                        "factor 0 at step 0", where, lowered)
    params = schedule.extra.get("params", {})
    cycles = params.get("num_cycles")
    if name in ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr") and \
            cycles is not None and cycles != 0.5:
        node = _kwarg_node(ctx, "num_cycles")
        effect = ("the LR rises again after the half period" if cycles > 0.5 else
                  "the cosine stops before reaching its floor")
        ctx.finding(Code.WU306, f"num_cycles {fmt(cycles)} != 0.5: {effect}", node)
    if name == "warmup_stable_decay" and total is not None and schedule.total is not None \
            and schedule.total > total:
        ctx.finding(Code.WU307, f"warmup + stable + decay = {schedule.total} steps ends after the "
                    f"run ({total} steps): the decay never finishes",
                    _kwarg_node(ctx, "num_stable_steps"))


def _kwarg_node(ctx: _Reading, key: str) -> Node:
    kwargs = ctx.doc.root.get("lr_scheduler_kwargs")
    child = kwargs.get(key) if kwargs is not None else None
    return child or kwargs or ctx.out.node


READER = register(Reader(FRAMEWORK, detect, read))
