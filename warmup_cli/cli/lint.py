"""``warmup lint`` and ``warmup rules``: find schedule bugs in config files, specs and lambdas."""

from typing import Annotated

import typer

from warmup_cli.cli import options
from warmup_cli.cli.app import Command, app, stdout_console, user_errors, warn
from warmup_cli.errors import WarmupError
from warmup_cli.vocab import CONFIG_SUFFIXES, ColorMode, LintFormat, Severity

SUFFIXES_TEXT = ", ".join(f"*{s}" for s in CONFIG_SUFFIXES[:-1]) + f" or *{CONFIG_SUFFIXES[-1]}"

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
    color: Annotated[ColorMode, typer.Option(
        "--color", help="Colour in text output: auto (terminal only), always or never.")
    ] = ColorMode.AUTO,
) -> None:
    """Lint warmup schedules: LR 0 at the first update, uncapped growth, crashes at step 0,
    warmups longer than the run, ignored warmups, values a framework rejects, and more
    (exit 0 clean, 1 findings, 2 unreadable input, 3 an internal error)."""
    from warmup_cli.lint.docs import explain as explain_rule
    from warmup_cli.lint.docs import lookup_rule
    from warmup_cli.lint.emitters import EMITTERS, Checked, styled_text
    from warmup_cli.lint.runner import is_schedule_argument, lint
    from warmup_cli.lint.settings import resolve_settings

    with user_errors():
        if explain is not None:
            from warmup_cli.render.markdown import print_markdown

            print_markdown(stdout_console(color), explain_rule(lookup_rule(explain)))
            return
        if not targets:
            raise WarmupError("nothing to lint",
                              hint="give config files, directories, globs, specs or lambdas, "
                                   "e.g. warmup lint configs/ 'lambda e: min(1, (e + 1) / 4)'")
        settings = resolve_settings({
            "select": select, "extend-select": extend_select, "ignore": ignore,
            "fail-on": fail_on, "horizon": horizon, "updates-per-epoch": updates_per_epoch,
            "max-warmup-share": max_warmup_share,
            "max-jump-ratio": max_jump_ratio, "schedule-keys": schedule_keys,
        }, isolated=isolated)
        report = lint(targets, settings, follow_bases=follow_bases)
    for target in report.empty:
        warn(f"no files to lint under {target} (it holds no {SUFFIXES_TEXT} file)")
    if output_format is LintFormat.TEXT:
        console = stdout_console(color)
        schedules = sum(map(is_schedule_argument, targets))
        checked = Checked(files=report.inputs - schedules, schedules=schedules)
        console.print(styled_text(report.diagnostics, checked), soft_wrap=True, end="")
    else:
        typer.echo(EMITTERS[output_format](report.diagnostics), nl=False)
    raise typer.Exit(report.exit_code(settings.fail_on))


@app.command("rules", cls=Command)
def rules_command() -> None:
    """List every lint rule: code, name, default severity and what it finds."""
    from warmup_cli.lint.docs import rules_view

    console = stdout_console()
    console.print(rules_view(console.width))
