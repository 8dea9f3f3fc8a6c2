"""From a Document to the subjects lint checks: the generic extractor's texts, the framework
readers' schedules and the extractor registry.

An extractor is any ``Callable[[Document], list[Subject]]``. The generic one adapts what
``warmup_cli.configs.extract`` finds (lambdas anywhere, specs under schedule keys, refused
``${eval:...}`` bodies; see ``settings.schedule_keys``) to subjects, with a WU002/WU003 problem
for a text that does not parse. :func:`framework_subjects` runs every framework reader
(``warmup_cli.frameworks``, imported on the first config file) and turns what they find into
subjects: their WU3xx findings, a WU308 per unresolved value, and the schedule they reproduce
for the generic WU1xx checks. Other extractors plug in through :func:`register_extractor`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmup_cli.configs.document import Document
from warmup_cli.configs.extract import FoundText, find_texts
from warmup_cli.errors import ExpressionError, WarmupError
from warmup_cli.lint.diagnostics import Location, Severity
from warmup_cli.lint.rules import RULES
from warmup_cli.lint.subject import ANCHOR_RUN, RuleHit, Subject, source_offset
from warmup_cli.parse import ParseError, parse_text
from warmup_cli.schedule import FunctionSchedule, Schedule
from warmup_cli.vocab import NO_FACTS, Code, RunFacts

if TYPE_CHECKING:
    from warmup_cli.frameworks.kit import FrameworkSchedule, Reader

Extractor = Callable[[Document], list[Subject]]


# --- text -> problem ------------------------------------------------------------------------

def expression_problem(text: str, error: ExpressionError) -> RuleHit:
    """WU003 when the text is not even Python syntax, WU002 when the sandbox refuses it."""
    if error.message == "invalid syntax":
        detail = f" ({error.hint.split(';')[0]})" if error.hint else ""
        return RuleHit(Code.WU003, f"the expression does not parse: invalid syntax{detail}",
                       offset=source_offset(text, error.column))
    return RuleHit(Code.WU002, f"unsafe or unsupported expression: {error.message}; warmup lint "
                   "never runs it, but a framework that evaluates this string would",
                   offset=source_offset(text, error.column))


def parse_problem(problem: ParseError) -> RuleHit:
    error = problem.error
    if isinstance(error, ExpressionError):
        return expression_problem(problem.text, error)
    hint = f" ({error.hint})" if error.hint else ""
    return RuleHit(Code.WU003, f"invalid schedule spec: {error.message}{hint}",
                   offset=source_offset(problem.text, error.column))


def argument_subject(text: str, index: int) -> Subject:
    """A schedule given on the command line, reported as ``<argN>:1:col``."""
    parsed = parse_text(text)
    start = Location(1, 1)
    if isinstance(parsed, ParseError):
        return Subject(text=text, path=f"<arg{index}>", where=start, value_at=start,
                       text_column=1, problem=parse_problem(parsed))
    return Subject(text=text, path=f"<arg{index}>", where=start, value_at=start, text_column=1,
                   schedule=parsed.schedule, expression=parsed.expression,
                   base_lrs=parsed.base_lrs)


# --- the generic extractor --------------------------------------------------------------------

@dataclass(frozen=True)
class GenericExtractor:
    schedule_keys: frozenset[str]

    def __call__(self, doc: Document) -> list[Subject]:
        return [_text_subject(doc, found) for found in find_texts(doc, self.schedule_keys)]


def _text_subject(doc: Document, found: FoundText) -> Subject:
    node = found.node
    where = Location(*node.location)
    value_at = Location(node.line, node.column)
    subject = Subject(text=found.text, path=doc.path, where=where, value_at=value_at,
                      text_column=found.text_column,
                      noqa_lines=tuple(sorted({where.line, value_at.line})), key_path=node.path,
                      where_path=node.source)
    parsed = found.parsed
    if isinstance(parsed, ParseError):
        return dataclasses.replace(subject, problem=parse_problem(parsed))
    subject = dataclasses.replace(subject, schedule=parsed.schedule,
                                  expression=parsed.expression, base_lrs=found.base_lrs)
    run = found.run
    if run is None or run.node.source != node.source:  # an anchor in another file: at `where`
        return subject
    run_at = Location(*run.node.location)
    return dataclasses.replace(subject, run_length=run.length,
                               run_source=f"{run.key} = {run.length:,} at line {run_at.line}",
                               anchors={ANCHOR_RUN: run_at})


# --- framework readers and the registry --------------------------------------------------

# A reader's finding that says what a generic check would say about the same schedule, in the
# framework's own terms (its units, its keys, its severity scale): the generic one is dropped.
COVERS: dict[Code, frozenset[Code]] = {
    Code.WU302: frozenset({Code.WU101}),  # LR 0 at the first update(s)
    Code.WU301: frozenset({Code.WU108, Code.WU109}),  # a longer warmup is never "long"
}
UNRESOLVED_CODE = Code.WU308


def framework_subjects(doc: Document, facts: RunFacts = NO_FACTS) -> list[Subject]:
    """Subjects from every framework reader that recognises ``doc``.

    ``warmup_cli.frameworks.readers()`` imports the reader modules on the first call (so
    ``warmup --help``, ``warmup rules`` and command-line schedules never pay for them) and
    returns the registry, which also holds any reader registered by other code. Each reader's
    ``FrameworkSchedule`` becomes one subject: its findings (WU3xx) become hits located at the
    reader's node, every ``unresolved`` reason a located WU308, and its plan the schedule the
    generic WU1xx checks run on, minus the ones its findings cover (:data:`COVERS`).
    ``facts`` (``--horizon``, ``--updates-per-epoch``) state the run length where the config
    leaves it to the dataset size. A reader that raises is reported as a WU308 error naming
    it; the other readers and the generic extractor still run on the file.
    """
    subjects: list[Subject] = []
    for name, reader in list(_registry().items()):
        try:
            if not reader.detect(doc):
                continue
            subjects += [_framework_subject(doc, name, with_bases(doc, item))
                         for item in reader.read(doc, facts)]
        except Exception as error:  # a reader's bug must never stop lint
            subjects.append(reader_failure(doc, name, error))
    return subjects


@functools.cache
def _registry() -> dict[str, Reader]:
    # Importing the reader modules once per process; the registry is the same dict object
    # afterwards, so readers registered later (plug-ins, tests) are still seen.
    from warmup_cli.frameworks import readers

    return readers()


def with_bases(doc: Document, item: FrameworkSchedule) -> FrameworkSchedule:
    from warmup_cli.frameworks.kit import with_bases as merged

    return merged(doc, item)


BUG_NOTE = "this is a warmup_cli bug, please report it"
"""How every internal-error finding ends: lint's exit code is 3 when one is reported."""
MAX_ERROR_TEXT = 300  # an exception's text can be a whole file; the finding quotes its start


