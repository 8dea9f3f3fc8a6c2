"""The catalogue of schedule kinds: warmups and the phases that follow them.

Each kind is a pure factor function of the step ``t`` counted from the start of its phase
(``t = 0`` is the phase's first update). Warmups follow pytorch_warmup's convention that the
first update already gets ``1/W`` (never LR 0). Formulas are written with the same operation
order as the library they come from, so the floats agree bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from warmup_cli.expr import Limits, compile_expression
from warmup_cli.schedule import Milestone, Phase

REQUIRED = object()
# Kind formulas are our own text, not a stranger's: a multistep with many milestones or a
# radam formula needs more room than the limits for user lambdas allow.
KIND_LIMITS = Limits(max_nodes=5000, max_depth=60, max_source_chars=50_000)


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "int", "float", "ints" (list of int), "floats" (float or list), "choice", "name"
    default: Any = REQUIRED
    doc: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None
    exclusive_maximum: bool = False  # beta2 < 1: the formulas divide by 1 - beta2

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


def _phase(kind: str, params: Mapping[str, Any], formula: str, span: int | None, *,
           warmup: bool, label: str, **extra: Any) -> Phase:
    """Bind a kind: ``formula`` is a Python expression over the phase step ``t`` with every
    parameter already written in as a number. The sandbox compiles it into the factor function
    and ``warmup export`` prints the same text, so the two cannot disagree."""
    spec = KINDS[kind]
    defaults = {p.name: p.default for p in spec.params if not p.required}
    fn = compile_expression(f"lambda t: {formula}", limits=KIND_LIMITS)
    return Phase(kind=kind, params=dict(params), fn=fn, span=span, is_warmup=warmup, label=label,
                 positional=spec.positional, defaults=defaults, formula=formula, **extra)


def _fill(template: str, **values: float | int) -> str:
    """Write numbers into a formula with ``repr``: the text reads back as the same double."""
    return template.format(**{name: repr(value) for name, value in values.items()})


# --- warmups -----------------------------------------------------------------------------

# pytorch_warmup base.py LinearWarmup.warmup_factor: min(1.0, (step+1) / warmup_period)
_LINEAR = "min(1.0, (t + 1) / {period})"
# pytorch_warmup base.py ExponentialWarmup.warmup_factor: 1.0 - math.exp(-(step+1) / period)
_EXP = "1.0 - math.exp(-(t + 1) / {tau})"


def _linear(p: Mapping[str, Any]) -> Phase:
    ramp = _fill(_LINEAR, period=p["period"])
    formula = ramp if p["start"] == 0 else f"{p['start']!r} + (1.0 - {p['start']!r}) * {ramp}"
    return _phase("linear", p, formula, p["period"], warmup=True, label="linear warmup")


def _exp(p: Mapping[str, Any]) -> Phase:
    return _phase("exp", p, _fill(_EXP, tau=p["tau"]), p["len"] or None, warmup=True,
                  label="exp warmup")


def _constant_warmup(p: Mapping[str, Any]) -> Phase:
    formula = _fill("{factor} if t < {period} else 1.0", factor=p["factor"], period=p["period"])
    return _phase("constant-warmup", p, formula, p["period"], warmup=True,
                  label="constant warmup")


def untuned_linear_period(beta2: float) -> int:
    # pytorch_warmup untuned.py: int(2.0 / (1.0-beta2)), 1999 for beta2 = 0.999
    return int(2.0 / (1.0 - beta2))


def untuned_exp_period(beta2: float) -> int:
    # pytorch_warmup untuned.py: int(1.0 / (1.0-beta2)), 999 for beta2 = 0.999
    return int(1.0 / (1.0 - beta2))


def _untuned_linear(p: Mapping[str, Any]) -> Phase:
    period = untuned_linear_period(p["beta2"])
    return _phase("untuned-linear", p, _fill(_LINEAR, period=period), period, warmup=True,
                  label="untuned linear warmup")


def _untuned_exp(p: Mapping[str, Any]) -> Phase:
    tau = untuned_exp_period(p["beta2"])
    return _phase("untuned-exp", p, _fill(_EXP, tau=tau), p["len"] or None, warmup=True,
                  label="untuned exp warmup")


def radam_offset(beta2: float) -> int:
    """pytorch_warmup radam.get_offset: the smallest t >= 1 with rho_t > 4."""
    rho_inf = 2.0 / (1 - beta2) - 1
    offset = 1
    while True:
        b2t = beta2**offset
        if rho_inf - 2 * offset * b2t / (1 - b2t) > 4:
            return offset
        offset += 1


def _radam(p: Mapping[str, Any]) -> Phase:
    beta2: float = p["beta2"]
    rho_inf = 2.0 / (1 - beta2) - 1
    # pytorch_warmup radam.py, same operation order: rho_fn(t + offset), then
    # sqrt(((rho - 4) * (rho - 2) * rho_inf) / ((rho_inf - 4) * (rho_inf - 2) * rho)).
    rho = _fill("({ri} - 2 * (t + {o}) * {b} ** (t + {o}) / (1 - {b} ** (t + {o})))",
                ri=rho_inf, o=radam_offset(beta2), b=beta2)
    ri = repr(rho_inf)
    formula = (f"math.sqrt((({rho} - 4) * ({rho} - 2) * {ri}) / "
               f"(({ri} - 4) * ({ri} - 2) * {rho}))")
    return _phase("radam", p, formula, p["len"] or None, warmup=True, label="radam warmup")


# --- phases after warmup ------------------------------------------------------------------


def _constant(p: Mapping[str, Any]) -> Phase:
    return _phase("constant", p, repr(p["value"]), p["len"] or None, warmup=False,
                  label="constant")


def _cosine(p: Mapping[str, Any]) -> Phase:
    formula = _fill("{floor} + (1.0 - {floor}) * 0.5 * (1.0 + math.cos(math.pi * "
                    "(min(t, {length}) / {length})))", floor=p["floor"], length=p["len"])
    return _phase("cosine", p, formula, p["len"], warmup=False, label="cosine")


def _linear_decay(p: Mapping[str, Any]) -> Phase:
    formula = _fill("{floor} + (1.0 - {floor}) * max(0.0, ({length} - t) / {length})",
                    floor=p["floor"], length=p["len"])
    return _phase("linear-decay", p, formula, p["len"], warmup=False, label="linear decay")


def _step(p: Mapping[str, Any]) -> Phase:
    # torch StepLR closed form: base_lr * gamma ** (last_epoch // step_size)
    formula = _fill("{gamma} ** (t // {every})", gamma=p["gamma"], every=p["every"])
    return _phase("step", p, formula, p["len"] or None, warmup=False, label="step")


def _multistep(p: Mapping[str, Any]) -> Phase:
    milestones: list[int] = p["milestones"]
    gamma: float = p["gamma"]
    # torch MultiStepLR closed form: gamma ** bisect_right(milestones, last_epoch), where
    # bisect_right counts the milestones <= t: a sum of comparisons, exactly that int.
    count = _balanced_sum([f"(t >= {m})" for m in milestones])
    marks = tuple(Milestone(m, f"×{gamma} at milestone") for m in milestones)
    return _phase("multistep", p, f"{gamma!r} ** ({count})", p["len"] or None, warmup=False,
                  label="multistep", inner_milestones=marks)


def _balanced_sum(terms: list[str]) -> str:
    """``a + b + c + d`` as ``((a + b) + (c + d))``: nesting grows with log2 of the count."""
    if not terms:
        return "0"
    while len(terms) > 1:
        pairs = [f"({a} + {b})" for a, b in zip(terms[::2], terms[1::2], strict=False)]
        terms = pairs + ([terms[-1]] if len(terms) % 2 else [])
    return terms[0]


def _exponential(p: Mapping[str, Any]) -> Phase:
    # torch ExponentialLR closed form: base_lr * gamma ** last_epoch
    return _phase("exponential", p, _fill("{gamma} ** t", gamma=p["gamma"]),
                  p["len"] or None, warmup=False, label="exponential")


def _poly(p: Mapping[str, Any]) -> Phase:
    formula = _fill("(1.0 - {floor}) * (1.0 - min(t, {length}) / {length}) ** {power} + {floor}",
                    floor=p["floor"], length=p["len"], power=p["power"])
    return _phase("poly", p, formula, p["len"], warmup=False, label="polynomial decay")


def _inv_sqrt(p: Mapping[str, Any]) -> Phase:
    # HF get_inverse_sqrt_schedule after warmup, in phase-local steps (the shift cancels out)
    formula = _fill("1.0 / math.sqrt((t + {tau}) / {tau})", tau=p["timescale"])
    return _phase("inv-sqrt", p, formula, p["len"] or None, warmup=False, label="inverse sqrt")


def _noam(p: Mapping[str, Any]) -> Phase:
    warmup: int = p["warmup"]
    # Annotated Transformer rate(): factor * d^-0.5 * min(s^-0.5, s * W^-1.5), with s = t + 1
    # so that the first update is s = 1 instead of dividing by zero at s = 0.
    formula = _fill("{scale} * ({d} ** (-0.5) * min((t + 1) ** (-0.5), (t + 1) * {w} ** (-1.5)))",
                    scale=p["scale"], d=p["d_model"], w=warmup)

    def phase(t: int) -> str:
        return "noam warmup" if t + 1 < warmup else "noam decay"

    return _phase("noam", p, formula, None, warmup=False, label="noam", inner_phase=phase,
                  inner_milestones=(Milestone(warmup - 1, "noam peak"),), inner_warmup=warmup)


_WSD_SHAPES = {
    "linear": "1.0 - {progress}",
    "cosine": "0.5 * (1.0 + math.cos(math.pi * {progress}))",
    "sqrt": "1.0 - math.sqrt({progress})",
}


def _wsd(p: Mapping[str, Any]) -> Phase:
    stable: int = p["stable"]
    decay: int = p["decay"]
    shape: str = p["shape"]
    end = stable + decay
    progress = _fill("((t - {stable}) / {decay})", stable=stable, decay=decay)
    value = _WSD_SHAPES[shape].format(progress=progress)
    floor = repr(p["floor"])
    formula = (f"1.0 if t < {stable} else ({floor} if t >= {end} else "
               f"{floor} + (1.0 - {floor}) * ({value}))")

    def phase(t: int) -> str:
        return "stable" if t < stable else (f"{shape} decay" if t < end else "floor")

    marks = (Milestone(stable, f"start of {shape} decay"), Milestone(end, "start of floor"))
    return _phase("wsd", p, formula, end, warmup=False, label="wsd", inner_phase=phase,
                  inner_milestones=marks)


def _cosine_restarts(p: Mapping[str, Any]) -> Phase:
    period: int = p["period"]
    mult: int = p["mult"]
    # torch CosineAnnealingWarmRestarts, the closed form of its epoch bookkeeping:
    # eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2
    if mult == 1:
        t_cur, t_i = f"(t % {period})", repr(period)
    else:
        n = f"int(math.log(t / {period} * ({mult} - 1) + 1, {mult}))"
        t_cur = f"(t - {period} * ({mult} ** {n} - 1) / ({mult} - 1))"
        t_i = f"({period} * {mult} ** {n})"
    floor = repr(p["floor"])
    formula = f"{floor} + (1.0 - {floor}) * (1 + math.cos(math.pi * {t_cur} / {t_i})) / 2"
    return _phase("cosine-restarts", p, formula, None, warmup=False, label="cosine restarts")


PLATEAU = "plateau"


def _plateau(p: Mapping[str, Any]) -> Phase:
    # A placeholder factor of 1: the LR of a plateau phase depends on the metric series, so a
    # plateau phase is resolved by ``warmup_cli.plateau`` (a real ReduceLROnPlateau stepped with
    # the metrics) before any series is shown; lint sees the LR before any reduction.
    return _phase(PLATEAU, p, "1.0", None, warmup=False, label=PLATEAU)


_LEN_OPTIONAL = Param("len", "int", 0, "phase length before the next phase starts (0: unbounded)",
                      minimum=0)
_FLOOR = Param("floor", "float", 0.0, "final factor, as a fraction of the peak", minimum=0.0)
# 0.6 < beta2 < 1 (pytorch_warmup's range): every beta2 formula divides by 1 - beta2.
_BETA2 = Param("beta2", "float", 0.999, "Adam's beta2", minimum=0.6, exclusive_minimum=True,
               maximum=1.0, exclusive_maximum=True)


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
        Kind(PLATEAU, "phase",
             "lr · factor once the metric has not improved for more than patience validations",
             "torch ReduceLROnPlateau, stepped with a metric series (show --metrics FILE); the "
             "phase starts at the base LR",
             (Param("mode", "choice", "min", "min: lower is better, max: higher is better",
                    choices=("min", "max")),
              Param("factor", "float", 0.1, "multiplier of a reduction (torch needs < 1)",
                    minimum=0.0),
              Param("patience", "int", 10, "bad validations tolerated before a reduction",
                    minimum=0),
              Param("threshold", "float", 1e-4, "least change that counts as an improvement"),
              Param("threshold_mode", "choice", "rel", "rel: best · (1 ∓ threshold), abs: "
                    "best ∓ threshold", choices=("rel", "abs")),
              Param("cooldown", "int", 0, "validations ignored after a reduction", minimum=0),
              Param("min_lr", "floats", 0.0, "lower bound, or one per parameter group",
                    minimum=0.0),
              Param("eps", "float", 1e-8, "smallest LR change that is applied", minimum=0.0),
              Param("monitor", "name", "", "the metric's name (for lint)")),
             _plateau),
    ]
    return {kind.name: kind for kind in entries}


KINDS: dict[str, Kind] = _kinds()
ALIASES: dict[str, str] = {alias: k.name for k in KINDS.values() for alias in k.aliases}


def lookup(name: str) -> Kind | None:
    return KINDS.get(name) or KINDS.get(ALIASES.get(name, ""))
