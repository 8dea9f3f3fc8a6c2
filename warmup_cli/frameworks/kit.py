"""The reader kit: what a framework reader produces, the registry readers join, and the
plumbing they share (typed value access, the plan builder, the WU301/WU302 checks).

A reader recognises one framework's config keys in a located Document
(``warmup_cli.configs.document``) and turns each schedule it declares into a
:class:`FrameworkSchedule`: a :class:`~warmup_cli.schedule.Plan` whose factor function follows
that framework's own formula, defaults and idea of step 0, or the reasons it cannot be
resolved. Framework-aware checks travel with it as :class:`Finding` values (located at the
responsible key); ``warmup lint`` turns them into diagnostics.

A reader keeps only what is its framework's: detection, the formulas (citing the upstream
file they reproduce), the defaults, and the checks no other framework has. Reading a value
(:class:`Reading`), building the plan (:func:`plan` for a factor over a base LR,
:func:`lr_plan` for an LR the framework computes itself) and the two checks every warmup has
(:func:`warmup_vs_run`, :func:`zero_lr_start`) live here, so that every reader treats a
``${...}`` or an ``"auto"`` alike and says so in the same words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from warmup_cli.schedule import FunctionSchedule, LrFn, Origin, Plan, factor_of
from warmup_cli.vocab import RECIPE_JUMPS, Code, RunFacts, Severity, Unit

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node

D = TypeVar("D")
T = TypeVar("T")
FactorFn = Callable[[int], float]
Phases = Iterable[tuple[int, str]]


@dataclass(frozen=True)
class Finding:
    """A framework-aware check that fired: ``code`` is a rule code (WU3xx), located at ``node``;
    ``severity`` overrides the rule's default (e.g. WU302 scaled by the share of the warmup)."""

    code: Code
    message: str
    node: Node | None
    severity: Severity | None = None


@dataclass
class FrameworkSchedule:
    framework: str  # the reader's name: "hf", "deepspeed", "timm", "detectron2", ...
    name: str  # which schedule of the file, e.g. "scheduler" or "param_scheduler"
    node: Node  # where it is declared: findings without a better place point here
    plan: Plan | None  # None when it cannot be resolved
    horizon: int | None = None  # run length in the plan's unit, when the config says it
    unresolved: list[tuple[Node, str]] = field(default_factory=list)  # (where, why)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # assumptions worth telling the user


ReadFn = Callable[["Document", RunFacts], list[FrameworkSchedule]]


@dataclass(frozen=True)
class Reader:
    """One framework: ``detect(doc)`` says whether the file is its config, ``read(doc, facts)``
    returns its schedules, with the run facts the user stated (``warmup_cli.vocab.RunFacts``)."""

    name: str
    detect: Callable[[Document], bool]
    read: ReadFn


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    READERS[reader.name] = reader
    return reader


# --- small words shared by messages -----------------------------------------------------------


def mapping_at(node: Node, key: str) -> Node | None:
    """``node[key]`` when it is a mapping, else None (also when ``node`` is not a mapping)."""
    child = node.get(key)
    return child if child is not None and isinstance(child.value, dict) else None


def fmt(value: object) -> str:
    """A config value as messages show it: floats as their repr, the rest as str."""
    return repr(value) if isinstance(value, float) else str(value)


def shown(node: Node) -> str:
    """A node's value as a rejection message shows it: scalars as their repr, containers by
    kind, an unevaluated Python expression by its text."""
    value = node.value
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    unresolved = node.as_unresolved()
    if unresolved is not None:
        return f"the expression {unresolved.source}"
    return repr(value)


def key_of(node: Node) -> str:
    """The last key of a node's path (``"value"`` for the root)."""
    return str(node.path[-1]) if node.path else "value"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def integral(value: float | int) -> int | None:
    """``value`` as an int when it is a whole number, else None."""
    if isinstance(value, int):
        return value
    if math.isfinite(value) and value == int(value):
        return int(value)
    return None


def spec_text(label: str, params: Mapping[str, object]) -> str:
    """``label(key=value, ...)``, the spec line of a framework plan."""
    return f"{label}(" + ", ".join(f"{k}={fmt(v)}" for k, v in params.items()) + ")"


def ordered_phases(phases: Phases) -> tuple[tuple[int, str], ...]:
    """Phases sorted by start, empty ranges dropped (a later phase at the same start wins)."""
    by_start: dict[int, str] = {}
    for start, label in sorted(phases, key=lambda p: p[0]):
        by_start[start] = label
    return tuple(sorted(by_start.items()))


