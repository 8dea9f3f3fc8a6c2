"""The schedule rules (WU1xx): bugs in the factor function itself, whoever produced it.

Each rule's doc sits right above its check. A check reads one subject's :class:`Context`
(the trace of the factor function, its warmup profile, the run) and returns a hit or None;
it only sees numbers and the expression's staircase constructs, and where a finding points
is the subject's business. The engine (``warmup_cli.lint.engine``) runs them.
"""

from __future__ import annotations

from collections.abc import Callable

from warmup_cli.lint.context import RELATIVE, Context
from warmup_cli.lint.rules.rule import Rule, checked_by
from warmup_cli.lint.subject import ANCHOR_START, ANCHOR_WARMUP, RuleHit, source_offset
from warmup_cli.lint.trace import TOLERANCE
from warmup_cli.render.numbers import exact
from warmup_cli.vocab import RECIPE_DIPS, RECIPE_JUMPS, Code, Severity

SPIKE_RATIO = 10.0  # f(0) this many times f(1) is a first-step spike
JUMP_SHARE = 0.25  # an abrupt jump also adds at least this share of the peak
# Share of the warmup lost to LR 0 below which the finding is a note, then a warning.
ZERO_NOTE_SHARE = 0.01
ZERO_WARNING_SHARE = 0.05

FAMILY: list[Rule] = []  # filled by @checked_by, in code order


def _f(value: float) -> str:
    return exact(value) if abs(value) >= 1e-4 or value == 0 else f"{value:.3g}"


def _first_index(values: list[float], predicate: Callable[[float], bool]) -> int | None:
    return next((i for i, v in enumerate(values) if predicate(v)), None)


SPECULATIVE = ("; the script does not say how long it runs (its .step() is not in a loop with "
               "a known range), so this is a note: --horizon N checks a run of N updates")


def _speculative(ctx: Context) -> bool:
    """Whether the run length is only lint's default horizon and the subject says nothing
    suggests a long run (``Subject.run_unknown``): a finding past step 0 is then a guess."""
    return ctx.run_length is None and ctx.subject.run_unknown


def _zero_share_severity(share: float) -> Severity:
    if share < ZERO_NOTE_SHARE:
        return Severity.NOTE
    if share < ZERO_WARNING_SHARE:
        return Severity.WARNING
    return Severity.ERROR


@checked_by(FAMILY, Rule(
    Code.WU101, "zero-lr-start", Severity.ERROR,
    "The first update(s) run at LR 0.",
    "LambdaLR applies `base_lr * f(0)` to the very first optimizer update, so a "
    "warmup written as `step / W` wastes its first update (HF transformers#34754, "
    "torchtitan#1261: 'step 1. lr=0, not learning'). The message gives how many "
    "leading updates get LR 0 and their share of the warmup; the severity scales "
    "with that share: note below 1 %, warning below 5 %, error from 5 % (one zero "
    "step out of 2,000 is a note, a whole epoch out of four is an error).",
    "lr_lambda: \"lambda epoch: min(1.0, epoch / 4)\"",
    "lr_lambda: \"lambda epoch: min(1.0, (epoch + 1) / 4)\"",
    scales=True))
def zero_lr_start(ctx: Context) -> RuleHit | None:
    zeros = ctx.profile.leading_zeros
    if zeros == 0:
        return None
    if ctx.profile.peak <= 0:
        if ctx.profile.peak < 0 or zeros < ctx.trace.horizon:
            return None  # negative factors are WU104's
        return RuleHit(Code.WU101, f"every update of {ctx.horizon_text} gets LR 0: the factor "
                       "is 0 throughout", Severity.ERROR, ANCHOR_START)
    warmup = max(ctx.profile.peak_step, zeros)
    share = zeros / warmup
    which = "the first update gets" if zeros == 1 else f"the first {zeros:,} updates get"
    steps = "step 0" if zeros == 1 else f"steps 0-{zeros - 1:,}"
    return RuleHit(
        Code.WU101,
        f"{which} LR 0 (factor 0 at {steps}): {zeros:,} of {warmup:,} warmup updates "
        f"({share * 100:.3g}%) do not train; LambdaLR applies f(0) to the first update, so "
        "start the ramp above 0, e.g. (step + 1) / W",
        _zero_share_severity(share), ANCHOR_START)


