"""``warmup lint`` and ``warmup rules``: find schedule bugs in config files, specs and lambdas."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import Command, app, stdout_console, user_errors, warn
from warmup_cli.errors import EXIT_FINDINGS, EXIT_OK, WarmupError
from warmup_cli.vocab import CONFIG_SUFFIXES, ColorMode, LintFormat, Severity

SUFFIXES_TEXT = ", ".join(f"*{s}" for s in CONFIG_SUFFIXES[:-1]) + f" or *{CONFIG_SUFFIXES[-1]}"

if TYPE_CHECKING:
    from warmup_cli.lint.diagnostics import Diagnostic
    from warmup_cli.lint.emitters import Checked

STDIN = "-"  # the target that reads a config from standard input
STDIN_NAME = "stdin"  # its name in findings without --stdin-filename (as flake8 names it)

TARGETS_HELP = (
    "Config files (YAML, JSON, TOML, Python: HF Trainer/axolotl, DeepSpeed, timm, detectron2, "
    "fairseq, Lightning CLI, MMEngine, or any file with lambdas and specs), directories, "
    "globs, or schedules: a spec such as 'linear:500 > cosine:9500' or a lambda such as "
    "'lambda e: min(1, (e + 1) / 4)'."
)
LIST_HELP = "Comma-separated rule codes, prefixes (WU1), slugs (zero-lr-start) or ALL"


@app.command("lint", cls=Command)
def lint_command(
    targets: Annotated[list[str] | None, typer.Argument(
        help=TARGETS_HELP, metavar="TARGET...", show_default=False)] = None,
    output_format: Annotated[LintFormat, typer.Option(
        "--output-format", help="text (path:line:col: CODE [severity] message), json, github "
        "(workflow annotations), sarif (code scanning) or junit.")] = LintFormat.TEXT,
    select: Annotated[list[str] | None, typer.Option(
        "--select", metavar="CODES", help=f"{LIST_HELP}; replaces the enabled set [default: ALL].",
        show_default=False)] = None,
    extend_select: Annotated[list[str] | None, typer.Option(
        "--extend-select", metavar="CODES", help=f"{LIST_HELP}; added to the enabled set.",
        show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        "--ignore", metavar="CODES", help=f"{LIST_HELP}; removed from the enabled set.",
        show_default=False)] = None,
    fail_on: Annotated[Severity | None, typer.Option(
        "--fail-on", help="Lowest severity that makes the exit code 1 [default: warning].",
        show_default=False)] = None,
    horizon: Annotated[int | None, typer.Option(
        "--horizon", min=1, metavar="N",
        help="Run length (scheduler steps) for schedules whose config names none, and the "
             "run length of an HF config without max_steps [default: the schedule's length "
             "with a margin, at least 1000].",
        show_default=False)] = None,
    updates_per_epoch: options.UpdatesPerEpoch = None,
    assign: options.Assign = None,
    follow_bases: options.FollowBases = False,
    max_warmup_share: Annotated[float | None, typer.Option(
        "--max-warmup-share", metavar="SHARE",
        help="WU109 fires when the warmup takes more of the run than this [default: 0.3].",
        show_default=False)] = None,
    max_jump_ratio: Annotated[float | None, typer.Option(
        "--max-jump-ratio", metavar="RATIO",
        help="WU107 fires when the factor grows more than this many times from one update "
             "to the next [default: 3].",
        show_default=False)] = None,
    schedule_keys: Annotated[list[str] | None, typer.Option(
        "--schedule-keys", metavar="KEYS",
        help="Comma-separated config keys whose string values are linted as specs [default: "
             "lr_lambda, lr_schedule, lr_scheduler, schedule, warmup, ...]; lambdas are "
             "linted under any key.",
        show_default=False)] = None,
    explain: Annotated[str | None, typer.Option(
        "--explain", metavar="CODE", help="Explain one rule (code or slug) and exit.",
        show_default=False)] = None,
    isolated: Annotated[bool, typer.Option(
        "--isolated", help="Ignore [tool.warmup-cli] in pyproject.toml.")] = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, metavar="N",
        help="Lint files on N processes when there are enough files [default: one per "
             "core].", show_default=False)] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither read nor write the results cache (.warmup_cache/, or "
        "$WARMUP_CACHE_DIR).")] = False,
    color: Annotated[ColorMode, typer.Option(
        "--color", help="Colour in text output: auto (terminal only), always or never.")
    ] = ColorMode.AUTO,
    stdin_filename: Annotated[str | None, typer.Option(
        "--stdin-filename", metavar="NAME",
        help="The name of the file read from standard input (target -): its suffix picks "
             "the format and the findings name it [default: stdin, read as YAML].",
        show_default=False)] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print the findings only, without the summary line.")] = False,
    exit_zero: Annotated[bool, typer.Option(
        "--exit-zero", help="Exit 0 even when findings reach --fail-on (an unreadable input "
                            "still exits 2, an internal error 3).")] = False,
    statistics: Annotated[bool, typer.Option(
        "--statistics", help="Print how often each rule fired instead of the findings "
                             "(text output).")] = False,
    output_file: Annotated[Path | None, typer.Option(
        "--output-file", "-o", metavar="PATH", dir_okay=False,
        help="Write the output to PATH instead of standard output (no colour).",
        show_default=False)] = None,
) -> None:
    """Lint warmup schedules: LR 0 at the first update, uncapped growth, crashes at step 0,
    warmups longer than the run, ignored warmups, values a framework rejects, and more
    (exit 0 clean, 1 findings, 2 unreadable input, 3 an internal error)."""
    from warmup_cli.lint.api import lint
    from warmup_cli.lint.docs import explain as explain_rule
    from warmup_cli.lint.docs import lookup_rule
    from warmup_cli.lint.emitters import Checked
    from warmup_cli.lint.runner import is_schedule_argument

    with user_errors():
        if explain is not None:
            from warmup_cli.render.markdown import print_markdown

            print_markdown(stdout_console(color), explain_rule(lookup_rule(explain)))
            return
        if not targets:
            raise WarmupError("nothing to lint",
                              hint="give config files, directories, globs, specs or lambdas, "
                                   "e.g. warmup lint configs/ 'lambda e: min(1, (e + 1) / 4)'")
        if statistics and output_format is not LintFormat.TEXT:
            raise WarmupError("--statistics applies to the text output",
                              hint=f"drop --output-format {output_format.value}, or "
                                   "--statistics")
        files = [target for target in targets if target != STDIN]
        texts = [stdin_text(stdin_filename)] if len(files) < len(targets) else []
        result = lint(files, options={
            "select": select, "extend-select": extend_select, "ignore": ignore,
            "fail-on": fail_on, "horizon": horizon, "updates-per-epoch": updates_per_epoch,
            "max-warmup-share": max_warmup_share,
            "max-jump-ratio": max_jump_ratio, "schedule-keys": schedule_keys,
        }, isolated=isolated, follow_bases=follow_bases, texts=texts, jobs=jobs,
            cache=not no_cache, assignments=tuple(assign or ()))
        for target in result.report.empty:
            warn(f"no files to lint under {target} (it holds no {SUFFIXES_TEXT} file)")
        schedules = sum(map(is_schedule_argument, files))
        checked = Checked(files=result.report.inputs - schedules, schedules=schedules)
        write_report(result.diagnostics, output_format, LintOutput(
            color=color, quiet=quiet, statistics=statistics, output_file=output_file,
            checked=checked))
    code = result.exit_code
    raise typer.Exit(EXIT_OK if exit_zero and code == EXIT_FINDINGS else code)


@dataclass(frozen=True)
class LintOutput:
    color: ColorMode
    quiet: bool
    statistics: bool
    output_file: Path | None
    checked: "Checked | None" = None  # what the summary line counts


def stdin_text(name: str | None) -> tuple[str, str]:
    """``(name, text)`` of the config read from standard input (the target ``-``)."""
    from warmup_cli.configs.text import read_stdin

    shown = name or STDIN_NAME
    return shown, read_stdin(shown)


def write_report(diagnostics: "Sequence[Diagnostic]", output_format: LintFormat,
                 how: LintOutput) -> None:
    from warmup_cli.lint.emitters import EMITTERS, emit_statistics, styled_text

    if how.statistics:
        out = emit_statistics(diagnostics, how.checked)
    elif output_format is LintFormat.TEXT:
        styled = styled_text(diagnostics, how.checked, summary_line=not how.quiet)
        if how.output_file is None:
            stdout_console(how.color).print(styled, soft_wrap=True, end="")
            return
        out = styled.plain
    else:
        out = EMITTERS[output_format](diagnostics)
    if how.output_file is None:
        typer.echo(out, nl=False)
        return
    try:
        how.output_file.write_text(out, encoding="utf-8")
    except OSError as error:
        raise WarmupError(f"cannot write {how.output_file}: {error.strerror or error}",
                          hint="give a writable --output-file path") from None


@app.command("rules", cls=Command)
def rules_command() -> None:
    """List every lint rule: code, name, default severity and what it finds."""
    from warmup_cli.lint.docs import rules_view

    console = stdout_console()
    console.print(rules_view(console.width))