# --- reading values -------------------------------------------------------------------------

class StopReading(Exception):
    """Raised by a :class:`Reading` made with ``stop=True`` at the first value that leaves the
    schedule without a plan (after recording why): the reader catches it around one schedule
    and stops there, as the framework itself raises at the first bad value."""


Yaml11Note = Callable[[str, "Node", float | int], str]
"""The note a reader gives for a number PyYAML (YAML 1.1) leaves a string: (label, node,
number) -> text."""


class Reading:
    """One schedule being read: collects its findings, notes and unresolved values, and reads
    typed values from the document; ``failed`` once a value leaves the schedule without a plan.

    Every value method takes ``(where, key, default)``: ``where`` is the mapping holding
    ``key`` (or, with ``key=None``, the value's node itself). A missing key (and a null, unless
    ``null=False``) gives ``default``. A value that cannot be used as it stands (an
    unevaluated Python expression; with ``hydra`` a ``${...}`` interpolation or ``???``; with
    ``auto`` the string ``"auto"``) is recorded as unresolved (a WU308 note in lint); a value
    the framework itself would reject is a WU308 error and unresolved (:meth:`reject`). Both set
    ``failed`` and return ``default``, so a reader reads all its values, then stops once on
    ``failed``; with ``stop=True`` they raise :class:`StopReading` instead (after recording),
    for a reader that stops at the first bad value. Records go to ``blame`` when given (e.g. the
    ``_BASE_`` line of a value set in another file), else to the value's node. ``label`` names
    the value in messages (default: ``key``).
    """

    def __init__(self, doc: Document, out: FrameworkSchedule, *, hydra: bool = False,
                 auto: str | None = None, yaml11: Yaml11Note | None = None,
                 stop: bool = False) -> None:
        self.doc = doc
        self.out = out
        self.failed = False
        self.hydra = hydra  # ${...} and ??? are OmegaConf's: unresolved, never evaluated
        self.auto = auto  # why "auto" is unresolved (DeepSpeed's HF launcher fills it)
        self.yaml11 = yaml11
        self.stop = stop

    # records

    def finding(self, code: Code, message: str, node: Node | None,
                severity: Severity | None = None) -> None:
        self.out.findings.append(Finding(code, message, node, severity))

    def note(self, text: str) -> None:
        self.out.notes.append(text)

    def unresolved(self, node: Node, reason: str) -> None:
        self.out.unresolved.append((node, reason))
        self.failed = True
        if self.stop:
            raise StopReading(reason)

    def reject(self, node: Node, message: str) -> None:
        """A value the framework would reject: WU308 (error) and no plan."""
        self.finding(Code.WU308, message, node, Severity.ERROR)
        self.unresolved(node, message)

    bad = reject

    def fail(self, node: Node, message: str, *, rejected: bool = False) -> NoReturn:
        """The schedule cannot be built: records why (``rejected``: the framework itself
        refuses it, a WU308 error too) and raises :class:`StopReading`."""
        if rejected:
            self.finding(Code.WU308, message, node, Severity.ERROR)
        self.out.unresolved.append((node, message))
        self.failed = True
        raise StopReading(message)

    def missing(self, node: Node, reason: str) -> None:
        """A value this file does not hold that the plan can do without (e.g. the optimizer's
        lr: LRs are then shown relative to it): unresolved, but ``failed`` stays as it is."""
        self.out.unresolved.append((node, reason))

    # values

    @staticmethod
    def node_at(where: Node | None, key: str | None) -> Node | None:
        if key is None or where is None:
            return where
        return where.get(key)

    def _present(self, node: Node | None, null: bool) -> bool:
        return node is not None and not (null and node.value is None)

    def usable(self, node: Node, label: str, blame: Node | None = None) -> bool:
        """False (and recorded as unresolved) for a value that cannot be used as it stands;
        ``"auto"`` (when the reader says why it is unresolved) is also a WU308 note."""
        why = self.why_unusable(node)
        if why is None:
            return True
        at = blame or node
        if self.is_auto(node):
            assert self.auto is not None
            self.finding(Code.WU308, f"{label} is \"auto\": {self.auto}", at, Severity.NOTE)
            self.unresolved(at, self.auto)
        else:
            self.unresolved(at, f"{label}: {why}")
        return False

    def is_auto(self, node: Node | None) -> bool:
        """``"auto"``, for a reader that gave the reason (DeepSpeed's HF-launcher values)."""
        text = node.as_str() if node is not None else None
        return self.auto is not None and text is not None and text.strip() == "auto"

    def why_unusable(self, node: Node) -> str | None:
        """Why ``node`` cannot be used as it stands, or None when it can."""
        expression = node.as_unresolved()
        if expression is not None:
            return f"`{expression.source}` {expression.reason}"
        if self.is_auto(node):
            return self.auto
        text = node.as_str()
        if text is None or not self.hydra:
            return None
        if "${eval:" in text.replace(" ", ""):
            return (f"`{text}` is an OmegaConf `${{eval:...}}` expression; warmup_cli never "
                    "evaluates those (they can run arbitrary code)")
        if "${" in text:
            return f"`{text}` is a Hydra interpolation, which warmup_cli does not resolve"
        if text.strip() == "???":
            return "is `???`, a mandatory value Hydra expects from the command line"
        return None

    def number(self, where: Node | None, key: str | None, default: D, *,
               label: str | None = None, blame: Node | None = None, null: bool = True,
               low: float | None = None, high: float | None = None,
               consequence: str = "") -> float | int | D:
        """A number (never a bool; YAML 1.1 number strings included), within ``[low, high]``
        when given (``consequence`` says what the framework does otherwise)."""
        node = self.node_at(where, key)
        name = label or key or "value"
        if node is None or not self._present(node, null) or not self.usable(node, name, blame):
            return default
        number = node.as_number()
        if number is None:
            self.reject(blame or node, f"{name} is {shown(node)}, not a number")
            return default
        self._yaml11(name, node, number)
        if (low is not None and number < low) or (high is not None and number > high):
            self.reject(blame or node, f"{name} must be {_bounds(low, high)}, got "
                        f"{fmt(number)}" + (f" ({consequence})" if consequence else ""))
            return default
        return number

    def count(self, where: Node | None, key: str | None, default: D, *,
              label: str | None = None, blame: Node | None = None, null: bool = True,
              low: int = 0, whole_floats: bool = True, consequence: str = "") -> int | D:
        """A whole number >= ``low``; ``whole_floats=False`` refuses ``5.0`` as frameworks
        that check ``isinstance(value, int)`` do (DeepSpeed, yacs)."""
        node = self.node_at(where, key)
        name = label or key or "value"
        number = self.number(node, None, None, label=name, blame=blame, null=null)
        if number is None:
            return default
        value = integral(number) if whole_floats or isinstance(number, int) else None
        if value is None or value < low:
            assert node is not None
            what = "a positive integer" if low == 1 else f"an integer >= {low}"
            self.reject(blame or node, f"{name} must be {what}, got {fmt(number)}"
                        + (f" ({consequence})" if consequence else ""))
            return default
        return value

    def numbers(self, where: Node | None, key: str | None, default: D, *,
                label: str | None = None, blame: Node | None = None, null: bool = True,
                scalar: bool = False) -> list[float | int] | D:
        """A list of numbers: a sequence, or a string holding one (``"(60000, 80000)"``);
        ``scalar`` also takes a lone number as a list of one (fairseq's ``lr: 0.25``)."""
        node = self.node_at(where, key)
        name = label or key or "value"
        if node is None or not self._present(node, null) or not self.usable(node, name, blame):
            return default
        items = node.as_sequence()
        if items is not None:
            numbers: list[float | int] = []
            for item in items:
                number = self.number(item, None, None, label=name, blame=blame, null=False)
                if number is None:
                    return default
                numbers.append(number)
            return numbers
        single = node.as_number() if scalar else None
        if single is not None:
            self._yaml11(name, node, single)
            return [single]
        listed = node.as_number_list()
        if listed is None:
            self.reject(blame or node, f"{name} is {shown(node)}, not a list of numbers")
            return default
        return listed

    def text(self, where: Node | None, key: str | None, default: D, *,
             label: str | None = None, blame: Node | None = None,
             null: bool = True) -> str | D:
        """A string (a name such as a scheduler type)."""
        return self._scalar(self.node_at(where, key), label or key or "value", default, blame,
                            null, lambda node: node.as_str(), "a name")

    def choice(self, where: Node | None, key: str | None, default: D, options: Sequence[str], *,
               label: str | None = None, blame: Node | None = None, null: bool = True,
               consequence: str = "") -> str | D:
        """One of ``options``."""
        node = self.node_at(where, key)
        name = label or key or "value"
        value = self.text(node, None, None, label=name, blame=blame, null=null)
        if value is None:
            return default
        if value not in options:
            assert node is not None
            self.reject(blame or node, f"{name} {value!r} is not one of {', '.join(options)}"
                        + (f" ({consequence})" if consequence else ""))
            return default
        return value

    def flag(self, where: Node | None, key: str | None, default: D, *,
             label: str | None = None, blame: Node | None = None,
             null: bool = True) -> bool | D:
        """A bool (YAML ``true``/``false``)."""
        return self._scalar(self.node_at(where, key), label or key or "value", default, blame,
                            null, lambda node: node.as_bool(), "true/false")

    def _scalar(self, node: Node | None, name: str, default: D, blame: Node | None, null: bool,
                accessor: Callable[[Node], T | None], kind: str) -> T | D:
        """``accessor(node)``, or ``default`` (missing, unusable, or rejected as not ``kind``)."""
        if node is None or not self._present(node, null) or not self.usable(node, name, blame):
            return default
        value = accessor(node)
        if value is None:
            self.reject(blame or node, f"{name} is {shown(node)}, not {kind}")
            return default
        return value

    def like(self, where: Node | None, key: str | None, default: D, *,
             label: str | None = None, blame: Node | None = None, null: bool = True,
             whole_floats: bool = True, consequence: str = "") -> D:
        """A value of its default's type, as argparse-style and yacs configs type theirs: a
        bool, a name, a whole number (``whole_floats=False``: ``5.0`` is refused, as yacs's
        type check refuses it; ``consequence`` says so), a number, or a tuple/list of numbers
        (given back as the default's kind)."""
        node = self.node_at(where, key)
        name = label or key or "value"
        given: Any
        if isinstance(default, bool):
            given = self.flag(node, None, default, label=name, blame=blame, null=null)
        elif isinstance(default, str):
            given = self.text(node, None, default, label=name, blame=blame, null=null)
        elif isinstance(default, tuple | list):
            given = type(default)(self.numbers(node, None, default, label=name, blame=blame,
                                               null=null))
        else:
            given = self.number(node, None, default, label=name, blame=blame, null=null)
            whole = given if isinstance(given, int) or not whole_floats else integral(given)
            if isinstance(default, int) and node is not None and not isinstance(whole, int):
                self.reject(blame or node, f"{name} is {shown(node)}, not an integer"
                            + (f" ({consequence})" if consequence else ""))
                given = default
            elif isinstance(default, int):
                given = whole
        typed: D = given  # the branches above give back the default's own type
        return typed

    def _yaml11(self, label: str, node: Node, number: float | int) -> None:
        if self.yaml11 is not None and node.as_str() is not None and self.doc.format == "yaml":
            self.note(self.yaml11(label, node, number))


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {fmt(low)} and {fmt(high)}"
    if low is not None:
        return f">= {fmt(low)}"
    return f"<= {fmt(high)}"


