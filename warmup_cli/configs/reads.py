"""What the lint of one file looked at on disk, so that a cached result can be proven fresh.

A config's findings depend on more than its own text: detectron2's ``_BASE_`` (and the other
inheritance readers) read base files, and a base that is not at hand gives another finding
than one that is. Inside :func:`recording`, every read through
:func:`warmup_cli.configs.text.read_text` (the one bounded reader) notes what it saw (a hash
of the bytes, or the refusal), and every existence probe goes through :func:`is_file` or
:func:`exists` and notes its answer. ``lint/cache.py`` keeps the notes beside the findings
and serves them again only while every note still holds.

Code that follows a file to another must probe and read through these functions: a probe
made with ``os.path`` directly would be invisible to the cache.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextvars import ContextVar

Observation = tuple[str, str, str]
"""``(kind, path, outcome)``: kind ``read:<max_bytes>``, ``isfile`` or ``exists``."""

_LOG: ContextVar[list[Observation] | None] = ContextVar("warmup_cli_reads", default=None)


@contextlib.contextmanager
def recording() -> Iterator[list[Observation]]:
    """Collects the observations made inside the block (nested blocks each get their own)."""
    log: list[Observation] = []
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)


def note(kind: str, path: str, outcome: str) -> None:
    log = _LOG.get()
    if log is not None:
        log.append((kind, path, outcome))


def is_file(path: str) -> bool:
    """``os.path.isfile``, noted."""
    found = os.path.isfile(path)
    note("isfile", path, str(found))
    return found


def exists(path: str) -> bool:
    """``os.path.exists``, noted."""
    found = os.path.exists(path)
    note("exists", path, str(found))
    return found
