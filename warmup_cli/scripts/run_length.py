"""Where a scheduler is stepped, for the plan: the unit of one ``.step()`` and the run length.

A stand-in for the loop analysis of :mod:`warmup_cli.scripts` ``flow`` (the syntactic layer's
own, which the stepping rules use): the plan only needs the loops around the ``.step()`` calls
of the scheduler's bound name. The innermost ``for`` around the call decides: a loop over
``range(...)`` whose variable or bound says epochs (``epoch``, ``epochs``, ``n_epochs``, ...)
or that has a batch loop nested inside it steps once per epoch; a loop over anything else (a
data loader) or a ``range`` of steps/iterations steps once per optimizer step. The run length
is ``len(range(...))`` of that loop (``range(1, epochs + 1)`` runs ``epochs`` times), times the
``range`` loops around a step loop (FixMatch's ``eval_step`` batches inside an epoch
range); an enclosing loop over anything else leaves it open. Lightning's
``configure_optimizers`` follows its ``"interval"`` (``"epoch"`` by default, as Lightning
does).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from warmup_cli.scripts.nodes import module_nodes, module_parents
from warmup_cli.vocab import Unit

_EPOCH_WORDS = ("epoch",)
_STEP_WORDS = ("step", "iter", "batch", "update")


@dataclass(frozen=True)
class Stepping:
    """How a scheduler is stepped: ``unit``, the ``range(...)`` calls of the loops whose
    lengths multiply to the run (innermost first; empty when the innermost loop is over a
    loader), the iterables of enclosing loops that are not ranges (the run is then open), and
    the ``.step()`` call it was read from (None: not found, the unit is the family's
    default)."""

    unit: Unit
    ranges: tuple[ast.Call, ...]
    call: ast.Call | None
    unknown: tuple[ast.expr, ...] = ()


def _parents(module: ast.Module) -> dict[int, ast.AST]:
    return module_parents(module)


def _loops(node: ast.AST, parents: dict[int, ast.AST]) -> list[ast.For | ast.AsyncFor]:
    found: list[ast.For | ast.AsyncFor] = []
    current = parents.get(id(node))
    while current is not None and not isinstance(current, ast.FunctionDef | ast.Lambda
                                                 | ast.AsyncFunctionDef):
        if isinstance(current, ast.For | ast.AsyncFor):
            found.append(current)
        current = parents.get(id(current))
    return found  # innermost first


def _range_call(loop: ast.For | ast.AsyncFor) -> ast.Call | None:
    it = loop.iter
    if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "range" \
            and 1 <= len(it.args) <= 3 and not it.keywords:
        return it
    return None


def _range_bound(loop: ast.For | ast.AsyncFor) -> ast.expr | None:
    """The stop of the loop's ``range`` (what names the loop's unit), None for other loops."""
    call = _range_call(loop)
    if call is None:
        return None
    return call.args[1] if len(call.args) >= 2 else call.args[0]


def _words(node: ast.AST) -> str:
    return ast.unparse(node).lower()


def _has_inner_loop(loop: ast.For | ast.AsyncFor) -> bool:
    return any(isinstance(item, ast.For | ast.AsyncFor) for stmt in loop.body
               for item in ast.walk(stmt))


def _unit_of(loop: ast.For | ast.AsyncFor) -> tuple[Unit, ast.expr | None]:
    bound = _range_bound(loop)
    text = _words(loop.target) + " " + (_words(bound) if bound is not None else "")
    if bound is None:
        return Unit.STEP, None  # a loop over a data loader
    if any(word in text for word in _EPOCH_WORDS):
        return Unit.EPOCH, bound
    if any(word in text for word in _STEP_WORDS):
        return Unit.STEP, bound
    return (Unit.EPOCH if _has_inner_loop(loop) else Unit.STEP), bound


def step_calls(module: ast.Module, targets: Sequence[str]) -> list[ast.Call]:
    """``T.step(...)`` for every ``T`` in ``targets`` (dotted paths such as ``self.sched``)."""
    wanted = set(targets)
    return [node for node in module_nodes(module) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "step"
            and ast.unparse(node.func.value) in wanted]


def stepping(module: ast.Module, targets: Sequence[str], default: Unit) -> Stepping:
    """How the scheduler bound to one of ``targets`` is stepped: from its first ``.step()``
    call inside a loop (file order), else ``default``."""
    parents = _parents(module)
    calls = sorted(step_calls(module, targets), key=lambda call: (call.lineno,
                                                                   call.col_offset))
    for call in calls:
        loops = _loops(call, parents)
        if not loops:
            continue
        unit, _ = _unit_of(loops[0])
        inner = _range_call(loops[0])
        if inner is None:
            # stepped per batch of a loader: the run is the epoch loop's count times the
            # loader's length
            return Stepping(unit, (), call)
        if unit is Unit.EPOCH:
            return Stepping(unit, (inner,), call)
        return _nested(unit, inner, loops[1:], call)
    return Stepping(default, (), calls[0] if calls else None)


def _nested(unit: Unit, inner: ast.Call, outer: Sequence[ast.For | ast.AsyncFor],
            call: ast.Call) -> Stepping:
    """A step loop over ``range`` inside ``outer`` loops: every enclosing loop repeats it."""
    ranges = [inner]
    unknown: list[ast.expr] = []
    for loop in outer:
        counted = _range_call(loop)
        if counted is None:
            unknown.append(loop.iter)
        else:
            ranges.append(counted)
    return Stepping(unit, tuple(ranges), call, tuple(unknown))


def lightning_interval(returned: ast.expr | None) -> Unit | None:
    """The ``"interval"`` of a Lightning ``lr_scheduler`` dict ("epoch" when it names none);
    None when ``returned`` is not such a dict."""
    if not isinstance(returned, ast.Dict):
        return None
    for key, value in zip(returned.keys, returned.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "interval" \
                and isinstance(value, ast.Constant) and value.value in ("step", "epoch"):
            return Unit(value.value)
    return Unit.EPOCH


def stepped_first(module: ast.Module, call: ast.Call, optimizers: Sequence[str]) -> bool:
    """Whether ``call`` (a scheduler's ``.step()``) runs before every ``.step()`` of its
    optimizer (``optimizers``: the optimizer's bound paths) in the innermost loop holding it:
    each optimizer update then runs at the next scheduler step, and the first value is never
    used (torch warns about this order at run time)."""
    loops = _loops(call, _parents(module))
    if not loops or not optimizers:
        return False
    inner = loops[0]
    steps = [node for stmt in inner.body for node in ast.walk(stmt) if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute) and node.func.attr == "step"
        and ast.unparse(node.func.value) in set(optimizers)]
    return bool(steps) and all((s.lineno, s.col_offset) > (call.lineno, call.col_offset)
                               for s in steps)