# --- the plan -------------------------------------------------------------------------------


def plan(out: FrameworkSchedule, fn: FactorFn, base_lrs: float | Sequence[float], unit: Unit,
         label: str, spec: str, *, warmup: int | None, total: int | None, phases: Phases,
         source: str | None = None, extra: Mapping[str, Any] | None = None,
         origin: Origin | None = None) -> Plan:
    """Sets ``out.plan``: the factor function ``fn`` as a FunctionSchedule (``phases`` as
    given: see :func:`ordered_phases`) over ``base_lrs``, stepped per ``unit``, each LR
    ``base * fn(k)``: for a framework that multiplies a base LR by a factor function, as
    transformers' LambdaLR and fvcore's LRMultiplier do (a framework that computes the LR
    itself uses :func:`lr_plan`). ``source`` names where the plan came from (default:
    ``label``); ``origin`` the upstream code ``fn`` transcribes (without one, ``show`` says
    that no upstream file is cited: a LambdaLR check proves only the multiplication)."""
    schedule = FunctionSchedule(fn=fn, label=label, spec=spec, warmup=warmup, total=total,
                                phases=tuple(phases), extra=dict(extra or {}))
    lrs = (base_lrs,) if isinstance(base_lrs, int | float) else tuple(base_lrs)
    out.plan = Plan(schedule, lrs, source if source is not None else label, unit,
                    origin=origin or Origin(label, ""))
    return out.plan


