"""What every script check reads: the module, its builds, its flow and the value layer, and
the questions several checks ask of them (which optimizer steps pair with a scheduler,
how many times a loop runs, what unit a horizon counts)."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from warmup_cli.scripts.constructions import ScriptBuilds, argument
from warmup_cli.scripts.flow import Event, EventKind, Flow, Handle, visible
from warmup_cli.scripts.loops import Loop, words
from warmup_cli.scripts.model import Construction, Family, Values
from warmup_cli.vocab import Unit

# Kinds whose step() takes a value by design: the metric, or CosineAnnealingWarmRestarts'
# fractional epoch (torch/optim/lr_scheduler.py documents both).
STEP_TAKES_ARGUMENT = frozenset({"ReduceLROnPlateau", "CosineAnnealingWarmRestarts"})
# Identifiers that count optimizer steps beyond doubt (a bare "step" does not: StepLR's
# step_size=args.lr_step counts epochs).
_STEP_WORDS = ("training_steps", "total_steps", "max_steps", "train_steps", "num_steps",
               "max_iter", "total_iter", "num_iter", "stepping_batches", "_per_epoch",
               "total_updates", "max_updates", "num_updates", "train_iters")
_LOADER_WORDS = ("loader", "batches", "dataset", "data")


@dataclass(frozen=True)
class ScriptContext:
    module: ast.Module
    builds: ScriptBuilds
    flow: Flow
    values: Values

    def number(self, node: ast.expr | None, scope: tuple[str, ...]) -> float | None:
        return None if node is None else self.values.number(node, scope)

    def is_plateau(self, construction: Construction) -> bool:
        if construction.kind in {"ReduceLROnPlateau", "get_reduce_on_plateau_schedule"}:
            return True
        if construction.family is Family.TRANSFORMERS and construction.kind == "get_scheduler":
            name = argument(construction.call, 0, "name")
            return isinstance(name, ast.Constant) and name.value == "reduce_lr_on_plateau"
        return False

    def scheduler_paths(self) -> set[str]:
        return {path for handle in self.flow.handles for path in handle.paths}

    def optimizer_steps(self, handle: Handle, frame: tuple[str, ...]) -> list[Event]:
        """The steps of the handle's optimizer in ``frame``: ``optimizer.step()`` and
        ``scaler.step(optimizer)`` (AMP)."""
        found: list[Event] = []
        for event in self.flow.frames[frame].events:
            own = event.receiver in handle.optimizers and visible(
                handle.frame, event.receiver, event.scope)
            if event.kind is EventKind.STEP and (own or self.scaler_step_of(event, handle)):
                found.append(event)
        return found

    def scaler_step_of(self, event: Event, handle: Handle) -> bool:
        """``scaler.step(optimizer)``: an AMP GradScaler stepping the handle's optimizer."""
        if event.argument is None or event.receiver in self.scheduler_paths():
            return False
        return ("scaler" in event.receiver.lower().rpartition(".")[2]
                and event.argument in handle.optimizers)

    def trip_count(self, loop: Loop, scope: tuple[str, ...]) -> float | None:
        """How many times a loop runs, when the value layer knows: ``range(...)`` or
        ``len(iterable)``; None for a while loop or an open value."""
        iterable = loop.iterable
        if iterable is None:
            return None
        if (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name)
                and iterable.func.id == "range" and not iterable.keywords
                and 1 <= len(iterable.args) <= 3):
            bounds = [self.number(arg, scope) for arg in iterable.args]
            if any(bound is None or bound != int(bound) for bound in bounds):
                return None
            return float(len(range(*(int(bound) for bound in bounds if bound is not None))))
        length = ast.Call(func=ast.Name("len", ast.Load()), args=[iterable], keywords=[])
        ast.copy_location(length, iterable)
        ast.fix_missing_locations(length)
        return self.number(length, scope)

    def times_stepped(self, event: Event) -> float | None:
        """How many times the event runs in the whole run: the product of its loops'
        counts, None when one is open or a guard inside a loop makes it conditional."""
        if any(guard.depth > 0 for guard in event.guards):
            return None
        total = 1.0
        for loop in event.loops:
            count = self.trip_count(loop, event.frame)
            if count is None:
                return None
            total *= count
        return total


def _is_step_word(word: str) -> bool:
    return any(part in word for part in _STEP_WORDS) or word.endswith("_steps") \
        or word.endswith("_iters")


def unit_of(node: ast.expr) -> Unit | None:
    """The unit an expression's names say it counts: STEP for ``len(loader)``,
    ``steps_per_epoch``, ``num_training_steps``...; EPOCH for ``args.epochs``; None else."""
    said = words(node)
    for item in ast.walk(node):
        if (isinstance(item, ast.Call) and isinstance(item.func, ast.Name)
                and item.func.id == "len" and item.args
                and any(part in word for word in words(item.args[0])
                        for part in _LOADER_WORDS)):
            return Unit.STEP
    if any(_is_step_word(word) for word in said):
        return Unit.STEP
    if any("epoch" in word for word in said):
        return Unit.EPOCH
    return None


# The horizon argument of each kind: (position, keyword); LinearLR's is its fourth.
_HORIZONS: dict[str, tuple[int, str]] = {
    "StepLR": (1, "step_size"), "MultiStepLR": (1, "milestones"),
    "CosineAnnealingLR": (1, "T_max"), "CosineAnnealingWarmRestarts": (1, "T_0"),
    "LinearLR": (3, "total_iters"), "ConstantLR": (2, "total_iters"),
    "PolynomialLR": (1, "total_iters"), "OneCycleLR": (2, "total_steps"),
    "get_scheduler": (3, "num_training_steps"),
    "get_linear_schedule_with_warmup": (2, "num_training_steps"),
    "get_cosine_schedule_with_warmup": (2, "num_training_steps"),
    "get_cosine_with_hard_restarts_schedule_with_warmup": (2, "num_training_steps"),
    "get_polynomial_decay_schedule_with_warmup": (2, "num_training_steps"),
    "get_cosine_with_min_lr_schedule_with_warmup": (2, "num_training_steps"),
    "get_constant_schedule_with_warmup": (1, "num_warmup_steps"),
    "get_inverse_sqrt_schedule": (1, "num_warmup_steps"),
}


def horizon(construction: Construction) -> ast.expr | None:
    """The argument that sets how long the schedule runs, as written at the construction."""
    if construction.family is Family.SUBCLASS:
        return None
    where = _HORIZONS.get(construction.kind)
    return argument(construction.call, *where) if where is not None else None


def horizon_unit(construction: Construction) -> Unit | None:
    """What one step of the scheduler is meant to be, from its horizon's names; OneCycleLR
    built from ``steps_per_epoch`` and CyclicLR are per-batch by definition (their torch
    docs: "step should be called after a batch has been used for training")."""
    call = construction.call
    if construction.family is Family.TORCH and construction.kind == "CyclicLR":
        return Unit.STEP
    if (construction.kind == "OneCycleLR"
            and argument(call, 4, "steps_per_epoch") is not None):
        return Unit.STEP
    written = horizon(construction)
    return unit_of(written) if written is not None else None
