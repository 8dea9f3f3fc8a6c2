"""A script's factor function (``lr_lambda``) turned into a sandboxed function of the step.

The forms: an inline lambda, a lambda bound to a name, a nested or module-level ``def`` (with
``if``/``elif``/``else``, ``return``, local assignments, ``assert`` and ``raise``), a
``functools.partial`` of one, a method (``self.lr_lambda``). Every expression in it is
compiled by the expression sandbox (:func:`warmup_cli.expr.compile_bound`), first with
placeholders, so that a refused construct (``__import__``, an attribute, a call of a function
outside the allowlist) is reported at its line and column before anything is looked up; then
with the free names bound to the values :mod:`.values` resolves (``num_warmup_steps``,
``self.warmup``, ``hyp['lrf']``, ``args.epochs``). Nothing is ever run as Python.

The statements are interpreted in their order, each expression through its compiled closure:
a local is computed once, where it is assigned, exactly as CPython computes it, so the factor
is bit for bit the script's. ``raise`` and a failing ``assert`` raise an
:class:`~warmup_cli.errors.EvaluationError` at that step, as the script would raise there.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from warmup_cli.errors import EvaluationError, ExpressionError
from warmup_cli.expr import CompiledExpression, compile_bound
from warmup_cli.expr.allowlist import BARE_CONSTANTS, BUILTIN_FUNCTIONS, MATH_FUNCTIONS
from warmup_cli.expr.positions import NEWLINE
from warmup_cli.scripts.model import Span
from warmup_cli.scripts.scope import assigned_names
from warmup_cli.scripts.values import Frame, Function, ScriptValues, canonical

MAX_STATEMENTS = 200  # statements of one factor function
_ALLOWED_NAMES = frozenset({*BUILTIN_FUNCTIONS, *MATH_FUNCTIONS, *BARE_CONSTANTS, "math"})


class FactorRefused(Exception):
    """The factor function uses something the sandbox refuses: ``message`` at ``at``."""

    def __init__(self, message: str, at: Span, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.at, self.hint = message, at, hint


@dataclass(frozen=True)
class Factor:
    """A compiled factor function: ``fn(step)`` is what the script's function returns."""

    fn: Callable[[int], float]
    param: str
    name: str  # "lr_lambda", "<lambda>"
    at: Span  # the def or lambda
    staircase: tuple[tuple[Span, str], ...]  # // % int() ... over the step, where they are

    def __call__(self, step: int) -> float:
        return self.fn(step)


