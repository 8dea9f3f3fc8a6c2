"""Where a training script builds its optimizers and LR schedulers.

:func:`find_builds` walks one module (iteratively: no recursion whatever the nesting) and
returns every construction of a ``torch.optim.lr_scheduler`` class, a transformers schedule
factory, a class of the file deriving from a torch scheduler, and every ``torch.optim``
optimizer, each with the dotted path it is bound to and its enclosing scope.

A callee is recognised by what its name was imported as (:mod:`warmup_cli.scripts.symbols`),
never by its spelling alone: ``noise_scheduler = DDPMScheduler(...)`` or a home-made
``WarmupScheduler`` is not a torch scheduler, and the checks leave it alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from warmup_cli.scripts.model import Construction, Family, OptimizerBuild, Span
from warmup_cli.scripts.nodes import module_nodes
from warmup_cli.scripts.symbols import Symbols, dotted

TORCH_SCHEDULERS = frozenset({
    "LambdaLR", "MultiplicativeLR", "LinearLR", "ConstantLR", "StepLR", "MultiStepLR",
    "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "PolynomialLR",
    "OneCycleLR", "CyclicLR", "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau",
})
# The abstract bases: a class of the file deriving from one is a torch scheduler whose
# factors only its own get_lr knows (Construction.kind "LRScheduler", family SUBCLASS).
TORCH_SCHEDULER_BASES = {"LRScheduler": "LRScheduler", "_LRScheduler": "LRScheduler"}
LR_SCHEDULER_MODULE = "torch.optim.lr_scheduler"

# transformers/optimization.py; the package re-exports every one of them.
TRANSFORMERS_FACTORIES = frozenset({
    "get_scheduler", "get_linear_schedule_with_warmup", "get_cosine_schedule_with_warmup",
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    "get_polynomial_decay_schedule_with_warmup", "get_constant_schedule_with_warmup",
    "get_constant_schedule", "get_inverse_sqrt_schedule", "get_wsd_schedule",
    "get_cosine_with_min_lr_schedule_with_warmup", "get_reduce_on_plateau_schedule",
})
TRANSFORMERS_MODULES = ("transformers", "transformers.optimization")

# torch/optim/__init__.py's optimizers (torch 2.13).
TORCH_OPTIMIZERS = frozenset({
    "ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "Muon",
    "NAdam", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam",
})

KNOWN = frozenset({
    *(f"{LR_SCHEDULER_MODULE}.{name}" for name in (*TORCH_SCHEDULERS, *TORCH_SCHEDULER_BASES)),
    *(f"{module}.{name}" for module in TRANSFORMERS_MODULES for name in TRANSFORMERS_FACTORIES),
    *(f"torch.optim.{name}" for name in TORCH_OPTIMIZERS),
})


_Build = TypeVar("_Build", Construction, OptimizerBuild)


@dataclass(frozen=True)
class ScriptBuilds:
    """What one script builds: its schedulers and its optimizers, in file order."""

    constructions: tuple[Construction, ...]
    optimizers: tuple[OptimizerBuild, ...]
    symbols: Symbols

    def scheduler_at(self, path: str, scope: tuple[str, ...]) -> Construction | None:
        """The last construction bound to ``path`` in ``scope`` or an enclosing scope."""
        return _bound_at(self.constructions, path, scope)

    def optimizer_at(self, path: str, scope: tuple[str, ...]) -> OptimizerBuild | None:
        return _bound_at(self.optimizers, path, scope)


def _bound_at(builds: tuple[_Build, ...], path: str, scope: tuple[str, ...]) -> _Build | None:
    found: _Build | None = None
    for build in builds:
        if build.target == path and scope[:len(build.scope)] == build.scope:
            found = build
    return found


def torch_scheduler(qualified: str | None) -> str | None:
    """``"LambdaLR"`` for ``torch.optim.lr_scheduler.LambdaLR``, else None."""
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    return name if module == LR_SCHEDULER_MODULE and name in TORCH_SCHEDULERS else None


def transformers_factory(qualified: str | None) -> str | None:
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    return name if module in TRANSFORMERS_MODULES and name in TRANSFORMERS_FACTORIES else None


def torch_optimizer(qualified: str | None) -> str | None:
    """``"AdamW"`` for ``torch.optim.AdamW`` or ``torch.optim.adamw.AdamW``, else None."""
    if qualified is None:
        return None
    parts = qualified.split(".")
    if parts[:2] != ["torch", "optim"] or parts[-1] not in TORCH_OPTIMIZERS:
        return None
    return parts[-1] if len(parts) == 3 or (len(parts) == 4 and parts[2].islower()) else None


def _scheduler_base(qualified: str | None) -> str | None:
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    if module != LR_SCHEDULER_MODULE:
        return None
    return name if name in TORCH_SCHEDULERS else TORCH_SCHEDULER_BASES.get(name)


def scheduler_classes(module: ast.Module, symbols: Symbols,
                      classes: Sequence[ast.ClassDef] | None = None) -> dict[str, str]:
    """Classes of the file deriving (directly or through each other) from a torch
    scheduler, mapped to the torch class they amount to (``classes``: the module's class
    definitions, when the caller has them)."""
    if classes is None:
        classes = [node for node in module_nodes(module) if isinstance(node, ast.ClassDef)]
    found: dict[str, str] = {}
    # One pass per level of the class chain; at most one pass per class.
    for _ in range(len(classes)):
        before = len(found)
        for cls in classes:
            if cls.name in found:
                continue
            for base in cls.bases:
                kind = _scheduler_base(symbols.qualified(base, KNOWN))
                if kind is None and isinstance(base, ast.Name):
                    kind = found.get(base.id)
                if kind is not None:
                    found[cls.name] = kind
                    break
        if len(found) == before:
            break
    return found


def _inits(definitions: Sequence[ast.ClassDef], subclasses: dict[str, str]
           ) -> dict[str, ast.FunctionDef]:
    """The ``__init__`` each scheduler subclass runs when it or a base of the file has one."""
    classes = {node.name: node for node in definitions if node.name in subclasses}
    inits: dict[str, ast.FunctionDef] = {}
    for name in classes:
        current: str | None = name
        for _ in range(len(classes)):  # the chain of the file's classes, bounded
            cls = classes.get(current) if current is not None else None
            if cls is None:
                break
            init = next((item for item in cls.body if isinstance(item, ast.FunctionDef)
                         and item.name == "__init__"), None)
            if init is not None:
                inits[name] = init
                break
            current = next((base.id for base in cls.bases
                            if isinstance(base, ast.Name) and base.id in classes), None)
    return inits


def argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """A call's argument by keyword or position (None when absent or hidden by ``*args``)."""
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) != len(call.args):
        return None  # *args: positions are unknown
    return positional[position] if position < len(positional) else None


