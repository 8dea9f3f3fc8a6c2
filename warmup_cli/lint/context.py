"""What a schedule check (WU1xx) reads: one subject's trace, its warmup profile, the run.

A module of its own so that the rules (which define the checks) and the engine (which builds
the context and runs them) can both name it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from warmup_cli.lint.subject import Subject
from warmup_cli.lint.trace import Profile, Trace, profile

RELATIVE = 1e-12  # float noise allowed when comparing neighbouring factors


class Thresholds(Protocol):
    """The settings the checks read. ``Settings`` has them; naming them as a protocol keeps
    this module clear of ``settings``, which imports the rule catalogue."""

    @property
    def max_warmup_share(self) -> float: ...

    @property
    def max_jump_ratio(self) -> float: ...


@dataclass(frozen=True)
class Context:
    subject: Subject
    trace: Trace
    run_length: int | None  # the run the config or --horizon names; None: a default horizon
    horizon_text: str  # "the run (max_steps at line 12)" / "the default 1000-update horizon"
    settings: Thresholds

    @cached_property
    def profile(self) -> Profile:
        """The warmup's shape, computed once for all checks; only a trace without a failure
        has one (the engine runs no profile-reading check on a failed trace)."""
        return profile(self.trace)

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
