"""The schedule model: a schedule is a pure function ``step -> factor``.

Modelled on optax's schedules and fvcore's ``ParamScheduler``: nothing here holds state or
touches torch. The LR of update ``k`` is ``base_lr * schedule(k)``, exactly what
``torch.optim.lr_scheduler.LambdaLR`` computes when given ``schedule`` as its ``lr_lambda``
(see ``warmup_cli.torch_adapter``).

Composition:
- :class:`Join` runs pieces one after another; each piece sees steps counted from its own
  start (optax ``join_schedules``).
- :class:`Product` multiplies pieces at every global step (pytorch_warmup's dampening, torch's
  ``ChainedScheduler``).
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmup_cli.vocab import Unit

FactorFn = Callable[[int], float]
PhaseFn = Callable[[int], str]


@dataclass(frozen=True)
class Milestone:
    """A step worth showing: the first step of a phase, the end of warmup, a peak."""

    step: int
    what: str


class Schedule(ABC):
    """A pure ``step -> factor`` function with enough structure to explain itself."""

    @property
    @abstractmethod
    def factor_fn(self) -> FactorFn:
        """The plain function behind ``__call__``: the bulk path calls it millions of times."""

    def __call__(self, step: int) -> float:
        return self.factor_fn(step)

    def phase_breaks(self) -> list[int]:
        """Steps where ``phase_at`` may change, so a long series asks only there."""
        steps = {m.step for m in self.milestones()}
        steps.update(x for x in (self.length, self.warmup_length) if x)
        return sorted(steps)

    @property
    @abstractmethod
    def length(self) -> int | None:
        """Steps until the schedule settles for good; ``None`` when it never does."""

    @property
    @abstractmethod
    def warmup_length(self) -> int | None:
        """Steps spent warming up from the first update, when the schedule knows it."""

    @abstractmethod
    def phase_at(self, step: int) -> str: ...

    @abstractmethod
    def milestones(self) -> list[Milestone]: ...

    @abstractmethod
    def to_spec(self) -> str:
        """The normalized spec text that rebuilds this schedule."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """A JSON-able description (kind, parameters, pieces)."""


@dataclass(frozen=True, eq=False)
class Phase(Schedule):
    """One kind of the catalogue with its parameters bound (see ``warmup_cli.kinds``)."""

    kind: str
    params: Mapping[str, Any]
    fn: FactorFn
    span: int | None
    is_warmup: bool
    label: str
    # Some kinds (noam, wsd) have inner phases; they name the step themselves.
    inner_phase: PhaseFn | None = None
    inner_milestones: tuple[Milestone, ...] = ()
    positional: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # A kind whose warmup is built in (noam) says how long it is.
    inner_warmup: int | None = None
    # The exact Python expression over the phase step ``t`` that ``fn`` computes.
    formula: str = ""

    @property
    def factor_fn(self) -> FactorFn:
        return self.fn

    @property
    def length(self) -> int | None:
        return self.span

    @property
    def warmup_length(self) -> int | None:
        if self.inner_warmup is not None:
            return self.inner_warmup
        return self.span if self.is_warmup else 0

    def phase_at(self, step: int) -> str:
        if self.inner_phase:
            return self.inner_phase(step)
        if self.is_warmup and self.span is not None and step >= self.span:
            return AFTER_WARMUP  # every warmup kind holds 1 once it is over
        return self.label

    def milestones(self) -> list[Milestone]:
        return list(self.inner_milestones)

    def to_spec(self) -> str:
        def is_default(name: str) -> bool:
            return bool(self.defaults.get(name, _MISSING) == self.params[name])

        # Positional values up to the last one that differs from its default, then options.
        positional = [name for name in self.positional if name in self.params]
        while positional and is_default(positional[-1]):
            positional.pop()
        args = [_format_value(self.params[name]) for name in positional]
        args += [f"{name}={_format_value(value)}" for name, value in self.params.items()
                 if name not in self.positional and not is_default(name)]
        return self.kind + (":" + ",".join(args) if args else "")

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params), "length": self.span}


_MISSING = object()
AFTER_WARMUP = "constant"


def _format_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ",".join(_format_value(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass(frozen=True, eq=False)
class Join(Schedule):
    """Pieces run one after another; piece ``i`` sees ``step - start_i``.

    Every piece but the last needs a finite length (the parser checks this).
    """

    pieces: tuple[Schedule, ...]
    starts: tuple[int, ...] = field(init=False)
    _fn: FactorFn = field(init=False, repr=False)

    def __post_init__(self) -> None:
        starts = [0]
        for piece in self.pieces[:-1]:
            assert piece.length is not None, "only the last piece of a join may be unbounded"
            starts.append(starts[-1] + piece.length)
        object.__setattr__(self, "starts", tuple(starts))
        object.__setattr__(self, "_fn", self._compile())

    def _compile(self) -> FactorFn:
        fns = tuple(piece.factor_fn for piece in self.pieces)
        starts = self.starts
        if len(fns) == 2:  # warmup then one phase: the common case gets a single comparison
            first, second = fns
            boundary = starts[1]

            def joined(step: int) -> float:
                return first(step) if step < boundary else second(step - boundary)

            return joined

        def joined_many(step: int) -> float:
            index = max(bisect.bisect_right(starts, step) - 1, 0)
            return fns[index](step - starts[index])

        return joined_many

    @property
    def factor_fn(self) -> FactorFn:
        return self._fn

    def _locate(self, step: int) -> tuple[Schedule, int]:
        index = max(bisect.bisect_right(self.starts, step) - 1, 0)
        return self.pieces[index], step - self.starts[index]

    @property
    def length(self) -> int | None:
        last = self.pieces[-1].length
        return None if last is None else self.starts[-1] + last

    @property
    def warmup_length(self) -> int | None:
        total = 0
        for piece in self.pieces:
            piece_warmup = piece.warmup_length
            if piece_warmup is None:
                return None
            total += piece_warmup
            if piece_warmup != piece.length:
                break
        return total

    def phase_at(self, step: int) -> str:
        piece, local = self._locate(step)
        return piece.phase_at(local)

    def milestones(self) -> list[Milestone]:
        found: list[Milestone] = []
        for start, piece in zip(self.starts, self.pieces, strict=True):
            if start > 0:
                found.append(Milestone(start, f"start of {piece.phase_at(0)}"))
            found.extend(Milestone(start + m.step, m.what) for m in piece.milestones())
        return found

    def to_spec(self) -> str:
        return " > ".join(_wrap(piece, Product) for piece in self.pieces)

    def describe(self) -> dict[str, Any]:
        return {"join": [piece.describe() for piece in self.pieces], "starts": list(self.starts)}


@dataclass(frozen=True, eq=False)
class Product(Schedule):
    """Pieces multiplied at every global step, left to right."""

    pieces: tuple[Schedule, ...]
    _fn: FactorFn = field(init=False, repr=False)

    def __post_init__(self) -> None:
        first, *rest = (piece.factor_fn for piece in self.pieces)

        def multiplied(step: int) -> float:
            value = first(step)
            for fn in rest:
                value = value * fn(step)
            return value

        object.__setattr__(self, "_fn", multiplied)

    @property
    def factor_fn(self) -> FactorFn:
        return self._fn

    @property
    def length(self) -> int | None:
        lengths = [piece.length for piece in self.pieces]
        return None if None in lengths else max(x for x in lengths if x is not None)

    @property
    def warmup_length(self) -> int | None:
        warmups = [piece.warmup_length for piece in self.pieces]
        return None if None in warmups else max(x for x in warmups if x is not None)

    def phase_at(self, step: int) -> str:
        labels: list[str] = []
        for piece in self.pieces:
            label = piece.phase_at(step)
            if label not in labels:
                labels.append(label)
        # A finished warmup multiplies by 1: it no longer names the phase.
        named = [label for label in labels if label != AFTER_WARMUP] or labels
        return " × ".join(named)

    def milestones(self) -> list[Milestone]:
        found = [m for piece in self.pieces for m in piece.milestones()]
        return sorted(found, key=lambda m: m.step)

    def to_spec(self) -> str:
        # Factors multiply left to right, so a product after the first piece keeps its
        # parentheses: `a * (b * c)` rounds differently from `a * b * c`.
        return " * ".join(_wrap(piece, Join if index == 0 else (Join, Product))
                          for index, piece in enumerate(self.pieces))

    def describe(self) -> dict[str, Any]:
        return {"product": [piece.describe() for piece in self.pieces]}


def _wrap(piece: Schedule, needs_parens: type | tuple[type, ...]) -> str:
    text = piece.to_spec()
    return f"({text})" if isinstance(piece, needs_parens) else text


@dataclass(frozen=True, eq=False)
class FunctionSchedule(Schedule):
    """A schedule given as an opaque factor function: a sandboxed lambda or a framework's formula.

    ``phases`` names the step ranges when the source knows them (a framework reader does,
    a lambda does not); ``warmup`` is the warmup length when known.
    """

    fn: FactorFn
    label: str
    spec: str
    warmup: int | None = None
    total: int | None = None
    phases: Sequence[tuple[int, str]] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def factor_fn(self) -> FactorFn:
        return self.fn

    @property
    def length(self) -> int | None:
        return self.total

    @property
    def warmup_length(self) -> int | None:
        return self.warmup

    def phase_at(self, step: int) -> str:
        label = self.label
        for start, name in self.phases:
            if step >= start:
                label = name
        return label

    def milestones(self) -> list[Milestone]:
        return [Milestone(start, f"start of {name}") for start, name in self.phases if start > 0]

    def to_spec(self) -> str:
        return self.spec

    def describe(self) -> dict[str, Any]:
        return {"kind": self.label, "source": self.spec, **dict(self.extra)}


@dataclass(frozen=True)
class TorchLRs:
    """The LRs a real torch scheduler other than LambdaLR set, update by update (a training
    script's OneCycleLR or SequentialLR, stepped for real): shown as they are, never recomputed
    as ``base * factor``, so that they are torch's bit for bit (``lr / base * base`` is not
    always ``lr`` in floating point)."""

    label: str  # "torch's OneCycleLR"
    lrs: Callable[[int], tuple[float, ...]]


@dataclass(frozen=True)
class Plan:
    """What to run: a schedule, one base LR per parameter group, and where it came from;
    ``exact`` when a torch class other than LambdaLR gives the LRs themselves (the schedule's
    factor is then their ratio to the base LR, for the checks)."""

    schedule: Schedule
    base_lrs: tuple[float, ...]
    source: str
    unit: Unit = Unit.EPOCH
    exact: TorchLRs | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", Unit(self.unit))  # a reader's plain word, checked

    def lrs(self, step: int) -> tuple[float, ...]:
        """The LRs of update ``step``, computed exactly as LambdaLR does: ``base * f(step)``
        (or the torch class's own, see ``exact``)."""
        if self.exact is not None:
            return self.exact.lrs(step)
        factor = self.schedule(step)
        return tuple(base * factor for base in self.base_lrs)