class _Lines:
    """Character offsets into the script ↔ (line, column), both 1-based."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts = [0, *(m.end() for m in NEWLINE.finditer(source))]

    def span(self, offset: int) -> Span:
        index = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        column = offset - self.starts[index] + 1
        return Span(index + 1, column, index + 1, column)

    def text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        return self.source[start:end].rstrip("\r\n")


# -- the statements ----------------------------------------------------------------------------

Program = list[tuple[Any, ...]]


def _free_keys(node: ast.expr, local: frozenset[str]) -> list[ast.expr]:
    """The outermost names, attribute chains and subscripts of ``node`` that are neither the
    step, a local nor an allowlisted name: what :mod:`.values` must supply."""
    found: list[ast.expr] = []
    stack: list[ast.AST] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Call):
            stack.extend([*item.args, *(k.value for k in item.keywords)])
            if not isinstance(item.func, ast.Name | ast.Attribute):
                stack.append(item.func)
            continue
        if isinstance(item, ast.Name):
            if item.id not in local and item.id not in _ALLOWED_NAMES:
                found.append(item)
            continue
        if isinstance(item, ast.Attribute | ast.Subscript):
            root: ast.expr = item
            while isinstance(root, ast.Attribute | ast.Subscript):
                root = root.value
            if isinstance(root, ast.Name) and root.id == "math":
                continue
            if isinstance(root, ast.Name) and root.id not in local:
                found.append(item)
                continue
        stack.extend(ast.iter_child_nodes(item))
    return found


class _Builder:
    def __init__(self, function: Function, values: ScriptValues, source: str,
                 frame: Frame, param: str, local: frozenset[str]) -> None:
        self.function, self.values, self.source = function, values, source
        self.frame, self.param, self.local = frame, param, local
        self.lines = _Lines(source)
        self.env: dict[str, Any] = {}
        self.count = 0
        self.staircase: list[tuple[Span, str]] = []

    def refuse(self, node: ast.AST, message: str) -> FactorRefused:
        return FactorRefused(message, Span.of(node) if isinstance(node, ast.expr | ast.stmt)
                             else Span(1, 1, 1, 1))

    def _reader(self, name: str) -> Callable[[], Any]:
        env = self.env

        def read() -> Any:
            if name not in env:
                raise NameError(f"local variable '{name}' is used before it is assigned")
            return env[name]

        return read

    def names(self, node: ast.expr, placeholders: bool) -> dict[str, Any]:
        names: dict[str, Any] = {name: self._reader(name) for name in self.local
                                 if name != self.param}
        for key in _free_keys(node, self.local):
            text = key.id if isinstance(key, ast.Name) else canonical(key)
            if placeholders:
                names[text] = 1
            else:
                line = key.lineno
                names[text] = self.values.evaluate(key, _line(self.frame, line))
        return names

    def expression(self, node: ast.expr) -> CompiledExpression:
        """``node`` compiled: refusals are located first, then the names are resolved."""
        try:
            compile_bound(node, self.source, self.param, self.names(node, True))
        except ExpressionError as error:
            at = self.lines.span(error.column or 0) if error.column is not None \
                else Span.of(node)
            raise FactorRefused(error.message, at, error.hint) from None
        try:
            compiled = compile_bound(node, self.source, self.param, self.names(node, False))
        except ExpressionError as error:
            at = self.lines.span(error.column) if error.column is not None else Span.of(node)
            raise FactorRefused(error.message, at, error.hint) from None
        self.staircase.extend((self.lines.span(column), construct)
                              for column, construct in compiled.staircase)
        return compiled

    def block(self, body: list[ast.stmt]) -> Program:
        program: Program = []
        for stmt in body:
            self.count += 1
            if self.count > MAX_STATEMENTS:
                raise self.refuse(stmt, "the factor function is too long to read "
                                        f"(more than {MAX_STATEMENTS} statements)")
            program.append(self.statement(stmt))
        return program

    def statement(self, stmt: ast.stmt) -> tuple[Any, ...]:
        if isinstance(stmt, ast.Return):
            return ("return", None if stmt.value is None else self.expression(stmt.value),
                    stmt)
        if isinstance(stmt, ast.If):
            return ("if", self.expression(stmt.test), self.block(stmt.body),
                    self.block(stmt.orelse))
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            return ("assign", stmt.targets[0].id, self.expression(stmt.value))
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and stmt.value is not None:
            return ("assign", stmt.target.id, self.expression(stmt.value))
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            load = ast.copy_location(ast.Name(stmt.target.id, ast.Load()), stmt.target)
            combined = ast.copy_location(ast.BinOp(load, stmt.op, stmt.value), stmt)
            return ("assign", stmt.target.id, self.expression(combined))
        if isinstance(stmt, ast.Assert):
            return ("assert", self.expression(stmt.test), stmt)
        if isinstance(stmt, ast.Raise):
            return ("raise", stmt)
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr)
                                          and isinstance(stmt.value, ast.Constant)):
            return ("pass",)
        raise self.refuse(stmt, f"a '{type(stmt).__name__}' statement is not allowed in a "
                                "factor function (allowed: assignments, if/elif/else, return, "
                                "assert, raise)")


class _Raised(Exception):
    pass


def _line(frame: Frame, line: int) -> Frame:
    return Frame(frame.function, frame.body, frame.parent, line, frame.params, frame.instance)


def _run(program: Program, step: int, env: dict[str, Any], relocate: Callable[
        [EvaluationError, int], EvaluationError], where: Callable[[ast.AST], str]) -> Any:
    for op in program:
        kind = op[0]
        try:
            if kind == "return":
                return None if op[1] is None else op[1].value(step)
            if kind == "assign":
                env[op[1]] = op[2].value(step)
            elif kind == "if":
                branch = op[2] if op[1].value(step) else op[3]
                result = _run(branch, step, env, relocate, where)
                if result is not _FALLTHROUGH:
                    return result
            elif kind == "assert" and not op[1].value(step):
                raise _Raised(f"the factor function's assert fails at step {step} "
                              f"({where(op[2])})")
            elif kind == "raise":
                raise _Raised(f"the factor function raises at step {step} ({where(op[1])})")
        except EvaluationError as error:
            raise relocate(error, step) from None
    return _FALLTHROUGH


_FALLTHROUGH = object()


def compile_factor(function: Function, values: ScriptValues, source: str,
                   path: str = "<script>") -> Factor:
    """The factor function ``function`` of the script ``source`` (at ``path``): raises
    :class:`FactorRefused` for a construct the sandbox refuses, and the values layer's
    ``Unresolved``/``Branch`` for a free name it cannot supply."""
    node = function.node
    params = [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]
    if function.instance is not None and params:
        params = params[1:]
    frame = values.enter(function, None, None)
    free = [name for name in params if name not in function.bound]
    if not free:
        raise FactorRefused(f"{function.name} takes no step parameter", Span.of(node))
    param = free[0]
    frame.params.pop(param, None)
    unbound = [name for name in free[1:] if name not in frame.params]
    if unbound or node.args.vararg or node.args.kwarg:
        raise FactorRefused(f"{function.name} takes more than the step ({', '.join(unbound)})"
                            if unbound else f"{function.name} takes *args or **kwargs",
                            Span.of(node))
    local = frozenset(assigned_names(node) - set(frame.params) - {param}) | {param}
    builder = _Builder(function, values, source, frame, param, local)
    body: list[ast.stmt] = [ast.copy_location(ast.Return(node.body), node.body)] \
        if isinstance(node, ast.Lambda) else list(node.body)
    program = builder.block(body)
    lines = builder.lines

    def where(stmt: ast.AST) -> str:
        line = getattr(stmt, "lineno", 0)
        return f"{path}:{line}"

    def relocate(error: EvaluationError, step: int) -> EvaluationError:
        if error.source != source or error.column is None:
            return error
        at = lines.span(error.column)
        return EvaluationError(f"{error.message} ({path}:{at.line}:{at.column})",
                               source=lines.text(at.line), column=at.column - 1,
                               hint=error.hint, step=step)

    def factor(step: int) -> float:
        env = builder.env
        env.clear()
        try:
            result = _run(program, step, env, relocate, where)
        except _Raised as raised:
            raise EvaluationError(str(raised), step=step) from None
        if result is _FALLTHROUGH or result is None:
            raise EvaluationError(f"the factor function returns None at step {step}",
                                  step=step)
        if result.__class__ not in (int, float, bool) or result - result != 0:
            raise EvaluationError(f"the factor function returns {result!r} at step {step}, "
                                  "not a finite number", step=step)
        value: float = result
        return value

    return Factor(factor, param, function.name, Span.of(node) if isinstance(
        node, ast.Lambda) else Span(node.lineno, node.col_offset + 1, node.lineno,
                                    node.col_offset + 1), tuple(builder.staircase))

