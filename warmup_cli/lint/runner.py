"""``warmup lint`` as a library call: targets in, diagnostics and an exit code out.

A target is a lambda or spec (linted as ``<argN>``) or a file, directory or glob of config
files. A file that cannot be read becomes a WU001 diagnostic and the others are still linted;
nothing here raises for bad input, nor for a bug of its own: an exception from a loader,
reader or check is a WU308 error at that file (an internal error: exit code 3).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from warmup_cli.configs import reads
from warmup_cli.configs.discover import discover
from warmup_cli.configs.document import Document, load_document
from warmup_cli.configs.hints import schedule_like_keys
from warmup_cli.configs.inherit import load_config
from warmup_cli.configs.reads import Observation
from warmup_cli.configs.torch_script import imports_torch
from warmup_cli.errors import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    ConfigError,
    WarmupError,
)
from warmup_cli.lint.cache import LintCache, open_cache
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
from warmup_cli.lint.jobs import default_jobs, ordered_map
from warmup_cli.lint.noqa import suppressed
from warmup_cli.lint.rules import RULES
from warmup_cli.lint.settings import Settings
from warmup_cli.lint.subject import RuleHit, Subject
from warmup_cli.parse import TextKind, classify
from warmup_cli.vocab import SUFFIX_FORMATS, Code, RunFacts

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
         follow_bases: bool = False, texts: Sequence[tuple[str, str]] = (),
         jobs: int | None = 1, cache: bool = False,
         assignments: tuple[str, ...] = ()) -> LintReport:
    """Lint every target: command-line schedules first, then each file as discovery yields
    them, each file's diagnostics by position. The readers get the settings' run length
    (``--horizon``, ``--updates-per-epoch``), ``follow_bases`` (``--follow-bases``) and the
    ``--set`` values of training scripts (``assignments``).

    ``jobs``: files are linted on up to that many processes when there are enough of them
    (``lint/jobs.py``; None: one per core); the report is the same as on one. ``cache``:
    results are kept in and served from the cache of ``lint/cache.py`` (never with custom
    ``extractors``, whose results no key can describe).

    Nothing raises: an exception from a loader, reader or check (a bug in warmup_cli) becomes
    a WU308 error at the file or schedule it happened on (:data:`BUG_NOTE`), the other inputs
    are still linted, and the exit code is 3.

    ``texts`` are ``(name, text)`` pairs linted as the file ``name`` holding ``text``
    (standard input, the Python API's ``lint_text``): the name's suffix picks the format
    (YAML when it has none) and locates the findings; they are never cached."""
    custom = extractors is not None
    extractors = list(extractors) if extractors is not None \
        else extractors_for(settings.schedule_keys, RunFacts(
            settings.horizon, settings.updates_per_epoch, follow_bases=follow_bases,
            assignments=assignments))
    diagnostics: list[Diagnostic] = []
    inputs = 0
    files: list[str] = []
    for index, target in enumerate(targets, start=1):
        if is_schedule_argument(target):
            inputs += 1
            diagnostics += lint_argument(target, index, settings)
        else:
            files.append(target)
    for name, text in texts:
        inputs += 1
        diagnostics += lint_file(name, settings, extractors, follow_bases=follow_bases,
                                 text=text)
    empty: list[str] = []
    found, discovery_bug = _discover_all(files, empty.append)
    inputs += len(found)
    store = open_cache(settings, follow_bases, assignments) if cache and not custom else None
    diagnostics += _lint_found(found, settings, extractors,
                               default_jobs() if jobs is None else jobs, store, follow_bases)
    if discovery_bug is not None:
        diagnostics.append(internal_error(", ".join(files), "finding the config files",
                                          discovery_bug, "the files after it were not linted",
                                          on="these targets"))
    if store is not None:
        store.save()
    return LintReport(_unique(diagnostics), inputs, tuple(empty))


def _discover_all(files: list[str], on_empty: Callable[[str], None]
                  ) -> tuple[list[Path | str | ConfigError], Exception | None]:
    """Every file discovery yields, in its order, and the exception that stopped it (its own
    bug: the files found before it are still linted); ``on_empty`` hears of each target that
    held no config file."""
    found: list[Path | str | ConfigError] = []
    stream = discover(files, on_empty=on_empty)
    while True:
        try:
            item = next(stream, None)
        except Exception as error:
            return found, error
        if item is None:
            return found, None
        found.append(item)


def _lint_found(found: Sequence[Path | str | ConfigError], settings: Settings,
                extractors: Sequence[Extractor], jobs: int, store: LintCache | None,
                follow_bases: bool) -> list[Diagnostic]:
    """The diagnostics of the discovered files in discovery order: from the cache when it
    holds them, else linted (on several processes when there are enough files)."""
    results: list[list[Diagnostic] | None] = []
    pending: list[tuple[int, str]] = []
    for item in found:
        if isinstance(item, ConfigError):
            results.append([_unreadable(item, None)])
            continue
        name = str(item)
        results.append(store.get(name) if store is not None else None)
        if results[-1] is None:
            pending.append((len(results) - 1, name))

    def work(name: str) -> tuple[list[Diagnostic], list[Observation]]:
        with reads.recording() as observed:
            return lint_file(name, settings, extractors, follow_bases=follow_bases), observed

    names = [name for _, name in pending]
    for (index, name), (linted, observed) in zip(pending, ordered_map(work, names, jobs),
                                                 strict=True):
        results[index] = linted
        if store is not None:
            store.put(name, observed, linted, _is_bug)
    return [d for linted in results if linted is not None for d in linted]


def _is_bug(diagnostic: Diagnostic) -> bool:
    return bool(internal_errors([diagnostic]))


def lint_argument(target: str, index: int, settings: Settings) -> list[Diagnostic]:
    """The diagnostics of a schedule given on the command line, reported as ``<argN>``."""
    try:
        return _subject_diagnostics(argument_subject(target, index), settings,
                                    settings.codes_for(None), None)
    except Exception as error:  # see lint(): never stops the other inputs
        return [internal_error(f"<arg{index}>", "lint", error, "it was not checked",
                               on="this schedule")]


def lint_file(path: Path | str, settings: Settings, extractors: Sequence[Extractor], *,
              follow_bases: bool = False, text: str | None = None) -> list[Diagnostic]:
    """The diagnostics of one config file, by position; never raises (see :func:`lint`). The
    file is read with its base configs merged in (``configs.inherit``; ``follow_bases``:
    ``--follow-bases``): a finding on an inherited value points into the base file. ``text``
    is its contents when they do not come from disk (standard input)."""
    name = str(path)
    try:
        return _lint_file(name, settings, extractors, follow_bases, text)
    except Exception as error:  # the one guard per file: its other inputs are still linted
        return [internal_error(name, "lint", error, "nothing in it was checked")]


def _lint_file(name: str, settings: Settings, extractors: Sequence[Extractor],
               follow_bases: bool, text: str | None = None) -> list[Diagnostic]:
    try:
        doc = load_text(name, text) if text is not None \
            and os.path.splitext(name)[1].lower() not in SUFFIX_FORMATS \
            else load_config(name, follow_bases=follow_bases, text=text)
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
        found += _unmerged_bases(doc) or _unknown_layout(doc)
    return sorted(found, key=lambda d: d.sort_key)


def load_text(name: str, text: str) -> Document:
    """Standard input named without a config suffix (``stdin``): read as YAML, the format most
    configs are in and a superset of JSON's."""
    return load_document(name, text=text, format="yaml")


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


def _unmerged_bases(doc: Document) -> list[Diagnostic]:
    """A file with no schedule whose base configs are not all merged: the schedule may be in
    one of them, so each is a located WU308 (an error where the framework refuses the merge)."""
    if doc.inheritance is None:
        return []
    found: list[Diagnostic] = []
    for problem in doc.inheritance.problems:
        path = doc.file_of(problem.node)
        line, column = problem.node.location
        if suppressed(doc.document_of(path), line, Code.WU308):
            continue
        found.append(Diagnostic(Code.WU308, Severity.ERROR if problem.rejected else
                                Severity.NOTE, f"cannot resolve the schedule: {problem.reason}",
                                path, Location(line, column)))
    return found


def _unknown_layout(doc: Document) -> list[Diagnostic]:
    """A file no reader recognises and with no lambda or spec, but with keys that look like
    schedule settings: say so where they are, rather than pass it silently."""
    keys = [] if imports_torch(doc) else schedule_like_keys(doc)  # a script's own variables
    if not keys:
        return []
    line, column = keys[0][1].location
    path = doc.file_of(keys[0][1])
    if suppressed(doc.document_of(path), line, Code.WU308):
        return []
    names = ", ".join(name for name, _ in keys)
    return [Diagnostic(Code.WU308, Severity.NOTE,
                       f"cannot resolve the schedule: {names} are in a layout no reader knows; "
                       "nothing here was checked", path, Location(line, column))]


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
        path = subject.locate_file(hit)
        where_file = subject.where_path or subject.path
        noqa = tuple(dict.fromkeys((start.line, *(subject.noqa_lines if path == where_file
                                                   else ()))))
        if doc is not None and not (rule and rule.fixed) and not internal \
                and any(suppressed(doc.document_of(path), line, hit.code) for line in noqa):
            continue
        message = hit.message if path == subject.path \
            else f"{hit.message} (inherited by {subject.path})"
        found.append(Diagnostic(hit.code, severity, message, path, start, noqa_lines=noqa))
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


_INHERITED = re.compile(r" \(inherited by [^()]*\)$")


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Drop exact repeats (two extractors finding the same schedule), and the repeats of a
    finding in a base config that every config inheriting it makes: the first one stays (the
    base's own, when the base is linted too), naming the config it came through."""
    seen: set[tuple[str, str, Location, str]] = set()
    unique: list[Diagnostic] = []
    for d in diagnostics:
        key = (d.code, d.path, d.start, _INHERITED.sub("", d.message))
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique
