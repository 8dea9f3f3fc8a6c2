"""User-facing errors.

Every mistake a user can make ends as one of these: one message that says what is wrong,
where (a caret under the offending character of the source text, or a step number), and how
to fix it. The CLI prints them on stderr and exits with ``exit_code``; no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `seq 1e9 | head -1`
EXIT_INTERRUPTED = 130  # 128 + SIGINT


@dataclass
class WarmupError(Exception):
    """A user mistake. ``source``/``column`` (0-based) locate it inside a one-line text."""

    message: str
    source: str | None = None
    column: int | None = None
    hint: str | None = None
    exit_code: int = EXIT_USAGE

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        lines = [self.message]
        if self.source is not None and self.column is not None and "\n" not in self.source:
            lines.append(f"  {self.source}")
            lines.append("  " + " " * max(0, min(self.column, len(self.source))) + "^")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class SpecError(WarmupError):
    """The schedule spec does not parse or names an unknown kind/option."""


class ExpressionError(WarmupError):
    """A lambda or expression uses a construct outside the sandbox's allowlist, or is too big."""


@dataclass
class EvaluationError(WarmupError):
    """The factor function failed (raised, or returned a non-finite or non-number) at ``step``."""

    step: int | None = None


class ConfigError(WarmupError):
    """A config file cannot be read, parsed or resolved."""