def internal_error_message(component: str, error: BaseException, consequence: str, *,
                           on: str = "this file") -> str:
    """``component failed on this file (KeyError: 'x'); consequence: this is a warmup_cli
    bug...``: the message of a WU308 error for an exception that is not a user mistake."""
    return f"{component} failed on {on} ({describe_exception(error)}); {consequence}: " \
        + BUG_NOTE


def describe_exception(error: BaseException) -> str:
    """``KeyError: 'x'``, the text cut at :data:`MAX_ERROR_TEXT` characters."""
    text = str(error)
    if len(text) > MAX_ERROR_TEXT:
        text = text[:MAX_ERROR_TEXT] + "..."
    return f"{type(error).__name__}: {text}"


def is_internal_error(message: str) -> bool:
    return message.endswith(BUG_NOTE)


def reader_failure(doc: Document, reader: str, error: BaseException) -> Subject:
    """A located WU308 error for a reader that raised. A WarmupError is the reader refusing
    the file in words meant for the user; anything else is a bug in warmup_cli."""
    if isinstance(error, WarmupError):
        message = (f"the {reader} reader cannot read this file: {error.message}"
                   + (f" ({error.hint})" if error.hint else ""))
    else:
        message = internal_error_message(f"the {reader} reader", error, "its checks were "
                                         "skipped and the rest of the file was linted")
    where = Location(*doc.root.location)
    return Subject(text=f"{reader} reader", path=doc.path, where=where, origin=reader,
                   hits=(RuleHit(UNRESOLVED_CODE, message, Severity.ERROR, at=where),))


