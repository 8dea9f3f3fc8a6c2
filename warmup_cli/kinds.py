"""The catalogue of schedule kinds: warmups and the phases that follow them.

Each kind is a pure factor function of the step ``t`` counted from the start of its phase
(``t = 0`` is the phase's first update). Warmups follow pytorch_warmup's convention that the
first update already gets ``1/W`` (never LR 0). Formulas are written with the same operation
order as the library they come from, so the floats agree bit for bit.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from warmup_cli.schedule import Milestone, Phase

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "int", "float", "ints" (list of int), "choice"
    default: Any = REQUIRED
    doc: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Kind:
    name: str
    role: str  # "warmup" or "phase"
    formula: str
    summary: str
    params: tuple[Param, ...]
    build: Callable[[Mapping[str, Any]], Phase]
    positional: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _phase(kind: str, params: Mapping[str, Any], fn: Callable[[int], float], span: int | None,
           *, warmup: bool, label: str, **extra: Any) -> Phase:
    spec = KINDS[kind]
    defaults = {p.name: p.default for p in spec.params if not p.required}
    return Phase(kind=kind, params=dict(params), fn=fn, span=span, is_warmup=warmup, label=label,
                 positional=spec.positional, defaults=defaults, **extra)


# --- warmups -----------------------------------------------------------------------------


def _linear(p: Mapping[str, Any]) -> Phase:
    period: int = p["period"]
    start: float = p["start"]
    if start == 0:
        # pytorch_warmup LinearWarmup.warmup_factor: min(1.0, (step+1) / warmup_period)
        def fn(t: int) -> float:
            return min(1.0, (t + 1) / period)
    else:
        def fn(t: int) -> float:
            return start + (1.0 - start) * min(1.0, (t + 1) / period)
    return _phase("linear", p, fn, period, warmup=True, label="linear warmup")


def _exp(p: Mapping[str, Any]) -> Phase:
    tau: float = p["tau"]

    # pytorch_warmup ExponentialWarmup.warmup_factor: 1.0 - math.exp(-(step+1) / warmup_period)
    def fn(t: int) -> float:
        return 1.0 - math.exp(-(t + 1) / tau)

    return _phase("exp", p, fn, p["len"] or None, warmup=True, label="exp warmup")


def _constant_warmup(p: Mapping[str, Any]) -> Phase:
    period: int = p["period"]
    low: float = p["factor"]

    def fn(t: int) -> float:
        return low if t < period else 1.0

    return _phase("constant-warmup", p, fn, period, warmup=True, label="constant warmup")


def untuned_linear_period(beta2: float) -> int:
    # pytorch_warmup untuned.py: int(2.0 / (1.0-beta2)), 1999 for beta2 = 0.999
    return int(2.0 / (1.0 - beta2))


def untuned_exp_period(beta2: float) -> int:
    # pytorch_warmup untuned.py: int(1.0 / (1.0-beta2)), 999 for beta2 = 0.999
    return int(1.0 / (1.0 - beta2))


def _untuned_linear(p: Mapping[str, Any]) -> Phase:
    period = untuned_linear_period(p["beta2"])

    def fn(t: int) -> float:
        return min(1.0, (t + 1) / period)

    return _phase("untuned-linear", p, fn, period, warmup=True, label="untuned linear warmup")


def _untuned_exp(p: Mapping[str, Any]) -> Phase:
    tau = untuned_exp_period(p["beta2"])

    def fn(t: int) -> float:
        return 1.0 - math.exp(-(t + 1) / tau)

    return _phase("untuned-exp", p, fn, p["len"] or None, warmup=True,
                  label="untuned exp warmup")


def radam_offset(beta2: float) -> int:
    """pytorch_warmup radam.get_offset: the smallest t >= 1 with rho_t > 4."""
    rho_inf = 2.0 / (1 - beta2) - 1
    offset = 1
    while _rho(offset, beta2, rho_inf) <= 4:
        offset += 1
    return offset


def _rho(t: int, beta2: float, rho_inf: float) -> float:
    b2t = beta2**t
    return rho_inf - 2 * t * b2t / (1 - b2t)


def _radam(p: Mapping[str, Any]) -> Phase:
    beta2: float = p["beta2"]
    rho_inf = 2.0 / (1 - beta2) - 1
    offset = radam_offset(beta2)

    # pytorch_warmup RAdamWarmup.warmup_factor, same operation order
    def fn(t: int) -> float:
        rho = _rho(t + offset, beta2, rho_inf)
        numerator = (rho - 4) * (rho - 2) * rho_inf
        denominator = (rho_inf - 4) * (rho_inf - 2) * rho
        return math.sqrt(numerator / denominator)

    return _phase("radam", p, fn, p["len"] or None, warmup=True, label="radam warmup")


# --- phases after warmup ------------------------------------------------------------------


def _constant(p: Mapping[str, Any]) -> Phase:
    value: float = p["value"]
    return _phase("constant", p, lambda t: value, p["len"] or None, warmup=False,
                  label="constant")


def _cosine(p: Mapping[str, Any]) -> Phase:
    length: int = p["len"]
    floor: float = p["floor"]

    def fn(t: int) -> float:
        progress = min(t, length) / length
        return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return _phase("cosine", p, fn, length, warmup=False, label="cosine")


def _linear_decay(p: Mapping[str, Any]) -> Phase:
    length: int = p["len"]
    floor: float = p["floor"]

    def fn(t: int) -> float:
        return floor + (1.0 - floor) * max(0.0, (length - t) / length)

    return _phase("linear-decay", p, fn, length, warmup=False, label="linear decay")


def _step(p: Mapping[str, Any]) -> Phase:
    every: int = p["every"]
    gamma: float = p["gamma"]

    # torch StepLR closed form: base_lr * gamma ** (last_epoch // step_size)
    def fn(t: int) -> float:
        return gamma ** (t // every)

    return _phase("step", p, fn, p["len"] or None, warmup=False, label="step")


def _multistep(p: Mapping[str, Any]) -> Phase:
    milestones: list[int] = sorted(p["milestones"])
    gamma: float = p["gamma"]

    # torch MultiStepLR closed form: base_lr * gamma ** bisect_right(milestones, last_epoch)
    def fn(t: int) -> float:
        return gamma ** bisect.bisect_right(milestones, t)

    marks = tuple(Milestone(m, f"×{gamma} at milestone") for m in milestones)
    return _phase("multistep", p, fn, p["len"] or None, warmup=False, label="multistep",
                  inner_milestones=marks)


def _exponential(p: Mapping[str, Any]) -> Phase:
    gamma: float = p["gamma"]

    # torch ExponentialLR closed form: base_lr * gamma ** last_epoch
    def fn(t: int) -> float:
        return gamma**t

    return _phase("exponential", p, fn, p["len"] or None, warmup=False, label="exponential")


def _poly(p: Mapping[str, Any]) -> Phase:
    length: int = p["len"]
    power: float = p["power"]
    floor: float = p["floor"]

    def fn(t: int) -> float:
        return (1.0 - floor) * (1.0 - min(t, length) / length) ** power + floor

    return _phase("poly", p, fn, length, warmup=False, label="polynomial decay")


def _inv_sqrt(p: Mapping[str, Any]) -> Phase:
    timescale: int = p["timescale"]

    # HF get_inverse_sqrt_schedule after warmup, in phase-local steps (shift cancels out)
    def fn(t: int) -> float:
        return 1.0 / math.sqrt((t + timescale) / timescale)

    return _phase("inv-sqrt", p, fn, p["len"] or None, warmup=False, label="inverse sqrt")


def _noam(p: Mapping[str, Any]) -> Phase:
    warmup: int = p["warmup"]
    d_model: int = p["d_model"]
    scale: float = p["scale"]

    # Annotated Transformer rate(): factor * d^-0.5 * min(s^-0.5, s * W^-1.5), with s = t + 1
    # so that the first update is s = 1 instead of dividing by zero at s = 0.
    def fn(t: int) -> float:
        s = t + 1
        return scale * (d_model ** (-0.5) * min(s ** (-0.5), s * warmup ** (-1.5)))

    def phase(t: int) -> str:
        return "noam warmup" if t + 1 < warmup else "noam decay"

    return _phase("noam", p, fn, None, warmup=False, label="noam", inner_phase=phase,
                  inner_milestones=(Milestone(warmup - 1, "noam peak"),), inner_warmup=warmup)


def _wsd(p: Mapping[str, Any]) -> Phase:
    stable: int = p["stable"]
    decay: int = p["decay"]
    floor: float = p["floor"]
    shape: str = p["shape"]
    end = stable + decay

    def fn(t: int) -> float:
        if t < stable:
            return 1.0
        if t >= end:
            return floor
        progress = (t - stable) / decay
        if shape == "cosine":
            value = 0.5 * (1.0 + math.cos(math.pi * progress))
        elif shape == "sqrt":
            value = 1.0 - math.sqrt(progress)
        else:
            value = 1.0 - progress
        return floor + (1.0 - floor) * value

    def phase(t: int) -> str:
        return "stable" if t < stable else (f"{shape} decay" if t < end else "floor")

    marks = (Milestone(stable, f"start of {shape} decay"), Milestone(end, "start of floor"))
    return _phase("wsd", p, fn, end, warmup=False, label="wsd", inner_phase=phase,
                  inner_milestones=marks)


def _cosine_restarts(p: Mapping[str, Any]) -> Phase:
    period: int = p["period"]
    mult: int = p["mult"]
    floor: float = p["floor"]

    # torch CosineAnnealingWarmRestarts, closed form of its epoch bookkeeping
    def fn(t: int) -> float:
        if mult == 1:
            t_cur, t_i = t % period, period
        else:
            n = int(math.log(t / period * (mult - 1) + 1, mult))
            t_cur = t - period * (mult**n - 1) / (mult - 1)
            t_i = period * mult**n
        return floor + (1.0 - floor) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    return _phase("cosine-restarts", p, fn, None, warmup=False, label="cosine restarts")


_LEN_OPTIONAL = Param("len", "int", 0, "phase length before the next phase starts (0: unbounded)",
                      minimum=0)
_FLOOR = Param("floor", "float", 0.0, "final factor, as a fraction of the peak", minimum=0.0)
_BETA2 = Param("beta2", "float", 0.999, "Adam's beta2", minimum=0.6, exclusive_minimum=True,
               maximum=1.0)


def _kinds() -> dict[str, Kind]:
    entries = [
        Kind("linear", "warmup", "min(1, (t + 1) / period) (start=s: s + (1 - s) · that)",
             "linear warmup, pytorch_warmup's LinearWarmup; the first update gets 1/period",
             (Param("period", "int", doc="warmup length", minimum=1),
              Param("start", "float", 0.0, "factor the ramp starts from", minimum=0.0,
                    maximum=1.0)),
             _linear, positional=("period",)),
        Kind("exp", "warmup", "1 - exp(-(t + 1) / tau)",
             "exponential warmup, pytorch_warmup's ExponentialWarmup (never exactly 1: combine "
             "with '*', or give len= to join a next phase)",
             (Param("tau", "float", doc="time constant", minimum=0.0, exclusive_minimum=True),
              _LEN_OPTIONAL),
             _exp, positional=("tau",)),
        Kind("constant-warmup", "warmup", "factor while t < period, then 1",
             "constant warmup of Goyal et al. 2017: hold a small factor, then jump to 1",
             (Param("period", "int", doc="warmup length", minimum=1),
              Param("factor", "float", 0.1, "factor held during warmup", minimum=0.0)),
             _constant_warmup, positional=("period",)),
        Kind("untuned-linear", "warmup",
             "min(1, (t + 1) / period), period = int(2 / (1 - beta2))",
             "untuned linear warmup (Ma & Yarats 2021); beta2 0.999 gives period 1999",
             (_BETA2,), _untuned_linear),
        Kind("untuned-exp", "warmup", "1 - exp(-(t + 1) / tau), tau = int(1 / (1 - beta2))",
             "untuned exponential warmup (Ma & Yarats 2021); beta2 0.999 gives tau 999",
             (_BETA2, _LEN_OPTIONAL), _untuned_exp),
        Kind("radam", "warmup",
             "sqrt((ρ-4)(ρ-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ)), ρ = ρ(t + δ), ρ∞ = 2/(1-beta2) - 1",
             "RAdam's rectification term as a warmup, pytorch_warmup's RAdamWarmup",
             (_BETA2, _LEN_OPTIONAL), _radam),
        Kind("constant", "phase", "value", "hold a constant factor (the default after warmup)",
             (_LEN_OPTIONAL, Param("value", "float", 1.0, "factor")), _constant,
             positional=("len",)),
        Kind("cosine", "phase", "floor + (1 - floor) · ½(1 + cos(π · min(t, len) / len))",
             "half-cosine decay to a floor, then hold the floor",
             (Param("len", "int", doc="decay length", minimum=1), _FLOOR),
             _cosine, positional=("len",)),
        Kind("linear-decay", "phase", "floor + (1 - floor) · max(0, (len - t) / len)",
             "linear decay to a floor, then hold the floor",
             (Param("len", "int", doc="decay length", minimum=1), _FLOOR),
             _linear_decay, positional=("len",), aliases=("decay",)),
        Kind("step", "phase", "gamma ** (t // every)", "multiply by gamma every `every` steps "
             "(torch StepLR)",
             (Param("every", "int", doc="steps between decays", minimum=1),
              Param("gamma", "float", 0.1, "decay factor", minimum=0.0), _LEN_OPTIONAL),
             _step, positional=("every",)),
        Kind("multistep", "phase", "gamma ** (number of milestones <= t)",
             "multiply by gamma at each milestone (torch MultiStepLR)",
             (Param("milestones", "ints", doc="steps, counted from the phase start"),
              Param("gamma", "float", 0.1, "decay factor", minimum=0.0), _LEN_OPTIONAL),
             _multistep, positional=("milestones",)),
        Kind("exponential", "phase", "gamma ** t", "exponential decay (torch ExponentialLR)",
             (Param("gamma", "float", doc="factor per step", minimum=0.0), _LEN_OPTIONAL),
             _exponential, positional=("gamma",)),
        Kind("poly", "phase", "(1 - floor) · (1 - min(t, len) / len) ** power + floor",
             "polynomial decay to a floor",
             (Param("len", "int", doc="decay length", minimum=1),
              Param("power", "float", 1.0, "exponent", minimum=0.0), _FLOOR),
             _poly, positional=("len",), aliases=("polynomial",)),
        Kind("inv-sqrt", "phase", "1 / sqrt((t + timescale) / timescale)",
             "inverse square-root decay, HF's inverse_sqrt after warmup; timescale defaults "
             "to the preceding warmup's length (10000 without one)",
             (Param("timescale", "int", 0, "decay timescale (0: the warmup length)", minimum=0),
              _LEN_OPTIONAL),
             _inv_sqrt, positional=("timescale",), aliases=("inverse-sqrt", "rsqrt")),
        Kind("noam", "phase", "scale · d_model^-0.5 · min(s^-0.5, s · warmup^-1.5), s = t + 1",
             "the Transformer schedule of Vaswani et al. 2017, warmup included; use base=1, "
             "its factor is the LR (peak 6.988e-4 at update 4000 for d_model 512)",
             (Param("warmup", "int", 4000, "warmup steps", minimum=1),
              Param("d_model", "int", 512, "model width", minimum=1),
              Param("scale", "float", 1.0, "extra multiplier", minimum=0.0)),
             _noam, positional=("warmup",)),
        Kind("wsd", "phase", "1 for `stable` steps, then decay over `decay` steps to floor",
             "warmup-stable-decay's stable and decay phases (shape linear, cosine or sqrt)",
             (Param("stable", "int", doc="steps held at the peak", minimum=0),
              Param("decay", "int", doc="decay length", minimum=1), _FLOOR,
              Param("shape", "choice", "linear", "decay shape",
                    choices=("linear", "cosine", "sqrt"))),
             _wsd, positional=("stable", "decay")),
        Kind("cosine-restarts", "phase",
             "floor + (1 - floor) · ½(1 + cos(π · t_cur / T_i)), T_i = period · mult^i",
             "cosine annealing with warm restarts (SGDR, torch CosineAnnealingWarmRestarts)",
             (Param("period", "int", doc="first cycle length", minimum=1),
              Param("mult", "int", 1, "cycle length multiplier", minimum=1), _FLOOR),
             _cosine_restarts, positional=("period",), aliases=("sgdr",)),
    ]
    return {kind.name: kind for kind in entries}


KINDS: dict[str, Kind] = _kinds()
ALIASES: dict[str, str] = {alias: k.name for k in KINDS.values() for alias in k.aliases}


def lookup(name: str) -> Kind | None:
    return KINDS.get(name) or KINDS.get(ALIASES.get(name, ""))
