"""The schedule rules (WU1xx): each check reads one subject's trace and returns a hit or None.

Checks only see numbers (the trace of the factor function and its warmup profile) and the
expression's staircase constructs; where a finding points is the subject's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from warmup_cli.errors import EvaluationError
from warmup_cli.lint.diagnostics import Severity
from warmup_cli.lint.settings import Settings
from warmup_cli.lint.subject import ANCHOR_START, ANCHOR_WARMUP, RuleHit, Subject, source_offset
from warmup_cli.lint.trace import TOLERANCE, Profile, Trace, build_trace, profile
from warmup_cli.render.numbers import exact
from warmup_cli.series import default_horizon

DEFAULT_HORIZON = 1_000  # updates checked when neither the config nor --horizon says
SPIKE_RATIO = 10.0  # f(0) this many times f(1) is a first-step spike
JUMP_SHARE = 0.25  # an abrupt jump also adds at least this share of the peak
# Share of the warmup lost to LR 0 below which the finding is a note, then a warning.
ZERO_NOTE_SHARE = 0.01
ZERO_WARNING_SHARE = 0.05
RELATIVE = 1e-12  # float noise allowed when comparing neighbouring factors


@dataclass(frozen=True)
class Context:
    subject: Subject
    trace: Trace
    profile: Profile
    run_length: int | None  # the run the config or --horizon names; None: a default horizon
    horizon_text: str  # "the run (max_steps at line 12)" / "the default 1000-update horizon"
    settings: Settings

    @property
    def values(self) -> list[float]:
        return self.trace.values

    @property
    def steps(self) -> list[int]:
        return self.trace.steps

    @property
    def warmup_steps(self) -> int:
        """Updates spent warming up: the schedule's own figure, else measured."""
        known = self.trace.schedule.warmup_length
        return known if known else self.profile.peak_step

    def rising_at_end(self) -> bool:
        values = self.values
        return len(values) >= 2 and values[-1] > values[-2] * (1 + RELATIVE) \
            and values[-1] >= self.profile.peak * (1 - RELATIVE)

    def dense_warmup(self) -> range:
        """Indices ``i`` of consecutive updates ``i - 1, i`` up to the end of the warmup."""
        return range(1, min(self.profile.peak_index, self.trace.dense_end - 1) + 1)


def _f(value: float) -> str:
    return exact(value) if abs(value) >= 1e-4 or value == 0 else f"{value:.3g}"


def _first_index(values: list[float], predicate: Callable[[float], bool]) -> int | None:
    return next((i for i, v in enumerate(values) if predicate(v)), None)


# --- the checks ------------------------------------------------------------------------------

def zero_lr_start(ctx: Context) -> RuleHit | None:
    zeros = ctx.profile.leading_zeros
    if zeros == 0:
        return None
    if ctx.profile.peak <= 0:
        if ctx.profile.peak < 0 or zeros < ctx.trace.horizon:
            return None  # negative factors are WU104's
        return RuleHit("WU101", f"every update of {ctx.horizon_text} gets LR 0: the factor is "
                       "0 throughout", Severity.ERROR, ANCHOR_START)
    warmup = max(ctx.profile.peak_step, zeros)
    share = zeros / warmup
    if share < ZERO_NOTE_SHARE:
        severity = Severity.NOTE
    elif share < ZERO_WARNING_SHARE:
        severity = Severity.WARNING
    else:
        severity = Severity.ERROR
    which = "the first update gets" if zeros == 1 else f"the first {zeros:,} updates get"
    steps = "step 0" if zeros == 1 else f"steps 0-{zeros - 1:,}"
    return RuleHit(
        "WU101",
        f"{which} LR 0 (factor 0 at {steps}): {zeros:,} of {warmup:,} warmup updates "
        f"({share * 100:.3g}%) do not train; LambdaLR applies f(0) to the first update, so "
        "start the ramp above 0, e.g. (step + 1) / W",
        severity, ANCHOR_START)


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
        "WU102",
        f"the factor passes 1 at step {crossing:,} and keeps growing: {_f(last)} at step "
        f"{ctx.steps[-1]:,}, the last update of {ctx.horizon_text}{lr}; cap it, e.g. "
        "min(1.0, ...)")


def evaluation_error(subject: Subject, failure: EvaluationError) -> RuleHit:
    # The failure's column points into the expression's source, when there is one.
    column = failure.column if subject.expression is not None else None
    message = failure.message + (f" ({failure.hint})" if failure.hint else "")
    return RuleHit("WU103", message, offset=source_offset(subject.text, column))


def negative_factor(ctx: Context) -> RuleHit | None:
    if min(ctx.values) >= 0:
        return None
    index = _first_index(ctx.values, lambda v: v < 0)
    assert index is not None
    step = ctx.trace.first_step(index, lambda v: v < 0)
    lowest = min(ctx.values)
    return RuleHit(
        "WU104",
        f"the factor becomes negative at step {step:,} and reaches {_f(lowest)} within "
        f"{ctx.horizon_text}: a negative LR climbs the loss; clamp it, e.g. max(0.0, ...)")


