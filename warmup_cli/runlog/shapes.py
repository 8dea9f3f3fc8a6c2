"""The common ways a logged LR differs from its schedule, recognised by trying each one.

Each shape is a map from a logged step to the schedule step whose LR it shows; a shape is named
only when it explains *every* logged row (within ``--rtol``), never a majority:

- shifted by k: ``lr(s + k)``. ``k = 1``: ``scheduler.step()`` before ``optimizer.step()``, or a
  logger that reads the LR after ``scheduler.step()``; ``k = -1``: a logger one update late.
- restarted at r: ``lr(s)`` before r, ``lr(s - r)`` from r: a resume that rebuilt the
  scheduler without its state (``last_epoch``, ``load_state_dict``), so the warmup restarts.
- stretched by k: ``lr(s // k)``: the scheduler is stepped once every k logged steps
  (gradient accumulation with the log counting micro-batches, or a per-epoch step where the
  schedule counts batches); compressed by k: ``lr(s * k)``, stepped k times per logged step.
- held flat: the LR stops changing from some row on: the scheduler is no longer (or never)
  stepped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

MAX_SHIFT = 16
MAX_FACTOR = 1024
MAX_RESTARTS = 10_000  # restart points tried between two logged steps

LR = Callable[[int], float]
Close = Callable[[float, float], bool]


@dataclass(frozen=True)
class Shape:
    name: str  # "shifted", "restarted", "stretched", "compressed", "flat"
    amount: int | float  # k, r, or the flat value
    text: str


def recognise(steps: Sequence[int], logged: Sequence[float], lr: LR, close: Close,
              first_bad: int) -> Shape | None:
    """The first shape that explains every row; ``first_bad`` is the index of the first row
    that differs from the schedule."""
    return next(_candidates(steps, logged, lr, close, first_bad), None)


def _candidates(steps: Sequence[int], logged: Sequence[float], lr: LR, close: Close,
                first_bad: int) -> Iterator[Shape]:
    flat = _flat(steps, logged, close, first_bad)
    if flat is not None:
        yield flat
    yield from _shifts(steps, logged, lr, close, range(1, MAX_SHIFT + 1))
    # A restart before the negative shifts: a log that restarts at r is also lr(s - r) once
    # its first r rows are left out, and the restart says more.
    restart = _restart(steps, logged, lr, close, first_bad)
    if restart is not None:
        yield restart
    yield from _shifts(steps, logged, lr, close, range(-1, -MAX_SHIFT - 1, -1))
    for k in range(2, MAX_FACTOR + 1):
        if _explains(steps, logged, close, _stretch(lr, k)):
            yield Shape("stretched", k, f"the log is the schedule stretched by a factor {k}: "
                        f"each scheduled LR lasts {k} logged steps (the scheduler is stepped "
                        f"once every {k} logged steps: gradient accumulation counted in "
                        "micro-batches, or a per-epoch step of a per-batch schedule)")
        if _explains(steps, logged, close, _compress(lr, k)):
            yield Shape("compressed", k, f"the log is the schedule compressed by a factor {k}:"
                        f" the scheduler is stepped {k} times per logged step (stepped every "
                        "micro-batch under gradient accumulation, or per batch where the "
                        "schedule counts epochs)")


def _shift(lr: LR, k: int) -> Callable[[int], float | None]:
    return lambda step: lr(step + k) if step + k >= 0 else None


def _stretch(lr: LR, k: int) -> Callable[[int], float | None]:
    return lambda step: lr(step // k)


def _compress(lr: LR, k: int) -> Callable[[int], float | None]:
    return lambda step: lr(step * k)


def _shifts(steps: Sequence[int], logged: Sequence[float], lr: LR, close: Close,
            amounts: range) -> Iterator[Shape]:
    for k in amounts:
        if _explains(steps, logged, close, _shift(lr, k)):
            yield Shape("shifted", k, _shift_text(k))


def _explains(steps: Sequence[int], logged: Sequence[float], close: Close,
              where: Callable[[int], float | None]) -> bool:
    compared = 0
    for step, value in zip(steps, logged, strict=True):
        expected = where(step)
        if expected is None:
            continue
        if not close(value, expected):
            return False
        compared += 1
    return compared >= 2


def _shift_text(k: int) -> str:
    if k > 0:
        cause = ("scheduler.step() is called before optimizer.step(), or the logger reads "
                 "the LR after scheduler.step()")
        return (f"the log is the schedule shifted by {k} update{'s' * (k != 1)}: each logged "
                f"step shows the LR of {k} update{'s' * (k != 1)} later ({cause})")
    return (f"the log is the schedule shifted by {k} updates: each logged step shows the LR "
            f"of {-k} update{'s' * (k != -1)} earlier (the logger runs behind the scheduler)")


def _flat(steps: Sequence[int], logged: Sequence[float], close: Close, first_bad: int
          ) -> Shape | None:
    start = max(first_bad - 1, 0)
    value = logged[start]
    if len(logged) - start < 2 or not all(close(v, value) for v in logged[start:]):
        return None
    if start == 0:
        text = (f"the LR is held flat at {value!r} over the whole log: the scheduler is never "
                "stepped (no scheduler.step(), or it steps another optimizer)")
    else:
        text = (f"the LR is held flat at {value!r} from step {steps[start]:,}: the scheduler "
                "stops being stepped there")
    return Shape("flat", value, text)


def _restart(steps: Sequence[int], logged: Sequence[float], lr: LR, close: Close,
             first_bad: int) -> Shape | None:
    if first_bad == 0:
        return None
    low, high = steps[first_bad - 1] + 1, steps[first_bad]
    for restart in range(max(low, high - MAX_RESTARTS + 1), high + 1):
        tail = zip(steps[first_bad:], logged[first_bad:], strict=True)
        if all(close(value, lr(step - restart)) for step, value in tail) \
                and len(steps) - first_bad >= 1:
            return Shape("restarted", restart,
                         f"the log restarts the schedule at step {restart:,}: from there it "
                         f"shows the LR of step - {restart:,} (a resume that rebuilt the "
                         "scheduler without its state: pass last_epoch or load its "
                         "state_dict)")
    return None
