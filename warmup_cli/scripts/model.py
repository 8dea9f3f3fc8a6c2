"""The records the training-script reader speaks, shared by its syntactic and value layers.

The syntactic layer (``symbols``, ``constructions``, ``flow``) finds where optimizers and
schedulers are built and stepped; the value layer resolves their arguments into plans. Both
exchange these records, so neither re-walks the other's part of the tree.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from warmup_cli.vocab import Code, Severity


@dataclass(frozen=True, order=True)
class Span:
    """Where a node sits: 1-based lines and columns, as editors and lint output count them."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of(cls, node: ast.expr | ast.stmt) -> Span:
        # ast columns are 0-based UTF-8 byte offsets; the lint output is 1-based.
        end_line = node.end_lineno if node.end_lineno is not None else node.lineno
        end_column = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return cls(node.lineno, node.col_offset + 1, end_line, end_column + 1)


class Family(StrEnum):
    """Who defines what a construction builds."""

    TORCH = "torch"  # a class of torch.optim.lr_scheduler
    TRANSFORMERS = "transformers"  # a schedule factory of transformers.optimization
    SUBCLASS = "subclass"  # a class of this file deriving from a torch scheduler


@dataclass(frozen=True)
class Construction:
    """One scheduler built in the script.

    ``kind`` is the torch class or transformers factory it amounts to ("LambdaLR",
    "get_linear_schedule_with_warmup"); for a subclass of a torch scheduler it is the torch
    base and ``subclass`` names the class of the file. ``target`` is the dotted path the
    result is bound to ("scheduler", "self.lr_scheduler"), None when it is returned or passed
    on directly. ``optimizer`` is the expression the scheduler is built on (its first
    argument or ``optimizer=``), ``optimizer_path`` its dotted path when it is a plain name or
    attribute chain. ``scope`` is the qualified name of the enclosing function or class
    (``("Trainer", "__init__")``; empty at module level).
    """

    family: Family
    kind: str
    call: ast.Call
    at: Span
    target: str | None
    optimizer: ast.expr | None
    optimizer_path: str | None
    scope: tuple[str, ...]
    returned: bool = False
    subclass: str | None = None


@dataclass(frozen=True)
class OptimizerBuild:
    """One optimizer built in the script (``optim.AdamW(params, lr=...)``): ``kind`` is the
    class name, ``target`` and ``scope`` as for :class:`Construction`."""

    kind: str
    call: ast.Call
    at: Span
    target: str | None
    scope: tuple[str, ...]


@dataclass(frozen=True)
class ScriptFinding:
    """A script check that fired (WU4xx), located at the responsible call or argument;
    ``severity`` overrides the rule's default. Lint places it like a framework finding."""

    code: Code
    message: str
    at: Span
    severity: Severity | None = None


class Values(Protocol):
    """What the value layer tells the checks: the number an expression holds where it is
    used (``scope`` as in :class:`Construction`), or None while it stays open."""

    def number(self, node: ast.expr, scope: tuple[str, ...]) -> float | None: ...
