"""The resume checks: a job that restores its optimizer from a checkpoint but rebuilds its
scheduler from step 0 restarts the warmup (WU430, WU431).

Constructing a scheduler with ``last_epoch=-1`` applies the factor of step 0 to every
group (``_initial_step``), so only ``last_epoch=``, ``scheduler.load_state_dict(...)`` or
``scheduler.last_epoch = ...`` keep the schedule's place. Anything the check cannot see
through keeps it silent: the scheduler handed to a function of another file, an explicit
``last_epoch`` of any value (``-1`` is a deliberate restart), a step replay loop, a
``step(epoch)`` jump, or an LR the script writes into ``param_group["lr"]`` itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from warmup_cli.scripts.context import ScriptContext
from warmup_cli.scripts.flow import EventKind, Handle
from warmup_cli.scripts.model import Construction, ScriptFinding, Span
from warmup_cli.scripts.nodes import module_nodes
from warmup_cli.scripts.symbols import dotted
from warmup_cli.vocab import Code


def _gives_last_epoch(call: ast.Call) -> bool:
    # **kwargs or *args may carry it: unknown counts as given.
    return any(item.arg in {"last_epoch", None} for item in call.keywords) or any(
        isinstance(item, ast.Starred) for item in call.args)


def _writes_lr_itself(module: ast.Module) -> bool:
    """``param_group["lr"] = ...``: the script drives the LR by hand."""
    for node in module_nodes(module):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AugAssign) else [])
        for target in targets:
            if (isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)
                    and target.slice.value == "lr"):
                return True
    return False


def _escapes(context: ScriptContext, handle: Handle) -> bool:
    """Whether the scheduler is passed to a call the flow does not follow (a function of
    another file may restore it)."""
    frame = context.flow.frames[handle.frame]
    for node in ast.walk(frame.node):
        if not isinstance(node, ast.Call) or frame.site_of(node) is None:
            continue
        passed = [*node.args, *(item.value for item in node.keywords)]
        if not any(dotted(item) in handle.paths for item in passed):
            continue
        if not context.flow.follows(node, handle.frame):
            return True
    return False


def _restored(context: ScriptContext, construction: Construction) -> bool:
    for handle in context.flow.handles_of(construction):
        if _gives_last_epoch(handle.site) or _escapes(context, handle):
            return True
        for event in context.flow.events_on(handle):
            call = event.call
            if event.kind in {EventKind.LOAD, EventKind.SET_LAST_EPOCH}:
                return True
            if call is not None and (call.args or call.keywords):
                return True  # step(epoch) jumps to where the run is
            loop = event.loops[-1].node if event.loops else None
            if loop is not None and len(loop.body) == 1:
                return True  # for _ in range(start_epoch): scheduler.step()
    return False


def check_resume(context: ScriptContext) -> Iterator[ScriptFinding]:
    if _writes_lr_itself(context.module):
        return
    for handle in context.flow.handles:
        construction = handle.construction
        if context.is_plateau(construction) or _gives_last_epoch(construction.call):
            continue
        frame = context.flow.frames[handle.frame]
        built = frame.site_of(handle.site)
        loads = [event for event in frame.events if event.kind is EventKind.LOAD
                 and event.receiver in handle.optimizers]
        if built is None or not loads or _restored(context, construction):
            continue
        load = loads[0]
        before = load.site.order < built.order
        yield ScriptFinding(
            Code.WU431 if before else Code.WU430,
            (f"{load.receiver}.load_state_dict(...) (line {load.at.line}) restores the "
             "optimizer before this scheduler is built, and nothing restores the scheduler: "
             "building it sets every group's LR to the factor of step 0, so a resumed job "
             "restarts the warmup; pass last_epoch= or call load_state_dict on the "
             "scheduler after building it")
            if before else
            (f"{load.receiver}.load_state_dict(...) (line {load.at.line}) restores the "
             "optimizer, but this scheduler is rebuilt from step 0 and nothing restores it: "
             "the resumed job restarts the warmup; save and load the scheduler's "
             "state_dict too, or pass last_epoch="),
            Span.of(handle.site))
