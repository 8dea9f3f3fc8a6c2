"""The torch surface of ``show`` (torch_adapter.py): the real LambdaLR, stepped over an
optimizer of param groups only, gives what it gives over a real SGD, bit for bit; ``show``
never builds a real optimizer (whose first ``__init__`` imports torch._dynamo); and the
check really is torch's code (a LambdaLR that computes otherwise is caught)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from functools import partial

import pytest
import torch

from warmup_cli.pipeline import RunLength, ShowRequest, show
from warmup_cli.resolve import resolve
from warmup_cli.schedule import Plan
from warmup_cli.series import checked_factor
from warmup_cli.torch_adapter import lambdalr_at, lambdalr_lrs
from warmup_cli.verify import MismatchError

SCHEDULES = ["linear:4", "linear:3 > cosine:30,floor=0.1", "noam:400", "exp:10 * cosine:50",
             "lambda e: min(1.0, (e + 1) / 7) * 0.999 ** e"]


def sgd_lambdalr(plan: Plan, count: int, start: int = 0) -> list[tuple[float, ...]]:
    """The LRs a user's real SGD + LambdaLR sets, stepped as training steps it."""
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in plan.base_lrs]
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr}
                                 for p, lr in zip(params, plan.base_lrs, strict=True)], lr=0.0)
    if start > 0:
        for group, lr in zip(optimizer.param_groups, plan.base_lrs, strict=True):
            group["initial_lr"] = lr
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, partial(checked_factor, plan.schedule), last_epoch=start - 1)
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index in range(count):
            found.append(tuple(group["lr"] for group in optimizer.param_groups))
            if index + 1 < count:
                optimizer.step()
                scheduler.step()
    return found


@pytest.mark.parametrize("text", SCHEDULES)
@pytest.mark.parametrize("base_lrs", [(1.0,), (0.1, 3e-4), (-0.02,)])
def test_param_groups_only_steps_like_sgd(text: str, base_lrs: tuple[float, ...]) -> None:
    plan = Plan(resolve(text).plan.schedule, base_lrs, text)
    assert lambdalr_lrs(plan, 300) == sgd_lambdalr(plan, 300)
    assert lambdalr_lrs(plan, 50, start=17) == sgd_lambdalr(plan, 50, start=17)
    expected = sgd_lambdalr(plan, 300)
    assert lambdalr_at(plan, [0, 1, 99, 299]) == {s: expected[s] for s in (0, 1, 99, 299)}


def test_show_builds_no_real_optimizer() -> None:
    code = (
        "import sys\n"
        "from warmup_cli.pipeline import RunLength, ShowRequest, show\n"
        "shown = show(ShowRequest('linear:4,base=0.1', RunLength(epochs=10)))\n"
        "print(shown.verified().checked, 'torch' in sys.modules,"
        " 'torch._dynamo' in sys.modules, 'sympy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["10", "True", "False", "False"]


def test_the_check_is_torch_s_own_lambdalr(monkeypatch: pytest.MonkeyPatch) -> None:
    real = torch.optim.lr_scheduler.LambdaLR.get_lr

    def one_ulp_more(self: torch.optim.lr_scheduler.LambdaLR) -> list[float]:
        return [lr if self.last_epoch != 3 else lr * (1 + 2**-52) for lr in real(self)]

    assert show(ShowRequest("linear:8", RunLength(epochs=10))).verified().checked == 10
    monkeypatch.setattr(torch.optim.lr_scheduler.LambdaLR, "get_lr", one_ulp_more)
    with pytest.raises(MismatchError, match="at update 3"):
        show(ShowRequest("linear:8", RunLength(epochs=10))).verified()