_STAIRCASE_ADVICE = {
    "//": "divide with / instead of //",
    "%": "drop the % (it restarts the ramp)",
}


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
        "WU105",
        f"`{construct}` makes the warmup rise in stairs: the factor holds {_f(values[start])} "
        f"for steps {start:,}-{end:,}{rise}; {advice}",
        offset=source_offset(ctx.subject.text, column))


def first_step_spike(ctx: Context) -> RuleHit | None:
    values = ctx.values
    if len(values) < 3 or ctx.trace.dense_end < 3:
        return None
    first, second = values[0], values[1]
    if first <= 0 or first <= SPIKE_RATIO * second or max(values[2:]) <= second:
        return None
    ratio = "" if second <= 0 else f" ({first / second:.3g}x lower)"
    return RuleHit(
        "WU106",
        f"step 0 gets factor {_f(first)} but step 1 gets {_f(second)}{ratio}, and the "
        "warmup only starts at step 1: the first update runs far above the warmup",
        anchor=ANCHOR_START)


def _spike(ctx: Context) -> bool:
    return first_step_spike(ctx) is not None


def abrupt_jump(ctx: Context) -> RuleHit | None:
    values, steps = ctx.values, ctx.steps
    least = JUMP_SHARE * ctx.profile.target
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
            where = " at the end of the warmup" if step == ctx.profile.peak_step else ""
            return RuleHit(
                "WU107",
                f"the factor jumps from {_f(before)} to {_f(after)}{ratio} between steps "
                f"{step - 1:,} and {step:,}{where}; ramp it up gradually",
                anchor=ANCHOR_WARMUP)
    return None


def peak_not_reached(ctx: Context) -> RuleHit | None:
    if ctx.run_length is None or ctx.profile.peak >= 1 - TOLERANCE or not ctx.rising_at_end():
        return None
    known = ctx.trace.schedule.warmup_length
    longer = (f"the warmup lasts {known:,} updates but {ctx.horizon_text} has "
              f"{ctx.run_length:,}" if known and known > ctx.run_length
              else f"the warmup outlasts {ctx.horizon_text}")
    return RuleHit(
        "WU108",
        f"{longer}: the factor is still rising at the last update (step "
        f"{ctx.steps[-1]:,}) and only reaches {_f(ctx.values[-1])} of its peak",
        anchor=ANCHOR_WARMUP)


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
        "WU109",
        f"the warmup takes {warmup:,} of the {run:,} updates of {ctx.horizon_text} "
        f"({share:.0%}), more than max-warmup-share {limit:g}",
        anchor=ANCHOR_WARMUP)


def non_monotonic_warmup(ctx: Context) -> RuleHit | None:
    values = ctx.values
    spike = _spike(ctx)
    for i in range(1, ctx.profile.peak_index + 1):
        if i == 1 and spike:
            continue  # a first-step spike is WU106's
        if values[i] < values[i - 1] * (1 - RELATIVE):
            return RuleHit(
                "WU110",
                f"the factor drops from {_f(values[i - 1])} to {_f(values[i])} at step "
                f"{ctx.steps[i]:,}, before the warmup reaches its peak ({_f(ctx.profile.peak)}"
                f" at step {ctx.profile.peak_step:,})",
                anchor=ANCHOR_WARMUP)
    return None


CHECKS: dict[str, Callable[[Context], RuleHit | None]] = {
    "WU101": zero_lr_start,
    "WU102": uncapped_factor,
    "WU104": negative_factor,
    "WU105": staircase_warmup,
    "WU106": first_step_spike,
    "WU107": abrupt_jump,
    "WU108": peak_not_reached,
    "WU109": long_warmup,
    "WU110": non_monotonic_warmup,
}


def _horizon(subject: Subject, settings: Settings) -> tuple[int, int | None, str]:
    """(updates to check, the run length when known, how to name it in messages)."""
    if subject.run_length:
        source = f" ({subject.run_source})" if subject.run_source else ""
        return subject.run_length, subject.run_length, f"the run{source}"
    if settings.horizon:
        return settings.horizon, settings.horizon, "the run (--horizon)"
    assert subject.schedule is not None
    horizon = max(DEFAULT_HORIZON, default_horizon(subject.schedule))
    return horizon, None, f"the default {horizon:,}-update horizon"


def check_subject(subject: Subject, settings: Settings, codes: frozenset[str]) -> list[RuleHit]:
    """Every enabled rule's hit on ``subject`` (an evaluation failure stops the others)."""
    hits = [hit for hit in (*subject.hits, subject.problem) if hit is not None]
    codes = codes - subject.covered
    if subject.schedule is None or not codes & {"WU103", *CHECKS}:
        return hits
    horizon, run_length, horizon_text = _horizon(subject, settings)
    trace = build_trace(subject.schedule, horizon)
    if trace.failure is not None:
        return [*hits, evaluation_error(subject, trace.failure)]
    context = Context(subject, trace, profile(trace), run_length, horizon_text, settings)
    for code, check in CHECKS.items():
        if code in codes:
            hit = check(context)
            if hit is not None:
                hits.append(hit)
    return hits
