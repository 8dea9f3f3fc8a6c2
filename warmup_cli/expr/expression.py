"""The sandbox's front door: :func:`compile_expression` and the :class:`CompiledExpression` it
returns, plus :func:`is_lambda_text` to tell a lambda from a schedule spec.
"""

from __future__ import annotations

import ast
import copy
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from warmup_cli.errors import EvaluationError
from warmup_cli.expr.allowlist import (
    DEFAULT_LIMITS,
    Limits,
    check_lambda_arguments,
    check_length,
    check_size,
    parse,
)
from warmup_cli.expr.bounds import HINT_BOUND, BoundError
from warmup_cli.expr.closures import Fn, WorkMeter
from warmup_cli.expr.compiler import Compiler, Located
from warmup_cli.expr.positions import Positions, lambda_body_column

LAMBDA_START = re.compile(r"lambda(?=[\s:*/(])")


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """A validated factor function, callable like the lambda it was written as.

    ``tree`` is the checked body node. Its positions are rewritten so that ``col_offset`` and
    ``end_col_offset`` are 0-based *character* offsets into ``source`` (CPython stores UTF-8
    byte offsets per line) and ``lineno``/``end_lineno`` are 1.

    ``staircase`` lists ``(column, construct)`` for every ``//``, ``%``, ``int()``,
    ``round()``, ``math.floor()``, ``math.ceil()`` and ``math.trunc()`` applied to something
    that depends on the step variable, in source order. Constructs are spelled as written:
    ``"//"``, ``"%"``, ``"int()"``, ``"round()"``, ``"floor()"`` or ``"math.floor()"``, ...;
    the column is the operator's for ``//``/``%`` and the start of the call otherwise.
    """

    source: str
    param: str | None
    body_column: int
    tree: ast.expr
    staircase: tuple[tuple[int, str], ...]
    # The names a caller bound (:func:`compile_bound`); empty for a text of its own.
    names: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _fn: Fn = field(init=False, repr=False, compare=False)

    def __call__(self, step: int) -> int | float:
        """The factor at ``step``, exactly as the equivalent Python lambda returns it.

        Raises :class:`EvaluationError` (with ``step`` set) when the function raises, hits the
        integer size bound, or returns something other than a finite int or float.
        """
        try:
            value = self._fn(step)
        except Exception as exc:
            raise self._failure(step, exc) from exc
        cls = value.__class__
        if cls is float:
            if value - value == 0.0:  # false for inf and nan; cheaper than math.isfinite
                return value  # type: ignore[no-any-return]
        elif cls is int or cls is bool:
            return value  # type: ignore[no-any-return]
        raise self._bad_result(step, value)

    def value(self, step: int) -> Any:
        """What the expression gives at ``step``, whatever it is (a bool of a test, a local's
        value): failures are reported as by ``__call__``, the result is not checked."""
        try:
            return self._fn(step)
        except Exception as exc:
            raise self._failure(step, exc) from exc

    def metered(self, meter: WorkMeter) -> Callable[[int], int | float]:
        """This factor function charging ``meter`` for its work (one unit per operation run,
        one more per 64-bit word of an integer result, one per call), with the same values
        and errors as calling it; :class:`WorkExceeded` past the meter's limit."""
        compiler = Compiler(self.source, self.param, bare=False, fold=True, locate=False,
                            meter=meter, names=self.names)
        fn = compiler.build(self.tree).fn

        def run(step: int) -> int | float:
            try:
                value = fn(step)
            except Exception as exc:
                raise self._failure(step, exc) from exc
            meter.used += 1
            if meter.used > meter.limit:
                meter.charge(0)  # raises WorkExceeded
            cls = value.__class__
            if cls is float:
                if value - value == 0.0:
                    return value  # type: ignore[no-any-return]
            elif cls is int or cls is bool:
                return value  # type: ignore[no-any-return]
            raise self._bad_result(step, value)

        return run

    def _failure(self, step: int, exc: Exception) -> EvaluationError:
        if isinstance(exc, BoundError):
            return EvaluationError(
                f"the factor function failed at step {step}: {exc.describe()}",
                source=self.source,
                column=exc.column,
                hint=HINT_BOUND,
                step=step,
            )
        hint = None
        if isinstance(exc, ZeroDivisionError) and step == 0 and self.param is not None:
            hint = (
                "the scheduler calls the factor function at step 0 too; guard it, e.g. "
                f"max({self.param}, 1)"
            )
        return EvaluationError(
            f"the factor function raised {type(exc).__name__} at step {step}: {exc}",
            source=self.source,
            column=self._locate(step),
            hint=hint,
            step=step,
        )

    def _locate(self, step: int) -> int | None:
        """Column of the node that fails at ``step``.

        Only runs after a failure: rebuilds the closures without constant folding and with a
        column-tagging wrapper around every node, then runs them again. Evaluation is
        deterministic, so the same node fails the same way.
        """
        compiler = Compiler(self.source, self.param, bare=False, fold=False, locate=True,
                            names=self.names)
        try:
            compiler.build(self.tree).fn(step)
        except Located as located:
            return located.column
        except Exception:
            return None
        return None

    def _bad_result(self, step: int, value: object) -> EvaluationError:
        if isinstance(value, float):
            message = f"the factor function returned {value!r} at step {step}"
            hint = "a learning-rate factor must be a finite number at every step"
        elif isinstance(value, complex):
            message = f"the factor function returned a complex number {value!r} at step {step}"
            hint = (
                "a negative number raised to a fractional power is complex in Python; "
                "make sure the base stays >= 0"
            )
        else:
            message = (
                f"the factor function returned a {type(value).__name__} at step {step}, "
                "not a number"
            )
            hint = None
        return EvaluationError(message, source=self.source, column=None, hint=hint, step=step)