def lr_plan(out: FrameworkSchedule, lr_fn: LrFn, base_lr: float, unit: Unit, label: str,
            spec: str, *, origin: Origin, warmup: int | None, total: int | None,
            phases: Phases, source: str | None = None,
            extra: Mapping[str, Any] | None = None) -> Plan:
    """Sets ``out.plan`` for a framework that computes the LR itself: update ``k`` runs at
    ``lr_fn(k)``, the framework's own float operations in its own order (fairseq's
    ``warmup_init_lr + num_updates * lr_step``, a chainable scheduler multiplying the previous
    LR), never ``base * factor``. ``base_lr`` is the peak the factor column and lint measure
    against (``lr / base_lr``); ``origin`` cites the upstream code ``lr_fn`` reproduces."""
    schedule = FunctionSchedule(fn=factor_of(lr_fn, base_lr), label=label, spec=spec,
                                warmup=warmup, total=total, phases=tuple(phases),
                                extra=dict(extra or {}))
    out.plan = Plan(schedule, (float(base_lr),), source if source is not None else label, unit,
                    lr_fns=(lr_fn,), origin=origin)
    return out.plan


def constant_warmup_jump(step: int, what: str) -> dict[str, Any]:
    """The ``extra`` of a plan whose constant warmup (``what``, e.g. "ConstantLR factor=0.1")
    ends with a jump at ``step``: a recipe (Goyal et al. 2017), which WU107 reports as a note."""
    return {RECIPE_JUMPS: ((step, f"the declared constant warmup ({what}) ends there, "
                                  "Goyal et al.'s recipe"),)}


