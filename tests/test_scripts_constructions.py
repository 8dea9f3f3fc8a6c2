"""Scheduler and optimizer constructions of training scripts (scripts.constructions)."""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap

from warmup_cli.scripts.constructions import ScriptBuilds, find_builds
from warmup_cli.scripts.model import Family, Span


def _builds(source: str) -> ScriptBuilds:
    return find_builds(ast.parse(textwrap.dedent(source)))


def test_torch_classes_however_imported() -> None:
    builds = _builds("""
        import torch
        from torch import optim
        from torch.optim import lr_scheduler as S
        from torch.optim.lr_scheduler import LambdaLR as L
        opt = optim.SGD(model.parameters(), lr=0.1)
        a = torch.optim.lr_scheduler.StepLR(opt, 30)
        b = S.CosineAnnealingLR(optimizer=opt, T_max=10)
        c = L(opt, lambda e: e)
        d = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)
    """)
    assert [(c.family, c.kind, c.target, c.optimizer_path) for c in builds.constructions] == [
        (Family.TORCH, "StepLR", "a", "opt"),
        (Family.TORCH, "CosineAnnealingLR", "b", "opt"),
        (Family.TORCH, "LambdaLR", "c", "opt"),
        (Family.TORCH, "OneCycleLR", "d", "opt"),
    ]
    assert [(o.kind, o.target, o.at) for o in builds.optimizers] == [
        ("SGD", "opt", Span(6, 7, 6, 44))]


def test_transformers_factories_and_their_optimizer_argument() -> None:
    builds = _builds("""
        import transformers
        from transformers import get_scheduler
        from transformers.optimization import get_cosine_schedule_with_warmup
        s1 = get_scheduler("linear", optimizer, num_warmup_steps=10, num_training_steps=100)
        s2 = get_scheduler(name="cosine", optimizer=self.opt)
        s3 = transformers.get_linear_schedule_with_warmup(opt, 10, 100)
        s4 = get_cosine_schedule_with_warmup(optimizer=opt, num_warmup_steps=1,
                                             num_training_steps=9)
    """)
    assert [(c.family, c.kind, c.optimizer_path) for c in builds.constructions] == [
        (Family.TRANSFORMERS, "get_scheduler", "optimizer"),
        (Family.TRANSFORMERS, "get_scheduler", "self.opt"),
        (Family.TRANSFORMERS, "get_linear_schedule_with_warmup", "opt"),
        (Family.TRANSFORMERS, "get_cosine_schedule_with_warmup", "opt"),
    ]


def test_targets_scope_and_returned() -> None:
    builds = _builds("""
        from torch.optim.lr_scheduler import LambdaLR, LinearLR, SequentialLR, ChainedScheduler
        import torch.optim as optim

        def make(optimizer, warmup):
            def lr_lambda(step):
                return min(1.0, (step + 1) / warmup)
            return LambdaLR(optimizer, lr_lambda)

        class Trainer:
            def __init__(self, model):
                self.opt = optim.AdamW(model.parameters(), lr=1e-3)
                self.sched: object = LinearLR(self.opt, 0.1, total_iters=5)
                a, b = LinearLR(self.opt), LinearLR(self.opt)
                self.seq = SequentialLR(self.opt, [LinearLR(self.opt)], milestones=[])
                both = ChainedScheduler([a, b], optimizer=self.opt)
    """)
    got = [(c.kind, c.target, c.scope, c.returned, c.optimizer_path)
           for c in builds.constructions]
    assert got == [
        ("LambdaLR", None, ("make",), True, "optimizer"),
        ("LinearLR", "self.sched", ("Trainer", "__init__"), False, "self.opt"),
        ("LinearLR", None, ("Trainer", "__init__"), False, "self.opt"),
        ("LinearLR", None, ("Trainer", "__init__"), False, "self.opt"),
        ("SequentialLR", "self.seq", ("Trainer", "__init__"), False, "self.opt"),
        ("LinearLR", None, ("Trainer", "__init__"), False, "self.opt"),
        ("ChainedScheduler", "both", ("Trainer", "__init__"), False, "self.opt"),
    ]
    assert [(o.kind, o.target, o.scope) for o in builds.optimizers] == [
        ("AdamW", "self.opt", ("Trainer", "__init__"))]
    assert builds.scheduler_at("self.sched", ("Trainer", "fit")) is None
    assert builds.scheduler_at("self.sched", ("Trainer", "__init__")) is builds.constructions[1]


def test_subclasses_are_recorded_at_their_construction_sites() -> None:
    builds = _builds("""
        from torch.optim import lr_scheduler

        class WarmupLinear(lr_scheduler.LambdaLR):
            def __init__(self, warmup, optimizer, total):
                self.warmup = warmup
                super().__init__(optimizer, self.lr_lambda)

            def lr_lambda(self, step):
                return step / self.warmup

        class Shorter(WarmupLinear):
            pass

        class Custom(lr_scheduler._LRScheduler):
            def get_lr(self):
                return self.base_lrs

        s = WarmupLinear(10, opt, total=100)
        t = Shorter(5, optimizer=other)
        u = Custom(opt3)
    """)
    got = [(c.family, c.kind, c.subclass, c.target, c.optimizer_path, c.at.line)
           for c in builds.constructions]
    assert got == [
        (Family.SUBCLASS, "LambdaLR", "WarmupLinear", "s", "opt", 19),
        (Family.SUBCLASS, "LambdaLR", "Shorter", "t", "other", 20),
        (Family.SUBCLASS, "LRScheduler", "Custom", "u", "opt3", 21),
    ]


def test_look_alikes_are_not_lr_schedulers() -> None:
    builds = _builds("""
        from diffusers import DDPMScheduler
        from mylib.sched import WarmupScheduler, LambdaLR
        import bitsandbytes as bnb

        class Mine:
            def step(self): ...

        noise_scheduler = DDPMScheduler(num_train_timesteps=1000)
        warm = WarmupScheduler(opt, 10)
        mine = Mine()
        fake = LambdaLR(opt, lambda e: e)
        opt = bnb.optim.AdamW8bit(params)
        torch.optim.SGD(params)  # torch never imported: unknown
    """)
    assert builds.constructions == ()
    assert builds.optimizers == ()


def test_optimizer_spellings() -> None:
    builds = _builds("""
        import torch
        from torch.optim import AdamW as W
        from torch.optim.sgd import SGD
        a = torch.optim.Adam(p)
        b = W(p, lr=1e-3)
        c = SGD(p, lr=0.1)
        d = torch.optim.Optimizer(p, {})
    """)
    assert [(o.kind, o.target) for o in builds.optimizers] == [
        ("Adam", "a"), ("AdamW", "b"), ("SGD", "c")]


def test_deep_nesting_does_not_recurse() -> None:
    # 95 nested ifs are about 190 levels of nodes; the walk runs with a recursion budget of
    # 60 frames, which any recursive visitor of that tree would exhaust.
    lines = ["from torch.optim.lr_scheduler import StepLR"]
    lines += [" " * i + "if x:" for i in range(95)]
    lines.append(" " * 95 + "s = StepLR(opt, 3)")
    module = ast.parse("\n".join(lines))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        builds = find_builds(module)
    finally:
        sys.setrecursionlimit(limit)
    assert [(c.kind, c.at.line) for c in builds.constructions] == [("StepLR", 97)]
