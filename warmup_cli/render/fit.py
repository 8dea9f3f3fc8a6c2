"""Column widths that fit a terminal without splitting a number or a word.

Rich shrinks a table that is too wide by cutting its widest wrappable columns and, as a last
resort, every column evenly, so that a number prints as ``3.00000073`` / ``8169851e-0`` / ``5``
and a rule name as ``unreadable-confi`` / ``g``. The renderers here decide the widths first: a
column that may wrap gets at least its longest word, one that may not gets its longest line,
and the room left goes to the wrappable columns in proportion to what they would still use.
When even that does not fit, :func:`fit_widths` says so (None) and the caller changes the
layout (drops the note column, rounds the numbers, stacks the rows).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table

# rich's default table: a border left of every column and one at the right edge, and one
# space of padding on each side of every cell
PADDING = 2


@dataclass(frozen=True)
class ColumnText:
    """The texts of one column (header included) and whether it may wrap at spaces."""

    texts: Sequence[str]
    wrap: bool = True

    @property
    def longest_line(self) -> int:
        return max((cell_len(line) for text in self.texts for line in text.split("\n")),
                   default=0)

    @property
    def longest_word(self) -> int:
        return max((cell_len(word) for text in self.texts for word in text.split()),
                   default=0)

    @property
    def minimum(self) -> int:
        return self.longest_word if self.wrap else self.longest_line


def table_overhead(columns: int) -> int:
    """The characters a bordered table adds to its columns' contents."""
    return columns * (PADDING + 1) + 1


def fit_widths(columns: Sequence[ColumnText], width: int) -> list[int] | None:
    """Content widths, one per column, for a table at most ``width`` wide in which no column
    is narrower than its longest word (longest line for one that may not wrap); None when no
    such widths exist."""
    room = width - table_overhead(len(columns))
    wanted = [column.longest_line for column in columns]
    if sum(wanted) <= room:
        return wanted
    least = [column.minimum for column in columns]
    if sum(least) > room:
        return None
    spare = room - sum(least)
    gaps = [high - low for high, low in zip(wanted, least, strict=True)]
    total_gap = sum(gaps)
    widths = [low + spare * gap // total_gap for low, gap in zip(least, gaps, strict=True)]
    # hand out what the rounding left, one character at a time, to the columns still short
    left = room - sum(widths)
    for index in sorted(range(len(widths)), key=lambda i: widths[i] - wanted[i]):
        if left <= 0:
            break
        if widths[index] < wanted[index]:
            widths[index] += 1
            left -= 1
    return widths


def apply_widths(table: Table, widths: Sequence[int]) -> Table:
    """Fix every column of ``table`` at its width (rich then never narrows one further)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    return table


def table_or_stacked(table: Table, texts: Sequence[ColumnText], width: int,
                     stacked: RenderableType) -> RenderableType:
    """``table`` with widths that split no word when ``width`` allows one, else ``stacked``
    (the same rows one below the other, for a narrow terminal)."""
    widths = fit_widths(texts, width)
    return stacked if widths is None else apply_widths(table, widths)


def indented(text: str, width: int, indent: int = 4) -> str:
    """``text`` wrapped at spaces to ``width`` columns, every line indented, none padded; a
    word longer than a line stays whole (the terminal folds it)."""
    prefix = " " * indent
    return "\n".join(textwrap.wrap(text, max(20, width - indent), initial_indent=prefix,
                                    subsequent_indent=prefix, break_long_words=False,
                                    break_on_hyphens=False)) or prefix


_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def unpadded(text: str) -> str:
    """``text`` with no line ending in spaces (escape sequences after them are kept): what
    rich and plotext pad lines with is noise in a file and in a diff."""
    return _TRAILING.sub(r"\1", text)
