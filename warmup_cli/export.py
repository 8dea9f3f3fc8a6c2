"""``warmup export``: a schedule as a self-contained PyTorch snippet, or as JSON.

The snippet's code is regenerated from the checked trees the factor functions were compiled
from (``ast.unparse`` of a kind's formula or a lambda's body), so running it reproduces the
shown series bit for bit; a test executes it in a subprocess and compares every value. User
text never reaches the snippet as text: the source is a ``repr`` string constant, and the
regenerated code holds no comment of the user's (a comment could close the docstring or
carry a statement onto a new line).
"""

from __future__ import annotations

import ast
import json
import math
from typing import TYPE_CHECKING, Any

from warmup_cli.errors import WarmupError
from warmup_cli.expr import CompiledExpression
from warmup_cli.render.safe_text import escape_controls
from warmup_cli.schedule import FunctionSchedule, Join, Phase, Plan, Product, Schedule
from warmup_cli.vocab import ExportFormat, RunFacts

if TYPE_CHECKING:
    from warmup_cli.pipeline import RunLength
    from warmup_cli.resolve import Selection

_MATH_NAMES = {name for name in dir(math) if not name.startswith("_")}


class _Emitter:
    def __init__(self) -> None:
        self.functions: list[str] = []
        self.math_names: set[str] = set()

    def emit(self, schedule: Schedule, name: str) -> None:
        if isinstance(schedule, Phase):
            fn = schedule.fn
            formula = self._expression(fn) if isinstance(fn, CompiledExpression) else \
                schedule.formula
            spec = escape_controls(schedule.to_spec())  # a comment ends at a line break only
            self.functions.append(f"def {name}(t):\n    # {spec}\n    return {formula}\n")
        elif isinstance(schedule, Join):
            parts = [f"{name}_{i}" for i in range(len(schedule.pieces))]
            for piece, part in zip(schedule.pieces, parts, strict=True):
                self.emit(piece, part)
            lines = [f"def {name}(t):"]
            for start, end, part in zip(schedule.starts, schedule.starts[1:], parts, strict=False):
                shifted = f"t - {start}" if start else "t"
                lines.append(f"    if t < {end}:\n        return {part}({shifted})")
            lines.append(f"    return {parts[-1]}(t - {schedule.starts[-1]})")
            self.functions.append("\n".join(lines) + "\n")
        elif isinstance(schedule, Product):
            parts = [f"{name}_{i}" for i in range(len(schedule.pieces))]
            for piece, part in zip(schedule.pieces, parts, strict=True):
                self.emit(piece, part)
            product = " * ".join(f"{part}(t)" for part in parts)
            self.functions.append(f"def {name}(t):\n    return {product}\n")
        elif isinstance(schedule, FunctionSchedule) and isinstance(schedule.fn,
                                                                   CompiledExpression):
            self.functions.append(self._lambda(schedule.fn, name))
        else:
            raise WarmupError(
                f"cannot export {schedule.to_spec()!r} as Python: only specs and lambdas are "
                "generated as code",
                hint="use --to json for a description of this schedule",
            )

    def _lambda(self, compiled: CompiledExpression, name: str) -> str:
        param = compiled.param or "t"
        return f"def {name}({param}):\n    return {self._expression(compiled)}\n"

    def _expression(self, compiled: CompiledExpression) -> str:
        """The checked body as code: ``ast.unparse`` writes the same operations on the same
        constants (floats with ``repr``), without the comments and layout of the source."""
        for node in ast.walk(compiled.tree):
            if isinstance(node, ast.Name) and node.id != compiled.param \
                    and node.id in _MATH_NAMES:
                self.math_names.add(node.id)
        return ast.unparse(compiled.tree)


def to_python(plan: Plan) -> str:
    emitter = _Emitter()
    emitter.emit(plan.schedule, "lr_lambda")
    imports = ["import math"]
    if emitter.math_names:
        imports.append(f"from math import {', '.join(sorted(emitter.math_names))}")
    bases = ", ".join(repr(b) for b in plan.base_lrs)
    header = ('"""LR schedule exported by warmup_cli from SOURCE (below).\n\n'
              "LambdaLR gives update k the LR base_lr * lr_lambda(k); lr_lambda(0) is the first\n"
              "update. Run this file to print the LR of the first N updates: python FILE N\n"
              '"""\n\n')
    # repr: a Python literal for any text (quotes, line breaks, controls all escaped)
    source = f"# The schedule text this file was exported from.\nSOURCE = {plan.source!r}\n"
    functions = "\n\n".join(emitter.functions)
    body = (
        f"{header}{chr(10).join(imports)}\n\nimport torch\n\n{source}\n\n{functions}\n\n"
        f"base_lrs = [{bases}]\n"
        "# Replace the dummy parameters with your model's parameter groups.\n"
        "params = [torch.nn.Parameter(torch.zeros(1)) for _ in base_lrs]\n"
        "optimizer = torch.optim.SGD(\n"
        '    [{"params": [p], "lr": lr} for p, lr in zip(params, base_lrs)], lr=base_lrs[0]\n'
        ")\n"
        "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)\n\n"
        'if __name__ == "__main__":\n'
        "    import sys\n\n"
        "    updates = int(sys.argv[1]) if len(sys.argv) > 1 else 10\n"
        "    for update in range(updates):\n"
        '        print(update, *(repr(group["lr"]) for group in optimizer.param_groups))\n'
        "        optimizer.step()  # training code goes here\n"
        "        scheduler.step()\n"
    )
    return body


def to_json(plan: Plan) -> dict[str, Any]:
    schedule = plan.schedule
    return {
        "spec": schedule.to_spec(),
        "source": plan.source,
        "base_lrs": list(plan.base_lrs),
        "unit": plan.unit,
        "warmup": schedule.warmup_length,
        "length": schedule.length,
        "milestones": [{"step": m.step, "what": m.what} for m in schedule.milestones()],
        "schedule": schedule.describe(),
    }


def export(argument: str, to: ExportFormat, run: RunLength, base_lrs: tuple[float, ...],
           selection: Selection, updates_per_epoch: int | None = None) -> str:
    """``warmup export``: the plan ``argument`` resolves to, as Python or JSON text."""
    from warmup_cli.resolve import resolve

    plan = resolve(argument, RunFacts(run.count, updates_per_epoch), base_lrs=base_lrs,
                   unit=run.unit, selection=selection).plan
    if to is ExportFormat.PYTHON:
        from warmup_cli.plateau.model import refuse_plateau

        refuse_plateau(plan.schedule, argument)
        return to_python(plan)
    return json.dumps(to_json(plan), indent=2, allow_nan=False) + "\n"
