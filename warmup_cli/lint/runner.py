"""``warmup lint`` as a library call: targets in, diagnostics and an exit code out.

A target is a lambda or spec (linted as ``<argN>``) or a file, directory or glob of config
files. A file that cannot be read becomes a WU001 diagnostic and the others are still linted;
nothing here raises for bad input, nor for a bug of its own: an exception from a loader,
reader or check is a WU308 error at that file (an internal error: exit code 3).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from warmup_cli.configs.discover import discover
from warmup_cli.configs.document import Document, load_document
from warmup_cli.configs.hints import schedule_like_keys
from warmup_cli.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    WarmupError,
)
from warmup_cli.lint.diagnostics import Diagnostic, Location, Severity
from warmup_cli.lint.engine import check_subject, evaluation_budget
from warmup_cli.lint.extract import (
    BUG_NOTE,
    Extractor,
    argument_subject,
    describe_exception,
    extractors_for,
    internal_error_message,
    is_internal_error,
    owned_by_reader,
)
from warmup_cli.lint.noqa import suppressed
from warmup_cli.lint.rules import RULES
from warmup_cli.lint.settings import Settings
from warmup_cli.lint.subject import RuleHit, Subject
from warmup_cli.parse import TextKind, classify
from warmup_cli.vocab import Code, RunFacts

INTERNAL_CODE = Code.WU308  # an internal error is a WU308 error ending in BUG_NOTE
FILE_START = Location(1, 1)


@dataclass(frozen=True)
class LintReport:
    diagnostics: list[Diagnostic]
    inputs: int  # files and command-line schedules looked at
    empty: tuple[str, ...] = ()  # directory and pattern targets that held no config file

    @property
    def internal_errors(self) -> list[Diagnostic]:
        """The findings that report a bug in warmup_cli (a reader, a check or a loader that
        raised): the test suite asserts there are none."""
        return internal_errors(self.diagnostics)

    def exit_code(self, fail_on: Severity) -> int:
        """3 after an internal error, 2 when an input could not be linted, 1 when a finding
        reaches ``fail_on``, else 0."""
        return exit_code(self.diagnostics, fail_on)


def internal_errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == INTERNAL_CODE and d.severity is Severity.ERROR
            and is_internal_error(d.message)]


def exit_code(diagnostics: Iterable[Diagnostic], fail_on: Severity) -> int:
    found = list(diagnostics)
    if internal_errors(found):
        return EXIT_INTERNAL
    if any(RULES[d.code].blocking for d in found if d.code in RULES):
        return EXIT_USAGE
    if any(d.severity.rank >= fail_on.rank for d in found):
        return EXIT_FINDINGS
    return EXIT_OK


def is_schedule_argument(target: str) -> bool:
    """Whether a command-line target is a schedule rather than a file, directory or glob. A
    lone identifier is a missing directory here, not the identity function of a step so named."""
    kind = classify(target)
    return kind.is_schedule and kind is not TextKind.NAME


def lint(targets: Sequence[str], settings: Settings,
         extractors: Sequence[Extractor] | None = None, *,
         follow_bases: bool = False) -> LintReport:
    """Lint every target: command-line schedules first, then each file as discovery yields
    them, each file's diagnostics by position. The readers get the settings' run length
    (``--horizon``, ``--updates-per-epoch``) and ``follow_bases`` (``--follow-bases``).

    Nothing raises: an exception from a loader, reader or check (a bug in warmup_cli) becomes
    a WU308 error at the file or schedule it happened on (:data:`BUG_NOTE`), the other inputs
    are still linted, and the exit code is 3."""
    extractors = list(extractors) if extractors is not None \
        else extractors_for(settings.schedule_keys, RunFacts(
            settings.horizon, settings.updates_per_epoch, follow_bases=follow_bases))
    diagnostics: list[Diagnostic] = []
    inputs = 0
    files: list[str] = []
    for index, target in enumerate(targets, start=1):
        if is_schedule_argument(target):
            inputs += 1
            diagnostics += lint_argument(target, index, settings)
        else:
            files.append(target)
    empty: list[str] = []
    found_files = discover(files, on_empty=empty.append)
    while True:
        try:
            found = next(found_files, None)
        except Exception as error:  # discovery's own bug: the files found so far are linted
            diagnostics.append(internal_error(", ".join(files), "finding the config files",
                                              error, "the files after it were not linted",
                                              on="these targets"))
            break
        if found is None:
            break
        inputs += 1
        if isinstance(found, ConfigError):
            diagnostics.append(_unreadable(found, None))
        else:
            diagnostics += lint_file(found, settings, extractors)
    return LintReport(_unique(diagnostics), inputs, tuple(empty))


def lint_argument(target: str, index: int, settings: Settings) -> list[Diagnostic]:
    """The diagnostics of a schedule given on the command line, reported as ``<argN>``."""
    try:
        return _subject_diagnostics(argument_subject(target, index), settings,
                                    settings.codes_for(None), None)
    except Exception as error:  # see lint(): never stops the other inputs
        return [internal_error(f"<arg{index}>", "lint", error, "it was not checked",
                               on="this schedule")]


def lint_file(path: Path | str, settings: Settings,
              extractors: Sequence[Extractor]) -> list[Diagnostic]:
    """The diagnostics of one config file, by position; never raises (see :func:`lint`)."""
    name = str(path)
    try:
        return _lint_file(name, settings, extractors)
    except Exception as error:  # the one guard per file: its other inputs are still linted
        return [internal_error(name, "lint", error, "nothing in it was checked")]


def _lint_file(name: str, settings: Settings, extractors: Sequence[Extractor]
               ) -> list[Diagnostic]:
    try:
        doc = load_document(name)
    except WarmupError as error:
        return [_unreadable(error, name)]
    found: list[Diagnostic] = []
    subjects: list[Subject] = []
    for extractor in extractors:
        try:
            subjects += extractor(doc)
        except WarmupError as error:
            return [_unreadable(error, name)]
        except Exception as error:  # one extractor's bug: the others' subjects are linted
            found.append(internal_error(name, f"the extractor {_component(extractor)}", error,
                                        "what it finds was not checked"))
    # A value a framework reader resolved is linted as that framework's schedule only.
    claims = [s.key_path for s in subjects if s.origin is not None and s.schedule is not None]
    subjects = [s for s in subjects if not owned_by_reader(s, claims)]
    codes = settings.codes_for(name)
    with evaluation_budget():  # one per file
        for subject in subjects:
            found += _subject_diagnostics(subject, settings, codes, doc)
    if not subjects and Code.WU308 in codes:
        found += _unknown_layout(doc)
    return sorted(found, key=lambda d: d.sort_key)


def internal_error(path: str, component: str, error: BaseException, consequence: str, *,
                   on: str = "this file") -> Diagnostic:
    """A WU308 error at the start of ``path`` for an exception that is a bug in warmup_cli;
    ``--ignore`` and ``noqa`` never hide it."""
    return Diagnostic(INTERNAL_CODE, Severity.ERROR,
                      internal_error_message(component, error, consequence, on=on), path,
                      FILE_START)


def _component(extractor: Extractor) -> str:
    function = getattr(extractor, "func", extractor)  # functools.partial(framework_subjects)
    return getattr(function, "__name__", type(function).__name__)


def _unknown_layout(doc: Document) -> list[Diagnostic]:
    """A file no reader recognises and with no lambda or spec, but with keys that look like
    schedule settings: say so where they are, rather than pass it silently."""
    keys = schedule_like_keys(doc)
    if not keys:
        return []
    line, column = keys[0][1].location
    if suppressed(doc, line, Code.WU308):
        return []
    names = ", ".join(name for name, _ in keys)
    return [Diagnostic(Code.WU308, Severity.NOTE,
                       f"cannot resolve the schedule: {names} are in a layout no reader knows; "
                       "nothing here was checked", doc.path, Location(line, column))]


def _subject_diagnostics(subject: Subject, settings: Settings, codes: frozenset[Code],
                         doc: Document | None) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    try:
        hits = check_subject(subject, settings, codes)
    except Exception as error:  # a check's bug must never stop lint (the tests notice it)
        what = f"the {subject.origin} schedule" if subject.origin else "the schedule"
        hits = [*subject.hits, RuleHit(
            INTERNAL_CODE, f"{what} {subject.text!r} could not be checked "
            f"({describe_exception(error)}): {BUG_NOTE}", Severity.ERROR)]
    for hit in hits:
        rule = RULES.get(hit.code)
        internal = hit.severity is Severity.ERROR and is_internal_error(hit.message)
        if hit.code not in codes and rule is not None and not internal:
            continue  # (a reader's code that no rule registers is always reported)
        severity = hit.severity or (rule.severity if rule else Severity.WARNING)
        start = subject.locate(hit)
        noqa = tuple(dict.fromkeys((start.line, *subject.noqa_lines)))
        if doc is not None and not (rule and rule.fixed) and not internal \
                and any(suppressed(doc, line, hit.code) for line in noqa):
            continue
        found.append(Diagnostic(hit.code, severity, hit.message, subject.path, start,
                                noqa_lines=noqa))
    return found


def _unreadable(error: WarmupError, path: str | None) -> Diagnostic:
    """WU001 for an input that could not be read: at the place a ConfigError names (its
    ``path``, ``line`` and ``column``), else at the start of ``path``."""
    start = Location(1, 1)
    if isinstance(error, ConfigError):
        path = error.path or path
        if error.line is not None:
            start = Location(error.line, error.column or 1)
    text = error.message.strip()
    if error.hint:
        text += f" ({error.hint})"
    return Diagnostic(Code.WU001, Severity.ERROR, text, path or "<unknown>", start)


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (two extractors finding the same schedule)."""
    seen: set[tuple[str, str, Location, str]] = set()
    unique: list[Diagnostic] = []
    for d in diagnostics:
        key = (d.code, d.path, d.start, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique
