"""Issue 11, defects 1, 2 and 9: what decides the format, pipes that close early, -h, usage
lines, options that do nothing in the chosen format, padding, shell completion."""

from __future__ import annotations

import re

import pytest

from tests.output_support import in_pipe, on_terminal, reader_gone

SHOW = ("show", "linear:4", "-n", "3")


# --- 1: --format auto follows isatty, colour variables only choose colours -----------------

@pytest.mark.parametrize("variable", [{"FORCE_COLOR": "1"}, {"FORCE_COLOR": "0"},
                                      {"TTY_COMPATIBLE": "1"}, {"CLICOLOR_FORCE": "1"}])
def test_colour_variables_do_not_change_the_format_in_a_pipe(variable: dict[str, str]) -> None:
    plain = in_pipe(*SHOW)
    forced = in_pipe(*SHOW, env=variable)
    assert plain.returncode == forced.returncode == 0, forced.stderr
    assert forced.stdout == plain.stdout
    assert forced.stdout.splitlines()[0] == "epoch,factor,lr,phase"


def test_colour_variables_colour_an_explicit_table_in_a_pipe() -> None:
    forced = in_pipe(*SHOW, "--format", "table", env={"FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    assert "\x1b[" not in in_pipe(*SHOW, "--format", "table").stdout


def test_a_terminal_gets_the_table_whatever_the_colour_variables_say() -> None:
    for env in ({}, {"TTY_COMPATIBLE": "0"}, {"FORCE_COLOR": ""}, {"NO_COLOR": "1"}):
        shown = on_terminal(*SHOW, "--no-plot", env=env)
        assert shown.returncode == 0, shown.stderr
        assert "┃ epoch ┃ factor ┃" in shown.plain, env


def test_color_never_on_a_terminal_is_a_table_without_colour() -> None:
    shown = on_terminal(*SHOW, "--no-plot", "--color", "never")
    assert "┃ epoch ┃ factor ┃" in shown.stdout
    assert "\x1b[" not in shown.stdout


def test_no_color_keeps_the_plot_on_a_terminal_without_colours() -> None:
    shown = on_terminal(*SHOW, env={"NO_COLOR": "1"})
    assert "┤" in shown.stdout  # NO_COLOR removes colours (bold stays), not the plot
    assert not re.search(r"\x1b\[(3[0-9]|38;|48;)", shown.stdout), shown.stdout


# --- 2: a reader that goes away ends every command with 141, quietly --------------------------

@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["show", "--help"], ["--version"],
    ["export", "linear:4"], ["export", "linear:4", "--to", "json"],
    ["show", "linear:4", "-n", "3"], ["show", "linear:4", "-n", "3", "--format", "json"],
    ["show", "linear:4", "-n", "3", "--format", "markdown"],
    ["compare", "linear:4", "linear:8", "-n", "9"],
    ["lint", "lambda e: e / 4"], ["lint", "lambda e: e / 4", "--output-format", "json"],
    ["lint", "lambda e: e / 4", "--output-format", "sarif"],
    ["lint", "--explain", "WU101"],
    ["kinds"], ["rules"],
])
def test_every_command_ends_a_broken_pipe_with_141(args: list[str]) -> None:
    done = reader_gone(*args)
    assert done.returncode == 141, done.stderr
    assert done.stderr == ""


# --- 9: -h, usage lines ---------------------------------------------------------------------

@pytest.mark.parametrize("command", [[], ["show"], ["compare"], ["export"], ["kinds"],
                                     ["lint"], ["rules"]])
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short, long = in_pipe(*command, "-h"), in_pipe(*command, "--help")
    assert short.returncode == long.returncode == 0, short.stderr
    assert short.stdout == long.stdout and short.stdout.startswith("Usage:")
    assert "-h, --help" in short.stdout


@pytest.mark.parametrize(("command", "usage"), [
    ("show", "[OPTIONS] SCHEDULE"), ("export", "[OPTIONS] SCHEDULE"),
    ("compare", "[OPTIONS] SCHEDULE..."), ("lint", "[OPTIONS] [TARGET...]"),
])
def test_usage_lines_name_the_arguments_in_capitals(command: str, usage: str) -> None:
    text = in_pipe(command, "--help").stdout
    assert text.splitlines()[0].endswith(usage), text.splitlines()[0]
    assert "{" not in text.splitlines()[0]
