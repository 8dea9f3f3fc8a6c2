"""The plateau rules (WU2xx): ReduceLROnPlateau settings that cannot do what they say.

A plateau phase carries torch's keyword arguments (and, when its source names it, the
monitored metric); each check reads them from the subject's schedule, whoever built it (a spec,
a framework reader). The metric values themselves are not known to lint, so the rules that
depend on them read the metric's *name*, and only names that leave no doubt.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from warmup_cli.lint.context import Context
from warmup_cli.lint.rules.rule import Rule, checked_by
from warmup_cli.lint.subject import RuleHit
from warmup_cli.plateau.model import find_plateau, is_plateau, plateau_in_product
from warmup_cli.schedule import Join, Phase, Product, Schedule
from warmup_cli.vocab import Code, Severity

FAMILY: list[Rule] = []  # filled by @checked_by, in code order

# Metric names, as words (split at anything but letters and digits, and at camelCase).
SCORES = frozenset({"acc", "accuracy", "top1", "top5", "f1", "auc", "auroc", "bleu", "map",
                    "miou", "iou", "dice", "precision", "recall", "psnr", "ssim", "rouge",
                    "sacrebleu", "mcc"})
LOSSES = frozenset({"loss", "error", "err", "perplexity", "ppl", "wer", "cer", "mse", "mae",
                    "rmse", "nll"})
# Metrics that are negative in practice: an ELBO or log-likelihood (log of a probability), a
# reward or return. A name with "neg" (neg_elbo, nelbo) is the positive negation.
NEGATIVE = frozenset({"elbo", "loglik", "loglikelihood", "logprob", "logp", "reward",
                      "return", "returns", "rewards"})
NEGATED = frozenset({"neg", "nelbo", "negative"})


def words(name: str) -> list[str]:
    """The words of a metric name: each part between separators as written (``mAP`` is
    ``map``) and split at camelCase (``valAcc`` is ``val``, ``acc``)."""
    parts = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    found = [p.lower() for p in parts] + [w.lower() for p in parts
                                          for w in re.sub(r"([a-z0-9])([A-Z])", r"\1 \2",
                                                          p).split()]
    # "log_likelihood", "log_prob": the two words as one
    return found + [a + b for a, b in itertools.pairwise(found) if a == "log"]


def plateaus(schedule: Schedule) -> Iterator[Phase]:
    if is_plateau(schedule):
        assert isinstance(schedule, Phase)
        yield schedule
    elif isinstance(schedule, Join | Product):
        for piece in schedule.pieces:
            yield from plateaus(piece)


def _phases(ctx: Context) -> list[Phase]:
    return list(plateaus(ctx.trace.schedule))


@checked_by(FAMILY, Rule(
    Code.WU201, "plateau-rel-threshold-negative-metric", Severity.WARNING,
    "threshold_mode='rel' on a metric that is negative: a flat metric counts as an "
    "improvement, so the LR never drops.",
    "In rel mode ReduceLROnPlateau compares with best · (1 - threshold) (mode min) or "
    "best · (1 + threshold) (mode max). For a negative best that bar lies on the wrong side "
    "of best: a metric that stays flat 'improves' at every validation, the bad-epoch count "
    "never grows and the LR is never reduced (pytorch/pytorch#47513). Reported when the "
    "monitored metric is named like one that is negative in practice (an ELBO, a "
    "log-likelihood or log-probability, a reward or return); `warmup show --metrics` notes "
    "it whenever the series itself is negative. Use threshold_mode='abs'.",
    "lr_scheduler: \"linear:5 > plateau:mode=max,monitor=val_elbo\"",
    "lr_scheduler: \"linear:5 > plateau:mode=max,threshold_mode=abs,monitor=val_elbo\""))
def rel_threshold_negative_metric(ctx: Context) -> RuleHit | None:
    for phase in _phases(ctx):
        params = phase.params
        if params["threshold_mode"] != "rel" or params["threshold"] == 0:
            continue
        found = set(words(params["monitor"]))
        if found & NEGATIVE and not found & NEGATED:
            return RuleHit(Code.WU201,
                           f"{params['monitor']} is negative in practice and threshold_mode "
                           f"is rel: best · (1 {'-' if params['mode'] == 'min' else '+'} "
                           f"{params['threshold']!r}) lies on the wrong side of a negative "
                           "best, so a flat metric counts as an improvement and the LR never "
                           "drops; use threshold_mode=abs")
    return None


@checked_by(FAMILY, Rule(
    Code.WU202, "plateau-mode-mismatch", Severity.WARNING,
    "mode='min' on a metric named like a score, or mode='max' on a loss.",
    "With the wrong direction every real improvement is a bad epoch: the LR drops after "
    "`patience` validations of progress and keeps dropping while the model improves. "
    "Reported when the monitored metric's name has a word of a score (acc, accuracy, f1, "
    "auc, bleu, map, iou, dice, precision, recall, psnr, ssim, rouge) and mode is min, or a "
    "word of a loss (loss, error, perplexity, wer, cer, mse, mae, nll) and mode is max; a "
    "name with words of both is left alone.",
    "lr_scheduler: \"plateau:patience=3,monitor=val_acc\"",
    "lr_scheduler: \"plateau:mode=max,patience=3,monitor=val_acc\""))
def mode_mismatch(ctx: Context) -> RuleHit | None:
    for phase in _phases(ctx):
        params = phase.params
        found = set(words(params["monitor"]))
        score, loss = found & SCORES, found & LOSSES
        if score and loss:
            continue
        if params["mode"] == "min" and score:
            return RuleHit(Code.WU202, f"mode is min but {params['monitor']} is a score "
                           f"({sorted(score)[0]}): higher is better, so every improvement "
                           "counts as a bad epoch; use mode=max")
        if params["mode"] == "max" and loss:
            return RuleHit(Code.WU202, f"mode is max but {params['monitor']} is a loss "
                           f"({sorted(loss)[0]}): lower is better, so every improvement "
                           "counts as a bad epoch; use mode=min")
    return None


@checked_by(FAMILY, Rule(
    Code.WU203, "plateau-factor-not-below-one", Severity.ERROR,
    "factor >= 1: ReduceLROnPlateau raises 'Factor should be < 1.0.'.",
    "A reduction multiplies the LR by factor; torch refuses any factor of 1 or more when the "
    "scheduler is built, so the run stops before its first step.",
    "lr_scheduler: \"plateau:factor=2\"",
    "lr_scheduler: \"plateau:factor=0.5\""))
def factor_not_below_one(ctx: Context) -> RuleHit | None:
    for phase in _phases(ctx):
        if phase.params["factor"] >= 1:
            return RuleHit(Code.WU203, f"factor is {phase.params['factor']!r}: "
                           "ReduceLROnPlateau raises 'Factor should be < 1.0.' when it is "
                           "built; a reduction needs factor < 1, e.g. 0.5")
    return None


@checked_by(FAMILY, Rule(
    Code.WU204, "plateau-min-lr-groups", Severity.ERROR,
    "A min_lr list whose length differs from the number of parameter groups.",
    "ReduceLROnPlateau takes one min_lr or one per parameter group; a list of another "
    "length raises 'expected N min_lrs, got M' when the scheduler is built. Reported when "
    "the base LRs beside the schedule (base=[...], a config's lr list) give the number of "
    "groups.",
    "lr_scheduler: \"plateau:min_lr=[0.0001,0.00001],base=[0.1,0.01,0.001]\"",
    "lr_scheduler: \"plateau:min_lr=[0.0001,0.00001,0.000001],base=[0.1,0.01,0.001]\""))
def min_lr_groups(ctx: Context) -> RuleHit | None:
    groups = len(ctx.subject.base_lrs)
    if not groups:
        return None
    for phase in _phases(ctx):
        min_lr = phase.params["min_lr"]
        if isinstance(min_lr, list) and len(min_lr) != groups:
            return RuleHit(Code.WU204, f"min_lr has {len(min_lr)} values but there are "
                           f"{groups} parameter groups: ReduceLROnPlateau raises 'expected "
                           f"{groups} min_lrs, got {len(min_lr)}'; give one value, or one "
                           "per group")
    return None


@checked_by(FAMILY, Rule(
    Code.WU205, "plateau-patience-never-fires", Severity.WARNING,
    "patience is at least the number of validations the run can have: the LR never drops.",
    "A reduction needs more than `patience` bad validations in a row after the plateau "
    "phase starts. Counting one validation per scheduler step (the most there can be), a "
    "run that has no more than `patience` steps left after the warmup can never reduce the "
    "LR. Reported only when the run length is known (the config, or --horizon).",
    "lr_scheduler: \"linear:2 > plateau:patience=10\"\nepochs: 12",
    "lr_scheduler: \"linear:2 > plateau:patience=3\"\nepochs: 12"))
def patience_never_fires(ctx: Context) -> RuleHit | None:
    if ctx.run_length is None or plateau_in_product(ctx.trace.schedule):
        return None
    part = find_plateau(ctx.trace.schedule)
    if part is None:
        return None
    left = ctx.run_length - part.start
    patience = part.params["patience"]
    if left > patience:
        return None
    return RuleHit(Code.WU205, f"patience {patience} needs {patience + 1} bad validations "
                   f"after the plateau starts at step {part.start:,}, but {ctx.horizon_text} "
                   f"leaves {max(left, 0):,} steps: the LR can never drop; lower patience")


@checked_by(FAMILY, Rule(
    Code.WU206, "plateau-in-chain", Severity.ERROR,
    "A plateau multiplied with another schedule (ChainedScheduler).",
    "torch's ChainedScheduler and SequentialLR both refuse a ReduceLROnPlateau child when "
    "they are built (ValueError: 'does not support `ReduceLROnPlateau` scheduler as it "
    "requires additional kwargs to be specified when calling `step`'). Run the warmup "
    "first and the plateau after it, stepping each yourself: `linear:5 > plateau`. The "
    "Lightning reader reports a ReduceLROnPlateau child of SequentialLR or ChainedScheduler "
    "the same way.",
    "lr_scheduler: \"exp:5 * plateau\"",
    "lr_scheduler: \"linear:5 > plateau\""))
def plateau_in_chain(ctx: Context) -> RuleHit | None:
    if plateau_in_product(ctx.trace.schedule):
        return RuleHit(Code.WU206, "a plateau phase is multiplied with another phase: torch's "
                       "ChainedScheduler refuses a ReduceLROnPlateau child (ValueError), as "
                       "its step() needs the metric; put the plateau after the warmup with "
                       "'>'")
    return None
