"""Tests for warmup_cli.expr.positions: every column the sandbox reports is a character offset
into the stripped source, whatever the encoding and line breaks of the text."""

from __future__ import annotations

import ast

import pytest

from tests.test_expr_support import column_of, refusal
from warmup_cli.expr import compile_expression
from warmup_cli.expr.positions import Positions, skip_insignificant


@pytest.mark.parametrize(
    ("text", "body_column"),
    [
        ("lambda epoch: epoch / 3", 14),
        ("lambda e:e", 9),
        ("lambda e, /: e", 13),
        ("lambda e :  (e)", 12),
        ("min(e, 1)", 0),
        ("lambda ε: ε / 2", 10),
    ],
)
def test_body_column(text: str, body_column: int) -> None:
    assert compile_expression(text).body_column == body_column


def test_tree_columns_are_character_offsets() -> None:
    # CPython's col_offset counts UTF-8 bytes; ε is two bytes.
    text = "lambda ε: ε + εε"
    err = refusal(text)
    assert err.message == "unknown name 'εε'; the step variable is 'ε'"
    assert err.column == column_of(text, "εε")
    f = compile_expression("lambda ε: ε + 1")
    assert f.tree.col_offset == 10
    assert f.tree.end_col_offset == 15
    assert f.tree.lineno == f.tree.end_lineno == 1


def test_multiline_source_columns() -> None:
    text = "(lambda s:\n   s + y)"
    err = refusal(text)
    assert err.message == "unknown name 'y'; the step variable is 's'"
    assert err.column == column_of(text, "y")
    f = compile_expression("(lambda s:\r\n  s // 2)")
    assert f.staircase == ((column_of(f.source, "//"), "//"),)


def test_comment_between_the_colon_and_the_body() -> None:
    f = compile_expression("(lambda s:  # ramp\n    s / 2)")
    assert f.body_column == f.source.index("s / 2")
    assert f(4) == 2.0


# ---------------------------------------------------------------------------------------------
# The helpers directly


def test_from_bytes_counts_characters_on_every_line() -> None:
    source = "ab\nεε + x\r\nz"
    positions = Positions(source)
    assert positions.from_bytes(1, 1) == 1
    assert positions.from_bytes(2, 5) == source.index("+")  # ε is two bytes in UTF-8
    assert positions.from_bytes(2, 7) == source.index("x")
    assert positions.from_bytes(3, 0) == source.index("z")  # after a \r\n break
    assert positions.from_bytes(99, 0) == source.index("z")  # past the end: the last line


def test_from_chars_clamps_to_the_line() -> None:
    positions = Positions("ab\ncd")
    assert positions.from_chars(2, 1) == 4
    assert positions.from_chars(1, -5) == 0
    assert positions.from_chars(1, 99) == 3  # the end of line 1, its line break included


def test_rewrite_puts_every_node_on_line_one_in_characters() -> None:
    source = "(ε +\n  x)"
    tree = ast.parse(source, mode="eval").body
    Positions(source).rewrite(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            assert node.lineno == node.end_lineno == 1
    assert isinstance(tree, ast.BinOp)
    assert (tree.left.col_offset, tree.left.end_col_offset) == (1, 2)
    assert (tree.right.col_offset, tree.right.end_col_offset) == (7, 8)


@pytest.mark.parametrize(
    ("source", "start", "expected"),
    [
        ("a  + b", 1, 3),
        ("a) + b", 1, 3),  # closing parentheses are skipped by default
        ("a  # note\n  + b", 1, 12),  # a comment runs to the end of its line
        ("a \\\n + b", 1, 5),  # a backslash continuation
        ("a   ", 1, 4),  # nothing found: the end
    ],
)
def test_skip_insignificant(source: str, start: int, expected: int) -> None:
    assert skip_insignificant(source, start, len(source)) == expected
