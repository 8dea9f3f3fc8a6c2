"""The stepping checks: where ``scheduler.step()`` runs against its own optimizer's
``step()`` (WU410, WU415, WU441) and how it is called (WU416, WU440)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from warmup_cli.scripts.context import STEP_TAKES_ARGUMENT, ScriptContext, inner_guards
from warmup_cli.scripts.flow import Event, EventKind, Guard, Handle
from warmup_cli.scripts.loops import Loop, words
from warmup_cli.scripts.model import Construction, Family, ScriptFinding
from warmup_cli.scripts.nodes import module_nodes
from warmup_cli.vocab import Code


def common_loops(first: Event, second: Event) -> tuple[Loop, ...]:
    shared: list[Loop] = []
    for mine, theirs in zip(first.loops, second.loops, strict=False):
        if mine.node is not theirs.node:
            break
        shared.append(mine)
    return tuple(shared)


def _guards_within(event: Event, depth: int) -> list[Guard]:
    return [guard for guard in event.guards if guard.depth >= depth]


def _mentions(guard: Guard, names: frozenset[str]) -> bool:
    return guard.test is None or any(
        isinstance(node, ast.Name) and node.id in names for node in ast.walk(guard.test))


def is_accumulation_guard(guard: Guard) -> bool:
    """``if (i + 1) % accum == 0``, ``if accelerator.sync_gradients``, ``if step %
    args.gradient_accumulation_steps == 0 or last``."""
    if guard.test is None or guard.negated:
        return False
    modulo = any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod)
                 for node in ast.walk(guard.test))
    said = words(guard.test)
    return modulo or any(word == "sync_gradients" or "accum" in word for word in said)


def _scheduler_steps(context: ScriptContext, handle: Handle) -> Iterator[Event]:
    for event in context.flow.events_on(handle, EventKind.STEP):
        if event.call is not None:
            yield event


def _stepped_first(context: ScriptContext, handle: Handle) -> Iterator[ScriptFinding]:
    """WU410: in a loop that steps the scheduler's own optimizer, the scheduler comes first
    (and no optimizer step ran before it at all)."""
    for event in _scheduler_steps(context, handle):
        call = event.call
        if call is None or call.args or call.keywords:
            continue
        steps = context.optimizer_steps(handle, event.frame)
        if any(step.site.order < event.site.order for step in steps):
            continue
        for step in steps:
            shared = common_loops(event, step)
            if not shared or step.site.order < event.site.order:
                continue
            # ``if epoch > 0: scheduler.step()`` skips the first iteration on purpose.
            targets = frozenset().union(*(loop.targets for loop in event.loops))
            if any(_mentions(guard, targets) for guard in _guards_within(event, 1)):
                break
            yield ScriptFinding(
                Code.WU410,
                f"{event.receiver}.step() runs before {step.receiver}.step() (line "
                f"{step.at.line}) in the loop at line {shared[-1].at.line}: the scheduler "
                "moves on before the first update, so the first schedule value is never "
                "used (torch warns at run time); call it after the optimizer step",
                event.at)
            break


def _unguarded_with_accumulation(context: ScriptContext, handle: Handle
                                 ) -> Iterator[ScriptFinding]:
    """WU415: ``optimizer.step()`` sits behind an accumulation guard in a loop where the
    scheduler is stepped on every micro-batch."""
    if handle.prepared:
        return  # accelerate's AcceleratedScheduler skips the steps the optimizer skips
    for event in _scheduler_steps(context, handle):
        if not event.loops or inner_guards(event):
            continue
        inner = event.loops[-1].node
        steps = [step for step in context.optimizer_steps(handle, event.frame)
                 if step.loops and step.loops[-1].node is inner]
        if not steps:
            continue
        guarded = [step for step in steps
                   if any(is_accumulation_guard(guard)
                          for guard in _guards_within(step, len(step.loops)))]
        if len(guarded) == len(steps):
            yield ScriptFinding(
                Code.WU415,
                f"{event.receiver}.step() runs on every micro-batch but "
                f"{steps[0].receiver}.step() (line {steps[0].at.line}) only when the "
                "accumulation guard lets it: the schedule advances once per micro-batch, "
                "so the warmup and decay end after a fraction of the updates; step the "
                "scheduler inside the same guard",
                event.at)


def _defines_step(context: ScriptContext, construction: Construction) -> bool:
    """Whether a subclass of the file (or a base of the file) defines its own step()."""
    classes = {node.name: node for node in module_nodes(context.module)
               if isinstance(node, ast.ClassDef)}
    current = construction.subclass
    for _ in range(len(classes)):
        cls = classes.get(current) if current is not None else None
        if cls is None:
            return False
        if any(isinstance(item, ast.FunctionDef) and item.name == "step" for item in cls.body):
            return True
        current = next((base.id for base in cls.bases if isinstance(base, ast.Name)), None)
    return False


def _call_shape(context: ScriptContext, handle: Handle) -> Iterator[ScriptFinding]:
    """WU416: ReduceLROnPlateau.step() without its metric; WU440: step(epoch)."""
    construction = handle.construction
    if construction.family is Family.SUBCLASS and _defines_step(context, construction):
        return  # its own step() decides what it takes
    if context.ambiguous(handle):
        return  # the call may belong to another construction bound to the same name
    plateau = context.is_plateau(construction)
    for event in _scheduler_steps(context, handle):
        call = event.call
        if call is None:
            continue
        given = bool(call.args or call.keywords)
        if plateau and not given:
            yield ScriptFinding(
                Code.WU416,
                f"{event.receiver}.step() has no metric: ReduceLROnPlateau.step(metrics) "
                "raises TypeError; pass the monitored value (scheduler.step(val_loss))",
                event.at)
        elif given and not plateau and construction.kind not in STEP_TAKES_ARGUMENT:
            yield ScriptFinding(
                Code.WU440,
                f"{event.receiver}.step(...) with an epoch argument takes torch's "
                "deprecated closed-form path (EPOCH_DEPRECATION_WARNING), which some "
                "schedulers compute differently from stepping; call step() without it",
                event.at)


def _amp(context: ScriptContext, handle: Handle) -> Iterator[ScriptFinding]:
    """WU441: ``scaler.step(optimizer)`` then ``scheduler.step()``: the standard AMP recipe,
    explained because of the warning it prints when the scaler skips the first update."""
    for event in _scheduler_steps(context, handle):
        steps = [step for step in context.optimizer_steps(handle, event.frame)
                 if context.scaler_step_of(step, handle) and step.site.order < event.site.order
                 and event.loops and step.loops[-1:] == event.loops[-1:]]
        if steps:
            yield ScriptFinding(
                Code.WU441,
                f"{steps[0].receiver}.step({steps[0].argument}) skips the optimizer step "
                "when the gradients overflow, as it may on the first fp16 iterations; torch "
                f"then warns that {event.receiver}.step() ran before optimizer.step(). "
                "That warning is harmless here: the schedule moves on by one skipped "
                "update",
                event.at)
            return


def check_stepping(context: ScriptContext) -> Iterator[ScriptFinding]:
    for handle in context.flow.handles:
        plateau = context.is_plateau(handle.construction)
        if not plateau:
            yield from _stepped_first(context, handle)
            yield from _unguarded_with_accumulation(context, handle)
            yield from _amp(context, handle)
        yield from _call_shape(context, handle)
