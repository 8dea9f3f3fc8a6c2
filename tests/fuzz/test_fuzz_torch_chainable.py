"""Random arguments for torch's chainable schedulers: the transcription
(upstream/torch_chainable.py) and the real class agree on every LR, bit for bit, and on every
refusal and stepping error, word for word."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from warmup_cli.frameworks.upstream.torch_chainable import ChainableScheduler
from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    BuildError,
    SchedulerCall,
    SteppedScheduler,
)

STEPS = 80
factors = st.floats(min_value=-0.2, max_value=1.2, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=2.0, allow_nan=False)
lengths = st.integers(min_value=-2, max_value=90)
bases = st.floats(min_value=1e-7, max_value=3.0, allow_nan=False)

calls = st.one_of(
    st.builds(lambda f, t: SchedulerCall("ConstantLR", {"factor": f, "total_iters": t}),
              factors, lengths),
    st.builds(lambda a, b, t: SchedulerCall("LinearLR", {"start_factor": a, "end_factor": b,
                                                         "total_iters": t}),
              factors, factors, lengths),
    st.builds(lambda t, p: SchedulerCall("PolynomialLR", {"total_iters": t, "power": p}),
              lengths, positive),
    st.builds(lambda t, e: SchedulerCall("CosineAnnealingLR", {"T_max": t, "eta_min": e}),
              lengths, st.floats(min_value=0.0, max_value=0.01)),
    st.builds(lambda t, m, e: SchedulerCall("CosineAnnealingWarmRestarts",
                                            {"T_0": t, "T_mult": m, "eta_min": e}),
              lengths, st.integers(min_value=0, max_value=3), st.floats(0.0, 0.01)),
    st.builds(lambda s, g: SchedulerCall("StepLR", {"step_size": s, "gamma": g}),
              lengths, positive),
    st.builds(lambda m, g: SchedulerCall("MultiStepLR", {"milestones": m, "gamma": g}),
              st.lists(st.integers(0, 90), max_size=5), positive),
    st.builds(lambda g: SchedulerCall("ExponentialLR", {"gamma": g}), positive),
    st.builds(lambda lo, hi, up, down, mode, g: SchedulerCall("CyclicLR", {
        "base_lr": lo, "max_lr": hi, "step_size_up": up, "step_size_down": down,
        "mode": mode, "gamma": g}),
        positive, positive, st.integers(1, 30), st.one_of(st.none(), st.integers(1, 30)),
        st.sampled_from(["triangular", "triangular2", "exp_range"]),
        st.floats(0.9, 1.0)),
    st.builds(lambda lr, total, pct, how, three, div, final: SchedulerCall("OneCycleLR", {
        "max_lr": lr, "total_steps": total, "pct_start": pct, "anneal_strategy": how,
        "three_phase": three, "div_factor": div, "final_div_factor": final}),
        positive, st.integers(1, 100), st.floats(0.0, 1.0), st.sampled_from(["cos", "linear"]),
        st.booleans(), st.floats(1.0, 100.0), st.floats(1.0, 1e4)),
)


def _outcome(cls: Any, call: SchedulerCall, base: float) -> tuple[Any, ...]:
    try:
        run = cls(call, base, STEPS)
    except BuildError as exc:
        return ("refused", type(exc).__name__, exc.message)
    return ("ran", run.extend(STEPS), run.lrs)


@settings(max_examples=150, deadline=None)
@given(calls, bases)
def test_random_arguments_agree_with_torch(call: SchedulerCall, base: float) -> None:
    assert _outcome(ChainableScheduler, call, base) == _outcome(SteppedScheduler, call, base)


@settings(max_examples=60, deadline=None)
@given(st.lists(calls, min_size=2, max_size=3), st.data(), bases)
def test_random_sequences_and_chains_agree_with_torch(children: list[SchedulerCall],
                                                      data: st.DataObject,
                                                      base: float) -> None:
    milestones = sorted(data.draw(st.lists(st.integers(0, 60), min_size=len(children) - 1,
                                           max_size=len(children) - 1)))
    for call in (SchedulerCall("SequentialLR", {"milestones": milestones}, tuple(children)),
                 SchedulerCall("ChainedScheduler", {}, tuple(children))):
        assert _outcome(ChainableScheduler, call, base) == _outcome(SteppedScheduler, call,
                                                                    base)
