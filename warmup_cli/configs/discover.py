"""Expand command-line targets (files, directories, glob patterns) into config files.

Problems with one target (a missing path, a pattern that matches nothing, an unreadable
directory, a symlink loop) are yielded as :class:`ConfigError` values, not raised, so the
caller can report them and keep going with the other targets.
"""

from __future__ import annotations

import glob
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from warmup_cli.errors import ConfigError
from warmup_cli.vocab import CONFIG_SUFFIXES

SKIPPED_DIRS = frozenset({"__pycache__", ".venv", "node_modules"})
"""Directory names never entered while walking (hidden directories are skipped too)."""
MAX_GLOB_MATCHES = 100_000
"""A pattern yielding more paths than this (say, through symlink loops) is cut off."""

_FileKey = tuple[int, int]


def discover(targets: Sequence[str], on_empty: Callable[[str], None] | None = None
             ) -> Iterator[Path | ConfigError]:
    """Yield the config files named by ``targets``, in order, each file at most once.

    ``on_empty`` is called with each directory or pattern target that yields nothing at all
    (no config file, no problem), so that the caller can say so (``lint EMPTY_DIR`` warns,
    as ruff does, rather than pass silently).

    * A file is taken whatever its suffix.
    * A directory is walked recursively for files ending in :data:`CONFIG_SUFFIXES`, skipping
      hidden directories, ``__pycache__``, ``.venv`` and ``node_modules``. Symlinked
      directories are followed, but a directory that is its own ancestor (a symlink loop) is
      reported and not entered. Within a directory, files come first (sorted by name), then
      subdirectories (sorted by name), so the order is deterministic.
    * Anything else containing ``*``, ``?`` or ``[`` is a glob pattern, expanded with
      ``glob.glob(recursive=True)`` semantics (``**`` matches any depth) and sorted; matched
      files are taken whatever their suffix (as a shell would pass them), matched directories
      are walked.

    The same file reached twice (through two targets, a symlink or a hard link) is yielded
    the first time only; paths are yielded as spelled by the target, not resolved.
    """
    seen: set[_FileKey] = set()
    for target in targets:
        yielded = False
        for found in _target(target, seen):
            yielded = True
            yield found
        if not yielded and on_empty is not None and (glob.has_magic(target)
                                                     or os.path.isdir(target)):
            on_empty(target)


def _target(target: str, seen: set[_FileKey]) -> Iterator[Path | ConfigError]:
    if "\0" in target:  # the OS cannot name such a file (os.stat raises ValueError)
        yield ConfigError("a path cannot hold a NUL character", path=target.replace("\0", "\\0"))
        return
    try:
        st = os.stat(target)
    except OSError as e:
        if glob.has_magic(target):
            yield from _glob(target, seen)
        elif os.path.islink(target):
            yield ConfigError(f"broken symbolic link ({e.strerror})", path=target)
        else:
            yield ConfigError(e.strerror or "cannot be read", path=target)
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(Path(target), st, seen)
    else:
        yield from _file(Path(target), st, seen)


def _file(path: Path, st: os.stat_result, seen: set[_FileKey]) -> Iterator[Path]:
    key = (st.st_dev, st.st_ino)
    if key not in seen:
        seen.add(key)
        yield path


def _glob(pattern: str, seen: set[_FileKey]) -> Iterator[Path | ConfigError]:
    matches: list[str] = []
    for match in glob.iglob(pattern, recursive=True):
        matches.append(match)
        if len(matches) > MAX_GLOB_MATCHES:
            yield ConfigError(
                f"the pattern matches more than {MAX_GLOB_MATCHES:,} paths "
                "(a symlink loop?); narrow it down",
                path=pattern,
            )
            return
    if not matches:
        yield ConfigError("no files match this pattern", path=pattern)
        return
    # A symlink loop makes `**` match one file under many names: keep the shortest name.
    best: dict[_FileKey, tuple[str, os.stat_result]] = {}
    for match in matches:
        try:
            st = os.stat(match)
        except OSError as e:
            yield ConfigError(e.strerror or "cannot be read", path=match)
            continue
        key = (st.st_dev, st.st_ino)
        if key not in best or (len(match), match) < (len(best[key][0]), best[key][0]):
            best[key] = (match, st)
    for match, st in sorted(best.values(), key=lambda item: item[0]):
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(Path(match), st, seen)
        else:
            yield from _file(Path(match), st, seen)


def _walk(top: Path, top_stat: os.stat_result, seen: set[_FileKey]) -> Iterator[Path | ConfigError]:
    # Depth-first, pre-order; each stack entry carries the (dev, inode) keys of its ancestors
    # (itself included) to tell a symlink loop from a directory that is merely linked twice.
    top_key = (top_stat.st_dev, top_stat.st_ino)
    visited: set[_FileKey] = {top_key}
    stack: list[tuple[Path, tuple[_FileKey, ...]]] = [(top, (top_key,))]
    while stack:
        directory, ancestors = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda entry: entry.name)
        except OSError as e:
            yield ConfigError(f"cannot read directory: {e.strerror or e}", path=str(directory))
            continue
        subdirs: list[tuple[Path, tuple[_FileKey, ...]]] = []
        for entry in entries:
            path = directory / entry.name
            try:
                st = entry.stat()  # follows symlinks
            except OSError as e:
                if entry.name.endswith(CONFIG_SUFFIXES) and entry.is_symlink():
                    yield ConfigError(f"broken symbolic link ({e.strerror})", path=str(path))
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in ancestors:
                    back = _ancestor(path, ancestors, key)
                    yield ConfigError(
                        f"symlink loop (it leads back to {back}); not entered", path=str(path)
                    )
                    continue
                if key in visited:
                    continue  # the same directory reached through another link
                visited.add(key)
                subdirs.append((path, (*ancestors, key)))
            elif stat.S_ISREG(st.st_mode) and entry.name.endswith(CONFIG_SUFFIXES):
                yield from _file(path, st, seen)
        stack.extend(reversed(subdirs))


def _ancestor(path: Path, ancestors: tuple[_FileKey, ...], key: _FileKey) -> Path:
    # ancestors[i] is the key of the i-th directory on the way down to path's parent
    up = len(ancestors) - ancestors.index(key)
    parent = path
    for _ in range(up):
        parent = parent.parent
    return parent