# --- keys a reader does not read -------------------------------------------------------------

# Key names that usually change the schedule or its stepping (the optimizer's weight decay
# does not): what a reader does not read among them is noted at the key, never dropped.
SCHEDULE_WORDS = re.compile(r"warm_?up|sched|(^|_)lrs?($|_)|learning_rate|anneal|cycle|"
                            r"(?<!weight_)decay|min_lr|restart", re.IGNORECASE)


def unread_schedule_keys(ctx: Reading, holder: Node | None, read: Iterable[str],
                         framework: str) -> None:
    """A WU308 note at every key of ``holder`` that looks like a schedule setting
    (:data:`SCHEDULE_WORDS`) and is not among the keys the reader ``read``."""
    known = set(read)
    for key, child in ((holder.as_mapping() or {}) if holder is not None else {}).items():
        if key in known or not SCHEDULE_WORDS.search(key):
            continue
        ctx.finding(Code.WU308, f"{key} is not read by the {framework} reader: if it changes "
                    "the schedule or its stepping, the schedule shown does not have it", child,
                    Severity.NOTE)


# --- WU301: the warmup against the run ------------------------------------------------------


def warmup_vs_run(out: FrameworkSchedule, warmup: int | float, run: int | float | None,
                  warmup_node: Node | None, run_node: Node | None, unit: Unit, *,
                  noun: str | None = None, message: str | None = None,
                  longer_only: bool = False) -> bool:
    """WU301 when a warmup of ``warmup`` units is at least as long as a run of ``run``
    (``longer_only``: longer than it), located at the warmup key (else the run key, else the
    schedule); ``message`` replaces the generic text. True when it fired."""
    if run is None or warmup <= 0 or warmup < run or (longer_only and warmup == run):
        return False
    word = noun or str(unit)
    text = message or (f"the warmup ({plural_number(warmup, word)}) is "
                       f"{'as long as' if warmup == run else 'longer than'} the run "
                       f"({plural_number(run, word)}): the LR never reaches its peak")
    out.findings.append(Finding(Code.WU301, text, warmup_node or run_node or out.node))
    return True


def plural_number(count: int | float, word: str) -> str:
    return f"{fmt(count)} {word}" if count == 1 else f"{fmt(count)} {word}s"


# --- WU302: updates at LR 0 at the start of the warmup --------------------------------------

ZERO_SCAN_CAP = 1_000_000  # most warmup updates inspected when counting LR-0 updates

SeverityPolicy = Callable[[int, int], Severity]
"""WU302's severity for ``zeros`` of ``warmup`` updates at LR 0."""


def zero_share_severity(zeros: int, warmup: int) -> Severity:
    """The generic WU302 scale, by the share of the warmup lost: error >= 25 %, warning
    >= 1 %, else note."""
    share = zeros / max(1, warmup)
    if share >= 0.25:
        return Severity.ERROR
    if share >= 0.01:
        return Severity.WARNING
    return Severity.NOTE


def zero_share_severity_lowered(zeros: int, warmup: int) -> Severity:
    """One level below :func:`zero_share_severity` (HF: every HF warmup starts at factor 0 by
    definition, transformers#34754)."""
    return zero_share_severity(zeros, warmup).lower()


