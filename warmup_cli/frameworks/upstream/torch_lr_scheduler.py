"""torch.optim.lr_scheduler's own classes (pytorch/pytorch ``torch/optim/lr_scheduler.py``),
built and stepped for real: nothing here re-implements a formula.

A :class:`SchedulerCall` names a class of torch.optim.lr_scheduler and its keyword arguments as
plain Python values (SequentialLR and ChainedScheduler with the calls of their children). A
:class:`SteppedScheduler` builds it over a one-parameter SGD at the base LR and steps it the
documented way, ``optimizer.step()`` then ``scheduler.step()``, on demand, remembering the LR of
every step; what torch raises is reported, never swallowed: :class:`TorchRejected` (building)
or :attr:`SteppedScheduler.failure` (stepping), with torch's own message. torch is imported only
inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The public classes of torch.optim.lr_scheduler (torch 2.x), for callers that must tell a
# torch scheduler from anything else without importing torch.
SCHEDULER_CLASSES = frozenset({
    "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
    "ExponentialLR", "SequentialLR", "PolynomialLR", "CosineAnnealingLR", "ChainedScheduler",
    "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
})
NESTING = ("SequentialLR", "ChainedScheduler")  # the classes whose schedulers= are schedulers
# Fragments of torch's error messages, mapped to the argument they are about.
_MESSAGE_ARGUMENTS = (("Starting multiplicative factor", "start_factor"),
                      ("Ending multiplicative factor", "end_factor"),
                      ("Constant multiplicative factor", "factor"),
                      ("Expected positive integer T_0", "T_0"),
                      ("Expected integer T_mult", "T_mult"),
                      ("total_steps", "total_steps"), ("epochs", "epochs"),
                      ("pct_start", "pct_start"), ("milestones", "milestones"))
# What a scheduler's constructor raises on arguments it refuses.
_REFUSALS = (TypeError, ValueError, ZeroDivisionError, KeyError, IndexError, AttributeError,
             OverflowError, RuntimeError)


@dataclass(frozen=True)
class SchedulerCall:
    """``torch.optim.lr_scheduler.<name>(optimizer, **kwargs)``; for SequentialLR and
    ChainedScheduler, ``schedulers`` holds the children's calls (passed as ``schedulers=``)."""

    name: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    schedulers: tuple[SchedulerCall, ...] | None = None


class BuildError(Exception):
    """Building ``call`` (the outermost call or one of its children) failed."""

    def __init__(self, call: SchedulerCall, message: str) -> None:
        super().__init__(message)
        self.call, self.message = call, message


class UnknownScheduler(BuildError):
    """torch.optim.lr_scheduler has no class named ``call.name``."""


class TorchRejected(BuildError):
    """torch raised while building ``call``; ``message`` is ``"TypeError: ..."`` (the
    exception's type and torch's own text)."""


def build_scheduler(call: SchedulerCall, optimizer: Any) -> Any:
    """The real torch scheduler over ``optimizer`` (children first, as a caller would build
    them for SequentialLR/ChainedScheduler)."""
    import torch

    return construct(call, optimizer, lambda name: getattr(torch.optim.lr_scheduler, name, None))


def construct(call: SchedulerCall, optimizer: Any, classes: Callable[[str], Any]) -> Any:
    """``call`` built with the class ``classes(name)`` gives (torch's own, or the
    transcription of ``torch_chainable``), children first and in order; what the constructor
    raises becomes TorchRejected with its type and text, a missing class UnknownScheduler."""
    cls = classes(call.name)
    if not isinstance(cls, type):
        raise UnknownScheduler(call, f"torch.optim.lr_scheduler has no class {call.name}")
    kwargs = dict(call.kwargs)
    if call.schedulers is not None:
        kwargs["schedulers"] = [construct(child, optimizer, classes) for child in call.schedulers]
    try:
        if call.name == "ChainedScheduler":  # its optimizer is keyword-only and optional
            return cls(optimizer=optimizer, **kwargs)
        return cls(optimizer, **kwargs)
    except _REFUSALS as exc:
        raise TorchRejected(call, f"{type(exc).__name__}: {exc}") from None


def blamed_argument(message: str, arguments: Iterable[str]) -> str | None:
    """Which of ``arguments`` (names, in the caller's order) torch's error ``message`` is
    about: one the message names, else one its wording is known to mean; None if neither."""
    names = list(arguments)
    for name in names:
        if name in message:
            return name
    for needle, name in _MESSAGE_ARGUMENTS:
        if needle in message and name in names:
            return name
    return None


