"""The expression sandbox: user-written learning-rate lambdas, evaluated without ``eval``.

Users pass factor functions such as ``lambda epoch: min((epoch + 1) / 4, 1)`` or a bare
expression over the step variable (``min((e + 1) / 4, 1)``), often copied from configs written
by strangers. The text is therefore never handed to ``eval``/``exec``/``compile``. Instead:

1. ``ast.parse(text, mode="eval")`` (bounded: at most 2000 characters; ``RecursionError`` and
   ``MemoryError`` from the parser become :class:`ExpressionError`);
2. the tree is bounded (at most 300 nodes, nesting depth at most 40) and checked against an
   allowlist of node types, names and functions; everything else is refused with a message that
   names the construct and a column that points at it;
3. the checked tree is turned into nested Python closures, once, so that a call costs a few
   closure calls rather than a tree walk (the bulk path calls a factor function ~10^7 times).

The closures use the very operators and functions Python would use (``+``, builtin ``round``,
the real :mod:`math` module, ...), so a result is bit-for-bit what CPython gives for the same
lambda on the same int step, ``int`` results stay ``int``. The one deliberate difference: integer
arithmetic that could grow without bound (``**``, ``pow()``, ``*``, ``<<``) is checked *before*
computing and refused past :data:`MAX_INT_BITS` bits, so ``9**9**9`` fails in microseconds
instead of hanging the CLI. Integer ``round(x, -n)`` with a huge ``n`` (where CPython would build
``10**n`` before finding that the answer is 0) is answered with that 0 directly.

Names: in a bare expression the step variable is the single free name, so ``e`` there is the
step, not Euler's number (write ``math.e`` for the constant). Bare constants are ``pi``, ``tau``
and ``inf``; ``math.pi``, ``math.e``, ``math.tau`` and ``math.inf`` work everywhere.

Modules: :mod:`~warmup_cli.expr.allowlist` (what is allowed, and the checks before compiling),
:mod:`~warmup_cli.expr.positions` (character columns for carets),
:mod:`~warmup_cli.expr.bounds` (the bounded integer arithmetic, also used by the Python config
reader), :mod:`~warmup_cli.expr.closures` and :mod:`~warmup_cli.expr.compiler` (tree to
closures), :mod:`~warmup_cli.expr.expression` (:func:`compile_expression` and
:class:`CompiledExpression`). Import the public names from here.
"""

from __future__ import annotations

from warmup_cli.expr.allowlist import (
    BINOP_SYMBOLS,
    MAX_DEPTH,
    MAX_NODES,
    MAX_SOURCE_CHARS,
    Limits,
    dotted_name,
)
from warmup_cli.expr.bounds import MAX_INT_BITS, BoundError, checked_mul, checked_pow
from warmup_cli.expr.expression import (
    CompiledExpression,
    compile_bound,
    compile_expression,
    is_lambda_text,
)

__all__ = [
    "BINOP_SYMBOLS",
    "MAX_DEPTH",
    "MAX_INT_BITS",
    "MAX_NODES",
    "MAX_SOURCE_CHARS",
    "BoundError",
    "CompiledExpression",
    "Limits",
    "checked_mul",
    "checked_pow",
    "compile_bound",
    "compile_expression",
    "dotted_name",
    "is_lambda_text",
]
