"""Every node of a script's module, walked once.

The syntactic layer, the value layer and the checks each look for calls, classes, imports
and parents over the whole module, several times per schedule; ``ast.walk`` was most of the
time ``warmup lint`` spends on a script (cProfile over 680 fixture copies). Nothing in
``warmup_cli.scripts`` mutates a parsed module, so the walk of one module can be shared.
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from typing import TypeVar

V = TypeVar("V")

_KEEP = 4  # modules remembered: the file being linted and the alternatives read from it
_WALKED: OrderedDict[int, tuple[ast.Module, tuple[ast.AST, ...]]] = OrderedDict()
_PARENTS: OrderedDict[int, tuple[ast.Module, dict[int, ast.AST]]] = OrderedDict()


def module_nodes(module: ast.Module) -> tuple[ast.AST, ...]:
    """``tuple(ast.walk(module))``, computed once per module (the module object itself is
    kept with its entry, so its id cannot be reused by another module while remembered)."""
    hit = _WALKED.get(id(module))
    if hit is not None and hit[0] is module:
        _WALKED.move_to_end(id(module))
        return hit[1]
    nodes = tuple(ast.walk(module))
    _remember(_WALKED, module, nodes)
    return nodes


def module_parents(module: ast.Module) -> dict[int, ast.AST]:
    """``id(child) -> parent`` over the whole module, computed once per module."""
    hit = _PARENTS.get(id(module))
    if hit is not None and hit[0] is module:
        _PARENTS.move_to_end(id(module))
        return hit[1]
    parents = {id(child): node for node in module_nodes(module)
               for child in ast.iter_child_nodes(node)}
    _remember(_PARENTS, module, parents)
    return parents


def _remember(cache: OrderedDict[int, tuple[ast.Module, V]], module: ast.Module,
              value: V) -> None:
    cache[id(module)] = (module, value)
    while len(cache) > _KEEP:
        cache.popitem(last=False)