@checked_by(FAMILY, Rule(
    Code.WU102, "uncapped-factor", Severity.ERROR,
    "The factor passes 1 and keeps growing.",
    "A warmup without `min(1, ...)` never stops: the LR grows past the base LR and "
    "keeps growing until the run ends. The message says at which step the factor "
    "passes 1 and how large it gets within the run. In a training script whose run "
    "length is unknown (`.step()` not in a loop with a known range, e.g. a test "
    "stepping a few times) it is a note.",
    "lr_lambda: \"lambda epoch: epoch / 4\"",
    "lr_lambda: \"lambda epoch: min(1.0, (epoch + 1) / 4)\""))
def uncapped_factor(ctx: Context) -> RuleHit | None:
    if ctx.profile.peak <= 1 + RELATIVE or not ctx.rising_at_end():
        return None
    index = _first_index(ctx.values, lambda v: v > 1)
    assert index is not None  # the peak is above 1
    crossing = ctx.trace.first_step(index, lambda v: v > 1)
    last = ctx.values[-1]
    lr = ""
    if ctx.subject.base_lrs:
        lr = f", LR {_f(ctx.subject.base_lrs[0] * last)} with base LR {_f(ctx.subject.base_lrs[0])}"
    return RuleHit(
        Code.WU102,
        f"the factor passes 1 at step {crossing:,} and keeps growing: {_f(last)} at step "
        f"{ctx.steps[-1]:,}, the last update of {ctx.horizon_text}{lr}; cap it, e.g. "
        "min(1.0, ...)" + (SPECULATIVE if _speculative(ctx) else ""),
        Severity.NOTE if _speculative(ctx) else None)


@checked_by(FAMILY, Rule(
    Code.WU103, "evaluation-error", Severity.ERROR,
    "The factor function raises, or returns a non-finite value or a non-number.",
    "LambdaLR calls the function at every step; an exception crashes training and a "
    "NaN or infinite factor poisons the weights. The classic case is Noam's "
    "`step ** -0.5` at step 0 (ZeroDivisionError, yoyodyne#300).",
    "lr_lambda: \"lambda s: 512 ** -0.5 * min(s ** -0.5, s * 4000 ** -1.5)\"",
    "lr_lambda: \"lambda s: 512 ** -0.5 * min((s + 1) ** -0.5, (s + 1) * 4000 ** "
    "-1.5)\"",
    reads_failure=True))
def evaluation_error(ctx: Context) -> RuleHit | None:
    failure = ctx.trace.failure
    if failure is None:
        return None
    # The failure's column points into the expression's source, when there is one.
    column = failure.column if ctx.subject.expression is not None else None
    message = failure.message + (f" ({failure.hint})" if failure.hint else "")
    return RuleHit(Code.WU103, message, offset=source_offset(ctx.subject.text, column))


@checked_by(FAMILY, Rule(
    Code.WU104, "negative-factor", Severity.ERROR,
    "The factor becomes negative.",
    "A negative LR makes the optimizer climb the loss. It usually comes from a "
    "linear decay that runs past its end. In a training script whose run length is "
    "unknown (`.step()` not in a loop with a known range) a factor that turns "
    "negative after step 0 is a note.",
    "lr_lambda: \"lambda step: 1 - step / 1000\"\nmax_steps: 2000",
    "lr_lambda: \"lambda step: max(0.0, 1 - step / 1000)\"\nmax_steps: 2000"))
def negative_factor(ctx: Context) -> RuleHit | None:
    if min(ctx.values) >= 0:
        return None
    index = _first_index(ctx.values, lambda v: v < 0)
    assert index is not None
    step = ctx.trace.first_step(index, lambda v: v < 0)
    lowest = min(ctx.values)
    guess = step > 0 and _speculative(ctx)
    return RuleHit(
        Code.WU104,
        f"the factor becomes negative at step {step:,} and reaches {_f(lowest)} within "
        f"{ctx.horizon_text}: a negative LR climbs the loss; clamp it, e.g. max(0.0, ...)"
        + (SPECULATIVE if guess else ""), Severity.NOTE if guess else None)


_STAIRCASE_ADVICE = {
    "//": "divide with / instead of //",
    "%": "drop the % (it restarts the ramp)",
}


@checked_by(FAMILY, Rule(
    Code.WU105, "staircase-warmup", Severity.WARNING,
    "Floor division, %, int(), floor, ceil or round over the step makes the warmup "
    "rise in stairs.",
    "The warmup holds the same factor for several updates and then jumps. PyTorch's "
    "own LambdaLR example `epoch // 30` gives factor 0 for epochs 0-29. The finding "
    "points at the construct inside the expression.",
    "lr_lambda: \"lambda epoch: min(epoch // 4, 1)\"",
    "lr_lambda: \"lambda epoch: min((epoch + 1) / 4, 1)\""))
