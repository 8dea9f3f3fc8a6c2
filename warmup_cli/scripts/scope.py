"""Which definitions of a name reach a use: the statements of one function (or the module)
walked in order, branches merged, each definition kept with the conditions it sits under.

Only the function's own statements count (a nested ``def`` or ``class`` body is another
scope). An ``if`` whose branches both assign gives two definitions, one under ``test`` and one
under ``not test``; a branch that assigns while the other does not keeps the earlier
definitions under the negated condition. ``if __name__ == "__main__":`` is taken as true (it is
how a script runs). A loop body or a ``with``/``try`` body is taken as run (a training script's
loops do run); an ``except`` handler is not. The walk is iterative over the statements and
bounded by the size of the file, which the loader already bounds.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

Condition = tuple[ast.expr, bool]  # the test and whether it holds for the definition


@dataclass(frozen=True)
class Definition:
    """What a name is bound to at one place: ``value`` (an assigned expression, a ``def``, a
    ``class``, an import, or None for a binding warmup_cli does not follow, such as a ``for``
    target or a tuple unpacking, ``why`` saying which), under ``conditions``."""

    value: ast.expr | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.alias | None
    at: ast.AST
    conditions: tuple[Condition, ...] = ()
    why: str = ""


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__" and len(test.comparators) == 1
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _contains(stmt: ast.stmt, line: int) -> bool:
    end = stmt.end_lineno if stmt.end_lineno is not None else stmt.lineno
    return stmt.lineno <= line <= end


def _names_of(target: ast.expr) -> list[ast.Name]:
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for item in target.elts for name in _names_of(item)]
    if isinstance(target, ast.Starred):
        return _names_of(target.value)
    return []


def _binds(stmt: ast.stmt, name: str) -> list[Definition] | None:
    """The definitions ``stmt`` (a simple statement, or a def/class) gives ``name``; None when
    it does not bind it."""
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name) and target.id == name:
                return [Definition(stmt.value, stmt)]
            if isinstance(target, ast.Tuple | ast.List) and isinstance(
                    stmt.value, ast.Tuple | ast.List) and len(target.elts) == len(
                    stmt.value.elts) and not any(isinstance(item, ast.Starred)
                                                 for item in (*target.elts, *stmt.value.elts)):
                for item, item_value in zip(target.elts, stmt.value.elts, strict=True):
                    if isinstance(item, ast.Name) and item.id == name:
                        return [Definition(item_value, stmt)]  # a, b = 1, 2
            if any(item.id == name for item in _names_of(target)):
                return [Definition(None, stmt, why="is bound by unpacking")]
        return None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
            and stmt.target.id == name and stmt.value is not None:
        return [Definition(stmt.value, stmt)]
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) \
            and stmt.target.id == name:
        return [Definition(None, stmt, why=f"is changed in place (line {stmt.lineno})")]
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
            and stmt.name == name:
        return [Definition(stmt, stmt)]
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        for alias in stmt.names:
            bound = alias.asname or alias.name.split(".")[0]
            if bound == name:
                return [Definition(alias, stmt)]
    return None


def _under(defs: Sequence[Definition], condition: Condition) -> list[Definition]:
    return [Definition(d.value, d.at, (condition, *d.conditions), d.why) for d in defs]


class _Walk:
    def __init__(self, name: str, line: int | None) -> None:
        self.name = name
        self.line = line  # stop at the statement holding this line (None: the whole body)
        self.reached = False

    def block(self, body: Sequence[ast.stmt], current: list[Definition]) -> list[Definition]:
        for stmt in body:
            if self.reached:
                return current
            if self.line is not None and _contains(stmt, self.line) \
                    and not isinstance(stmt, _COMPOUND):
                self.reached = True
                return current
            current = self.statement(stmt, current)
        return current

    def statement(self, stmt: ast.stmt, current: list[Definition]) -> list[Definition]:
        bound = _binds(stmt, self.name)
        if bound is not None:
            return bound
        if isinstance(stmt, ast.If):
            return self._if(stmt, current)
        if isinstance(stmt, ast.For | ast.AsyncFor):
            if any(target.id == self.name for target in _names_of(stmt.target)):
                current = [Definition(None, stmt, why=f"is the loop variable of line "
                                                      f"{stmt.lineno}")]
            return self.block(stmt.body, current)
        if isinstance(stmt, ast.While):
            return self.block(stmt.body, current)
        if isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None and any(
                        n.id == self.name for n in _names_of(item.optional_vars)):
                    current = [Definition(None, stmt, why="is bound by a with statement")]
            return self.block(stmt.body, current)
        if isinstance(stmt, ast.Try):
            current = self.block(stmt.body, current)
            return self.block(stmt.finalbody, self.block(stmt.orelse, current))
        return current

    def _if(self, stmt: ast.If, current: list[Definition]) -> list[Definition]:
        if _is_main_guard(stmt.test):
            return self.block(stmt.body, current)
        inside_body = self.line is not None and any(_contains(s, self.line) for s in stmt.body)
        inside_else = self.line is not None and any(_contains(s, self.line)
                                                    for s in stmt.orelse)
        # A use inside a branch is reached only when its test holds: what reaches it from
        # before the `if` is not conditional there.
        if inside_body:
            return self.block(stmt.body, current)
        if inside_else:
            return self.block(stmt.orelse, current)
        then = self.block(stmt.body, current)
        other = self.block(stmt.orelse, current)
        if then is current and other is current:
            return current
        return [*_under(then, (stmt.test, True)), *_under(other, (stmt.test, False))]


def reaching(body: Sequence[ast.stmt], name: str, line: int | None,
             initial: Sequence[Definition] = ()) -> list[Definition]:
    """The definitions of ``name`` among ``body``'s statements that reach ``line`` (the end of
    the body when None), in no particular order; ``initial`` (a parameter) when none replaces
    it, so empty when nothing binds the name."""
    return _Walk(name, line).block(body, list(initial))


def assigned_names(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """The names a function binds itself (its locals, as Python decides them: any assignment
    in its body, nested scopes excluded), parameters included."""
    args = function.args
    names = {arg.arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    names.update(arg.arg for arg in (args.vararg, args.kwarg) if arg is not None)
    if isinstance(function, ast.Lambda):
        return names
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return names
