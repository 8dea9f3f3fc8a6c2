"""Lint files on every core: an ordered map over a pool of forked processes.

A forked worker starts with everything the parent has imported and set up (the settings, the
extractors, the rule catalogue), so it costs milliseconds and nothing needs pickling but the
file names going out and the findings coming back. Results come back in the order given, so
output and exit codes are those of a run on one core. The pool is used only when there are
enough files for each worker to pay for its start (:data:`MIN_FILES_PER_JOB`); where ``fork``
is not available the files are linted in this process.

Ctrl-C reaches the parent only (the workers ignore SIGINT, so none prints a traceback), which
stops the workers and ends as any lint does on Ctrl-C. A worker that dies (killed for memory)
costs nothing but time: the files it had not answered are linted here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_FILES_PER_JOB = 16
CHUNKS_PER_JOB = 4  # smaller chunks even out files of unequal cost

_WORK: Callable[[Any], Any] | None = None  # the function the forked workers call


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def workers_for(items: int, jobs: int) -> int:
    """How many processes ``items`` files are worth (1: lint them here)."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs, items // MIN_FILES_PER_JOB))


def ordered_map(work: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """``map(work, items)``, on up to ``jobs`` processes when there are enough items."""
    workers = workers_for(len(items), jobs)
    if workers <= 1:
        yield from map(work, items)
        return
    done = 0
    try:
        for result in _pooled(work, items, workers):
            done += 1
            yield result
    except BrokenProcessPool:  # a worker died: what it had not answered is done here
        yield from map(work, items[done:])


def _pooled(work: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    global _WORK
    _WORK = work  # inherited by the forked workers
    chunk = max(1, len(items) // (workers * CHUNKS_PER_JOB))
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_ignore_interrupts)
    try:
        yield from executor.map(_call, items, chunksize=chunk)
    except BaseException:
        # Ctrl-C or a broken pool: stop the workers now rather than let them finish the queue.
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        _WORK = None
    executor.shutdown()


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _call(item: Any) -> Any:
    assert _WORK is not None, "a lint worker started without its work"
    return _WORK(item)