def staircase_warmup(ctx: Context) -> RuleHit | None:
    expression = ctx.subject.expression
    if expression is None or not expression.staircase or ctx.profile.peak_step < 2:
        return None
    values = ctx.values
    flat = next((i for i in ctx.dense_warmup() if values[i] == values[i - 1]), None)
    if flat is None:
        return None
    start = flat - 1
    end = flat
    while end + 1 < ctx.trace.dense_end and values[end + 1] == values[start]:
        end += 1
    column, construct = expression.staircase[0]
    advice = _STAIRCASE_ADVICE.get(construct, f"drop {construct}")
    rise = "" if end + 1 >= len(values) else \
        f", then jumps to {_f(values[end + 1])} at step {end + 1:,}"
    return RuleHit(
        Code.WU105,
        f"`{construct}` makes the warmup rise in stairs: the factor holds {_f(values[start])} "
        f"for steps {start:,}-{end:,}{rise}; {advice}",
        offset=source_offset(ctx.subject.text, column))


@checked_by(FAMILY, Rule(
    Code.WU106, "first-step-spike", Severity.WARNING,
    "Step 0 gets a factor far above step 1, and the warmup only starts at step 1.",
    "Copies of the Noam schedule often guard step 0 with `1 if step == 0 else ...`: "
    "the first update then runs at the full base LR (factor 1 against 1.7e-7 at "
    "step 1 for d_model 512) before the warmup begins. Reported when f(0) is more "
    "than 10 times f(1) and the factor rises again after step 1.",
    "lr_lambda: \"lambda s: 1 if s == 0 else 512 ** -0.5 * min(s ** -0.5, "
    "s * 4000 ** -1.5)\"",
    "lr_lambda: \"lambda s: 512 ** -0.5 * min((s + 1) ** -0.5, (s + 1) * 4000 ** "
    "-1.5)\""))
def first_step_spike(ctx: Context) -> RuleHit | None:
    values = ctx.values
    if len(values) < 3 or ctx.trace.dense_end < 3:
        return None
    first, second = values[0], values[1]
    if first <= 0 or first <= SPIKE_RATIO * second or max(values[2:]) <= second:
        return None
    ratio = "" if second <= 0 else f" ({first / second:.3g}x lower)"
    return RuleHit(
        Code.WU106,
        f"step 0 gets factor {_f(first)} but step 1 gets {_f(second)}{ratio}, and the "
        "warmup only starts at step 1: the first update runs far above the warmup",
        anchor=ANCHOR_START)


@checked_by(FAMILY, Rule(
    Code.WU107, "abrupt-jump", Severity.WARNING,
    "The factor jumps up between two consecutive updates of the warmup.",
    "Reported when, up to the step that first reaches the peak, the factor grows by "
    "more than `max-jump-ratio` (default 3) times from one update to the next and "
    "by at least a quarter of the peak: a lambda's step, the end of an undeclared "
    "constant warmup, or a SequentialLR that hands over at the wrong step (timm#1242, "
    "threestudio#226). Leading zeros are WU101's business, not this rule's. A jump a "
    "framework config declares on purpose, the end of a constant warmup (detectron2 "
    "WARMUP_METHOD constant, an MMEngine ConstantLR before the main schedule, mmcv "
    "warmup='constant': Goyal et al.'s recipe), is only a note.",
    "lr_lambda: \"lambda epoch: 0.1 if epoch < 5 else 1.0\"",
    "lr_lambda: \"lambda epoch: min(1.0, 0.1 + 0.9 * epoch / 5)\""))
def abrupt_jump(ctx: Context) -> RuleHit | None:
    values, steps = ctx.values, ctx.steps
    least = JUMP_SHARE * ctx.profile.target
    recipes = _recipe_jumps(ctx)
    recipe: RuleHit | None = None
    for i in range(1, ctx.profile.peak_index + 1):
        if values[i] - values[i - 1] < least:
            continue
        if steps[i] - steps[i - 1] == 1:
            step, before, after = steps[i], values[i - 1], values[i]
        else:
            step, before, after = ctx.trace.steepest(i)
        if step - 1 < ctx.profile.leading_zeros or after - before < least:
            continue  # leaving the leading zeros is WU101's business
        if before <= 0 or after / before > ctx.settings.max_jump_ratio:
            ratio = "" if before <= 0 else f" ({after / before:.3g}x)"
            jump = (f"the factor jumps from {_f(before)} to {_f(after)}{ratio} between steps "
                    f"{step - 1:,} and {step:,}")
            if step in recipes:  # declared on purpose: a note, and later jumps still count
                recipe = recipe or RuleHit(Code.WU107, f"{jump}: {recipes[step]}",
                                           severity=Severity.NOTE, anchor=ANCHOR_WARMUP)
                continue
            where = " at the end of the warmup" if step == ctx.profile.peak_step else ""
            return RuleHit(Code.WU107, f"{jump}{where}; ramp it up gradually",
                           anchor=ANCHOR_WARMUP)
    return recipe