def _effective(code: Code, severity: Severity | None) -> Severity:
    rule = RULES.get(code)
    return severity or (rule.severity if rule else Severity.WARNING)


def _framework_subject(doc: Document, reader: str, item: FrameworkSchedule) -> Subject:
    hits = [RuleHit(f.code, f.message, f.severity,
                    at=Location(*f.node.location) if f.node is not None else None,
                    path=f.node.source if f.node is not None else None)
            for f in item.findings]
    # An unresolved value the reader already reported (a WU308 with its own severity, or an
    # error such as timm's t_initial <= 0 that left the plan unbuilt) is not repeated.
    said = {(f.node.source, f.node.location) for f in item.findings if f.node is not None
            and (f.code == UNRESOLVED_CODE or _effective(f.code, f.severity) is Severity.ERROR)}
    label = f"{item.framework} {item.name}"
    seen: set[tuple[str | None, tuple[int, int], str]] = set()
    for node, why in item.unresolved:
        key = (node.source, node.location, why)
        if (node.source, node.location) in said or key in seen:
            continue
        seen.add(key)
        # A note: what cannot be resolved is not known to be wrong. Readers report values
        # their framework would reject as WU308 errors themselves (deduplicated above).
        hits.append(RuleHit(UNRESOLVED_CODE, f"cannot resolve the {label} schedule: {why}",
                            Severity.NOTE, at=Location(*node.location), path=node.source))
    covered = frozenset(code for f in item.findings for code in COVERS.get(f.code, ()))
    plan = item.plan
    where = Location(*item.node.location)
    return Subject(
        text=label, path=doc.path, where=where,
        value_at=Location(item.node.line, item.node.column),
        schedule=_guarded(plan.schedule) if plan else None,
        base_lrs=plan.base_lrs if plan else (), run_length=item.horizon,
        run_source=f"{item.framework} config" if item.horizon else None,
        hits=tuple(hits), covered=covered, origin=reader, key_path=item.node.path,
        where_path=item.node.source)


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


def script_subjects(doc: Document, facts: RunFacts = NO_FACTS) -> list[Subject]:
    """Training scripts' schedules and stepping checks (``warmup_cli.lint.scripts``, imported
    for .py files). A bug in the checks is a located internal error, and the schedules are
    still linted."""
    if doc.format != "python":
        return []
    from warmup_cli.lint import scripts

    subjects, read = scripts.script_subjects(doc, facts)
    if read is None:
        return subjects
    try:
        subjects.append(scripts.checks_subject(doc, read))
    except WarmupError:
        raise
    except Exception as error:  # see above
        where = Location(1, 1)
        subjects.append(Subject(text="script checks", path=doc.path, where=where,
                                origin="script", hits=(RuleHit(
                                    UNRESOLVED_CODE, internal_error_message(
                                        "the training-script checks", error,
                                        "they were skipped"), Severity.ERROR, at=where),)))
    return subjects


EXTRACTORS: list[Extractor] = [framework_subjects, script_subjects]
_WITH_FACTS = (framework_subjects, script_subjects)  # the extractors that take the run facts


def register_extractor(extractor: Extractor) -> Extractor:
    """Add an extractor that runs after the generic one on every document."""
    EXTRACTORS.append(extractor)
    return extractor


def extractors_for(schedule_keys: frozenset[str], facts: RunFacts = NO_FACTS
                   ) -> list[Extractor]:
    """The generic extractor for ``schedule_keys``, then every registered one; the framework
    readers get ``facts`` for a run length a config leaves open."""
    extra = [functools.partial(extractor, facts=facts)
             if extractor in _WITH_FACTS else extractor for extractor in EXTRACTORS]
    return [GenericExtractor(schedule_keys), *extra]