def is_lambda_text(text: str) -> bool:
    """Whether ``text`` looks like a lambda rather than a schedule spec.

    Cheap and syntactic: the stripped text starts with the keyword ``lambda`` (followed by
    whitespace, ``:``, ``*``, ``/`` or ``(`` so that ``lambdas=3`` is not one) and contains a
    ``:``. A malformed lambda such as ``lambda: 1`` still counts, so that it reaches
    :func:`compile_expression` and gets a precise error instead of a spec error.
    """
    stripped = text.strip()
    return LAMBDA_START.match(stripped) is not None and ":" in stripped


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str, limits: Limits = DEFAULT_LIMITS) -> CompiledExpression:
    """Check ``text`` against the allowlist and compile it into closures.

    Accepts ``lambda NAME: EXPR`` (exactly one plain parameter) or a bare ``EXPR`` whose single
    free name is the step variable. Raises :class:`ExpressionError` for anything else.
    Results are cached: a compiled expression is immutable, and a directory of configs or a
    spec's phases repeat the same texts (compiling costs ~0.1-0.3 ms).
    """
    source = text.strip()
    check_length(source, limits)
    positions = Positions(source)
    root = parse(source, positions, limits)
    check_size(root, source, positions, limits)
    positions.rewrite(root)

    if isinstance(root, ast.Lambda):
        param = check_lambda_arguments(root, source)
        body = root.body
        (param_node,) = [*root.args.posonlyargs, *root.args.args]
        body_column = lambda_body_column(source, param_node, body)
        compiler = Compiler(source, param, bare=False, fold=True, locate=False)
    else:
        body = root
        body_column = 0
        compiler = Compiler(source, None, bare=True, fold=True, locate=False)
    part = compiler.build(body)
    compiled = CompiledExpression(
        source=source,
        param=compiler.param,
        body_column=body_column,
        tree=body,
        staircase=tuple(sorted(compiler.staircase)),
    )
    object.__setattr__(compiled, "_fn", part.fn)
    return compiled


def compile_bound(node: ast.expr, source: str, param: str | None, names: Mapping[str, Any],
                  limits: Limits = DEFAULT_LIMITS) -> CompiledExpression:
    """An expression already parsed out of ``source`` (a training script, read with ``ast``),
    checked against the allowlist and compiled like :func:`compile_expression`, over the step
    ``param``, with ``names`` bound (see :class:`~warmup_cli.expr.compiler.Compiler`): every
    other name, attribute or subscript is refused as usual. Positions (and so the columns of
    errors) become 0-based character offsets into the whole of ``source``; ``node`` itself is
    left untouched."""
    tree = copy.deepcopy(node)
    positions = Positions(source)
    check_size(tree, source, positions, limits)
    positions.rewrite(tree)
    compiler = Compiler(source, param, bare=False, fold=True, locate=False, names=names)
    part = compiler.build(tree)
    compiled = CompiledExpression(source=source, param=param, body_column=tree.col_offset,
                                  tree=tree, staircase=tuple(sorted(compiler.staircase)),
                                  names=names)
    object.__setattr__(compiled, "_fn", part.fn)
    return compiled