def optimizerargument(family: Family, kind: str, call: ast.Call,
                       init: ast.FunctionDef | None = None) -> ast.expr | None:
    """The optimizer a scheduler construction is built on, by the callee's signature
    (``init``: the ``__init__`` of a subclass of the file, when it defines one)."""
    if init is not None:
        params = [arg.arg for arg in (*init.args.posonlyargs, *init.args.args)][1:]
        name = "optimizer" if "optimizer" in params else (params[0] if params else None)
        return argument(call, params.index(name), name) if name is not None else None
    if family is Family.TRANSFORMERS and kind == "get_scheduler":
        return argument(call, 1, "optimizer")
    if family is Family.TORCH and kind == "ChainedScheduler":
        return argument(call, 1, "optimizer")
    return argument(call, 0, "optimizer")


def _target(parent: ast.AST | None, node: ast.Call) -> tuple[str | None, bool]:
    """(the dotted path the call is bound to, whether it is returned)."""
    if isinstance(parent, ast.Return):
        return None, True
    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        return dotted(parent.targets[0]), False
    if isinstance(parent, ast.AnnAssign | ast.NamedExpr) and parent.value is node:
        return dotted(parent.target), False
    return None, False


def _walk(module: ast.Module) -> Iterator[tuple[ast.AST, ast.AST | None, tuple[str, ...]]]:
    """Every node with its parent and enclosing scope, depth first in file order."""
    stack: list[tuple[ast.AST, ast.AST | None, tuple[str, ...]]] = [(module, None, ())]
    while stack:
        node, parent, scope = stack.pop()
        yield node, parent, scope
        inner = scope
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = (*scope, node.name)
        children = list(ast.iter_child_nodes(node))
        children.reverse()
        stack.extend([(child, node, inner) for child in children])


