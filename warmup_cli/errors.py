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
EXIT_INTERNAL = 3  # a warmup_cli bug: the series disagreed with torch, or lint's guard caught one
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


@dataclass
class ConfigError(WarmupError):
    """A config file cannot be read, parsed or resolved.

    ``path``, ``line`` (1-based) and ``column`` (1-based when ``line`` is set: a file column,
    not an offset into ``source``) say where; ``message`` holds only what is wrong, and
    :meth:`render` puts ``path:line:column:`` in front of it, as linters print places.
    """

    path: str | None = None
    line: int | None = None

    @property
    def where(self) -> str | None:
        """``path``, ``path:line`` or ``path:line:column``, as far as it is known."""
        if self.path is None:
            return None
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")

    def render(self) -> str:
        where = self.where
        if where is None:
            return super().render()
        lines = [f"{where}: {self.message}"]
        if self.source is not None and self.column is not None and "\n" not in self.source:
            # the quoted line of the file, with a caret under the (1-based) column
            lines.append(f"  {self.source}")
            lines.append("  " + " " * max(0, min(self.column - 1, len(self.source))) + "^")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)
