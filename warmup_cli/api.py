"""The Python API: what ``warmup show`` and ``warmup lint`` do, as typed functions.

>>> from warmup_cli import api
>>> warmup = api.load("linear:4,base=0.1")
>>> warmup.lrs(6)
[0.025, 0.05, 0.07500000000000001, 0.1, 0.1, 0.1]

``load`` takes the commands' one road from text to plan (:func:`warmup_cli.resolve.resolve`),
as ``warmup show`` does. Linting is :mod:`warmup_cli.lint.api` (``lint``, ``lint_text``),
which ``warmup lint`` is built on (nothing outside ``cli/`` and ``lint/`` imports the lint
package). Like the command line, nothing here runs the text it is given, and torch is
imported only by :meth:`Schedule.verify` (numpy only by :meth:`Schedule.array`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any

from warmup_cli.errors import WarmupError
from warmup_cli.resolve import Resolved, Selection, resolve
from warmup_cli.schedule import Milestone, Plan
from warmup_cli.series import default_horizon, lrs_at, schedule_milestones
from warmup_cli.vocab import RunFacts, Unit

if TYPE_CHECKING:
    import numpy

    from warmup_cli.verify import Verification

__all__ = ["Schedule", "load"]


@dataclass(frozen=True)
class Schedule:
    """A resolved schedule: its plan, the run length its source states, and notes."""

    resolved: Resolved

    @property
    def plan(self) -> Plan:
        return self.resolved.plan

    @property
    def source(self) -> str:
        return self.plan.source

    @property
    def unit(self) -> Unit:
        """What one ``scheduler.step()`` counts: an epoch or an optimizer step."""
        return self.plan.unit

    @property
    def base_lrs(self) -> tuple[float, ...]:
        return self.plan.base_lrs

    @property
    def horizon(self) -> int:
        """The run length: what the source states, else the length ``warmup show`` uses."""
        return self.resolved.horizon or default_horizon(self.plan.schedule)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader assumed or could not resolve (``show`` prints them as notes)."""
        return self.resolved.notes

    def factors(self, count: int | None = None) -> list[float]:
        """The factor of updates ``0 .. count - 1`` (default: the horizon)."""
        return [lrs_at(self.plan, update)[0] for update in range(self._count(count))]

    def group_lrs(self, count: int | None = None) -> list[tuple[float, ...]]:
        """The LR of every parameter group at updates ``0 .. count - 1``."""
        return [lrs_at(self.plan, update)[1:] for update in range(self._count(count))]

    def lrs(self, count: int | None = None, *, group: int = 0) -> list[float]:
        """The LR of one parameter group (the first by default) at updates ``0 .. count - 1``,
        the numbers ``warmup show`` prints."""
        if not 0 <= group < len(self.base_lrs):
            raise WarmupError(f"group {group} does not exist: the schedule has "
                              f"{len(self.base_lrs)} parameter group(s)")
        return [lrs[group] for lrs in self.group_lrs(count)]

    def array(self, count: int | None = None) -> numpy.ndarray[Any, Any]:
        """The LRs as a float64 numpy array of shape ``(count, groups)``."""
        try:
            import numpy as np
        except ImportError:
            raise WarmupError("Schedule.array needs numpy",
                              hint="pip install numpy (or 'warmup-cli[torch]')") from None
        return np.array(self.group_lrs(count), dtype=np.float64)

    def milestones(self) -> list[Milestone]:
        """Phase starts, the end of the warmup and the like, by update."""
        return schedule_milestones(self.plan)

    def verify(self, count: int | None = None) -> Verification:
        """Step a real ``torch.optim.lr_scheduler.LambdaLR`` over the run and compare every
        update bit for bit (raises on a mismatch; needs torch)."""
        from warmup_cli.pipeline import build_view
        from warmup_cli.verify import torch_available, verify

        if not torch_available():
            raise WarmupError("Schedule.verify needs torch",
                              hint="pip install 'warmup-cli[torch]'")
        view = build_view(self.plan, count=self._count(count), unit=self.unit,
                          steps_per_epoch=None, resume_from=None)
        return verify(self.plan, view)

    def _count(self, count: int | None) -> int:
        if count is not None and count < 1:
            raise WarmupError(f"count must be at least 1, not {count}")
        return count if count is not None else self.horizon


def load(source: str | PathLike[str], *, steps: int | None = None,
         updates_per_epoch: int | None = None, base_lrs: Sequence[float] = (),
         schedule: str | None = None, framework: str | None = None,
         follow_bases: bool = False, assignments: Sequence[str] = ()) -> Schedule:
    """A schedule from a spec (``"linear:500 > cosine:9500"``), a lambda
    (``"lambda e: min(1, (e + 1) / 4)"``) or a config file, as ``warmup show`` resolves it.

    ``steps`` is the run length for configs that leave it open (``warmup show --steps``);
    ``updates_per_epoch`` for frameworks that count epochs; ``base_lrs`` win over what the
    source names; ``schedule`` and ``framework`` pick one schedule of a config file;
    ``assignments`` are ``NAME=VALUE`` texts for what a training script leaves open (``--set
    'len(train_loader)=391'``). A
    spec or lambda counts epochs (one ``scheduler.step()`` per epoch) unless ``steps`` is
    given. Raises :class:`~warmup_cli.errors.WarmupError` (with ``hint``) on bad input.
    """
    facts = RunFacts(total_steps=steps, updates_per_epoch=updates_per_epoch,
                     follow_bases=follow_bases)
    resolved = resolve(str(source), facts, base_lrs=base_lrs,
                       unit=Unit.STEP if steps is not None else None,
                       selection=Selection(schedule, framework, follow_bases,
                                           tuple(assignments)))
    return Schedule(resolved)
