"""Issue 11, defects 4 and 5: the plot on the terminal's own background, colours a colour-blind
reader tells apart, the legend and title outside the canvas, readable ticks."""

from __future__ import annotations

import math
import re

import pytest

from tests.output_support import ANSI, on_terminal
from warmup_cli.render.plot import (
    PALETTE,
    integer_ticks,
    line_style,
    linear_ticks,
    log_ticks,
    lr_text,
    nice_step,
    render_plot,
)

COMPARE = ("compare", "linear:4", "linear:8", "-n", "12")
# xterm-256 colours that are red or green (the pair a red-green colour-blind reader confuses)
RED_GREEN = {1, 2, 9, 10, 22, 28, 34, 40, 46, 82, 118, 124, 160, 196}


def colours_used(text: str) -> set[int]:
    return {int(code) for code in re.findall(r"\x1b\[38;5;(\d+)m", text)}


def test_the_plot_keeps_the_terminals_background() -> None:
    shown = on_terminal("show", "linear:4", "-n", "8", "--color", "always")
    assert "┤" in shown.stdout
    assert "\x1b[48;" not in shown.stdout and "\x1b[47m" not in shown.stdout  # no painted box


def test_compare_lines_use_a_colour_blind_safe_pair() -> None:
    shown = on_terminal(*COMPARE, "--color", "always")
    used = colours_used(shown.stdout)
    assert {PALETTE[0], PALETTE[1]} <= used
    assert not used & RED_GREEN


def test_the_legend_is_under_the_plot_not_on_the_curves() -> None:
    shown = on_terminal(*COMPARE)
    lines = shown.plain.splitlines()
    box = [i for i, line in enumerate(lines) if "┌" in line or "└" in line]
    top, bottom = box[-2], box[-1]
    assert not any("lr_" in line for line in lines[top:bottom + 1])
    legend = lines[-1]
    assert re.fullmatch(r"\S\S lr_0   \S\S lr_1", legend), legend


def test_without_colour_the_lines_get_different_markers() -> None:
    assert line_style(0, False) != line_style(1, False)
    assert line_style(0, True)[0] != line_style(1, True)[0]


def test_a_long_compare_title_wraps_above_the_plot() -> None:
    specs = ["linear:500 > cosine:9500,floor=0.1", "linear:1000 > cosine:9000",
             "exp:300 * cosine:10000"]
    shown = on_terminal("compare", *specs, "--steps", "10000", "--plot-width", "50",
                        columns=120)
    assert shown.returncode == 0, shown.stderr
    above = shown.plain.split("┌")[-2].splitlines()[-4:]
    title = " ".join(" ".join(above).split())
    assert " vs ".join(specs).replace("  ", " ") in title


def test_axis_label_and_last_update_are_labelled() -> None:
    shown = on_terminal("show", "linear:4", "-n", "10", "--color", "never")
    lines = shown.stdout.splitlines()
    bottom = next(i for i, line in enumerate(lines) if "└┬" in line)  # the axis, not the table
    assert lines[bottom + 1].split() == ["0", "2", "4", "6", "8", "9"]
    assert lines[bottom + 2].split() == ["lr", "epoch"]


def test_small_lrs_are_written_short() -> None:
    shown = on_terminal("show", "linear:5 > cosine:20,base=3e-4", "-n", "25", "--color",
                        "never")
    ticks = [line.split("┤")[0].strip() for line in shown.stdout.splitlines() if "┤" in line]
    assert "3e-4" in ticks and all(len(tick) <= 6 for tick in ticks), ticks


def test_log_axis_ticks_are_decades() -> None:
    shown = on_terminal("show", "linear:5 > exponential:0.5,base=0.1", "-n", "30", "--log-y",
                        "--color", "never")
    ticks = [line.split("┤")[0].strip() for line in shown.stdout.splitlines() if "┤" in line]
    assert len(ticks) >= 3 and all(re.fullmatch(r"1e-\d+|0\.\d*1", t) for t in ticks), ticks


def test_an_all_zero_series_on_a_log_axis_says_why_it_is_empty() -> None:
    shown = on_terminal("show", "constant:0,value=0", "-n", "5", "--log-y")
    assert "┤" not in shown.stdout
    assert "the plot is empty: every LR is 0, and a log axis cannot show 0" in \
        " ".join(ANSI.sub("", shown.stdout).split())
    plot = render_plot([("lr", [0, 1], [0.0, 0.0])], xlabel="epoch", width=60, height=10,
                       log_y=True, color=False)
    assert plot.text is None and plot.empty_reason is not None


# --- the tick arithmetic -----------------------------------------------------------------

@pytest.mark.parametrize(("span", "count", "step"), [
    (1.0, 5, 0.2), (0.1, 5, 0.02), (9999, 4, 2000), (3e-4, 5, 5e-5), (7, 4, 2), (100, 4, 20)])
def test_nice_steps_are_1_2_5(span: float, count: int, step: float) -> None:
    found = nice_step(span, count)
    assert math.isclose(found, step)
    mantissa = found / 10 ** math.floor(math.log10(found))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5))


def test_linear_ticks_are_round_numbers_inside_the_range() -> None:
    assert linear_ticks(0.0, 0.1, 5) == [0.0, 0.02, 0.04, 0.06, 0.08, 0.1]
    assert linear_ticks(0.025, 0.1, 5) == [0.04, 0.06, 0.08, 0.1]
    assert linear_ticks(0.5, 0.5) == [0.5]


def test_log_ticks_are_decades_or_1_2_5_within_one() -> None:
    assert log_ticks(3e-7, 0.1) == [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1]
    assert log_ticks(0.15, 0.9) == [0.2, 0.5]


def test_integer_ticks_always_end_at_the_last_update() -> None:
    assert integer_ticks(0, 9999) == [0, 2000, 4000, 6000, 8000, 9999]
    assert integer_ticks(0, 9) == [0, 2, 4, 6, 8, 9]
    assert integer_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert integer_ticks(5, 5) == [5]
    for first, last in [(0, 1), (0, 7), (3, 1001), (0, 99999)]:
        ticks = integer_ticks(first, last)
        assert ticks[0] == first and ticks[-1] == last and ticks == sorted(set(ticks))


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (3e-4, "3e-4"), (0.025, "0.025"), (0.1, "0.1"), (1.5e-5, "1.5e-5"),
    (2e4, "2e4"), (1.0, "1"), (9.9999e-5, "1e-4")])
def test_lr_tick_labels_are_short(value: float, text: str) -> None:
    assert lr_text(value) == text
