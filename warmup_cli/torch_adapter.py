"""The only module that touches torch: the real LambdaLR, over an optimizer of param groups.

``lambdalr_lrs`` steps ``torch.optim.lr_scheduler.LambdaLR`` in PyTorch's documented order
(``optimizer.step()`` then ``scheduler.step()``) and records the LR each update uses. torch is
imported inside the functions so that start-up and ``lint`` never pay for it, and no real
optimizer is built (:func:`_param_groups_only`): what ``show`` costs is ``import torch`` and
LambdaLR's own steps.
"""

from __future__ import annotations

import collections
import warnings
from collections.abc import Iterable
from functools import partial
from typing import Any

from warmup_cli.schedule import Plan
from warmup_cli.series import checked_factor


def _lambdalr(plan: Plan, start: int) -> tuple[Any, Any]:
    import torch

    # Every group names its own lr (the schedule's base LRs; a negative one, as DeepSpeed's
    # warmup_max_lr can be, is kept: LambdaLR only multiplies, as it does in the framework).
    optimizer = _param_groups_only(plan.base_lrs)
    if start > 0:
        # Resuming: LambdaLR(last_epoch=k) needs initial_lr in every group, as a restored
        # checkpoint provides; its constructor then applies f(start).
        for group, lr in zip(optimizer.param_groups, plan.base_lrs, strict=True):
            group["initial_lr"] = lr
    # checked_factor returns the schedule's value unchanged; it only names the failing step.
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lr_lambda=partial(checked_factor, plan.schedule), last_epoch=start - 1
    )
    return optimizer, scheduler


def lambdalr_lrs(plan: Plan, count: int, start: int = 0) -> list[tuple[float, ...]]:
    """The LRs of updates ``start .. start + count - 1`` as a real LambdaLR sets them."""
    found: list[tuple[float, ...]] = []
    with warnings.catch_warnings():
        # Nothing torch says about our dummy optimizer is the user's business.
        warnings.simplefilter("ignore")
        optimizer, scheduler = _lambdalr(plan, start)
        for index in range(count):
            found.append(tuple(group["lr"] for group in optimizer.param_groups))
            if index + 1 < count:
                optimizer.step()
                scheduler.step()
    return found


def _param_groups_only(base_lrs: tuple[float, ...]) -> Any:
    """An ``Optimizer`` that holds only param groups, the one every check steps LambdaLR with.

    LambdaLR reads and writes nothing but ``param_groups`` (and wraps ``step``, which the
    checks call before each ``scheduler.step()`` as training does), so its arithmetic is the
    same as with SGD: ``tests/test_perf_torch_surface.py`` steps both side by side. What
    differs is the cost: the first real ``Optimizer.__init__`` in a process imports
    ``torch._dynamo`` and sympy (about 2.7 s and 70 MB here), more than ``import torch``.
    """
    import torch

    class ParamGroupsOnly(torch.optim.Optimizer):
        def __init__(self) -> None:  # Optimizer.__init__ is skipped on purpose (see above)
            self.defaults: dict[str, Any] = {}
            self.state = collections.defaultdict(dict)
            self.param_groups = [{"params": [], "lr": lr} for lr in base_lrs]

        def step(self, closure: None = None) -> None:  # type: ignore[override]
            # LambdaLR wraps step() to count calls; nothing is optimized here.
            return None

    return ParamGroupsOnly()


def lambdalr_at(plan: Plan, steps: Iterable[int]) -> dict[int, tuple[float, ...]]:
    """The LR of each of ``steps`` from a real LambdaLR positioned just before that step.

    One LambdaLR is reused: setting ``last_epoch = k - 1`` and calling ``step()`` runs
    LambdaLR's own ``get_lr`` for update k, exactly as a scheduler restored at that point would.
    """
    import torch

    found: dict[int, tuple[float, ...]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = _param_groups_only(plan.base_lrs)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lr_lambda=partial(checked_factor, plan.schedule))
        for step in steps:
            optimizer.step()
            scheduler.last_epoch = step - 1
            scheduler.step()
            found[step] = tuple(group["lr"] for group in optimizer.param_groups)
    return found
