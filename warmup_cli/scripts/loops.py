"""What a loop of a training script iterates over: epochs, batches (optimizer steps) or
something else (folds, models, a ``while True``), judged from its target, iterable and the
names inside them, never from a guess about the values."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import StrEnum

from warmup_cli.scripts.model import Span

# Wrappers that iterate their first argument: enumerate(loader), tqdm(loader), iter(...).
_WRAPPERS = frozenset({"enumerate", "tqdm", "iter", "zip", "trange", "islice", "cycle",
                       "track", "progress_bar"})
_BATCH_TARGETS = frozenset({"step", "it", "iteration", "iter", "global_step", "batch",
                            "batch_idx", "batch_id", "batch_i", "i_batch", "ibatch",
                            "iter_num", "iteration_num", "cur_iter", "curr_iter", "num_iter"})
_BATCH_WORDS = ("loader", "batches", "data_iter", "dataiter", "batch_iter")


class LoopKind(StrEnum):
    EPOCH = "epoch"  # one pass of the data per iteration
    BATCH = "batch"  # one (micro-)batch or optimizer step per iteration
    OTHER = "other"  # folds, models, phases, while True: the unit is unknown


@dataclass(frozen=True)
class Loop:
    """One loop around a call. ``iterable`` is the unwrapped iterable of a ``for``
    (``loader`` for ``enumerate(tqdm(loader))``), None for a ``while``."""

    node: ast.For | ast.AsyncFor | ast.While
    kind: LoopKind
    at: Span
    targets: frozenset[str]
    iterable: ast.expr | None


def words(node: ast.AST) -> list[str]:
    """The identifiers an expression names, lower-cased: names, attributes, string keys
    (``hyp["epochs"]``) and called functions."""
    found: list[str] = []
    for item in ast.walk(node):
        if isinstance(item, ast.Name):
            found.append(item.id.lower())
        elif isinstance(item, ast.Attribute):
            found.append(item.attr.lower())
        elif isinstance(item, ast.Constant) and isinstance(item.value, str):
            found.append(item.value.lower())
    return found


def is_epochish(word: str) -> bool:
    return "epoch" in word


def is_stepish(word: str) -> bool:
    return any(part in word for part in ("step", "iter", "batch", "update"))


def unwrap(iterable: ast.expr) -> ast.expr:
    """``loader`` for ``enumerate(tqdm(loader, desc=...))``, bounded by the nesting."""
    current = iterable
    for _ in range(8):
        if (isinstance(current, ast.Call) and current.args
                and isinstance(current.func, ast.Name | ast.Attribute)):
            name = current.func.id if isinstance(current.func, ast.Name) else current.func.attr
            if name in _WRAPPERS:
                current = current.args[0]
                continue
        break
    return current


def _target_names(target: ast.expr) -> frozenset[str]:
    return frozenset(node.id for node in ast.walk(target) if isinstance(node, ast.Name))


def _is_len_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "len")


def _range_kind(call: ast.Call) -> LoopKind | None:
    if not (isinstance(call.func, ast.Name) and call.func.id in {"range", "trange"}):
        return None
    said = [word for arg in call.args for word in words(arg)]
    if any(_is_len_call(node) for arg in call.args for node in ast.walk(arg)):
        return LoopKind.BATCH  # range(len(loader))
    if any(is_epochish(word) for word in said):
        return LoopKind.EPOCH
    if any(is_stepish(word) for word in said):
        return LoopKind.BATCH
    return LoopKind.OTHER


def _for_kind(targets: frozenset[str], iterable: ast.expr) -> LoopKind:
    lowered = {name.lower() for name in targets}
    ranged = _range_kind(iterable) if isinstance(iterable, ast.Call) else None
    if any(is_epochish(name) for name in lowered):
        return LoopKind.EPOCH
    if any(name in _BATCH_TARGETS or "batch" in name for name in lowered):
        return LoopKind.BATCH
    if ranged is not None:
        return ranged
    if any(word in item for item in words(iterable) for word in _BATCH_WORDS):
        return LoopKind.BATCH
    return LoopKind.OTHER


def loop_of(node: ast.For | ast.AsyncFor | ast.While) -> Loop:
    if isinstance(node, ast.While):
        said = words(node.test)
        kind = (LoopKind.EPOCH if any(is_epochish(word) for word in said)
                else LoopKind.BATCH if any(is_stepish(word) for word in said)
                else LoopKind.OTHER)
        return Loop(node, kind, Span.of(node), frozenset(), None)
    iterable = unwrap(node.iter)
    targets = _target_names(node.target)
    return Loop(node, _for_kind(targets, iterable), Span.of(node), targets, iterable)