@dataclass(frozen=True)
class StepFailure:
    """torch raised at ``scheduler.step()``: ``step`` is the step whose LR it did not give,
    ``message`` the exception's type and text."""

    step: int
    message: str


class SteppedLRs(ABC):
    """A scheduler's LRs, stepped on demand up to ``limit`` steps: ``lrs[k]`` is the LR of step
    k, ``failure`` what stepping raised. Shared by torch's real classes (:class:`SteppedScheduler`)
    and their transcription (``torch_chainable.ChainableScheduler``)."""

    lrs: list[float]
    limit: int
    failure: StepFailure | None

    @abstractmethod
    def extend(self, count: int) -> StepFailure | None:
        """Steps until ``count`` LRs (at most ``limit``) are known; the failure, if any."""

    def lr(self, step: int) -> float:
        """The LR of ``step``; past ``limit`` the last one is held; ValueError past a step
        torch raised at."""
        step = max(step, 0)
        self.extend(step + 1)
        if step < len(self.lrs):
            return self.lrs[step]
        if self.failure is not None:
            raise ValueError(f"torch raised at step {self.failure.step}: "
                             f"{self.failure.message}")
        return self.lrs[-1]  # past the simulated horizon: held

    def simulated(self, step: int) -> float:
        """The LR of ``step`` when it is within the simulated steps, else NaN (for checks that
        look only at the steps torch ran)."""
        self.extend(step + 1)
        return self.lrs[step] if step < min(len(self.lrs), self.limit) else math.nan


class SteppedScheduler(SteppedLRs):
    """A real optimizer (SGD over one parameter, ``lr=base_lr``) and the scheduler ``call``
    builds, stepped on demand up to ``limit`` steps; ``lrs[k]`` is the LR of step k (step 0 is
    the LR after construction). The optimizer steps only before the first scheduler step: no
    scheduler reads what it changes, and it costs 7 times the scheduler's step. Raises
    :class:`BuildError` when torch refuses ``call``."""

    def __init__(self, call: SchedulerCall, base_lr: float | tuple[float, ...],
                 limit: int) -> None:
        import torch

        self.limit = limit
        self.failure: StepFailure | None = None
        with warnings.catch_warnings():
            # Nothing torch says about the dummy optimizer is the user's business.
            warnings.simplefilter("ignore")
            if isinstance(base_lr, tuple):  # one parameter group per LR, as a script has them
                groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}
                          for lr in base_lr]
                self.optimizer = torch.optim.SGD(groups, lr=base_lr[0])
            else:
                param = torch.nn.Parameter(torch.zeros(1))
                self.optimizer = torch.optim.SGD([param], lr=base_lr)
            self.scheduler = build_scheduler(call, self.optimizer)
        self.group_lrs = [self._groups()]
        self.lrs = [self.group_lrs[0][0]]

    def extend(self, count: int) -> StepFailure | None:
        """Steps until ``count`` LRs (at most ``limit``) are known; the failure, if torch
        raised (then, and for good, no more steps are taken)."""
        target = min(count, self.limit)
        if len(self.lrs) >= target or self.failure is not None:
            return self.failure
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            while len(self.lrs) < target:
                try:
                    if len(self.lrs) == 1:
                        # torch checks the order once (its "scheduler.step() before
                        # optimizer.step()" warning); the LRs never depend on the optimizer's
                        # own step, so later steps skip it (13 of 15 us per step).
                        self.optimizer.step()
                    self.scheduler.step()
                except Exception as exc:  # torch's own error, reported to the caller
                    self.failure = StepFailure(len(self.lrs), f"{type(exc).__name__}: {exc}")
                    return self.failure
                self.group_lrs.append(self._groups())
                self.lrs.append(self.group_lrs[-1][0])
        return None

    def _groups(self) -> tuple[float, ...]:
        return tuple(float(group["lr"]) for group in self.optimizer.param_groups)

    def lrs_of_groups(self, step: int) -> tuple[float, ...]:
        """Every parameter group's LR of ``step`` (as :meth:`lr` for the first)."""
        self.lr(step)
        return self.group_lrs[min(max(step, 0), len(self.group_lrs) - 1)]

