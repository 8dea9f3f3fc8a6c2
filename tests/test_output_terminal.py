"""Issue 11, defects 1, 2 and 9: what decides the format, pipes that close early, -h, usage
lines, options that do nothing in the chosen format, padding, shell completion."""

from __future__ import annotations

import re

import pytest

from tests.output_support import in_pipe, on_terminal, reader_gone

SHOW = ("show", "linear:4", "-n", "4")  # a clean schedule: no lint warning


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


# --- 9: options that do nothing say so; no padding; completion ------------------------------

@pytest.mark.parametrize(("args", "note"), [
    (["--log-y"], "note: --log-y does nothing with --format csv, which writes every row, exact"),
    (["--format", "json", "--digits", "3", "--all"],
     "note: --digits, --all do nothing with --format json, which writes every row, exact"),
    (["--format", "csv", "--plot"],
     "note: --plot does nothing with --format csv, which writes every row, exact"),
    (["--format", "table", "--log-y", "--plot-height", "9"],
     "note: --log-y, --plot-height do nothing without the plot (add --plot)"),
])
def test_options_that_do_nothing_say_so(args: list[str], note: str) -> None:
    done = in_pipe(*SHOW, *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [note]


def test_options_that_do_something_are_quiet() -> None:
    assert in_pipe(*SHOW, "--format", "table", "--plot", "--log-y", "--digits", "3").stderr == ""
    assert on_terminal(*SHOW, "--log-y", "--plot-height", "8").stderr == ""
    assert in_pipe("compare", "linear:4", "linear:8", "-n", "9", "--log-y").stderr.startswith(
        "note: --log-y does nothing with --format csv")


@pytest.mark.parametrize("args", [["show", "linear:4", "-n", "12", "--format", "table", "--plot"],
                                  ["compare", "linear:4", "linear:8", "-n", "12", "--format",
                                   "table", "--plot"],
                                  ["kinds"], ["rules"], ["lint", "--explain", "WU302"]])
def test_no_line_written_to_a_file_ends_in_padding(args: list[str]) -> None:
    done = in_pipe(*args)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    padded = [line for line in done.stdout.splitlines() if line != line.rstrip()]
    assert padded == []


def test_shell_completion_is_typers_own() -> None:
    words = in_pipe(env={"_WARMUP_COMPLETE": "complete_bash", "COMP_WORDS": "warmup show --plo",
                         "COMP_CWORD": "2"}, prog="warmup")
    assert words.stdout.split() == ["--plot", "--plot-width", "--plot-height", "--plot-file"]
    # what --show-completion prints for the shell it detects (here named: no parent shell)
    script = in_pipe(env={"_WARMUP_COMPLETE": "source_bash"}, prog="warmup")
    assert "_warmup_completion()" in script.stdout
    assert "--install-completion" in in_pipe("--help").stdout
