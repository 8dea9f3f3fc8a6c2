"""Whether a ``.py`` file is a training script rather than a config (issue 9).

A Python file that imports torch runs code; no config layout warmup_cli reads imports it. Its
module globals (nanoGPT's ``learning_rate``, ``warmup_iters``, ``gradient_accumulation_steps``)
are then a script's variables, not a framework's keys: the config readers leave it to the
training-script reader, and a script with no scheduler construction is "no schedule found",
naming a hand-written LR (``param_group["lr"] = lr``) when it has one.
"""

from __future__ import annotations

import ast
import functools

from warmup_cli.configs.tree import Document


@functools.lru_cache(maxsize=64)
def _module(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def imports_torch(doc: Document) -> bool:
    """A Python document with ``import torch`` or ``from torch... import ...`` anywhere."""
    if doc.format != "python":
        return False
    module = _module(doc.text)
    if module is None:
        return False
    for node in ast.walk(module):
        if isinstance(node, ast.Import) and any(
                alias.name == "torch" or alias.name.startswith("torch.") for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
                node.module == "torch" or node.module.startswith("torch.")):
            return True
    return False


def hand_set_lr(doc: Document) -> ast.Assign | None:
    """The first ``X["lr"] = ...`` of the script (an LR written into a parameter group by hand),
    None when there is none."""
    module = _module(doc.text) if doc.format == "python" else None
    if module is None:
        return None
    found = [node for node in ast.walk(module) if isinstance(node, ast.Assign) and any(
        isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant)
        and target.slice.value == "lr" for target in node.targets)]
    return min(found, key=lambda node: (node.lineno, node.col_offset), default=None)
