"""Which library object a name in a training script refers to, from its imports alone.

``import torch``, ``from torch.optim import lr_scheduler as S``, ``from
torch.optim.lr_scheduler import LambdaLR as L``, ``import transformers``: each binds a local
name to a qualified dotted name, and :meth:`Symbols.qualified` turns a callee such as
``S.LambdaLR`` or ``torch.optim.lr_scheduler.LambdaLR`` into that qualified name. Module-level
aliases by assignment (``Sched = lr_scheduler.LambdaLR``) count too.

Imports are collected from the whole file (scripts import inside functions as well). A name
bound to two different things (two imports, or an import and a local definition) is
ambiguous and resolves to nothing: the checks prefer silence to a guess.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from warmup_cli.scripts.nodes import module_nodes

# A name bound by something other than an import: it shadows the import of the same name.
_SHADOW = ""


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a plain name or attribute chain, else None (calls, subscripts...)."""
    parts: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name):
        return None
    parts.append(current.id)
    return ".".join(reversed(parts))


def _import_bindings(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:
                yield alias.asname, alias.name
            else:
                # ``import torch.optim`` binds ``torch`` to the package ``torch``.
                head = alias.name.split(".")[0]
                yield head, head
        return
    if node.level or node.module is None:
        return  # relative imports name the project's own modules, never a library
    for alias in node.names:
        if alias.name != "*":
            yield alias.asname or alias.name, f"{node.module}.{alias.name}"


def _definitions(module: ast.Module) -> Iterator[str]:
    """Module-level names bound by a def, class or assignment other than an alias."""
    for statement in module.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield statement.name


@dataclass(frozen=True)
class Symbols:
    """The local names of one module mapped to qualified names; ``star`` holds the modules
    of ``from M import *`` (a name not bound otherwise may come from one of them)."""

    names: dict[str, str] = field(default_factory=dict)
    star: tuple[str, ...] = ()

    @classmethod
    def of(cls, module: ast.Module,
           imports: Sequence[ast.Import | ast.ImportFrom] | None = None) -> Symbols:
        """The module's symbols; ``imports``, when the caller's own walk collected them,
        spares another walk of the tree."""
        names: dict[str, str] = {}
        star: list[str] = []
        if imports is None:
            imports = [node for node in module_nodes(module)
                       if isinstance(node, ast.Import | ast.ImportFrom)]

        def bind(local: str, qualified: str) -> None:
            known = names.get(local)
            names[local] = qualified if known in (None, qualified) else _SHADOW

        for node in imports:
            for local, qualified in _import_bindings(node):
                bind(local, qualified)
            if (isinstance(node, ast.ImportFrom) and not node.level and node.module
                    and any(alias.name == "*" for alias in node.names)):
                star.append(node.module)
        for name in _definitions(module):
            bind(name, _SHADOW)
        symbols = cls(names, tuple(dict.fromkeys(star)))
        # Aliases by assignment, in file order so that an alias of an alias resolves.
        for statement in module.body:
            if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)):
                target = statement.targets[0].id
                aliased = symbols.qualified(statement.value)
                if aliased is not None and "." in aliased:
                    bind(target, aliased)
        return symbols

    def qualified(self, node: ast.expr, known: Collection[str] = ()) -> str | None:
        """The qualified name ``node`` refers to, or None.

        A name no import binds resolves through a star import only to a name of ``known``
        (``from torch.optim.lr_scheduler import *`` then ``LambdaLR``), so that an unknown
        local is never taken for a library object.
        """
        path = dotted(node)
        if path is None:
            return None
        head, _, rest = path.partition(".")
        bound = self.names.get(head)
        if bound == _SHADOW:
            return None
        if bound is not None:
            return f"{bound}.{rest}" if rest else bound
        for module in self.star:
            candidate = f"{module}.{path}"
            if candidate in known:
                return candidate
        return None