def _recipe_jumps(ctx: Context) -> dict[int, str]:
    """The jumps a framework plan declares on purpose (``RECIPE_JUMPS`` of its ``extra``)."""
    extra = getattr(ctx.trace.schedule, "extra", None) or {}
    return {int(step): str(why) for step, why in extra.get(RECIPE_JUMPS, ())}


@checked_by(FAMILY, Rule(
    Code.WU108, "peak-not-reached", Severity.ERROR,
    "The warmup is longer than the run: the factor is still rising at the last "
    "update.",
    "The run ends before the warmup does, so the LR never reaches its peak "
    "(litgpt phi-2 full.yaml: lr_warmup_steps 200, max_steps 100; axolotl#2897). "
    "Checked against the run length found beside the schedule (max_steps, epochs, "
    "...) or given with --horizon.",
    "warmup: \"linear:200\"\nmax_steps: 100",
    "warmup: \"linear:10\"\nmax_steps: 100"))
def peak_not_reached(ctx: Context) -> RuleHit | None:
    if ctx.run_length is None or ctx.profile.peak >= 1 - TOLERANCE or not ctx.rising_at_end():
        return None
    known = ctx.trace.schedule.warmup_length
    longer = (f"the warmup lasts {known:,} updates but {ctx.horizon_text} has "
              f"{ctx.run_length:,}" if known and known > ctx.run_length
              else f"the warmup outlasts {ctx.horizon_text}")
    return RuleHit(
        Code.WU108,
        f"{longer}: the factor is still rising at the last update (step "
        f"{ctx.steps[-1]:,}) and only reaches {_f(ctx.values[-1])} of its peak",
        anchor=ANCHOR_WARMUP)


@checked_by(FAMILY, Rule(
    Code.WU109, "long-warmup", Severity.WARNING,
    "The warmup takes more than `max-warmup-share` of the run.",
    "Warmups are usually 1-10 % of training; one longer than `max-warmup-share` "
    "(default 0.3) of the run length is usually a unit mix-up (a warmup sized in "
    "batches but stepped per epoch) or a copy from a longer run. Needs a known run "
    "length.",
    "warmup: \"linear:40 > cosine:60\"\nmax_steps: 100",
    "warmup: \"linear:10 > cosine:90\"\nmax_steps: 100"))
def long_warmup(ctx: Context) -> RuleHit | None:
    run = ctx.run_length
    warmup = ctx.warmup_steps
    if run is None or warmup <= 0 or warmup >= run or ctx.rising_at_end():
        return None
    share = warmup / run
    limit = ctx.settings.max_warmup_share
    if share <= limit:
        return None
    return RuleHit(
        Code.WU109,
        f"the warmup takes {warmup:,} of the {run:,} updates of {ctx.horizon_text} "
        f"({share:.0%}), more than max-warmup-share {limit:g}",
        anchor=ANCHOR_WARMUP)


@checked_by(FAMILY, Rule(
    Code.WU110, "non-monotonic-warmup", Severity.WARNING,
    "The factor decreases during the warmup.",
    "Before the factor first reaches its peak it goes down at least once, usually "
    "two pieces of a schedule that do not meet where one hands over to the other.",
    "lr_lambda: \"lambda e: (e + 1) / 10 if e < 9 else min(1.0, (e + 1) / 20)\"",
    "lr_lambda: \"lambda e: min(1.0, (e + 1) / 20)\""))
def non_monotonic_warmup(ctx: Context) -> RuleHit | None:
    values = ctx.values
    spike = first_step_spike(ctx) is not None
    for i in range(1, ctx.profile.peak_index + 1):
        if i == 1 and spike:
            continue  # a first-step spike is WU106's
        if values[i] < values[i - 1] * (1 - RELATIVE):
            why = (getattr(ctx.trace.schedule, "extra", None) or {}).get(RECIPE_DIPS)
            return RuleHit(
                Code.WU110,
                f"the factor drops from {_f(values[i - 1])} to {_f(values[i])} at step "
                f"{ctx.steps[i]:,}, before the warmup reaches its peak ({_f(ctx.profile.peak)}"
                f" at step {ctx.profile.peak_step:,})" + (f": {why}" if why else ""),
                severity=Severity.NOTE if why else None, anchor=ANCHOR_WARMUP)
    return None
