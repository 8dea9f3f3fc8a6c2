"""From a Document to the schedules it declares: the generic extractor, the framework readers
and the registry.

An extractor is any ``Callable[[Document], list[Subject]]``. The generic one (this module)
knows no framework: it lints every string that is a lambda, every string under a schedule key
(``lr_lambda``, ``warmup``, ... see ``settings.DEFAULT_SCHEDULE_KEYS``) that is a warmup_cli
spec, and every Hydra/OmegaConf ``${eval:...}`` body (checked against the expression sandbox,
never run). The base LR and the run length come from the nearest enclosing mapping that has
them, else from anywhere in the file. :func:`framework_subjects` runs every framework reader
(``warmup_cli.frameworks``, imported on the first config file) and turns what they find into
subjects: their WU3xx findings, a WU308 per unresolved value, and the schedule they reproduce
for the generic WU1xx checks. Other extractors plug in through :func:`register_extractor`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypeVar

from warmup_cli.configs.document import Document, Node, Unresolved
from warmup_cli.errors import ExpressionError, SpecError, WarmupError
from warmup_cli.expr import CompiledExpression, compile_expression, is_lambda_text
from warmup_cli.lint.diagnostics import Location, Severity
from warmup_cli.lint.rules import RULES
from warmup_cli.lint.settings import normalize_key
from warmup_cli.lint.subject import ANCHOR_RUN, RuleHit, Subject, source_offset
from warmup_cli.schedule import FunctionSchedule, Schedule
from warmup_cli.source import expression_schedule, looks_like_spec, parse_schedule
from warmup_cli.spec import parse_spec
from warmup_cli.vocab import RunFacts

if TYPE_CHECKING:
    from warmup_cli.frameworks.kit import FrameworkSchedule, Reader

Extractor = Callable[[Document], list[Subject]]

BASE_LR_KEYS = ("lr", "base_lr", "learning_rate", "peak_lr", "max_lr", "lr_base")
STEP_KEYS = ("max_steps", "total_steps", "num_training_steps", "max_iters", "max_iter",
             "max_update", "total_iters", "train_steps", "training_steps", "num_steps",
             "total_num_steps", "total_training_steps", "num_train_steps")
EPOCH_KEYS = ("epochs", "max_epochs", "num_epochs", "num_train_epochs", "max_epoch",
              "total_epochs", "n_epochs", "train_epochs")
MAX_RUN_LENGTH = 10**15  # longer "runs" are typos or sentinels, not a horizon to check
SPEC_PUNCTUATION = frozenset(":>*(=")
EVAL_OPEN = "${eval:"
MAX_EVALS = 100  # ${eval:...} bodies checked per string

Kind = Literal["lambda", "spec", "any"]
T = TypeVar("T")


# --- text -> schedule -----------------------------------------------------------------------

@dataclass(frozen=True)
class Compiled:
    schedule: Schedule | None = None
    base_lrs: tuple[float, ...] = ()
    expression: CompiledExpression | None = None
    problem: RuleHit | None = None


def expression_problem(text: str, error: ExpressionError) -> RuleHit:
    """WU003 when the text is not even Python syntax, WU002 when the sandbox refuses it."""
    if error.message == "invalid syntax":
        detail = f" ({error.hint.split(';')[0]})" if error.hint else ""
        return RuleHit("WU003", f"the expression does not parse: invalid syntax{detail}",
                       offset=source_offset(text, error.column))
    return RuleHit("WU002", f"unsafe or unsupported expression: {error.message}; warmup lint "
                   "never runs it, but a framework that evaluates this string would",
                   offset=source_offset(text, error.column))


def _spec_problem(text: str, error: SpecError) -> RuleHit:
    hint = f" ({error.hint})" if error.hint else ""
    return RuleHit("WU003", f"invalid schedule spec: {error.message}{hint}",
                   offset=source_offset(text, error.column))


def compile_text(text: str, kind: Kind) -> Compiled:
    """Build the schedule a lambda, spec or command-line text declares (never raises)."""
    try:
        if kind == "lambda":
            schedule: Schedule = expression_schedule(text)
            bases = None
        elif kind == "spec":
            parsed = parse_spec(text)
            schedule, bases = parsed.schedule, parsed.base_lrs
        else:
            schedule, bases = parse_schedule(text)
    except ExpressionError as error:
        return Compiled(problem=expression_problem(text, error))
    except SpecError as error:
        return Compiled(problem=_spec_problem(text, error))
    expression = None
    if isinstance(schedule, FunctionSchedule) and isinstance(schedule.fn, CompiledExpression):
        expression = schedule.fn
    return Compiled(schedule, bases or (), expression)


def argument_subject(text: str, index: int) -> Subject:
    """A schedule given on the command line, reported as ``<argN>:1:col``."""
    compiled = compile_text(text, "any")
    start = Location(1, 1)
    return Subject(text=text, path=f"<arg{index}>", where=start, value_at=start, text_column=1,
                   schedule=compiled.schedule, expression=compiled.expression,
                   problem=compiled.problem, base_lrs=compiled.base_lrs)


# --- ${eval:...} ------------------------------------------------------------------------------

def _brace_pairs(text: str) -> dict[int, int]:
    """``{open index: close index}`` for every balanced brace pair, in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            stack.append(index)
        elif char == "}" and stack:
            pairs[stack.pop()] = index
    return pairs


