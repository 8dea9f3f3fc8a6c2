"""A training script → the schedules its scheduler constructions declare, without torch.

For every construction :func:`~warmup_cli.scripts.constructions.find_builds` finds, in every
world its undecided conditions open (:func:`~warmup_cli.scripts.values.worlds`), the
arguments are resolved where the call sits, with torch's own parameter order
(:mod:`.signatures`, checked against torch by the tests): the factor function is
compiled by the sandbox (:mod:`.factors`), the base LR comes from the optimizer the scheduler
is built on (``lr=``, or each parameter group's ``"lr"``; the class default when none is
given), and the unit and run length from where ``.step()`` sits (:mod:`.stepping`).

A :class:`ScriptSchedule` either holds a factor function (LambdaLR, a LambdaLR subclass, the
transformers factories, :mod:`.hf_factories`), or a
:class:`~warmup_cli.frameworks.upstream.torch_lr_scheduler.SchedulerCall` that
:mod:`.plans` builds and steps with the real torch class; or the reasons it stays open.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmup_cli.frameworks.upstream.torch_lr_scheduler import SchedulerCall
from warmup_cli.schedule import Phase
from warmup_cli.scripts.constructions import ScriptBuilds, find_builds
from warmup_cli.scripts.factors import Factor, FactorRefused, compile_factor
from warmup_cli.scripts.hf_factories import hf_factor
from warmup_cli.scripts.model import Construction, Family, OptimizerBuild, Span
from warmup_cli.scripts.nodes import module_nodes
from warmup_cli.scripts.plateau import PlateauRefused, plateau_of
from warmup_cli.scripts.run_length import lightning_interval, stepped_first, stepping
from warmup_cli.scripts.signatures import (
    HF_NAMES,
    HF_SIGNATURES,
    OPTIMIZER_LR_DEFAULTS,
    TORCH_SIGNATURES,
)
from warmup_cli.scripts.values import (
    Branch,
    Function,
    Open,
    ScriptValues,
    Unresolved,
    World,
    scope_of,
    worlds,
)
from warmup_cli.vocab import DEFAULT_BASE_LR, Unit

METRIC_DRIVEN = "ReduceLROnPlateau"
MAX_SOURCE_CHARS = 5_000_000


@dataclass(frozen=True)
class OptimizerValue:
    """An optimizer built in the file, as the value layer sees it."""

    build: OptimizerBuild


@dataclass(frozen=True)
class SchedulerValue:
    """A scheduler built in the file (a SequentialLR child)."""

    construction: Construction


@dataclass
class ScriptSchedule:
    """One scheduler of the script in one world (its alternative's name in ``world``)."""

    name: str
    construction: Construction
    world: str
    unit: Unit
    base_lrs: tuple[float, ...] = (DEFAULT_BASE_LR,)
    base_known: bool = False
    horizon: int | None = None
    factor: Callable[[int], float] | None = None  # a LambdaLR-style factor of the step
    compiled: Factor | None = None  # the script's own factor function, when it has one
    torch: SchedulerCall | None = None  # stepped with the real torch class
    plateau: Phase | None = None  # ReduceLROnPlateau: needs the metric series to be shown
    label: str = ""
    warmup: int | None = None  # a transformers factory's num_warmup_steps
    shift: int = 0  # 1 when .step() runs before the optimizer's: update k sees step k + 1
    step_call: ast.Call | None = None
    optimizer_paths: tuple[str, ...] = ()
    open: list[Open] = field(default_factory=list)
    refused: FactorRefused | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return not self.open and self.refused is None and (
            self.factor is not None or self.torch is not None or self.plateau is not None)

    @property
    def at(self) -> Span:
        return self.construction.at


class _NotModelled(Exception):
    def __init__(self, why: str, at: Span) -> None:
        super().__init__(why)
        self.why, self.at = why, at


def _bind(signature: Sequence[str], call: ast.Call) -> dict[str, ast.expr]:
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(signature, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            raise _NotModelled("passes *args", Span.of(arg))
        bound[name] = arg
    for item in call.keywords:
        if item.arg is None:
            raise _NotModelled("passes **kwargs", Span.of(item.value))
        bound[item.arg] = item.value
    return bound


class ScriptReader:
    """The schedules of one script; ``overrides`` are ``--set`` values (see
    :func:`~warmup_cli.scripts.values.parse_set`)."""

    def __init__(self, source: str, path: str, overrides: Mapping[str, Any] | None = None,
                 module: ast.Module | None = None, builds: ScriptBuilds | None = None) -> None:
        self.source, self.path = source, path
        self.module = module if module is not None else ast.parse(source)
        self.builds = builds if builds is not None else find_builds(self.module)
        self.overrides = dict(overrides or {})
        known: dict[int, Any] = {id(b.call): OptimizerValue(b) for b in self.builds.optimizers}
        known.update((id(c.call), SchedulerValue(c)) for c in self.builds.constructions)
        self.known = known
        self.used: set[str] = set()

    def values(self, assume: Mapping[str, str]) -> ScriptValues:
        return ScriptValues(self.module, overrides=self.overrides, assume=assume,
                            known=self.known)

    def schedules(self) -> list[ScriptSchedule]:
        """Every construction that is not a child of a SequentialLR/ChainedScheduler of the
        file, each in every world it has."""
        children = self._children()
        out: list[ScriptSchedule] = []
        for construction in self.builds.constructions:
            if id(construction.call) in children:
                continue
            out += _alternatives(list(worlds(functools.partial(self.read, construction))))
        return out

    def _children(self) -> set[int]:
        """The constructions another one of the file takes as ``schedulers=``."""
        children: set[int] = set()
        for construction in self.builds.constructions:
            if construction.kind not in ("SequentialLR", "ChainedScheduler"):
                continue
            for _world, value in worlds(functools.partial(self._schedulers_of, construction)):
                children.update(id(child.call) for child in value)
        return children

    def _schedulers_of(self, construction: Construction,
                       assume: Mapping[str, str]) -> list[Construction]:
        values = self.values(assume)
        try:
            args = _bind(TORCH_SIGNATURES[construction.kind], construction.call)
            node = args.get("schedulers")
            if node is None:
                return []
            items = values.evaluate(node, values.frame(construction.scope,
                                                   construction.call.lineno))
        except (Unresolved, _NotModelled):
            return []
        return [item.construction for item in items if isinstance(item, SchedulerValue)] \
            if isinstance(items, list | tuple) else []

    # -- one construction ------------------------------------------------------------------

    def read(self, construction: Construction, assume: Mapping[str, str]) -> ScriptSchedule:
        values = self.values(assume)
        target = construction.target or (f"{construction.scope[-1]}()" if construction.returned
                                         and construction.scope else "scheduler")
        schedule = ScriptSchedule(
            name=f"{target} ({construction.kind}, line {construction.at.line})",
            construction=construction, world="", unit=Unit.STEP)
        try:
            self._read(schedule, values)
            self._order(schedule)
        except Unresolved as unresolved:
            schedule.open.append(unresolved.open)
        except FactorRefused as refused:
            schedule.refused = refused
        except _NotModelled as exc:
            schedule.open.append(Open(exc.why, exc.at))
        except RecursionError:  # a pathological nesting: said, never a crash
            schedule.open.append(Open("the values it needs nest too deeply to follow",
                                      construction.at))
        self.used |= values.used
        return schedule

    def _read(self, schedule: ScriptSchedule, values: ScriptValues) -> None:
        construction = schedule.construction
        frame = values.frame(construction.scope, construction.call.lineno)
        self._stepping(schedule, values)
        if construction.family is Family.TRANSFORMERS:
            self._transformers(schedule, values, frame)
            return
        kind = construction.kind
        if kind not in TORCH_SIGNATURES:
            raise _NotModelled(f"{construction.subclass or kind} defines its own get_lr, "
                               "which warmup_cli does not run", construction.at)
        call = construction.call
        if construction.family is Family.SUBCLASS:
            kwargs, frame_of_args = self._subclass_arguments(construction, values, frame)
        else:
            kwargs, frame_of_args = _bind(TORCH_SIGNATURES[kind], call), frame
        self._base(schedule, values, kwargs.get("optimizer"), frame_of_args)
        if kind == METRIC_DRIVEN:
            self._plateau(schedule, kwargs, values, frame_of_args)
            return
        if kind == "LambdaLR" and "lr_lambda" in kwargs:
            self._lambda(schedule, values, kwargs, frame_of_args)
            return
        schedule.torch = self._torch_call(kind, kwargs, values, frame_of_args)
        schedule.label = f"torch {kind}"
        if kind == "OneCycleLR" and schedule.horizon is None:
            # torch raises past total_steps: the run is exactly that long
            total = schedule.torch.kwargs.get("total_steps")
            epochs = schedule.torch.kwargs.get("epochs")
            per_epoch = schedule.torch.kwargs.get("steps_per_epoch")
            if total is None and isinstance(epochs, int) and isinstance(per_epoch, int):
                total = epochs * per_epoch
            if isinstance(total, int) and not isinstance(total, bool) and total > 0:
                schedule.horizon = total
        if kind in ("OneCycleLR", "CyclicLR"):
            peak = schedule.torch.kwargs.get("max_lr")
            if isinstance(peak, int | float) and not isinstance(peak, bool) and peak > 0:
                schedule.base_lrs = (float(peak),) * len(schedule.base_lrs)
                schedule.notes.append(f"{kind} sets the LR itself (max_lr {peak!r}): the "
                                      "factor column is relative to max_lr")

    def _plateau(self, schedule: ScriptSchedule, kwargs: dict[str, ast.expr],
                 values: ScriptValues, frame: Any) -> None:
        try:
            phase = plateau_of(kwargs, lambda node: values.evaluate(node, frame),
                               schedule.step_call, schedule.construction.call)
        except PlateauRefused as refused:
            raise _NotModelled(refused.why, Span.of(refused.node)) from None
        schedule.plateau = phase
        schedule.label = "torch ReduceLROnPlateau"
        monitor = phase.params.get("monitor") or "NAME"
        schedule.notes.append(f"ReduceLROnPlateau lowers the LR when {monitor} stops improving: "
                              f"show it with --metrics FILE --metric {monitor} (its logged "
                              "values)")

    def _lambda(self, schedule: ScriptSchedule, values: ScriptValues,
                kwargs: dict[str, ast.expr], frame: Any) -> None:
        last_epoch = kwargs.get("last_epoch")
        if last_epoch is not None:
            resumed = values.evaluate(last_epoch, frame)
            if resumed != -1:
                raise _NotModelled(f"last_epoch={resumed!r} resumes a run; the schedule is "
                                   "shown from its start with last_epoch=-1 only",
                                   Span.of(last_epoch))
        function = values.evaluate(kwargs["lr_lambda"], frame)
        if not isinstance(function, Function):
            raise _NotModelled("lr_lambda is not a function of this file (a list of "
                               "functions, or a callable object)", Span.of(kwargs["lr_lambda"]))
        compiled = compile_factor(function, values, self.source, self.path)
        schedule.compiled = compiled
        schedule.factor = compiled.fn
        schedule.label = f"LambdaLR({compiled.name})"

    def _subclass_arguments(self, construction: Construction, values: ScriptValues,
                            frame: Any) -> tuple[dict[str, ast.expr], Any]:
        """What a subclass of the file passes to the torch base's ``__init__``, read in its own
        ``__init__`` (bound from the construction)."""
        cls = next((node for node in module_nodes(self.module) if isinstance(node, ast.ClassDef)
                    and node.name == construction.subclass), None)
        if cls is None:
            raise _NotModelled("the subclass is not found", construction.at)
        instance = values.construct(cls, construction.call, frame)
        init = instance.init
        if init is None:
            return _bind(TORCH_SIGNATURES[construction.kind], construction.call), frame
        for node in ast.walk(cls):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "__init__" and _is_super(node.func.value):
                args = node.args if not isinstance(node.func.value, ast.Name) else node.args[1:]
                call = ast.Call(node.func, list(args), node.keywords)
                ast.copy_location(call, node)
                return _bind(TORCH_SIGNATURES[construction.kind], call), _line(init,
                                                                                node.lineno)
        raise _NotModelled(f"{construction.subclass}.__init__ does not call the torch "
                           "base's __init__", construction.at)

    def _torch_call(self, kind: str, kwargs: dict[str, ast.expr], values: ScriptValues,
                    frame: Any) -> SchedulerCall:
        plain: dict[str, Any] = {}
        children: tuple[SchedulerCall, ...] | None = None
        for name, node in kwargs.items():
            if name == "optimizer":
                continue
            if name in ("lr_lambda", "scale_fn"):
                function = values.evaluate(node, frame)
                if not isinstance(function, Function):
                    raise _NotModelled(f"{name} is not a function of this file", Span.of(node))
                plain[name] = compile_factor(function, values, self.source, self.path).fn
                continue
            if name == "schedulers":
                children = self._child_calls(node, values, frame)
                continue
            value = values.evaluate(node, frame)
            if not _plain(value):
                raise _NotModelled(f"{name} is not a plain value", Span.of(node))
            plain[name] = value
        return SchedulerCall(kind, plain, children)

    def _child_calls(self, node: ast.expr, values: ScriptValues,
                     frame: Any) -> tuple[SchedulerCall, ...]:
        items = values.evaluate(node, frame)
        if not isinstance(items, list | tuple):
            raise _NotModelled("schedulers is not a list", Span.of(node))
        calls = []
        for item in items:
            if not isinstance(item, SchedulerValue) or item.construction.kind not in \
                    TORCH_SIGNATURES or item.construction.family is not Family.TORCH:
                raise _NotModelled("a child scheduler is not a torch scheduler built in this "
                                   "file", Span.of(node))
            child = item.construction
            child_frame = values.frame(child.scope, child.call.lineno)
            calls.append(self._torch_call(child.kind, _bind(TORCH_SIGNATURES[child.kind],
                                                            child.call), values, child_frame))
        return tuple(calls)

    # -- the optimizer ---------------------------------------------------------------------

    def _base(self, schedule: ScriptSchedule, values: ScriptValues, node: ast.expr | None,
              frame: Any) -> None:
        if node is None:
            return
        try:
            optimizer = values.evaluate(node, frame)
        except Unresolved as unresolved:
            schedule.notes.append(f"the optimizer's lr is not known ({unresolved.open.why}): "
                                  "LRs are shown relative to it")
            return
        if not isinstance(optimizer, OptimizerValue):
            schedule.notes.append("the optimizer is not built in this file: LRs are shown "
                                  "relative to its lr")
            return
        schedule.base_lrs = self._optimizer_lrs(optimizer.build, values)
        schedule.base_known = True
        if optimizer.build.target:
            schedule.optimizer_paths = (optimizer.build.target,)

    def _optimizer_lrs(self, build: OptimizerBuild, values: ScriptValues) -> tuple[float, ...]:
        call = build.call
        frame = values.frame(build.scope, call.lineno)
        lr_node = next((k.value for k in call.keywords if k.arg == "lr"),
                       call.args[1] if len(call.args) > 1 else None)
        default = values.evaluate(lr_node, frame) if lr_node is not None else \
            OPTIMIZER_LR_DEFAULTS.get(build.kind, 0.001)
        if not isinstance(default, int | float) or isinstance(default, bool):
            raise Unresolved(Open("the optimizer's lr is not a number",
                                  Span.of(lr_node or call)))
        groups = call.args[0] if call.args else next(
            (k.value for k in call.keywords if k.arg == "params"), None)
        if isinstance(groups, ast.List | ast.Tuple) and groups.elts and all(
                isinstance(item, ast.Dict) for item in groups.elts):
            lrs = []
            for item in groups.elts:
                assert isinstance(item, ast.Dict)
                lr = next((v for k, v in zip(item.keys, item.values, strict=True)
                           if isinstance(k, ast.Constant) and k.value == "lr"), None)
                value = values.evaluate(lr, frame) if lr is not None else default
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise Unresolved(Open("a parameter group's lr is not a number",
                                          Span.of(item)))
                lrs.append(float(value))
            return tuple(lrs)
        return (float(default),)

    # -- stepping --------------------------------------------------------------------------

    def _targets(self, construction: Construction) -> list[str]:
        if construction.target is not None:
            return [construction.target]
        if not construction.returned or not construction.scope:
            return []
        name = construction.scope[-1]
        targets = []
        for node in module_nodes(self.module):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                    ast.unparse(node.value.func).split(".")[-1] == name:
                targets += [ast.unparse(t) for t in node.targets]
        return targets

    def _stepping(self, schedule: ScriptSchedule, values: ScriptValues) -> None:
        construction = schedule.construction
        default = Unit.STEP if construction.family is Family.TRANSFORMERS else Unit.EPOCH
        if construction.scope and construction.scope[-1] == "configure_optimizers":
            schedule.unit = self._lightning_unit(construction)
            schedule.horizon = self._trainer_run(schedule.unit, values)
            schedule.notes.append(f"Lightning steps it once per {schedule.unit} (its "
                                  "\"interval\")" + (f" for {schedule.horizon} "
                                                      f"{schedule.unit}s (the Trainer's "
                                                      "limit)" if schedule.horizon else ""))
            return
        found = stepping(self.module, self._targets(construction), default)
        schedule.unit = found.unit
        schedule.step_call = found.call
        if found.call is None:
            schedule.notes.append(f"no .step() of it was found: one step per {default} is "
                                  "assumed")
            return
        if not found.ranges:
            schedule.notes.append(f"stepped once per {found.unit} (line {found.call.lineno}); "
                                  "the run length depends on the data loader")
            return
        loops = " × ".join(_loop_text(node) for node in (*found.ranges, *found.unknown))
        horizon = None if found.unknown else _run_length(
            found.ranges, values, scope_of(self.module, found.call), found.call.lineno)
        if horizon is None:
            schedule.notes.append(f"stepped once per {found.unit} (line {found.call.lineno}); "
                                  f"the run length `{loops}` is not known")
            return
        if horizon > 0:
            schedule.horizon = horizon
            schedule.notes.append(f"stepped once per {found.unit} (line {found.call.lineno}) "
                                  f"for {horizon} {found.unit}s"
                                  + (f" ({loops})" if len(found.ranges) > 1 else ""))

    def _order(self, schedule: ScriptSchedule) -> None:
        call = schedule.step_call
        paths = tuple(path for path in (schedule.construction.optimizer_path,
                                        *schedule.optimizer_paths) if path)
        if call is not None and stepped_first(self.module, call, paths):
            if schedule.plateau is not None:  # the plateau run has no shifted form (yet)
                schedule.notes.append(f"ReduceLROnPlateau is stepped before its optimizer "
                                      f"(line {call.lineno}): each metric reaches the LR one "
                                      "row earlier than the table shows (not shifted here)")
                return
            schedule.shift = 1
            schedule.notes.append(f"the scheduler is stepped before its optimizer (line "
                                  f"{call.lineno}): update k runs at the scheduler's step "
                                  "k + 1, and its first value is never used")

    def _trainer_run(self, unit: Unit, values: ScriptValues) -> int | None:
        """The run a Lightning ``Trainer(max_epochs=..., max_steps=...)`` of the file sets, in
        ``unit``; None unless every Trainer of the file states the same one."""
        key = "max_epochs" if unit is Unit.EPOCH else "max_steps"
        runs: set[Any] = set()
        for node in module_nodes(self.module):
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == \
                    "Trainer":
                given = next((k.value for k in node.keywords if k.arg == key), None)
                if given is None:
                    return None
                try:
                    runs.add(values.evaluate(given, values.frame(scope_of(self.module, node),
                                                             node.lineno)))
                except (Unresolved, Branch):
                    return None
        run = runs.pop() if len(runs) == 1 else None
        return run if isinstance(run, int) and not isinstance(run, bool) and run > 0 else None

    def _lightning_unit(self, construction: Construction) -> Unit:
        function = next((node for node in module_nodes(self.module) if isinstance(
            node, ast.FunctionDef) and node.name == "configure_optimizers"
            and node.lineno <= construction.at.line <= (node.end_lineno or node.lineno)), None)
        target = construction.target
        for node in ast.walk(function) if function is not None else []:
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "scheduler" and (
                            value is construction.call or (target is not None
                                                           and ast.unparse(value) == target)):
                        return lightning_interval(node) or Unit.EPOCH
        return Unit.EPOCH

    # -- transformers ----------------------------------------------------------------------

    def _transformers(self, schedule: ScriptSchedule, values: ScriptValues, frame: Any) -> None:
        construction = schedule.construction
        kind = construction.kind
        if kind not in HF_SIGNATURES:
            raise _NotModelled(f"transformers' {kind} is not modelled", construction.at)
        args = _bind(HF_SIGNATURES[kind], construction.call)
        self._base(schedule, values, args.get("optimizer"), frame)
        extra: dict[str, Any] = {}
        if kind == "get_scheduler":
            name = values.evaluate(args["name"], frame) if "name" in args else None
            name = getattr(name, "value", name)
            if not isinstance(name, str) or name not in HF_NAMES:
                raise _NotModelled(f"get_scheduler({name!r}) is not modelled",
                                   Span.of(args.get("name", construction.call)))
            specific = args.get("scheduler_specific_kwargs")
            if specific is not None:
                given = values.evaluate(specific, frame)
                if not isinstance(given, dict):
                    raise _NotModelled("scheduler_specific_kwargs is not a dict literal",
                                       Span.of(specific))
                extra = {key: item.get() if hasattr(item, "get") else item
                         for key, item in given.items()}
            kind = HF_NAMES[name]
        number = self._hf_numbers(args, values, frame)
        schedule.factor = hf_factor(kind, number, extra, schedule.base_lrs[0])
        if "num_warmup_steps" in args:
            warmup = number("num_warmup_steps", None)
            schedule.warmup = int(warmup) if isinstance(warmup, int | float) else None
        schedule.label = f"transformers {kind}"
        if schedule.horizon is None and "num_training_steps" in args:
            schedule.horizon = int(number("num_training_steps", None))

    def _hf_numbers(self, args: dict[str, ast.expr], values: ScriptValues,
                    frame: Any) -> Callable[[str, Any], Any]:
        def number(name: str, default: Any) -> Any:
            node = args.get(name)
            if node is None:
                if default is None:
                    raise _NotModelled(f"{name} is not given", Span(1, 1, 1, 1))
                return default
            value = values.evaluate(node, frame)
            if value is None and default is not None:
                return default
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise Unresolved(Open(f"{name} is not a number", Span.of(node)))
            return value

        return number

MAX_OPEN_REASONS = 3


def _alternatives(found: list[tuple[World, ScriptSchedule]]) -> list[ScriptSchedule]:
    """The schedules one construction gives: every alternative that resolves (or is refused),
    each named by its conditions; when none does, one schedule with the distinct reasons that
    keep them open (a dozen unresolved alternatives would say the same thing a dozen times)."""
    settled = [(world, item) for world, item in found if item.open == []]
    if not settled:
        first = found[0][1]
        reasons: list[Open] = []
        for _world, item in found:
            reasons += [o for o in item.open if o not in reasons]
        first.open = reasons[:MAX_OPEN_REASONS]
        if len(found) > 1:
            first.notes.append(f"{len(found)} alternatives (branches on values warmup_cli "
                               "does not decide) all stay open")
        return [first]
    left_open = len(found) - len(settled)
    out = []
    for world, item in settled:
        if len(found) > 1 or world.assume:
            item.world = world.name
            item.name += f" [{world.name}]"
        if left_open:
            item.notes.append(f"{left_open} other alternative(s) stay open")
        out.append(item)
    return out


def _is_super(node: ast.expr) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "super") or isinstance(node, ast.Name)


def _line(frame: Any, line: int) -> Any:
    from warmup_cli.scripts.values import Frame

    return Frame(frame.function, frame.body, frame.parent, line, frame.params, frame.instance)


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    return isinstance(value, int | float | str | bool) or value is None


def read_script(source: str, path: str, overrides: Mapping[str, Any] | None = None
                ) -> list[ScriptSchedule]:
    """Every schedule the script ``source`` declares (see :class:`ScriptReader`)."""
    return ScriptReader(source, path, overrides).schedules()


__all__ = ["ScriptReader", "ScriptSchedule", "World", "read_script"]


def _loop_text(node: ast.expr) -> str:
    """A loop's count as the note names it: a range's stop when it starts at 0 with step 1
    (``epochs``), else the whole iterable (``range(1, epochs + 1)``, ``loader``)."""
    if isinstance(node, ast.Call) and len(node.args) == 1:
        return ast.unparse(node.args[0])
    return ast.unparse(node)


def _run_length(ranges: Sequence[ast.Call], values: ScriptValues, scope: tuple[str, ...],
                line: int) -> int | None:
    """The product of ``len(range(...))`` over ``ranges`` (nested loops multiply), None when
    an argument is not an integer the value layer knows."""
    total = 1
    for call in ranges:
        args: list[int] = []
        for arg in call.args:
            try:
                value = values.evaluate(arg, values.frame(scope, line))
            except (Unresolved, Branch):
                return None
            if not isinstance(value, int) or isinstance(value, bool):
                return None
            args.append(value)
        if len(args) == 3 and args[2] == 0:
            return None  # range() raises on a zero step: no run to count
        total *= len(range(*args))
    return total
