"""Lint results kept between runs, as ruff keeps its own: a second lint of an unchanged
repository reads the findings back instead of computing them.

Where: ``$WARMUP_CACHE_DIR`` when set, else ``.warmup_cache/`` in the project root (the folder
of the ``pyproject.toml`` that holds the settings, else the current folder). The folder holds
a ``.gitignore`` of ``*`` and a ``CACHEDIR.TAG``, as ruff's does. ``--no-cache`` or
``WARMUP_NO_CACHE=1`` turns it off.

What makes a result: one cache file per *context* (the tool's version and a hash of its own
source, the Python version, the installed torch's version and build (the Lightning reader
steps torch's classes), the settings, ``--follow-bases`` and the current folder); in it, one
entry per linted file holding the findings and every observation the lint of that file made on disk
(``configs/reads.py``: the hash of each file it read, itself and its base files, each refusal,
each probe for a base that is not at hand). An entry is served only while every observation
still holds, checked again on every run, so an edited file, an edited or new base file or
changed settings are linted afresh: results are never stale. Findings that report a bug in
warmup_cli (WU308 internal errors) are never kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import warmup_cli
from warmup_cli.configs.reads import Observation
from warmup_cli.configs.text import read_outcome
from warmup_cli.lint.diagnostics import Code, Diagnostic, Location, Severity
from warmup_cli.lint.settings import Settings

CACHE_DIR_ENV = "WARMUP_CACHE_DIR"
NO_CACHE_ENV = "WARMUP_NO_CACHE"
DEFAULT_DIR_NAME = ".warmup_cache"
FORMAT = 1  # the layout of a cache file; a new layout never reads an old one
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by warmup_cli.\n")


def cache_disabled_by_environment() -> bool:
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def cache_directory(root: Path) -> Path:
    """``$WARMUP_CACHE_DIR``, else ``root/.warmup_cache``."""
    override = os.environ.get(CACHE_DIR_ENV)
    return Path(override) if override else root / DEFAULT_DIR_NAME


def _source_hash() -> str:
    """A hash of warmup_cli's own source: a changed checkout never reads its old results,
    even when the version number stays."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(warmup_cli.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _torch_build() -> str | None:
    """The installed torch's ``version.py`` (its version and build), read without importing
    torch or ``importlib.metadata`` (each costs more than a cached lint)."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        return (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except OSError:
        return spec.origin


def context_key(settings_fingerprint: Any, follow_bases: bool,
                assignments: tuple[str, ...] = ()) -> str:
    """Everything besides the files themselves that a file's findings depend on (``--set``
    values of training scripts included)."""
    parts = {
        "format": FORMAT, "version": warmup_cli.__version__, "source": _source_hash(),
        "python": sys.version, "torch": _torch_build(), "settings": settings_fingerprint,
        "follow_bases": follow_bases, "cwd": os.getcwd(), "assignments": list(assignments),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


# --- checking observations ----------------------------------------------------------------

def _observe(kind: str, path: str) -> str:
    """What ``configs/reads.py`` would note for ``kind`` and ``path`` now."""
    if kind.startswith("read:"):
        return read_outcome(path, int(kind.removeprefix("read:")))
    if kind == "isfile":
        return str(os.path.isfile(path))
    if kind == "exists":
        return str(os.path.exists(path))
    return "unknown observation"  # never equal to a noted outcome: the entry is not served


@dataclass
class _Observer:
    """Observations checked once per run: a base file shared by many configs is read once."""

    seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def holds(self, observation: Sequence[str]) -> bool:
        kind, path, outcome = observation
        key = (kind, path)
        if key not in self.seen:
            self.seen[key] = _observe(kind, path)
        return self.seen[key] == outcome


# --- findings as JSON ---------------------------------------------------------------------

def _encode(d: Diagnostic) -> list[Any]:
    return [d.code.value, d.severity.value, d.message, d.path, d.start.line, d.start.column,
            [d.end.line, d.end.column] if d.end else None, list(d.noqa_lines)]


def _decode(item: list[Any]) -> Diagnostic:
    code, severity, message, path, line, column, end, noqa = item
    return Diagnostic(Code(code), Severity(severity), message, path, Location(line, column),
                      Location(*end) if end else None, tuple(noqa))


# --- the cache ------------------------------------------------------------------------------

class LintCache:
    """The results of one context (:func:`context_key`), loaded once and saved once."""

    def __init__(self, file: Path, entries: dict[str, Any]) -> None:
        self.file = file
        self.entries = entries
        self.changed = False
        self._observer = _Observer()

    @classmethod
    def open(cls, directory: Path, context: str) -> LintCache:
        file = directory / f"{context}.json"
        entries: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):  # missing or damaged: start afresh
            loaded = json.loads(file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and loaded.get("format") == FORMAT:
                entries = loaded.get("entries", {})
        return cls(file, entries)

    @staticmethod
    def key(name: str) -> str:
        return f"{os.path.abspath(name)}\0{name}"

    def get(self, name: str) -> list[Diagnostic] | None:
        """The findings kept for ``name`` while everything its lint observed still holds."""
        entry = self.entries.get(self.key(name))
        if not isinstance(entry, dict):
            return None
        try:
            if all(map(self._observer.holds, entry["observed"])):
                return [_decode(item) for item in entry["diagnostics"]]
        except (KeyError, TypeError, ValueError):  # a damaged entry is linted afresh
            pass
        return None

    def put(self, name: str, observed: Sequence[Observation],
            diagnostics: Sequence[Diagnostic], is_bug: Callable[[Diagnostic], bool]) -> None:
        """Keep the findings of ``name``, unless its lint read nothing (nothing to check them
        against) or reported a bug in warmup_cli."""
        if not observed or any(map(is_bug, diagnostics)):
            return
        self.entries[self.key(name)] = {
            "observed": [list(item) for item in observed],
            "diagnostics": [_encode(d) for d in diagnostics]}
        self.changed = True

    def save(self) -> None:
        """Write the file atomically (a lint running beside this one never reads half a file);
        a cache that cannot be written is not an error, only a slower next run."""
        if not self.changed:
            return
        with contextlib.suppress(OSError):
            directory = self.file.parent
            _prepare(directory)
            text = json.dumps({"format": FORMAT, "entries": self.entries},
                              separators=(",", ":"))
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temporary, self.file)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            self.changed = False


def _prepare(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ((".gitignore", "# Automatically created by warmup_cli.\n*\n"),
                       ("CACHEDIR.TAG", TAG)):
        target = directory / name
        if not target.exists():
            target.write_text(text, encoding="utf-8")


def settings_fingerprint(settings: Settings) -> list[Any]:
    """The settings as plain, ordered values (frozensets sorted: their order varies between
    processes); ``fail_on`` is left out, as it changes only the exit code."""
    return [sorted(settings.enabled), settings.horizon, settings.updates_per_epoch,
            repr(settings.max_warmup_share), repr(settings.max_jump_ratio),
            sorted(settings.schedule_keys),
            [[pattern, sorted(codes)] for pattern, codes in settings.per_file_ignores],
            str(settings.root), str(settings.config_file)]


def open_cache(settings: Settings, follow_bases: bool,
               assignments: tuple[str, ...] = ()) -> LintCache | None:
    """The cache for this run, or None when the environment turns it off."""
    if cache_disabled_by_environment():
        return None
    return LintCache.open(cache_directory(settings.root),
                          context_key(settings_fingerprint(settings), follow_bases,
                                      assignments))
