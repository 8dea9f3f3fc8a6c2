"""Import and alias resolution of training scripts (warmup_cli.scripts.symbols)."""

from __future__ import annotations

import ast

import pytest

from warmup_cli.scripts.symbols import Symbols, dotted


def _callee(source: str, expression: str) -> str | None:
    module = ast.parse(source)
    node = ast.parse(expression, mode="eval").body
    return Symbols.of(module).qualified(node, {"torch.optim.lr_scheduler.LambdaLR"})


@pytest.mark.parametrize(("source", "expression", "expected"), [
    ("import torch", "torch.optim.lr_scheduler.LambdaLR",
     "torch.optim.lr_scheduler.LambdaLR"),
    ("import torch.optim.lr_scheduler", "torch.optim.lr_scheduler.StepLR",
     "torch.optim.lr_scheduler.StepLR"),
    ("import torch as T", "T.optim.SGD", "torch.optim.SGD"),
    ("from torch import optim", "optim.lr_scheduler.LambdaLR",
     "torch.optim.lr_scheduler.LambdaLR"),
    ("from torch.optim import lr_scheduler as S", "S.LambdaLR",
     "torch.optim.lr_scheduler.LambdaLR"),
    ("from torch.optim.lr_scheduler import LambdaLR as L", "L",
     "torch.optim.lr_scheduler.LambdaLR"),
    ("import torch.optim.lr_scheduler as sched", "sched.OneCycleLR",
     "torch.optim.lr_scheduler.OneCycleLR"),
    ("import transformers", "transformers.get_scheduler", "transformers.get_scheduler"),
    ("from transformers import get_scheduler", "get_scheduler", "transformers.get_scheduler"),
    ("from transformers.optimization import get_linear_schedule_with_warmup as g", "g",
     "transformers.optimization.get_linear_schedule_with_warmup"),
    ("from torch.optim.lr_scheduler import *", "LambdaLR",
     "torch.optim.lr_scheduler.LambdaLR"),
    ("from torch.optim import lr_scheduler\nSched = lr_scheduler.LambdaLR", "Sched",
     "torch.optim.lr_scheduler.LambdaLR"),
    ("def train():\n    from torch.optim.lr_scheduler import LambdaLR\n", "LambdaLR",
     "torch.optim.lr_scheduler.LambdaLR"),
])
def test_a_callee_resolves_to_what_it_was_imported_as(
        source: str, expression: str, expected: str) -> None:
    assert _callee(source, expression) == expected


@pytest.mark.parametrize(("source", "expression"), [
    ("", "LambdaLR"),  # never imported: a local of unknown origin
    ("from torch.optim.lr_scheduler import *", "StepLR"),  # star import, name not asked for
    ("from .lr_scheduler import LambdaLR", "LambdaLR"),  # the project's own module
    ("from torch.optim.lr_scheduler import LambdaLR\nclass LambdaLR: pass", "LambdaLR"),
    ("from torch.optim.lr_scheduler import LambdaLR\nfrom mylib import LambdaLR", "LambdaLR"),
    ("import torch", "torch.optim.SGD().step"),  # not a name chain
])
def test_what_is_not_known_for_sure_resolves_to_nothing(source: str, expression: str) -> None:
    assert _callee(source, expression) is None


def test_dotted_paths() -> None:
    assert dotted(ast.parse("self.sched.inner", mode="eval").body) == "self.sched.inner"
    assert dotted(ast.parse("x[0].step", mode="eval").body) is None
