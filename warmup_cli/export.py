"""``warmup export``: a schedule as a self-contained PyTorch snippet, or as JSON.

The snippet is generated from the very formula texts the factor functions were compiled from
(``Phase.formula``, a lambda's checked source), so running it reproduces the shown series bit
for bit; a test executes it in a subprocess and compares every value.
"""

from __future__ import annotations

import ast
import json
import math
from typing import TYPE_CHECKING, Any

from warmup_cli.errors import WarmupError
from warmup_cli.expr import CompiledExpression
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
            self.functions.append(f"def {name}(t):\n    # {schedule.to_spec()}\n"
                                  f"    return {schedule.formula}\n")
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
        for node in ast.walk(compiled.tree):
            if isinstance(node, ast.Name) and node.id != compiled.param \
                    and node.id in _MATH_NAMES:
                self.math_names.add(node.id)
        param = compiled.param or "t"
        body = compiled.source[compiled.body_column:] if compiled.body_column else \
            compiled.source
        return f"def {name}({param}):\n    return {body}\n"


def to_python(plan: Plan) -> str:
    emitter = _Emitter()
    emitter.emit(plan.schedule, "lr_lambda")
    imports = ["import math"]
    if emitter.math_names:
        imports.append(f"from math import {', '.join(sorted(emitter.math_names))}")
    bases = ", ".join(repr(b) for b in plan.base_lrs)
    header = (f'"""LR schedule exported by warmup_cli: {plan.source}\n\n'
              f"LambdaLR gives update k the LR base_lr * lr_lambda(k); lr_lambda(0) is the first\n"
              f"update. Run this file to print the LR of the first N updates: python FILE N\n"
              f'"""\n\n')
    functions = "\n\n".join(emitter.functions)
    body = (
        f"{header}{chr(10).join(imports)}\n\nimport torch\n\n\n{functions}\n\n"
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
        return to_python(plan)
    return json.dumps(to_json(plan), indent=2, allow_nan=False) + "\n"
