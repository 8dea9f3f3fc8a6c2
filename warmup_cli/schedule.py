"""The schedule model: a schedule is a pure function ``step -> factor``.

Modelled on optax's schedules and fvcore's ``ParamScheduler``: nothing here holds state or
touches torch. For a spec or a lambda the LR of update ``k`` is ``base_lr * schedule(k)``,
exactly what ``torch.optim.lr_scheduler.LambdaLR`` computes when given ``schedule`` as its
``lr_lambda`` (see ``warmup_cli.torch_adapter``). A framework that computes the LR itself
(fairseq's ``warmup_init_lr + num_updates * lr_step``, a chainable scheduler multiplying the
previous LR) gives its :class:`Plan` an ``lr_fn`` that does the framework's own float
operations in the framework's order; its schedule is then ``lr / base``, a display column.

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
from dataclasses import dataclass, field, replace
from typing import Any

from warmup_cli.vocab import Unit

FactorFn = Callable[[int], float]
LrFn = Callable[[int], float]
"""The LR of update ``k`` as a framework computes it (one parameter group)."""
PhaseFn = Callable[[int], str]
RealLrs = Callable[[int], Sequence[float]]
"""``count`` -> the LRs of updates 0 .. count - 1 from the framework's real class, stepped."""


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
class Origin:
    """Where a framework plan's numbers come from, so that ``show`` says what it checked.

    ``what`` names the formula ("fairseq's tri_stage"); ``cites`` is the upstream file (and
    class or function) it is transcribed from; ``verified`` the real library warmup_cli's test
    suite compares it with exactly (directly, or through golden series a committed script made
    by running it), empty when nothing real does. A plan whose LRs come from a real torch class
    names it in ``torch_class``; with ``real`` (which steps that class) ``show`` checks the
    plan's own ``lr_fn`` against it at run time.
    """

    what: str  # "fairseq's tri_stage", "transformers' lr_lambda", ...
    cites: str
    verified: str = ""
    torch_class: str = ""  # e.g. "SequentialLR": the LRs are (or are checked against) its own
    real: RealLrs | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Plan:
    """What to run: a schedule, one base LR per parameter group, and where it came from.

    ``lr_fn``, when set, is the LR of update ``k`` as the framework computes it (a single
    parameter group, ``base_lrs[0]``): :meth:`lrs` returns it unchanged, and ``schedule`` is
    ``lr / base``, kept for the factor column and for lint. ``lr_fns`` holds one such function
    per parameter group (a training script's torch class over several groups); ``lr_fn`` is
    the first. Without it the LR is
    ``base * schedule(k)``, LambdaLR's product. ``origin`` says which framework code the plan
    reproduces (None for specs and lambdas).
    """

    schedule: Schedule
    base_lrs: tuple[float, ...]
    source: str
    unit: Unit = Unit.EPOCH
    lr_fns: tuple[LrFn, ...] | None = field(default=None, compare=False)
    origin: Origin | None = None
    # --base replaced the LR the framework's own formula was built with (see rebased()).
    rescaled_from: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", Unit(self.unit))  # a reader's plain word, checked
        if self.lr_fns is not None and len(self.lr_fns) != len(self.base_lrs):
            raise ValueError("a plan with its own LR functions has one per parameter group")

    @property
    def lr_fn(self) -> LrFn | None:
        """The first parameter group's own LR function, when the plan has them."""
        return self.lr_fns[0] if self.lr_fns else None

    def lrs(self, step: int) -> tuple[float, ...]:
        """The LRs of update ``step``: the framework's own ``lr_fn``, else LambdaLR's
        ``base * f(step)``."""
        if self.lr_fns is not None:
            return tuple(lr_fn(step) for lr_fn in self.lr_fns)
        factor = self.schedule(step)
        return tuple(base * factor for base in self.base_lrs)

    def rebased(self, base_lrs: tuple[float, ...]) -> Plan:
        """The plan over other base LRs (``--base``). A framework LR function was built from
        the config's own LR, so a different base leaves only LambdaLR's product with the
        factor ``lr / base``, which is not the framework's arithmetic: ``rescaled_from`` says
        so."""
        if self.lr_fn is None:
            return replace(self, base_lrs=base_lrs)
        if base_lrs == self.base_lrs:
            return self
        return replace(self, base_lrs=base_lrs, lr_fns=None, rescaled_from=self.base_lrs[0])


def factor_of(lr_fn: LrFn, base: float) -> FactorFn:
    """``lr / base`` of update ``k`` (the LR itself when ``base`` is 0, which no factor has)."""
    if base == 0:
        return lr_fn

    def factor(step: int) -> float:
        return lr_fn(step) / base

    return factor