def eval_bodies(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, body)`` of every ``${eval:BODY}`` in ``text``, nested ones included.

    Inner interpolations ``${a.b}`` become ``0`` digits of the same length (a valid number
    literal) so that the body compiles on its own and columns stay put; a quoted body
    (``${eval:"..."}``) is the text between the quotes, as OmegaConf passes it. At most
    :data:`MAX_EVALS` per string, so a hostile file cannot make this quadratic.
    """
    pairs = _brace_pairs(text)
    search = 0
    for _ in range(MAX_EVALS):
        start = text.find(EVAL_OPEN, search)
        end = pairs.get(start + 1) if start >= 0 else None
        if end is None:
            return
        body_start = start + len(EVAL_OPEN)
        body = _blank_interpolations(text, body_start, end, pairs)
        stripped = body.strip()
        if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
            lead = body.index(stripped[0]) + 1
            body_start += lead
            body = stripped[1:-1]
        yield body_start, body
        search = body_start


def _blank_interpolations(text: str, start: int, end: int, pairs: dict[int, int]) -> str:
    parts: list[str] = []
    index = start
    while (inner := text.find("${", index, end)) >= 0 and (close := pairs.get(inner + 1)):
        parts += [text[index:inner], "0" * (close + 1 - inner)]
        index = close + 1
    parts.append(text[index:end])
    return "".join(parts)


# --- the generic extractor --------------------------------------------------------------------

def _count(node: Node) -> int | None:
    number = node.as_number()
    if number is None or not math.isfinite(number) or number != int(number):
        return None
    count = int(number)
    return count if 1 <= count <= MAX_RUN_LENGTH else None


def _base_lrs(node: Node) -> tuple[float, ...] | None:
    number = node.as_number()
    numbers = [number] if number is not None else node.as_number_list()
    if not numbers or not all(math.isfinite(n) and n >= 0 for n in numbers):
        return None
    return tuple(float(n) for n in numbers)


@dataclass
class _Context:
    """Finds the base LR and run length for a value: nearest enclosing mapping first."""

    root: Node
    _index: dict[str, Node] | None = field(default=None, init=False)

    def _anywhere(self) -> dict[str, Node]:
        if self._index is None:
            # Shallowest first: breadth-first over the tree.
            index: dict[str, Node] = {}
            level = [self.root]
            while level:
                following: list[Node] = []
                for node in level:
                    if isinstance(node.value, dict):
                        for key, child in node.value.items():
                            index.setdefault(normalize_key(key), child)
                            following.append(child)
                    elif isinstance(node.value, list):
                        following.extend(node.value)
                level = following
            self._index = index
        return self._index

    def find(self, scopes: list[dict[str, Node]], keys: Iterable[str],
             read: Callable[[Node], T | None]) -> tuple[str, Node, T] | None:
        keys = tuple(keys)
        for scope in (*reversed(scopes), self._anywhere()):
            for key in keys:
                node = scope.get(key)
                if node is not None:
                    value = read(node)
                    if value is not None:
                        return key, node, value
        return None


def _run_keys(param: str | None) -> tuple[str, ...]:
    """Epoch keys first for ``lambda epoch: ...``, step keys first otherwise."""
    if param is not None and "epoch" in param.lower():
        return EPOCH_KEYS + STEP_KEYS
    return STEP_KEYS + EPOCH_KEYS


@dataclass(frozen=True)
class GenericExtractor:
    schedule_keys: frozenset[str]

    def __call__(self, doc: Document) -> list[Subject]:
        walker = _Walker(doc, self.schedule_keys)
        walker.walk(doc.root, None, [])
        return walker.subjects


class _Walker:
    def __init__(self, doc: Document, schedule_keys: frozenset[str]) -> None:
        self.doc = doc
        self.schedule_keys = schedule_keys
        self.context = _Context(doc.root)
        self.subjects: list[Subject] = []
        self._lines: list[str] | None = None

    def walk(self, node: Node, key: str | None, scopes: list[dict[str, Node]]) -> None:
        value = node.value
        if isinstance(value, dict):
            scopes.append({normalize_key(k): child for k, child in value.items()})
            for child_key, child in value.items():
                self.walk(child, child_key, scopes)
            scopes.pop()
        elif isinstance(value, list):
            for child in value:
                self.walk(child, key, scopes)  # per-group lists keep their key's meaning
        elif isinstance(value, str):
            self.string(node, value, key, scopes)
        elif isinstance(value, Unresolved) and is_lambda_text(value.source):
            # A lambda in a Python config: its source sits in the file as written.
            self.schedule(node, value.source, "lambda", scopes,
                          self._verbatim(node, value.source))

    def string(self, node: Node, text: str, key: str | None,
               scopes: list[dict[str, Node]]) -> None:
        if is_lambda_text(text):
            self.schedule(node, text, "lambda", scopes, self._verbatim(node, text))
        elif EVAL_OPEN in text:
            self.eval_strings(node, text)
        elif key is not None and normalize_key(key) in self.schedule_keys \
                and looks_like_spec(text):
            if not (SPEC_PUNCTUATION & set(text)):
                # A bare kind name ("cosine", "linear") is a framework's scheduler name, not a
                # spec; it is linted only when it parses ("constant").
                try:
                    parse_spec(text)
                except SpecError:
                    return
            self.schedule(node, text, "spec", scopes, self._verbatim(node, text))

    def eval_strings(self, node: Node, text: str) -> None:
        start = self._verbatim(node, text)
        for offset, body in eval_bodies(text):
            try:
                compile_expression(body)
            except ExpressionError as error:
                problem = expression_problem(body, error)
                column = None if start is None else start + offset
                self.subjects.append(self._subject(node, body, column, problem=problem))

    def schedule(self, node: Node, text: str, kind: Kind, scopes: list[dict[str, Node]],
                 column: int | None) -> None:
        compiled = compile_text(text, kind)
        if compiled.schedule is None:
            self.subjects.append(self._subject(node, text, column, problem=compiled.problem))
            return
        base_lrs = compiled.base_lrs
        if not base_lrs:
            found = self.context.find(scopes, BASE_LR_KEYS, _base_lrs)
            base_lrs = found[2] if found else ()
        param = compiled.expression.param if compiled.expression else None
        run = self.context.find(scopes, _run_keys(param), _count)
        run_length: int | None = None
        run_source: str | None = None
        anchors: dict[str, Location] = {}
        if run is not None:
            run_key, run_node, run_length = run
            run_at = Location(*run_node.location)
            run_source = f"{run_key} = {run_length:,} at line {run_at.line}"
            anchors[ANCHOR_RUN] = run_at
        self.subjects.append(self._subject(
            node, text, column, schedule=compiled.schedule, expression=compiled.expression,
            base_lrs=base_lrs, run_length=run_length, run_source=run_source, anchors=anchors))

    def _subject(self, node: Node, text: str, column: int | None, **fields: object) -> Subject:
        where = Location(*node.location)
        value_at = Location(node.line, node.column)
        noqa = tuple(sorted({where.line, value_at.line}))
        return Subject(text=text, path=self.doc.path, where=where, value_at=value_at,
                       text_column=column, noqa_lines=noqa, key_path=node.path,
                       **fields)  # type: ignore[arg-type]

    # -- columns inside strings ---------------------------------------------------------------

    def _line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self.doc.text.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def _verbatim(self, node: Node, text: str) -> int | None:
        """The column of ``text`` when the file holds it verbatim on the value's line: right
        at the value (plain scalar) or after its opening quote (or a one-letter prefix)."""
        if "\n" in text or "\r" in text:
            return None
        line = self._line(node.line)
        for shift in (0, 1, 2):
            start = node.column - 1 + shift
            if line[start:start + len(text)] == text:
                return start + 1
        return None


# --- framework readers and the registry --------------------------------------------------

# A reader's finding that says what a generic check would say about the same schedule, in the
# framework's own terms (its units, its keys, its severity scale): the generic one is dropped.
COVERS: dict[str, frozenset[str]] = {
    "WU302": frozenset({"WU101"}),  # LR 0 at the first update(s)
    "WU301": frozenset({"WU108", "WU109"}),  # a warmup longer than the run is never "long"
}
UNRESOLVED_CODE = "WU308"


def framework_subjects(doc: Document, *, total_steps: int | None = None,
                       updates_per_epoch: int | None = None) -> list[Subject]:
    """Subjects from every framework reader that recognises ``doc``.

    ``warmup_cli.frameworks.readers()`` imports the reader modules on the first call (so
    ``warmup --help``, ``warmup rules`` and command-line schedules never pay for them) and
    returns the registry, which also holds any reader registered by other code. Each reader's
    ``FrameworkSchedule`` becomes one subject: its findings (WU3xx) become hits located at the
    reader's node, every ``unresolved`` reason a located WU308, and its plan the schedule the
    generic WU1xx checks run on, minus the ones its findings cover (:data:`COVERS`).
    ``total_steps`` (``--horizon``) and ``updates_per_epoch`` (``--updates-per-epoch``) state
    the run length for readers that take them, where the config leaves it to the dataset size.
    A reader that raises is reported as a WU308 error naming it; the other readers and the
    generic extractor still run on the file.
    """
    subjects: list[Subject] = []
    for name, reader in list(_registry().items()):
        try:
            if not reader.detect(doc):
                continue
            found = reader.read(doc, RunFacts(total_steps, updates_per_epoch))
            subjects += [_framework_subject(doc, name, item) for item in found]
        except Exception as error:  # a reader's bug must never stop lint
            subjects.append(reader_failure(doc, name, error))
    return subjects


@functools.cache
def _registry() -> dict[str, Reader]:
    # Importing the reader modules once per process; the registry is the same dict object
    # afterwards, so readers registered later (plug-ins, tests) are still seen.
    from warmup_cli.frameworks import readers

    return readers()


def reader_failure(doc: Document, reader: str, error: BaseException) -> Subject:
    """A located WU308 error for a reader that raised. A WarmupError is the reader refusing
    the file in words meant for the user; anything else is a bug in warmup_cli."""
    if isinstance(error, WarmupError):
        message = (f"the {reader} reader cannot read this file: {error.message}"
                   + (f" ({error.hint})" if error.hint else ""))
    else:
        message = (f"the {reader} reader failed on this file ({type(error).__name__}: "
                   f"{error}); its checks were skipped and the rest of the file was linted: "
                   "this is a warmup_cli bug, please report it")
    where = Location(*doc.root.location)
    return Subject(text=f"{reader} reader", path=doc.path, where=where, origin=reader,
                   hits=(RuleHit(UNRESOLVED_CODE, message, Severity.ERROR, at=where),))


def _effective(code: str, severity: Severity | None) -> Severity:
    rule = RULES.get(code)
    return severity or (rule.severity if rule else Severity.WARNING)


def _framework_subject(doc: Document, reader: str, item: FrameworkSchedule) -> Subject:
    hits = [RuleHit(f.code, f.message, f.severity,
                    at=Location(*f.node.location) if f.node is not None else None)
            for f in item.findings]
    # An unresolved value the reader already reported (a WU308 with its own severity, or an
    # error such as timm's t_initial <= 0 that left the plan unbuilt) is not repeated.
    said = {f.node.location for f in item.findings if f.node is not None
            and (f.code == UNRESOLVED_CODE or _effective(f.code, f.severity) is Severity.ERROR)}
    label = f"{item.framework} {item.name}"
    seen: set[tuple[tuple[int, int], str]] = set()
    for node, why in item.unresolved:
        key = (node.location, why)
        if node.location in said or key in seen:
            continue
        seen.add(key)
        # A note: what cannot be resolved is not known to be wrong. Readers report values
        # their framework would reject as WU308 errors themselves (deduplicated above).
        hits.append(RuleHit(UNRESOLVED_CODE, f"cannot resolve the {label} schedule: {why}",
                            Severity.NOTE, at=Location(*node.location)))
    covered = frozenset(code for f in item.findings for code in COVERS.get(f.code, ()))
    plan = item.plan
    where = Location(*item.node.location)
    return Subject(
        text=label, path=doc.path, where=where,
        value_at=Location(item.node.line, item.node.column),
        schedule=_guarded(plan.schedule) if plan else None,
        base_lrs=plan.base_lrs if plan else (), run_length=item.horizon,
        run_source=f"{item.framework} config" if item.horizon else None,
        hits=tuple(hits), covered=covered, origin=reader, key_path=item.node.path)


def _guarded(schedule: Schedule) -> Schedule:
    """The reader's schedule with its factor function's unexpected exceptions (KeyError,
    RuntimeError, ... from a reader's own arithmetic) turned into ValueError, which the trace
    reports as a located WU103 at the failing step instead of letting them escape."""
    if not isinstance(schedule, FunctionSchedule):
        return schedule
    fn = schedule.fn

    def guarded(step: int) -> float:
        try:
            return fn(step)
        except (ArithmeticError, ValueError, TypeError, RecursionError, WarmupError):
            raise
        except Exception as error:  # see the docstring
            raise ValueError(f"{type(error).__name__}: {error}") from None

    return dataclasses.replace(schedule, fn=guarded)


def owned_by_reader(subject: Subject, claims: Iterable[tuple[str | int, ...]]) -> bool:
    """Whether a generic subject sits inside a value a framework reader resolved (an axolotl
    ``lr_scheduler: constant`` is HF's constant scheduler, not a warmup_cli spec). Problems
    (WU002/WU003) are always kept: they are about the text, which no reader evaluates."""
    if subject.origin is not None or subject.problem is not None:
        return False
    path = subject.key_path
    return any(claim and path[:len(claim)] == claim for claim in claims)


EXTRACTORS: list[Extractor] = [framework_subjects]


def register_extractor(extractor: Extractor) -> Extractor:
    """Add an extractor that runs after the generic one on every document."""
    EXTRACTORS.append(extractor)
    return extractor


def extractors_for(schedule_keys: frozenset[str], horizon: int | None = None,
                   updates_per_epoch: int | None = None) -> list[Extractor]:
    """The generic extractor for ``schedule_keys``, then every registered one; the framework
    readers get ``horizon`` and ``updates_per_epoch`` for a run length a config leaves open."""
    extra = [functools.partial(framework_subjects, total_steps=horizon,
                               updates_per_epoch=updates_per_epoch)
             if extractor is framework_subjects else extractor for extractor in EXTRACTORS]
    return [GenericExtractor(schedule_keys), *extra]
