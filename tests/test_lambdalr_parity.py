"""The series warmup_cli shows is, bit for bit, what a real LambdaLR applies."""

from __future__ import annotations

import warnings

import pytest
import torch

from warmup_cli.expr import compile_expression
from warmup_cli.resolve import resolve
from warmup_cli.schedule import Plan
from warmup_cli.series import View, lrs_at, rows
from warmup_cli.torch_adapter import lambdalr_at, lambdalr_lrs
from warmup_cli.verify import PendingVerification, sample_updates, verify

CORPUS = [
    ("linear:4,base=0.1", ()),
    ("linear:500 > cosine:9500,floor=0.1", (3e-4, 1e-5)),
    ("exp:100 * cosine:1000", (0.01,)),
    ("untuned-exp * inv-sqrt:500", (1e-3,)),
    ("radam * step:30,gamma=0.5", (0.1,)),
    ("constant-warmup:5,factor=0.1 > multistep:[30,60],gamma=0.1", (0.1,)),
    ("noam:4000,d_model=512", (1.0,)),
    ("linear:10 > wsd:100,50,shape=sqrt,floor=0.01", (0.003,)),
    ("linear:3 > cosine-restarts:7,mult=2,floor=0.1", (0.05,)),
    ("linear:20 > poly:200,power=2", (0.5, 0.25, 0.125)),
    ("lambda epoch: min((epoch + 1) / 4, 1)", (0.1,)),
    ("lambda epoch: epoch / 3", (0.1,)),
    ("lambda step: 512 ** -0.5 * min((step + 1) ** -0.5, (step + 1) * 4000 ** -1.5)", (1.0,)),
    ("lambda e: 0.95 ** e", (0.2,)),
    ("min(epoch // 4, 1)", (0.1,)),
    ("lambda t: 0.5 * (1 + math.cos(math.pi * t / 50)) if t < 50 else 0", (1e-3,)),
]


def _hand_written_lambdalr(fn, bases, count):  # type: ignore[no-untyped-def]
    """The loop a user writes: SGD over real parameters, optimizer.step() then scheduler.step()."""
    params = [torch.nn.Parameter(torch.randn(3)) for _ in bases]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, bases, strict=True)]
    optimizer = torch.optim.SGD(groups, lr=bases[0], momentum=0.9)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, fn)
    seen = []
    for _ in range(count):
        seen.append(tuple(g["lr"] for g in optimizer.param_groups))
        loss = sum((p**2).sum() for p in params)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    return seen


@pytest.mark.parametrize(("source", "bases"), CORPUS)
def test_series_equals_base_times_f_and_real_lambdalr(source: str, bases: tuple) -> None:
    plan = resolve(source, base_lrs=bases).plan
    count = 300
    ours = [row.lrs for row in rows(plan, View(count))]
    formula = [tuple(b * plan.schedule(k) for b in plan.base_lrs) for k in range(count)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing torch says may leak either
        adapter = lambdalr_lrs(plan, count)
    # The user's own loop gets a fresh compile of the text, not our plan object.
    fn = compile_expression(source) if "lambda" in source or "//" in source else plan.schedule
    hand = _hand_written_lambdalr(fn, plan.base_lrs, count)
    assert ours == formula == adapter == hand
    assert verify(plan, View(count)).checked == count


def test_seed_quiz_cases() -> None:
    plan = resolve("linear:4,base=0.1").plan
    lrs = [lrs[0] for lrs in lambdalr_lrs(plan, 6)]
    assert lrs[3] == 0.1
    assert lrs[:4] == [0.1 * min((e + 1) / 4, 1) for e in range(4)]
    assert lrs[0] > 0
    zero_plan = resolve("lambda epoch: epoch / 3", base_lrs=(0.1,)).plan
    assert lambdalr_lrs(zero_plan, 2)[0] == (0.0,)


def test_resumed_lambdalr_continues_the_uninterrupted_series() -> None:
    plan = resolve("linear:50 > cosine:150,floor=0.1", base_lrs=(0.02,)).plan
    uninterrupted = lambdalr_lrs(plan, 200)
    assert lambdalr_lrs(plan, 80, start=120) == uninterrupted[120:]
    assert lambdalr_at(plan, [0, 49, 50, 199]) == {k: uninterrupted[k] for k in (0, 49, 50, 199)}


def test_long_views_are_sampled_at_every_milestone() -> None:
    plan = resolve("linear:2000 > cosine:98000 > constant:1000,value=0.1",
                   base_lrs=(3e-4,)).plan
    samples = sample_updates(plan, 0, 999_999)
    for boundary in (1999, 2000, 100_000):
        assert {boundary - 1, boundary, boundary + 1} <= set(samples)
    assert samples[0] == 0 and samples[-1] == 999_999
    checked = PendingVerification(plan, View(1_000_000, unit="step")).result()
    assert checked.checked == len(samples) and checked.total == 1_000_000


def noam_rate(step: int) -> float:
    """The Annotated Transformer's rate() with factor 1, model_size 512, warmup 4000 and
    step = update + 1, written out as a user would."""
    return 1.0 * (512 ** (-0.5) * min((step + 1) ** (-0.5), (step + 1) * 4000 ** (-1.5)))


def test_factor_function_is_exact_for_every_sample() -> None:
    plan = Plan(resolve("noam:4000").plan.schedule, (1.0,), "noam")
    count = 10_000
    ours = [lrs_at(plan, k) for k in range(count)]
    real = _hand_written_lambdalr(noam_rate, (1.0,), count)
    assert [lrs for _, *lrs in ours] == [list(lrs) for lrs in real]
    assert [factor for factor, *_ in ours] == [noam_rate(k) for k in range(count)]
    peak = max(range(count), key=lambda k: ours[k][0])
    assert peak == 3999 and ours[peak][1] == 512 ** -0.5 * 4000 ** -0.5  # the paper's 6.988e-4


def test_a_disagreement_with_lambdalr_is_an_error_never_silent() -> None:
    from warmup_cli.verify import EXIT_INTERNAL, MismatchError, compare

    plan = resolve("linear:4", base_lrs=(0.1,)).plan
    honest = [(k, lrs_at(plan, k)[1:]) for k in range(4)]
    assert compare(plan, honest) == 4
    tampered = [*honest[:2], (2, (0.075,)), honest[3]]  # torch would store 0.07500000000000001
    with pytest.raises(MismatchError) as caught:
        compare(plan, tampered)
    assert caught.value.exit_code == EXIT_INTERNAL and "update 2" in caught.value.message
