"""Where a script steps and restores its schedulers (scripts.flow, scripts.loops)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from warmup_cli.scripts.constructions import find_builds
from warmup_cli.scripts.flow import EventKind, Flow, build_flow
from warmup_cli.scripts.loops import LoopKind, loop_of


def _flow(source: str) -> tuple[ast.Module, Flow]:
    module = ast.parse(textwrap.dedent(source))
    return module, build_flow(module, find_builds(module))


@pytest.mark.parametrize(("loop", "kind"), [
    ("for epoch in range(args.epochs): pass", LoopKind.EPOCH),
    ("for e in tqdm(range(num_epochs)): pass", LoopKind.EPOCH),
    ("for x, y in train_loader: pass", LoopKind.BATCH),
    ("for i, (x, y) in enumerate(tqdm(train_loader)): pass", LoopKind.BATCH),
    ("for step in range(1000): pass", LoopKind.BATCH),
    ("for i in range(len(dataset)): pass", LoopKind.BATCH),
    ("for i in range(args.max_steps): pass", LoopKind.BATCH),
    ("for batch in batches: pass", LoopKind.BATCH),
    ("while global_step < total: pass", LoopKind.BATCH),
    ("while epoch < max_epoch: pass", LoopKind.EPOCH),
    ("for fold in range(5): pass", LoopKind.OTHER),
    ("for i in range(10): pass", LoopKind.OTHER),
    ("for model in models: pass", LoopKind.OTHER),
    ("while True: pass", LoopKind.OTHER),
])
def test_loop_kinds(loop: str, kind: LoopKind) -> None:
    node = ast.parse(loop).body[0]
    assert isinstance(node, ast.For | ast.While)
    assert loop_of(node).kind is kind


def test_events_in_execution_order_with_loops_and_guards() -> None:
    _, flow = _flow("""
        for epoch in range(3):
            for i, batch in enumerate(loader):
                loss.backward()
                if (i + 1) % accum == 0:
                    optimizer.step()
                scheduler.step()
            else:
                done.step()
        try:
            pass
        except Exception:
            optimizer.load_state_dict(state)
        scheduler.last_epoch = 5
    """)
    events = flow.frames[()].events
    assert [(e.kind, e.receiver, e.at.line) for e in events] == [
        (EventKind.STEP, "optimizer", 6),
        (EventKind.STEP, "scheduler", 7),
        (EventKind.STEP, "done", 9),
        (EventKind.LOAD, "optimizer", 13),
        (EventKind.SET_LAST_EPOCH, "scheduler", 14),
    ]
    optimizer, scheduler, done, load, _ = events
    assert [loop.kind for loop in optimizer.loops] == [LoopKind.EPOCH, LoopKind.BATCH]
    assert [guard.depth for guard in optimizer.guards] == [2]
    assert scheduler.guards == () and optimizer.site.order < scheduler.site.order
    assert [loop.kind for loop in done.loops] == [LoopKind.EPOCH]  # a loop's else runs once
    (handler,) = load.guards
    assert handler.test is None and handler.depth == 0


def test_helpers_are_followed_one_level_with_parameters_renamed() -> None:
    _, flow = _flow("""
        def inner(o):
            o.step()
        def train_one_epoch(model, opt, sched, loader):
            for batch in loader:
                opt.step()
                sched.step()
            inner(opt)
        def main():
            for epoch in range(10):
                train_one_epoch(model, optimizer, lr_scheduler, train_loader)
    """)
    main = flow.frames[("main",)].events
    assert [(e.receiver, e.scope, e.at.line) for e in main] == [
        ("optimizer", ("main",), 6), ("lr_scheduler", ("main",), 7)]
    assert all(e.via is not None and e.frame == ("main",) for e in main)
    assert [[loop.kind for loop in e.loops] for e in main] == [
        [LoopKind.EPOCH, LoopKind.BATCH]] * 2
    # The helper's own frame keeps its own names; inner(opt) is followed from there.
    own = flow.frames[("train_one_epoch",)].events
    assert [(e.receiver, e.at.line) for e in own] == [("opt", 6), ("sched", 7), ("opt", 3)]


def test_methods_are_followed_through_self() -> None:
    _, flow = _flow("""
        class Trainer:
            def fit(self):
                for epoch in range(3):
                    self.step_epoch()
            def step_epoch(self):
                self.sched.step()
    """)
    (event,) = flow.frames[("Trainer", "fit")].events
    assert (event.receiver, event.scope, [loop.kind for loop in event.loops]) == (
        "self.sched", ("Trainer", "fit"), [LoopKind.EPOCH])


def test_handles_follow_aliases_prepare_and_factories() -> None:
    _, flow = _flow("""
        import torch
        from torch.optim.lr_scheduler import LambdaLR
        def make(opt, warmup):
            def f(step):
                return min(1.0, (step + 1) / warmup)
            return LambdaLR(opt, f)
        def main():
            optimizer = torch.optim.AdamW(params)
            scheduler = make(optimizer, 10)
            model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
            sched = scheduler
    """)
    (handle,) = flow.handles
    assert handle.frame == ("main",)
    assert handle.paths == {"scheduler", "sched"} and handle.optimizers == {"optimizer"}
    assert handle.prepared and handle.construction.scope == ("make",)
    assert isinstance(handle.site.func, ast.Name) and handle.site.func.id == "make"


def test_events_on_a_handle_across_methods() -> None:
    _, flow = _flow("""
        from torch.optim.lr_scheduler import StepLR
        class T:
            def __init__(self):
                self.sched = StepLR(self.opt, 3)
            def train(self):
                self.sched.step()
            def other(self):
                sched.step()
        class U:
            def train(self):
                self.sched.step()
    """)
    (handle,) = flow.handles
    assert [(e.receiver, e.at.line) for e in flow.events_on(handle)] == [("self.sched", 7)]


def test_walks_skip_lambdas_and_nested_definitions() -> None:
    _, flow = _flow("""
        callback = lambda: scheduler.step()
        def later():
            scheduler.step()
    """)
    assert flow.frames[()].events == ()
    assert [e.at.line for e in flow.frames[("later",)].events] == [4]