class _Finder:
    def __init__(self, module: ast.Module, symbols: Symbols,
                 classes: Sequence[ast.ClassDef]) -> None:
        self.symbols = symbols
        self.subclasses = scheduler_classes(module, self.symbols, classes)
        self.inits = _inits(classes, self.subclasses) if self.subclasses else {}
        self.constructions: list[Construction] = []
        self.optimizers: list[OptimizerBuild] = []

    def visit(self, call: ast.Call, parent: ast.AST | None, scope: tuple[str, ...]) -> None:
        qualified = self.symbols.qualified(call.func, KNOWN)
        target, returned = _target(parent, call)
        optimizer = torch_optimizer(qualified)
        if optimizer is not None:
            self.optimizers.append(OptimizerBuild(optimizer, call, Span.of(call), target, scope))
            return
        family, kind, subclass = self._scheduler(call, qualified)
        if family is None or kind is None:
            return
        init = self.inits.get(subclass) if subclass is not None else None
        argument = optimizerargument(family, kind, call, init)
        self.constructions.append(Construction(
            family=family, kind=kind, call=call, at=Span.of(call), target=target,
            optimizer=argument, optimizer_path=dotted(argument) if argument else None,
            scope=scope, returned=returned, subclass=subclass))

    def _scheduler(self, call: ast.Call, qualified: str | None
                   ) -> tuple[Family | None, str | None, str | None]:
        kind = torch_scheduler(qualified)
        if kind is not None:
            return Family.TORCH, kind, None
        kind = transformers_factory(qualified)
        if kind is not None:
            return Family.TRANSFORMERS, kind, None
        if isinstance(call.func, ast.Name) and self.symbols.names.get(call.func.id) in (None, ""):
            base = self.subclasses.get(call.func.id)
            if base is not None:
                return Family.SUBCLASS, base, call.func.id
        return None, None, None


def _may_build(symbols: Symbols) -> bool:
    """Whether any import could name a torch optimizer or scheduler or a transformers
    factory: most files of a project import neither, and need no walk."""
    roots = {"torch", "transformers"}
    return any(name.split(".")[0] in roots for name in (*symbols.names.values(), *symbols.star))


def find_builds(module: ast.Module) -> ScriptBuilds:
    """Every scheduler and optimizer construction of ``module``, in file order."""
    # One walk of the tree collects what every later step needs.
    calls: list[tuple[ast.Call, ast.AST | None, tuple[str, ...]]] = []
    imports: list[ast.Import | ast.ImportFrom] = []
    classes: list[ast.ClassDef] = []
    for node, parent, scope in _walk(module):
        if isinstance(node, ast.Call):
            calls.append((node, parent, scope))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(node)
        elif isinstance(node, ast.ClassDef):
            classes.append(node)
    symbols = Symbols.of(module, imports)
    if not _may_build(symbols):
        return ScriptBuilds((), (), symbols)
    finder = _Finder(module, symbols, classes)
    for call, parent, scope in calls:
        finder.visit(call, parent, scope)
    return ScriptBuilds(tuple(finder.constructions), tuple(finder.optimizers), finder.symbols)
