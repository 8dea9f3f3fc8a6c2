"""The rule catalogue: a stable code, a slug, a default severity and a doc for every check.

Codes never change meaning once released. ``WU0xx`` rules say an input could not be linted
(they make the exit code 2 whatever ``--fail-on`` says); ``WU1xx`` rules are schedule bugs found
in the factor function itself, whoever produced it; ``WU3xx`` rules are framework-aware checks
that the readers in ``warmup_cli.frameworks`` emit (they know keys, defaults and units the
factor function no longer shows). Other extractors add their own rules with
:func:`register_rule`.
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
    # The language of ``bad`` and ``good`` (yaml, json or python): docs fence them with it
    # and the catalogue tests write them to a file with the matching suffix.
    example_format: str = "yaml"

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


def _mmengine_warmup_then_cosine(t_max: int, begin: int) -> str:
    """The MMEngine example of WU306 and WU309: a LinearLR warmup over epochs 0-10, then a
    CosineAnnealingLR from epoch ``begin`` to 100."""
    return ("optim_wrapper = dict(optimizer=dict(type=\"AdamW\", lr=0.001))\n"
            "train_cfg = dict(max_epochs=100)\nparam_scheduler = [\n"
            "    dict(type=\"LinearLR\", start_factor=0.01, by_epoch=True, begin=0, end=10),\n"
            f"    dict(type=\"CosineAnnealingLR\", T_max={t_max}, by_epoch=True, begin={begin}, "
            "end=100),\n]")


def _framework_rules() -> list[Rule]:
    """The WU3xx rules: framework readers emit them as ``Finding`` values; lint locates them
    at the key the reader blames. Each example is read by the real reader in the tests."""
    return [
        Rule("WU301", "warmup-longer-than-run", Severity.ERROR,
             "A framework's warmup is at least as long as the run: the LR never reaches its "
             "peak.",
             "Reported by the readers when the warmup the framework will run (HF "
             "warmup_steps/warmup_ratio, DeepSpeed warmup_num_steps, timm/Swin warmup epochs, "
             "detectron2 WARMUP_ITERS, fairseq warmup_updates, litgpt lr_warmup_steps, a "
             "LinearLR warmup, an MMEngine warmup's end) is not shorter than the run length "
             "the same config states (max_steps, total_num_steps, epochs, MAX_ITER, "
             "max_update, max_epochs/max_iters). The finding points at the warmup key and "
             "replaces the generic WU108/WU109 on that schedule (litgpt phi-2 full.yaml: "
             "lr_warmup_steps 200, max_steps 100; DeepSpeed only logs a warning).",
             '{\n  "optimizer": {"type": "AdamW", "params": {"lr": 0.001}},\n'
             '  "scheduler": {"type": "WarmupDecayLR", "params": {\n'
             '    "warmup_min_lr": 1e-6, "warmup_max_lr": 0.001,\n'
             '    "warmup_num_steps": 1000, "total_num_steps": 500}}\n}',
             '{\n  "optimizer": {"type": "AdamW", "params": {"lr": 0.001}},\n'
             '  "scheduler": {"type": "WarmupDecayLR", "params": {\n'
             '    "warmup_min_lr": 1e-6, "warmup_max_lr": 0.001,\n'
             '    "warmup_num_steps": 1000, "total_num_steps": 10000}}\n}',
             example_format="json"),
        Rule("WU302", "zero-lr-first-update", Severity.ERROR,
             "The framework runs the first update(s) of the warmup at LR 0.",
             "The framework-aware form of WU101: a warmup that starts from LR 0 as the "
             "framework computes it (timm warmup_lr 0, DeepSpeed warmup_min_lr 0, which holds "
             "for two updates, fairseq warmup_init_lr -1, which becomes 0, detectron2 "
             "WARMUP_FACTOR 0, MMEngine start_factor 0, litgpt's step / warmup, every HF "
             "warmup's factor 0 at step 0). The severity scales with the share of the warmup "
             "lost: error from 25 %, warning from 1 %, else note; HF findings are one level "
             "lower, since a zero first update is how every HF warmup is defined "
             "(transformers#34754). It replaces the generic WU101 on that schedule.",
             "sched: cosine\nlr: 0.001\nepochs: 100\nwarmup_epochs: 5\nwarmup_lr: 0.0",
             "sched: cosine\nlr: 0.001\nepochs: 100\nwarmup_epochs: 5\nwarmup_lr: 1.0e-6",
             scales=True),
        Rule("WU303", "warmup-ignored", Severity.WARNING,
             "A warmup is configured but the scheduler never uses it.",
             "HF's get_scheduler builds `constant`, `reduce_lr_on_plateau` and `greedy` "
             "without num_warmup_steps, so warmup_steps/warmup_ratio are silently dropped "
             "(use constant_with_warmup); an empty scheduler key hands the warmup to an "
             "implicit default schedule (axolotl: cosine) the config never names.",
             "lr_scheduler_type: constant\nlearning_rate: 1.0e-4\nwarmup_steps: 100",
             "lr_scheduler_type: constant_with_warmup\nlearning_rate: 1.0e-4\n"
             "warmup_steps: 100"),
        Rule("WU304", "peak-disagrees-with-optimizer-lr", Severity.WARNING,
             "The scheduler's peak LR differs from the optimizer's lr, which is then never "
             "used.",
             "DeepSpeed's WarmupLR/WarmupDecayLR (warmup_max_lr, or WarmupDecayLR's default "
             "0.001 when it is not set) and OneCycle (cycle_max_lr) overwrite the optimizer's "
             "lr at every step, so optimizer.params.lr is dead configuration; when the two "
             "disagree, one of them is a mistake (QANet's 1cycle config peaks at 15 times its "
             "optimizer lr).",
             '{\n  "optimizer": {"type": "Adam", "params": {"lr": 0.001}},\n'
             '  "scheduler": {"type": "WarmupLR", "params": {\n'
             '    "warmup_min_lr": 1e-5, "warmup_max_lr": 0.01, "warmup_num_steps": 1000}}\n}',
             '{\n  "optimizer": {"type": "Adam", "params": {"lr": 0.001}},\n'
             '  "scheduler": {"type": "WarmupLR", "params": {\n'
             '    "warmup_min_lr": 1e-5, "warmup_max_lr": 0.001, "warmup_num_steps": 1000}}\n}',
             example_format="json"),
        Rule("WU305", "conflicting-run-lengths", Severity.WARNING,
             "Two run lengths are set (steps and epochs); only one of them counts.",
             "HF max_steps overrides num_train_epochs; fairseq stops at whichever of "
             "max_update and max_epoch comes first; MMEngine's loop type picks max_epochs or "
             "max_iters. The other value is dead, and the schedule (warmup_ratio, the decay "
             "length) is sized by the one that wins, which may not be the one the author "
             "reasoned about.",
             "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nnum_train_epochs: 3\n"
             "max_steps: 1000",
             "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nmax_steps: 1000"),
        Rule("WU306", "cosine-period-mismatch", Severity.WARNING,
             "A cosine's period does not match the span it runs over.",
             "MMEngine CosineAnnealingLR with T_max != end - begin is cut before it reaches "
             "eta_min (T_max longer) or rises again (T_max shorter); an HF cosine with "
             "num_cycles != 0.5 rises again after half a period or never reaches its floor.",
             _mmengine_warmup_then_cosine(t_max=100, begin=10),
             _mmengine_warmup_then_cosine(t_max=90, begin=10),
             example_format="python"),
        Rule("WU307", "decay-never-finishes", Severity.WARNING,
             "The decay is longer than the run: training stops before the LR reaches its "
             "floor.",
             "fairseq tri_stage phases that add up past max_update (wav2vec vox_960h_2: 8000 "
             "+ 0 + 200000 > 200000), a polynomial_decay total_num_update or a cosine "
             "lr_period_updates past the run, an MMEngine decay whose end is after the last "
             "epoch, an HF warmup_stable_decay longer than max_steps.",
             "optimization:\n  max_update: 200000\n  lr: [0.00003]\nlr_scheduler:\n"
             "  _name: tri_stage\n  warmup_steps: 8000\n  hold_steps: 0\n"
             "  decay_steps: 200000\n  final_lr_scale: 0.05",
             "optimization:\n  max_update: 200000\n  lr: [0.00003]\nlr_scheduler:\n"
             "  _name: tri_stage\n  warmup_steps: 8000\n  hold_steps: 0\n"
             "  decay_steps: 192000\n  final_lr_scale: 0.05"),
        Rule("WU308", "unresolved-value", Severity.NOTE,
             "A framework schedule cannot be resolved from the config, or a value in it is "
             "one the framework rejects.",
             "Every reason a reader gives for not reproducing a schedule is reported here, located"
             " at the value: a note when the value is only known at launch (DeepSpeed \"auto\", a "
             "run length that depends on the dataset size: set max_steps or pass --horizon or "
             "--updates-per-epoch), lives in another file (_base_, a layered config), is an "
             "expression or interpolation warmup_cli never evaluates, or names a scheduler "
             "warmup_cli does not model; an error when the framework itself would reject the value"
             " (an unknown scheduler name, a parameter the class does not take, a division by "
             "zero, a failed assertion). A reader that crashes is reported here too, as an error "
             "naming the reader; the rest of the file is still linted.",
             "lr_scheduler_type: cosine_annealing\nlearning_rate: 2.0e-5\nmax_steps: 1000",
             "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nmax_steps: 1000",
             scales=True),
        Rule("WU309", "gap-between-phases", Severity.WARNING,
             "A warmup ends before the next scheduler begins: the LR sits at the base LR in "
             "between.",
             "MMEngine param_scheduler entries are placed by begin/end; when the warmup ends "
             "before the next one begins, the LR stays flat at the full base LR for the gap "
             "instead of decaying (mmyolo yolox: QuadraticWarmupLR ends at epoch 3, the "
             "cosine begins at epoch 5).",
             _mmengine_warmup_then_cosine(t_max=85, begin=15),
             _mmengine_warmup_then_cosine(t_max=90, begin=10),
             example_format="python"),
        Rule("WU310", "torch-scheduler-rejected", Severity.ERROR,
             "torch raises while building or stepping the configured scheduler.",
             "Lightning CLI configs name real torch.optim.lr_scheduler classes; the reader "
             "builds the class over a one-parameter SGD and steps it, and whatever torch "
             "raises (LinearLR start_factor 0, OneCycleLR stepped past total_steps, an "
             "unknown keyword) would crash training. The finding carries torch's message and "
             "points at the argument it names. This reader imports torch.",
             "optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 0.001\n"
             "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.LinearLR\n  init_args:\n"
             "    start_factor: 0.0\n    total_iters: 5\ntrainer:\n  max_epochs: 20",
             "optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 0.001\n"
             "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.LinearLR\n  init_args:\n"
             "    start_factor: 0.25\n    total_iters: 5\ntrainer:\n  max_epochs: 20"),
    ]


for _rule in (*_builtin_rules(), *_framework_rules()):
    register_rule(_rule)
