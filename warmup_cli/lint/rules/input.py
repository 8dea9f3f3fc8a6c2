"""The input rules (WU0xx): an input that could not be linted.

They make the exit code 2 whatever ``--fail-on`` says. The runner and the extractors report
them while reading a file or a command-line schedule, so none has a check here.
"""

from __future__ import annotations

from warmup_cli.lint.rules.rule import Rule
from warmup_cli.vocab import Code, Severity

FAMILY: tuple[Rule, ...] = (
    Rule(
        Code.WU001, "unreadable-config", Severity.ERROR,
        "A config file cannot be read or parsed, so none of its schedules were linted.",
        "The file is missing, unreadable, binary, too large or too deeply nested, or it "
        "is not valid YAML, JSON, TOML or Python. The other files are still linted. This "
        "rule cannot be ignored.",
        "optimizer:\n  lr: [0.1   # unclosed flow sequence",
        "optimizer:\n  lr: [0.1]",
        blocking=True, fixed=True),
    Rule(
        Code.WU002, "unsafe-expression", Severity.ERROR,
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
    Rule(
        Code.WU003, "invalid-schedule", Severity.ERROR,
        "A schedule spec or lambda does not parse.",
        "A command-line argument that is neither a file nor a valid spec or lambda, or a "
        "config value under a schedule key that starts like a warmup_cli spec "
        "(`kind:...`) but does not parse.",
        "warmup: \"linear:500 > cosin:9500\"",
        "warmup: \"linear:500 > cosine:9500\"",
        blocking=True),
)
