"""Source positions: where in the user's text a node or token is, as a character offset.

Error messages put a caret under the offending character, so every column the sandbox reports
is a 0-based *character* offset into the stripped source. CPython's AST gives (line, UTF-8
byte column) pairs instead, and does not locate operator tokens at all; this module converts
the former and finds the latter.
"""

from __future__ import annotations

import ast
import re
from typing import TypeAlias

NEWLINE = re.compile(r"\r\n|\r|\n")  # what the tokenizer treats as a line break

# AST nodes that are tokens rather than syntax (shared singletons without a position): they do
# not count towards the node limit.
TOKEN_NODES = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)

# The node types of an expression tree that carry a position. The others an expression can
# hold (``ast.arguments``, ``ast.comprehension`` and the TOKEN_NODES) have none.
PositionedNode: TypeAlias = ast.expr | ast.arg | ast.keyword
POSITIONED_NODES = (ast.expr, ast.arg, ast.keyword)


class Positions:
    """Maps CPython's (line, UTF-8 byte column) positions to character offsets into source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.line_starts = [0, *(m.end() for m in NEWLINE.finditer(source))]

    def _line(self, lineno: int) -> tuple[int, str]:
        index = min(max(lineno, 1), len(self.line_starts)) - 1
        start = self.line_starts[index]
        end = self.line_starts[index + 1] if index + 1 < len(self.line_starts) else len(self.source)
        return start, self.source[start:end]

    def from_bytes(self, lineno: int, byte_column: int) -> int:
        start, line = self._line(lineno)
        if line.isascii():
            return start + byte_column
        return start + len(line.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))

    def from_chars(self, lineno: int, char_column: int) -> int:
        start, line = self._line(lineno)
        return start + max(0, min(char_column, len(line)))

    def node_start(self, node: ast.AST) -> int:
        """Character offset of ``node`` in a tree not yet rewritten; 0 if it has no position."""
        if isinstance(node, POSITIONED_NODES):
            return self.from_bytes(node.lineno, node.col_offset)
        return 0

    def rewrite(self, root: ast.AST) -> None:
        """Turn every position under ``root`` into character offsets on a single line 1."""
        for node in ast.walk(root):
            if not isinstance(node, POSITIONED_NODES):
                continue
            node.col_offset = self.from_bytes(node.lineno, node.col_offset)
            end_lineno = node.end_lineno if node.end_lineno is not None else node.lineno
            end_col = node.end_col_offset if node.end_col_offset is not None else 0
            node.end_col_offset = self.from_bytes(end_lineno, end_col)
            node.lineno = node.end_lineno = 1


def skip_insignificant(source: str, start: int, end: int, extra: str = ")") -> int:
    """First index in ``source[start:end]`` that is not whitespace, a comment or ``extra``.

    Used to find tokens the AST does not locate (operators, ``.``, ``[``, the lambda's ``:``)
    between the end of one node and the start of the next. Returns ``end`` if none is found.
    """
    i = start
    while i < end:
        char = source[i]
        if char == "#":
            match = NEWLINE.search(source, i, end)
            i = match.start() if match else end
        elif char in " \t\f\r\n\\" or char in extra:
            i += 1
        else:
            return i
    return end


def gap_token(source: str, before: PositionedNode, after_column: int) -> int:
    """Column of the first token after node ``before`` (e.g. an operator), in a rewritten tree."""
    start = before.end_col_offset or before.col_offset
    return skip_insignificant(source, start, after_column)


def lambda_body_column(source: str, param: ast.arg, body: ast.expr) -> int:
    """Column where the lambda's body text starts: after the ``:``, past blanks and comments."""
    colon = skip_insignificant(
        source, param.end_col_offset or param.col_offset, body.col_offset, extra=",/"
    )
    if source[colon : colon + 1] != ":":
        return body.col_offset
    return skip_insignificant(source, colon + 1, body.col_offset, extra="")
