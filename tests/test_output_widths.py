"""Issue 11, defects 3 and 4: at every width from 40 to 200 columns the show and compare tables
split no number, and kinds, rules and the titles split no word."""

from __future__ import annotations

import io
import re
from functools import cache

import pytest
from rich.console import Console

from tests.output_support import on_terminal
from warmup_cli.digest import Digest
from warmup_cli.kinds import KINDS
from warmup_cli.lint.docs import RULES_TITLE, explain, rules_view
from warmup_cli.lint.rules import RULES
from warmup_cli.pipeline import (
    Compared,
    CompareRequest,
    RunLength,
    Shown,
    ShowRequest,
    compare,
    show,
)
from warmup_cli.render.display import Display
from warmup_cli.render.fit import ColumnText, fit_widths, table_overhead
from warmup_cli.render.kinds import TITLE, kinds_view, parameters_text
from warmup_cli.render.markdown import print_markdown
from warmup_cli.render.screen import print_compared, print_shown

WIDTHS = range(40, 201, 5)
LONG_RUN = "linear:500 > cosine:9500,floor=0.1,base=3e-4"
THREE = ("linear:500 > cosine:9500,floor=0.1", "linear:1000 > cosine:9000",
         "exp:300 * cosine:10000,base=0.5")
BOX = re.compile(r"[│┃┏┓┗┛┡┩┠┨┣┫┳┻╇╈┼━─└┘┌┐├┤┬┴╀╁╂╃╄╅╆╉╊╋═]")


def render(width: int, draw: object) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    draw(console)  # type: ignore[operator]
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


@cache
def long_run() -> tuple[Shown, Digest]:
    shown = show(ShowRequest(LONG_RUN, RunLength(steps=10_000)))
    return shown, shown.digest(show_all=False, plot_buckets=None)


@cache
def three_schedules() -> tuple[Compared, Digest]:
    compared = compare(CompareRequest(THREE, RunLength(steps=10_000)))
    return compared, compared.digest(show_all=False, plot_buckets=None)


def table_rows(text: str) -> list[list[str]]:
    """The cells of every body line of the table (between │ borders)."""
    return [[cell.strip() for cell in line.split("│")[1:-1]]
            for line in text.splitlines() if line.startswith("│")]


def assert_numbers_whole(text: str, number_columns: range) -> list[float]:
    """Every cell of a number column is a whole number or empty on a continuation line."""
    numbers = []
    for cells in table_rows(text):
        if cells[0] in ("", "⋮"):  # a continuation line of a row, or an elision row
            assert all(cells[i] in ("", "⋮") for i in number_columns), cells
            continue
        assert re.fullmatch(r"[0-9]+", cells[0]), cells
        numbers += [float(cells[i]) for i in number_columns]  # raises if split
    assert numbers
    return numbers


def logical_rows(text: str) -> list[list[str]]:
    """Table rows with their continuation lines (first cell empty) joined in."""
    merged: list[list[str]] = []
    for cells in table_rows(text):
        if cells[0] == "" and merged:
            merged[-1] = [f"{a} {b}".strip() for a, b in zip(merged[-1], cells, strict=True)]
        else:
            merged.append(cells)
    return merged


def has_note(text: str, step: int, note: str, unit: str = "step") -> bool:
    """``note`` in the note column of ``step``'s row, or under the table."""
    in_column = any(cells[0] == str(step) and cells[-1] == note for cells in logical_rows(text))
    return in_column or f"{unit} {step}: {note}" in text.splitlines()


def assert_no_line_wider(text: str, width: int) -> None:
    assert max(map(len, text.splitlines())) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_show_never_splits_a_number(width: int) -> None:
    shown, summary = long_run()
    text = render(width, lambda console: print_shown(console, shown, summary, Display()))
    assert_no_line_wider(text, width)
    numbers = assert_numbers_whole(text, range(1, 3))
    exact = [value for row in summary.table_rows() for value in (float(row.factor), *row.lrs)]
    if "rounded to" in text:
        digits = int(re.search(r"rounded to (\d+) significant digits", text)[1])  # type: ignore[index]
        assert numbers == [float(f"{value:.{digits}g}") for value in exact]
    else:
        assert numbers == exact  # the floats torch uses, bit for bit
    # the notes are in their column or under the table, never lost
    assert has_note(text, 499, "end of warmup; peak")
    assert has_note(text, 500, "start of cosine")


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_never_splits_a_number(width: int) -> None:
    compared, summary = three_schedules()
    text = render(width, lambda console: print_compared(console, compared, summary, Display()))
    assert_no_line_wider(text, width)
    assert_numbers_whole(text, range(1, 4))
    for index, source in enumerate(THREE):  # the legend names every column's schedule
        assert f"lr_{index}: {source}" in " ".join(text.split())


