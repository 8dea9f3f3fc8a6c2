"""The SequentialLR checks (WU420-WU425): what torch rejects at construction, what it
accepts but runs differently from the segments the milestones draw, and a child stepped
on its own as well (torch/optim/lr_scheduler.py, SequentialLR)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from warmup_cli.scripts.constructions import argument
from warmup_cli.scripts.context import ScriptContext
from warmup_cli.scripts.flow import EventKind
from warmup_cli.scripts.model import Construction, ScriptFinding, Span
from warmup_cli.scripts.symbols import dotted
from warmup_cli.vocab import Code

# The children whose horizon is one segment: (position, keyword, torch's default).
_SEGMENT_HORIZONS: dict[str, tuple[int, str, int | None]] = {
    "LinearLR": (3, "total_iters", 5), "ConstantLR": (2, "total_iters", 5),
    "CosineAnnealingLR": (1, "T_max", None),
}


@dataclass(frozen=True)
class _Child:
    node: ast.expr
    construction: Construction | None


def _children(context: ScriptContext, sequential: Construction) -> list[_Child] | None:
    written = argument(sequential.call, 1, "schedulers")
    if not isinstance(written, ast.List | ast.Tuple) or any(
            isinstance(item, ast.Starred) for item in written.elts):
        return None
    children: list[_Child] = []
    for item in written.elts:
        construction: Construction | None = None
        if isinstance(item, ast.Call):
            construction = next((c for c in context.builds.constructions if c.call is item),
                                None)
        elif (path := dotted(item)) is not None:
            construction = context.builds.scheduler_at(path, sequential.scope)
        children.append(_Child(item, construction))
    return children


def _milestones(sequential: Construction) -> list[ast.expr] | None:
    written = argument(sequential.call, 2, "milestones")
    if not isinstance(written, ast.List | ast.Tuple) or any(
            isinstance(item, ast.Starred) for item in written.elts):
        return None
    return list(written.elts)


def _declared(context: ScriptContext, sequential: Construction, children: list[_Child],
              milestones: list[ast.expr] | None) -> Iterator[ScriptFinding]:
    if milestones is not None and len(milestones) != len(children) - 1:
        written = argument(sequential.call, 2, "milestones")
        yield ScriptFinding(
            Code.WU420,
            f"SequentialLR has {len(children)} schedulers and {len(milestones)} milestones: "
            "torch raises ValueError (it needs one milestone fewer than schedulers)",
            Span.of(written) if written is not None else sequential.at)
    for milestone in milestones or ():
        value = context.number(milestone, sequential.scope)
        if value is not None and value <= 0:
            yield ScriptFinding(
                Code.WU421,
                f"SequentialLR milestone {value:g} is not after step 0: the scheduler before "
                "it never runs (a warmup there is skipped entirely)",
                Span.of(milestone))
    optimizer = (context.builds.optimizer_at(sequential.optimizer_path, sequential.scope)
                 if sequential.optimizer_path else None)
    for child in children:
        built = child.construction
        if built is None:
            continue
        if context.is_plateau(built):
            yield ScriptFinding(
                Code.WU422,
                "SequentialLR cannot hold a ReduceLROnPlateau: torch raises ValueError "
                "(its step() needs the metric); step it on its own after the sequence",
                Span.of(child.node))
            continue
        other = (context.builds.optimizer_at(built.optimizer_path, built.scope)
                 if built.optimizer_path else None)
        if optimizer is not None and other is not None and other is not optimizer:
            yield ScriptFinding(
                Code.WU423,
                f"this {built.kind} is built on {built.optimizer_path}, the SequentialLR on "
                f"{sequential.optimizer_path}: torch raises ValueError (all schedulers must "
                "belong to the same optimizer)",
                Span.of(child.node))


def _run_length(context: ScriptContext, sequential: Construction) -> float | None:
    for handle in context.flow.handles_of(sequential):
        for event in context.flow.events_on(handle, EventKind.STEP):
            count = context.times_stepped(event)
            if count is not None:
                return count
    return None


def _segments(context: ScriptContext, sequential: Construction, count: int,
              milestones: list[ast.expr]) -> list[float | None]:
    """The length of each child's segment, None where a value is open."""
    bounds: list[float | None] = [0.0]
    bounds += [context.number(item, sequential.scope) for item in milestones]
    bounds.append(_run_length(context, sequential))
    lengths: list[float | None] = []
    for index in range(count):
        start, end = bounds[index], bounds[index + 1]
        lengths.append(end - start if start is not None and end is not None else None)
    return lengths


def _mismatched(context: ScriptContext, sequential: Construction, children: list[_Child],
                milestones: list[ast.expr]) -> Iterator[ScriptFinding]:
    segments = _segments(context, sequential, len(children), milestones)
    for child, segment in zip(children, segments, strict=True):
        built = child.construction
        # A segment of no length is WU421's (or unsorted milestones torch reports).
        if (built is None or segment is None or segment <= 0
                or built.kind not in _SEGMENT_HORIZONS):
            continue
        position, keyword, default = _SEGMENT_HORIZONS[built.kind]
        written = argument(built.call, position, keyword)
        value = (context.number(written, built.scope) if written is not None
                 else None if default is None else float(default))
        if value is None or value == segment:
            continue
        shown = f"{keyword}={value:g}" + ("" if written is not None else " (torch's default)")
        effect = ("the LR sits flat between its end and the next milestone"
                  if value < segment and built.kind != "CosineAnnealingLR"
                  else "the cosine climbs back up before its segment ends"
                  if value < segment
                  else "the segment ends before it does, and the LR jumps")
        yield ScriptFinding(
            Code.WU424,
            f"{built.kind} {shown} but its SequentialLR segment is {segment:g} steps long: "
            f"{effect}; make {keyword} the segment's length",
            Span.of(written) if written is not None else Span.of(child.node))


def _stepped_twice(context: ScriptContext, holder: Construction,
                   children: list[_Child]) -> Iterator[ScriptFinding]:
    for child in children:
        built = child.construction
        if built is None or not isinstance(child.node, ast.Name | ast.Attribute):
            continue
        for handle in context.flow.handles_of(built):
            for event in context.flow.events_on(handle, EventKind.STEP):
                yield ScriptFinding(
                    Code.WU425,
                    f"{event.receiver} is a child of the {holder.kind} at line "
                    f"{holder.at.line}, which steps it already: stepping it here as well "
                    "runs it twice per step",
                    event.at)
                break


def _chained_children(context: ScriptContext, chained: Construction) -> list[_Child] | None:
    written = argument(chained.call, 0, "schedulers")
    if not isinstance(written, ast.List | ast.Tuple):
        return None
    return [_Child(item, context.builds.scheduler_at(path, chained.scope)
                   if (path := dotted(item)) is not None else None)
            for item in written.elts if not isinstance(item, ast.Starred)]


def check_sequential(context: ScriptContext) -> Iterator[ScriptFinding]:
    for construction in context.builds.constructions:
        if construction.kind == "ChainedScheduler":
            chained = _chained_children(context, construction)
            if chained is not None:
                yield from _stepped_twice(context, construction, chained)
            continue
        if construction.kind != "SequentialLR":
            continue
        children = _children(context, construction)
        if children is None:
            continue
        milestones = _milestones(construction)
        yield from _declared(context, construction, children, milestones)
        if milestones is not None and len(milestones) == len(children) - 1:
            yield from _mismatched(context, construction, children, milestones)
        yield from _stepped_twice(context, construction, children)
