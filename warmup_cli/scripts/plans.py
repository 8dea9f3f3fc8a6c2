"""A script's schedule → a :class:`~warmup_cli.schedule.Plan` every command runs.

A factor function (LambdaLR, a LambdaLR subclass, the transformers factories) becomes a plan
over the optimizer's base LRs, which ``show`` checks against a real LambdaLR as any lambda.
Any other torch class over one parameter group is computed by the transcription
(:mod:`~warmup_cli.frameworks.upstream.torch_chainable`, no torch import), the one road
``lint`` and ``show`` share; ``show`` checks it against the real class stepped
(:func:`~warmup_cli.frameworks.upstream.torch_chainable.scheduler_origin`), as the Lightning
reader does. Over several parameter groups, or for a class the transcription does not cover
(ReduceLROnPlateau), ``show`` steps the real class
(:class:`~warmup_cli.frameworks.upstream.torch_lr_scheduler.SteppedScheduler`, at the groups'
LRs) and ``lint`` checks nothing of its arithmetic. The plan's LRs are the computed ones
(``Plan.lr_fns``, one per group, with an ``Origin`` naming the class), its factor their ratio
to the base LR. A script that steps the scheduler before its optimizer shows what each update
gets: the next step's LR.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from warmup_cli.errors import ConfigError
from warmup_cli.frameworks.upstream.torch_chainable import (
    ChainableScheduler,
    scheduler_origin,
    transcribed,
)
from warmup_cli.frameworks.upstream.torch_lr_scheduler import (
    BuildError,
    SchedulerCall,
    SteppedScheduler,
)
from warmup_cli.schedule import FunctionSchedule, Origin, Plan
from warmup_cli.scripts.reader import ScriptSchedule

TORCH_CITES = "torch/optim/lr_scheduler.py"
HORIZON_CAP = 1_000_000  # torch steps simulated at most
DERIVED_MIN = 20
_LENGTH_KEYS = ("total_iters", "T_max", "T_0", "step_size", "total_steps", "milestones",
                "step_size_up")


def derived_horizon(schedule: ScriptSchedule) -> int:
    """A run length from the scheduler's own lengths when the script does not say it."""
    if schedule.horizon:
        return min(schedule.horizon, HORIZON_CAP)
    longest = 0.0
    calls = [schedule.torch] if schedule.torch is not None else []
    while calls:
        call = calls.pop()
        if call is None:
            continue
        calls.extend(call.schedulers or ())
        for key in _LENGTH_KEYS:
            value = call.kwargs.get(key)
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, int | float) and not isinstance(item, bool) \
                        and math.isfinite(item):
                    longest = max(longest, float(item))
        epochs, per_epoch = call.kwargs.get("epochs"), call.kwargs.get("steps_per_epoch")
        if isinstance(epochs, int) and isinstance(per_epoch, int):
            longest = max(longest, float(epochs * per_epoch))
    milestone_sum = 0
    if schedule.torch is not None and schedule.torch.name == "SequentialLR":
        milestones = schedule.torch.kwargs.get("milestones")
        if isinstance(milestones, list) and milestones:
            milestone_sum = int(max(milestones)) * 2
    return min(HORIZON_CAP, max(DERIVED_MIN, math.ceil(longest * 1.5), milestone_sum))


def _shifted(fn: Callable[[int], float], shift: int) -> Callable[[int], float]:
    if not shift:
        return fn
    return lambda step: fn(step + shift)


def plan_of(schedule: ScriptSchedule, path: str) -> Plan:
    """The plan of a resolved script schedule; ConfigError when torch refuses it."""
    construction = schedule.construction
    source = f"{path}:{construction.at.line}: {schedule.label}"
    total = schedule.horizon
    if schedule.factor is not None:
        function = FunctionSchedule(fn=_shifted(schedule.factor, schedule.shift),
                                    label=schedule.label, spec=source, total=total)
        return Plan(function, schedule.base_lrs, source, schedule.unit)
    if schedule.plateau is not None:
        # stepped with the metric series by warmup_cli.plateau.run (a real ReduceLROnPlateau)
        return Plan(schedule.plateau, schedule.base_lrs, source, schedule.unit)
    call = schedule.torch
    if call is None:
        raise ConfigError(f"the schedule {schedule.name!r} is not resolved", path=path,
                          line=construction.at.line, column=construction.at.column)
    derived = derived_horizon(schedule)
    # Stepped on demand up to the cap: the rows shown past the derived run length (the view's
    # margin) are steps the class really takes, never its last LR held.
    limit = HORIZON_CAP + schedule.shift + 1
    bases = schedule.base_lrs
    try:
        run = transcribed_run(call, bases, limit)
        stepped = run if run is not None else \
            SteppedScheduler(call, bases if len(bases) > 1 else bases[0], limit)
    except BuildError as error:
        raise ConfigError(f"torch rejects {error.call.name}: {error.message}", path=path,
                          line=construction.at.line, column=construction.at.column) from None
    shift = schedule.shift
    base = bases[0]

    def factor(step: int) -> float:
        return stepped.lr(step + shift) / base if base else stepped.lr(step + shift)

    function = FunctionSchedule(fn=factor, label=schedule.label, spec=source,
                                total=total or derived)
    if run is not None:
        # the transcription's LRs, checked by show against the real class stepped from 0
        # (update k of a script stepping before its optimizer is the class's step k + 1)
        origin = scheduler_origin(run, call, base, f"torch's {call.name}", TORCH_CITES)
        if shift and origin.real is not None:
            real = origin.real
            origin = replace(origin, real=lambda count: real(count + shift)[shift:])
        return Plan(function, bases, source, schedule.unit,
                    lr_fns=(lambda step: run.lr(step + shift),), origin=origin)
    assert isinstance(stepped, SteppedScheduler)
    real_run = stepped

    def group_lr(group: int) -> Callable[[int], float]:
        return lambda step: real_run.lrs_of_groups(step + shift)[group]

    # The LRs are the real class's own, stepped over the script's parameter groups: shown as
    # they are (never base * (lr / base), which can lose an ulp).
    return Plan(function, bases, source, schedule.unit,
                lr_fns=tuple(group_lr(group) for group in range(len(bases))),
                origin=Origin(f"torch's {call.name}", TORCH_CITES, torch_class=call.name))


def transcribed_run(call: SchedulerCall, bases: tuple[float, ...], limit: int
                    ) -> ChainableScheduler | None:
    """The transcription of ``call`` over the script's one parameter group (no torch import;
    BuildError when torch would refuse it); None when it does not cover the call (several
    groups, or a class only torch's real one computes)."""
    if len(bases) != 1 or not transcribed(call):
        return None
    return ChainableScheduler(call, bases[0], limit)


def lint_factor(schedule: ScriptSchedule) -> Callable[[int], float] | None:
    """The factor of a resolved torch class for ``lint`` (update k's LR over the base LR, by
    the transcription, never torch); None when the transcription does not cover it or torch
    would refuse it (``show`` says why)."""
    call = schedule.torch
    if call is None or not schedule.base_lrs:
        return None
    try:  # stepped on demand: only as far as lint's horizon evaluates it
        run = transcribed_run(call, schedule.base_lrs, HORIZON_CAP + schedule.shift + 1)
    except BuildError:
        return None
    if run is None:
        return None
    base, shift = schedule.base_lrs[0], schedule.shift
    return lambda step: run.lr(step + shift) / base if base else run.lr(step + shift)