def test_exact_numbers_need_no_rounding_at_100_columns() -> None:
    shown, summary = long_run()
    text = render(100, lambda console: print_shown(console, shown, summary, Display()))
    assert "rounded" not in text and "0.00029939999999999996" in text


def test_a_narrow_table_says_it_rounded() -> None:
    shown, summary = long_run()
    text = render(60, lambda console: print_shown(console, shown, summary, Display()))
    assert re.search(r"numbers rounded to \d+ significant digits to fit 60 columns", text)
    assert "0.00029939999999999996" not in text


def test_compare_with_three_schedules_is_exact_at_100_columns() -> None:
    compared, summary = three_schedules()
    text = render(100, lambda console: print_compared(console, compared, summary, Display()))
    assert "rounded" not in text


# --- words: kinds, rules, titles, --explain --------------------------------------------------

def words_of(*texts: str) -> set[str]:
    return {word for text in texts for word in text.split()}


def assert_no_split_word(text: str, allowed: set[str]) -> None:
    for word in BOX.sub(" ", text).split():
        assert word in allowed, word


@pytest.mark.parametrize("width", WIDTHS)
def test_rules_never_split_a_word(width: int) -> None:
    text = render(width, lambda console: console.print(rules_view(console.width)))
    assert_no_line_wider(text, width)
    allowed = words_of(RULES_TITLE, "code name severity summary", *(
        f"{r.code} {r.name} [{r.severity_text}] {r.severity_text} {r.summary}"
        for r in RULES.values()))
    assert_no_split_word(text, allowed)


@pytest.mark.parametrize("width", WIDTHS)
def test_kinds_never_split_a_word(width: int) -> None:
    text = render(width, lambda console: console.print(kinds_view(console.width)))
    assert_no_line_wider(text, width)
    allowed = words_of(TITLE, "kind role formula parameters what it is (alias formula: "
                       "parameters:", *(
                           f"{k.name} {k.role} {k.formula} {parameters_text(k)} {k.summary} "
                           f"(alias {', '.join(k.aliases)})"
                           for k in KINDS.values()))
    assert_no_split_word(text, allowed)


@pytest.mark.parametrize("width", [60, 100])
def test_explain_wraps_to_the_width_without_backticks(width: int) -> None:
    rule = RULES[next(code for code, r in RULES.items() if "`" in r.explanation)]
    text = render(width, lambda console: print_markdown(console, explain(rule)))
    assert "`" not in text
    lines = text.splitlines()
    assert lines[0] == f"{rule.code} {rule.name} [{rule.severity_text}]"
    assert max(map(len, lines)) <= width
    assert "Bad:" in lines and "Good:" in lines


def test_a_long_title_wraps_at_spaces_not_inside_a_file_name(tmp_path: object) -> None:
    shown, summary = long_run()
    text = render(50, lambda console: print_shown(console, shown, summary, Display()))
    title = text.split("┏")[0]
    assert " ".join(title.split()) == f"{LONG_RUN}  ·  base lr 0.0003  ·  10,000 steps" \
        .replace("  ", " ")
    assert "cosine:9500,floor=0.1,base=3e-4" in title.split()  # a word stays whole


def test_fit_widths_gives_every_column_its_longest_word() -> None:
    columns = [ColumnText(["12345"], wrap=False), ColumnText(["a bb ccc dddd"])]
    assert fit_widths(columns, table_overhead(2) + 5 + 13) == [5, 13]
    assert fit_widths(columns, table_overhead(2) + 5 + 6) == [5, 6]
    assert fit_widths(columns, table_overhead(2) + 5 + 3) is None


# --- on a real terminal ----------------------------------------------------------------------

def test_the_terminal_width_is_used_and_no_line_is_padded() -> None:
    shown = on_terminal("show", LONG_RUN, "--steps", "10000", "--no-plot", columns=60)
    assert shown.returncode == 0, shown.stderr
    lines = shown.plain.splitlines()
    assert max(map(len, lines)) <= 60
    assert all(line == line.rstrip() for line in lines)
    assert "rounded to" in shown.plain
