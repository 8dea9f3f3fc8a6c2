"""The rule catalogue: a stable code, a slug, a default severity and a doc for every check.

Codes never change meaning once released. ``WU0xx`` rules say an input could not be linted
(they make the exit code 2 whatever ``--fail-on`` says); ``WU1xx`` rules are schedule bugs.
Framework readers add their own rules (``WU3xx``) with :func:`register_rule`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from warmup_cli.errors import WarmupError
from warmup_cli.lint.diagnostics import Severity

# The README section's headings ("#### WU101 zero-lr-start") produce these anchors.
DOCS_PAGE = "README.md"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    bad: str
    good: str
    # The finding picks its own severity (e.g. by the share of the warmup that is lost).
    scales: bool = False
    # An input that could not be linted: exit code 2 whatever --fail-on says.
    blocking: bool = False
    # Always reported: --ignore and noqa cannot hide a file that was never read.
    fixed: bool = False

    @property
    def severity_text(self) -> str:
        return "note…error" if self.scales else self.severity.value

    @property
    def anchor(self) -> str:
        return f"{DOCS_PAGE}#{self.code.lower()}-{self.name}"


RULES: dict[str, Rule] = {}


def register_rule(rule: Rule) -> Rule:
    """Add a rule to the catalogue (framework readers call this for their WU3xx rules)."""
    existing = RULES.get(rule.code)
    if existing is not None and existing != rule:
        raise ValueError(f"rule code {rule.code} is already taken by {existing.name}")
    RULES[rule.code] = rule
    return rule


def find_rule(text: str) -> Rule | None:
    """A rule by code (any case) or slug."""
    wanted = text.strip()
    rule = RULES.get(wanted.upper())
    if rule is not None:
        return rule
    return next((r for r in RULES.values() if r.name == wanted.lower()), None)


def rule_name(code: str) -> str:
    rule = RULES.get(code)
    return rule.name if rule else code.lower()


def expand_selectors(selectors: Iterable[str]) -> frozenset[str]:
    """Codes matched by ``ALL``, full codes, code prefixes (``WU1``) or slugs."""
    codes: set[str] = set()
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        if selector.upper() == "ALL":
            codes.update(RULES)
            continue
        rule = find_rule(selector)
        if rule is not None:
            codes.add(rule.code)
            continue
        prefixed = {code for code in RULES if code.startswith(selector.upper())}
        if not prefixed:
            close = difflib.get_close_matches(selector.lower(),
                                              [r.name for r in RULES.values()], n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else "run 'warmup rules' to list the codes")
            raise WarmupError(f"unknown rule selector {selector!r}", hint=hint)
        codes.update(prefixed)
    return frozenset(codes)


def _builtin_rules() -> list[Rule]:
    return [
        Rule("WU001", "unreadable-config", Severity.ERROR,
             "A config file cannot be read or parsed, so none of its schedules were linted.",
             "The file is missing, unreadable, binary, too large or too deeply nested, or it "
             "is not valid YAML, JSON, TOML or Python. The other files are still linted. This "
             "rule cannot be ignored.",
             "optimizer:\n  lr: [0.1   # unclosed flow sequence",
             "optimizer:\n  lr: [0.1]",
             blocking=True, fixed=True),
        Rule("WU002", "unsafe-expression", Severity.ERROR,
             "An expression string uses a construct the sandbox refuses; it is never run.",
             "Lambdas in config strings and Hydra/OmegaConf `${eval:...}` values are checked "
             "against warmup_cli's expression allowlist without running them. Anything outside "
             "it (imports, attribute access, dunders, comprehensions, unknown names) is "
             "reported here, located at the offending character: the framework that evals "
             "the string would run it with full privileges.",
             "gpu_mem: ${eval:\"__import__('subprocess').check_output('nvidia-smi', "
             "shell=True)\"}",
             "lr_lambda: \"lambda epoch: min(1.0, (epoch + 1) / 5)\"",
             blocking=True),
        Rule("WU003", "invalid-schedule", Severity.ERROR,
             "A schedule spec or lambda does not parse.",
             "A command-line argument that is neither a file nor a valid spec or lambda, or a "
             "config value under a schedule key that starts like a warmup_cli spec "
             "(`kind:...`) but does not parse.",
             "warmup: \"linear:500 > cosin:9500\"",
             "warmup: \"linear:500 > cosine:9500\"",
             blocking=True),
        Rule("WU101", "zero-lr-start", Severity.ERROR,
             "The first update(s) run at LR 0.",
             "LambdaLR applies `base_lr * f(0)` to the very first optimizer update, so a "
             "warmup written as `step / W` wastes its first update (HF transformers#34754, "
             "torchtitan#1261: 'step 1. lr=0, not learning'). The message gives how many "
             "leading updates get LR 0 and their share of the warmup; the severity scales "
             "with that share: note below 1 %, warning below 5 %, error from 5 % (one zero "
             "step out of 2,000 is a note, a whole epoch out of four is an error).",
             "lr_lambda: \"lambda epoch: min(1.0, epoch / 4)\"",
             "lr_lambda: \"lambda epoch: min(1.0, (epoch + 1) / 4)\"",
             scales=True),
        Rule("WU102", "uncapped-factor", Severity.ERROR,
             "The factor passes 1 and keeps growing.",
             "A warmup without `min(1, ...)` never stops: the LR grows past the base LR and "
             "keeps growing until the run ends. The message says at which step the factor "
             "passes 1 and how large it gets within the run.",
             "lr_lambda: \"lambda epoch: epoch / 4\"",
             "lr_lambda: \"lambda epoch: min(1.0, (epoch + 1) / 4)\""),
        Rule("WU103", "evaluation-error", Severity.ERROR,
             "The factor function raises, or returns a non-finite value or a non-number.",
             "LambdaLR calls the function at every step; an exception crashes training and a "
             "NaN or infinite factor poisons the weights. The classic case is Noam's "
             "`step ** -0.5` at step 0 (ZeroDivisionError, yoyodyne#300).",
             "lr_lambda: \"lambda s: 512 ** -0.5 * min(s ** -0.5, s * 4000 ** -1.5)\"",
             "lr_lambda: \"lambda s: 512 ** -0.5 * min((s + 1) ** -0.5, (s + 1) * 4000 ** "
             "-1.5)\""),
        Rule("WU104", "negative-factor", Severity.ERROR,
             "The factor becomes negative.",
             "A negative LR makes the optimizer climb the loss. It usually comes from a "
             "linear decay that runs past its end.",
             "lr_lambda: \"lambda step: 1 - step / 1000\"\nmax_steps: 2000",
             "lr_lambda: \"lambda step: max(0.0, 1 - step / 1000)\"\nmax_steps: 2000"),
        Rule("WU105", "staircase-warmup", Severity.WARNING,
             "Floor division, %, int(), floor, ceil or round over the step makes the warmup "
             "rise in stairs.",
             "The warmup holds the same factor for several updates and then jumps. PyTorch's "
             "own LambdaLR example `epoch // 30` gives factor 0 for epochs 0-29. The finding "
             "points at the construct inside the expression.",
             "lr_lambda: \"lambda epoch: min(epoch // 4, 1)\"",
             "lr_lambda: \"lambda epoch: min((epoch + 1) / 4, 1)\""),
        Rule("WU106", "first-step-spike", Severity.WARNING,
             "Step 0 gets a factor far above step 1, and the warmup only starts at step 1.",
             "Copies of the Noam schedule often guard step 0 with `1 if step == 0 else ...`: "
             "the first update then runs at the full base LR (factor 1 against 1.7e-7 at "
             "step 1 for d_model 512) before the warmup begins. Reported when f(0) is more "
             "than 10 times f(1) and the factor rises again after step 1.",
             "lr_lambda: \"lambda s: 1 if s == 0 else 512 ** -0.5 * min(s ** -0.5, "
             "s * 4000 ** -1.5)\"",
             "lr_lambda: \"lambda s: 512 ** -0.5 * min((s + 1) ** -0.5, (s + 1) * 4000 ** "
             "-1.5)\""),
        Rule("WU107", "abrupt-jump", Severity.WARNING,
             "The factor jumps up between two consecutive updates of the warmup.",
             "Reported when, up to the step that first reaches the peak, the factor grows by "
             "more than `max-jump-ratio` (default 3) times from one update to the next and "
             "by at least a quarter of the peak: the end of a constant warmup, or a "
             "SequentialLR that hands over at the wrong step (timm#1242, threestudio#226). "
             "Leading zeros are WU101's business, not this rule's.",
             "lr_lambda: \"lambda epoch: 0.1 if epoch < 5 else 1.0\"",
             "lr_lambda: \"lambda epoch: min(1.0, 0.1 + 0.9 * epoch / 5)\""),
        Rule("WU108", "peak-not-reached", Severity.ERROR,
             "The warmup is longer than the run: the factor is still rising at the last "
             "update.",
             "The run ends before the warmup does, so the LR never reaches its peak "
             "(litgpt phi-2 full.yaml: lr_warmup_steps 200, max_steps 100; axolotl#2897). "
             "Checked against the run length found beside the schedule (max_steps, epochs, "
             "...) or given with --horizon.",
             "warmup: \"linear:200\"\nmax_steps: 100",
             "warmup: \"linear:10\"\nmax_steps: 100"),
        Rule("WU109", "long-warmup", Severity.WARNING,
             "The warmup takes more than `max-warmup-share` of the run.",
             "Warmups are usually 1-10 % of training; one longer than `max-warmup-share` "
             "(default 0.3) of the run length is usually a unit mix-up (a warmup sized in "
             "batches but stepped per epoch) or a copy from a longer run. Needs a known run "
             "length.",
             "warmup: \"linear:40 > cosine:60\"\nmax_steps: 100",
             "warmup: \"linear:10 > cosine:90\"\nmax_steps: 100"),
        Rule("WU110", "non-monotonic-warmup", Severity.WARNING,
             "The factor decreases during the warmup.",
             "Before the factor first reaches its peak it goes down at least once, usually "
             "two pieces of a schedule that do not meet where one hands over to the other.",
             "lr_lambda: \"lambda e: (e + 1) / 10 if e < 9 else min(1.0, (e + 1) / 20)\"",
             "lr_lambda: \"lambda e: min(1.0, (e + 1) / 20)\""),
    ]


for _rule in _builtin_rules():
    register_rule(_rule)