def leading_zero_updates(fn: FactorFn, limit: int) -> int:
    """How many updates from the first one get exactly 0 from ``fn`` (at most ``limit``)."""
    count = 0
    while count < limit and fn(count) == 0:
        count += 1
    return count


def zero_updates(lr: FactorFn, warmup: int) -> int:
    """How many of the first ``warmup`` updates (at most ZERO_SCAN_CAP of them) run at LR 0."""
    return sum(1 for k in range(min(warmup, ZERO_SCAN_CAP)) if lr(k) == 0.0)


def first_updates_run(count: int, unit: str = "update") -> str:
    """``the first update runs`` / ``the first 3 updates run`` (``unit`` e.g. "epoch")."""
    return f"the first {unit} runs" if count == 1 else f"the first {count} {unit}s run"


def leading_zero_text(zeros: int, warmup: int, noun: str, why: str = "") -> str:
    """``the first 2 updates run at LR 0, 2 of the 1001 warmup updates (0.2%): why``."""
    return (f"{first_updates_run(zeros, noun)} at LR 0, {zeros} of the {warmup} warmup "
            f"{noun}s ({zeros / warmup:.1%})" + (f": {why}" if why else ""))


def zero_share_text(zeros: int, warmup: int, noun: str, *, prefix: str = "",
                    suffix: str = ", starting with the first") -> str:
    """``{prefix}3 of the 10 warmup updates run at LR 0 (30.00%){suffix}``."""
    return (f"{prefix}{zeros} of the {warmup} warmup {noun}s run at LR 0 "
            f"({zeros / warmup:.2%}){suffix}")


def zero_lr_start(out: FrameworkSchedule, fn: FactorFn, warmup: int, node: Node | None,
                  unit: Unit, *, why: str = "", noun: str | None = None,
                  policy: SeverityPolicy = zero_share_severity, leading: bool = True,
                  scan: int | None = None,
                  message: Callable[[int, int], str] | None = None) -> int:
    """WU302 when updates of the warmup run at LR 0 (``fn`` the factor or LR of update k):
    ``leading`` counts the zeros from the first update on (at most ``scan`` of them, default
    the whole warmup), else every zero among the first ``warmup`` updates. The severity is
    ``policy(zeros, warmup)``; ``message(zeros, warmup)`` replaces :func:`leading_zero_text`.
    Returns the number of zero-LR updates (0: nothing reported)."""
    if warmup <= 0:
        return 0
    zeros = (leading_zero_updates(fn, warmup if scan is None else min(warmup, scan))
             if leading else zero_updates(fn, warmup))
    if zeros:
        text = (message(zeros, warmup) if message is not None
                else leading_zero_text(zeros, warmup, noun or str(unit), why))
        out.findings.append(Finding(Code.WU302, text, node or out.node,
                                    policy(zeros, warmup)))
    return zeros


def zero_lr_finding(zeros: int, warmup: int, unit: str, node: Node | None, *, prefix: str = "",
                    suffix: str = ", starting with the first") -> Finding:
    """WU302 for ``zeros`` of the ``warmup`` updates (``unit``s) at LR 0, scaled by their share
    (the :func:`zero_share_text` wording; :func:`zero_lr_start` counts and reports at once)."""
    return Finding(Code.WU302, zero_share_text(zeros, warmup, unit, prefix=prefix,
                                               suffix=suffix),
                   node, zero_share_severity(zeros, warmup))


# --- base configs -----------------------------------------------------------------------------


def with_bases(doc: Document, out: FrameworkSchedule) -> FrameworkSchedule:
    """A reader's schedule of a config whose base configs were merged (``configs.inherit``):
    the chain in the notes and, when a base could not be merged (not at hand, outside the
    project, a cycle), no plan, with the reasons located at the lines naming those bases, as
    detectron2's ``_BASE_`` is treated; a base the framework itself would refuse to merge is
    also a WU308 error. Every reader gets this from ``config_plans`` and lint alike."""
    inheritance = doc.inheritance
    if inheritance is None:
        return out
    if inheritance.chain:
        kind = "_base_" if inheritance.kind == "mmengine" else "the defaults list"
        out.notes.append(f"merged with its base configs through {kind}: "
                         + ", ".join(inheritance.chain))
    out.notes.extend(inheritance.notes)
    for problem in inheritance.problems:
        if problem.rejected:
            out.findings.append(Finding(Code.WU308, problem.reason, problem.node,
                                        Severity.ERROR))
        out.unresolved.append((problem.node, problem.reason))
    if inheritance.problems:
        out.plan = None
    return out
