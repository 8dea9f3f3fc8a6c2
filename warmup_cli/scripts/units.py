"""The unit checks: a scheduler stepped per batch or per epoch against what its horizon
counts (WU411, WU412), OneCycleLR stepped past ``total_steps`` (WU413), and the interval
Lightning steps a scheduler at (WU414)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from warmup_cli.scripts.constructions import argument
from warmup_cli.scripts.context import ScriptContext, horizon, horizon_unit
from warmup_cli.scripts.flow import EventKind, Handle
from warmup_cli.scripts.loops import LoopKind
from warmup_cli.scripts.model import Construction, ScriptFinding, Span
from warmup_cli.scripts.symbols import dotted
from warmup_cli.vocab import Code, Unit

LIGHTNING_PACKAGES = ("lightning", "pytorch_lightning")


def _written(construction: Construction) -> str:
    """The horizon as the script writes it (``T_max=args.epochs``) for the messages."""
    written = horizon(construction)
    if written is None and construction.kind == "OneCycleLR":
        written = argument(construction.call, 4, "steps_per_epoch")
    if written is None:
        return "(per batch by design)"
    keyword = next((item.arg for item in construction.call.keywords
                    if item.value is written), None)
    text = ast.unparse(written)
    return f"{keyword}={text}" if keyword else text


def _per_loop(context: ScriptContext, handle: Handle) -> Iterator[ScriptFinding]:
    construction = handle.construction
    unit = horizon_unit(construction)
    if unit is None or context.is_plateau(construction):
        return
    for event in context.flow.events_on(handle, EventKind.STEP):
        if not event.loops or any(guard.depth >= len(event.loops) for guard in event.guards):
            continue
        loop = event.loops[-1]
        if unit is Unit.EPOCH and loop.kind is LoopKind.BATCH:
            yield ScriptFinding(
                Code.WU411,
                f"{construction.kind}'s horizon {_written(construction)} counts epochs, but "
                f"{event.receiver}.step() runs once per batch (loop at line {loop.at.line}): "
                "the schedule ends after that many batches; step it once per epoch or "
                "count the horizon in batches",
                event.at)
        elif unit is Unit.STEP and loop.kind is LoopKind.EPOCH:
            yield ScriptFinding(
                Code.WU412,
                f"{construction.kind}'s horizon {_written(construction)} counts batches, "
                f"but {event.receiver}.step() runs once per epoch (loop at line "
                f"{loop.at.line}): the warmup and decay take that many epochs; step it "
                "after each optimizer step",
                event.at)


def _onecycle_total(context: ScriptContext, construction: Construction) -> float | None:
    call, scope = construction.call, construction.scope
    total = context.number(argument(call, 2, "total_steps"), scope)
    if total is not None:
        return total
    epochs = context.number(argument(call, 3, "epochs"), scope)
    per_epoch = context.number(argument(call, 4, "steps_per_epoch"), scope)
    return epochs * per_epoch if epochs is not None and per_epoch is not None else None


def _past_total(context: ScriptContext, handle: Handle) -> Iterator[ScriptFinding]:
    construction = handle.construction
    if construction.kind != "OneCycleLR":
        return
    total = _onecycle_total(context, construction)
    if total is None:
        return
    for event in context.flow.events_on(handle, EventKind.STEP):
        count = context.times_stepped(event)
        if count is not None and count > total:
            yield ScriptFinding(
                Code.WU413,
                f"{event.receiver}.step() runs {count:g} times but OneCycleLR was built for "
                f"{total:g} steps: torch raises ValueError (\"Tried to step {total + 1:g} "
                f"times. The specified number of total steps is {total:g}\"); build it with "
                "the steps the loops take",
                event.at)


def _is_lightning(context: ScriptContext, cls: ast.ClassDef) -> bool:
    for base in cls.bases:
        qualified = context.builds.symbols.qualified(base)
        if qualified is not None and qualified.split(".")[0] in LIGHTNING_PACKAGES:
            return True
    return False


def _key(mapping: ast.Dict, name: str) -> ast.expr | None:
    for key, value in zip(mapping.keys, mapping.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == name:
            return value
    return None


def _assigned(function: ast.FunctionDef, name: str) -> ast.expr | None:
    """The value of the one assignment to ``name`` in the function, if there is one."""
    found = [node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
             and len(node.targets) == 1 and dotted(node.targets[0]) == name]
    return found[0] if len(found) == 1 else None


def _lightning_schedulers(function: ast.FunctionDef, value: ast.expr
                          ) -> Iterator[tuple[ast.expr, ast.expr | None, ast.expr]]:
    """(scheduler expression, its "interval" value, where to report) for each scheduler a
    configure_optimizers return value hands to Lightning."""
    pending: list[ast.expr] = [value]
    for _ in range(32):  # the shapes Lightning accepts nest a few levels at most
        if not pending:
            return
        item = pending.pop()
        if isinstance(item, ast.Name):
            resolved = _assigned(function, item.id)
            if isinstance(resolved, ast.Dict | ast.List | ast.Tuple):
                item = resolved
        if isinstance(item, ast.Tuple | ast.List):
            if len(item.elts) == 2 and all(isinstance(e, ast.List | ast.Tuple | ast.Name)
                                           for e in item.elts):
                pending.append(item.elts[1])  # ([optimizers], [schedulers])
            else:
                pending.extend(item.elts)
            continue
        if not isinstance(item, ast.Dict):
            yield item, None, item  # a bare scheduler (or an optimizer, which is no build)
            continue
        scheduler = _key(item, "scheduler")
        if scheduler is not None:
            yield scheduler, _key(item, "interval"), scheduler
            continue
        inner = _key(item, "lr_scheduler")
        if isinstance(inner, ast.Name):
            resolved = _assigned(function, inner.id)
            inner = resolved if isinstance(resolved, ast.Dict) else inner
        if isinstance(inner, ast.Dict):
            pending.append(inner)
        elif inner is not None:
            yield inner, None, inner


def _returned_values(function: ast.FunctionDef) -> Iterator[ast.expr]:
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and node.value is not None:
            yield node.value


def _construction_of(context: ScriptContext, node: ast.expr, scope: tuple[str, ...]
                     ) -> Construction | None:
    if isinstance(node, ast.Call):
        return next((c for c in context.builds.constructions if c.call is node), None)
    path = dotted(node)
    if path is None:
        return None
    for handle in context.flow.handles:
        if path in handle.paths and handle.frame == scope:
            return handle.construction
    return None


def _lightning(context: ScriptContext) -> Iterator[ScriptFinding]:
    for cls in (node for node in ast.walk(context.module) if isinstance(node, ast.ClassDef)):
        if not _is_lightning(context, cls):
            continue
        for function in cls.body:
            if not (isinstance(function, ast.FunctionDef)
                    and function.name == "configure_optimizers"):
                continue
            scope = (cls.name, function.name)
            for value in _returned_values(function):
                for scheduler, interval, at in _lightning_schedulers(function, value):
                    yield from _interval(context, scheduler, interval, at, scope)


def _interval(context: ScriptContext, scheduler: ast.expr, interval: ast.expr | None,
              at: ast.expr, scope: tuple[str, ...]) -> Iterator[ScriptFinding]:
    construction = _construction_of(context, scheduler, scope)
    if construction is None:
        return
    unit = horizon_unit(construction)
    if interval is None:
        said: object = "epoch"  # Lightning's default interval
    elif isinstance(interval, ast.Constant):
        said = interval.value
    else:
        return
    if unit is Unit.STEP and said == "epoch":
        yield ScriptFinding(
            Code.WU414,
            f"{construction.kind} counts optimizer steps ({_written(construction)}) but "
            "Lightning steps it once per epoch (its default interval); return it as "
            '{"scheduler": ..., "interval": "step"}',
            Span.of(at))
    elif unit is Unit.EPOCH and said == "step":
        yield ScriptFinding(
            Code.WU414,
            f"{construction.kind} counts epochs ({_written(construction)}) but the "
            '"interval": "step" makes Lightning step it after every batch; use '
            '"interval": "epoch" or count the horizon in steps',
            Span.of(interval if interval is not None else at))


def check_units(context: ScriptContext) -> Iterator[ScriptFinding]:
    for handle in context.flow.handles:
        yield from _per_loop(context, handle)
        yield from _past_total(context, handle)
    yield from _lightning(context)

