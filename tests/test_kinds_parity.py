"""Each spec kind against the real implementation it follows (pytorch_warmup, torch)."""

from __future__ import annotations

import warnings

import pytest
import pytorch_warmup
import torch

from warmup_cli.spec import parse_spec


def _adam(beta2: float = 0.999, lr: float = 1.0) -> torch.optim.Optimizer:
    return torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=lr, betas=(0.9, beta2))


def _sgd(lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _dampened_lrs(warmup_cls: type, count: int, lr: float, **kwargs: object) -> list[float]:
    """The LR each update uses with pytorch_warmup's documented loop over a constant schedule."""
    optimizer = _adam(lr=lr, beta2=float(kwargs.pop("beta2", 0.999)))  # type: ignore[arg-type]
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    warmup = warmup_cls(optimizer, **kwargs)
    lrs = []
    for _ in range(count):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        with warmup.dampening():
            scheduler.step()
    return lrs


@pytest.mark.parametrize(
    ("spec", "warmup_cls", "kwargs"),
    [
        ("linear:7", pytorch_warmup.LinearWarmup, {"warmup_period": 7}),
        ("linear:100", pytorch_warmup.LinearWarmup, {"warmup_period": 100}),
        ("exp:5", pytorch_warmup.ExponentialWarmup, {"warmup_period": 5}),
        ("exp:250", pytorch_warmup.ExponentialWarmup, {"warmup_period": 250}),
        ("untuned-linear", pytorch_warmup.UntunedLinearWarmup, {}),
        ("untuned-linear:beta2=0.98", pytorch_warmup.UntunedLinearWarmup, {"beta2": 0.98}),
        ("untuned-exp", pytorch_warmup.UntunedExponentialWarmup, {}),
        ("radam", pytorch_warmup.RAdamWarmup, {}),
        ("radam:beta2=0.95", pytorch_warmup.RAdamWarmup, {"beta2": 0.95}),
    ],
)
def test_warmups_match_pytorch_warmup(spec: str, warmup_cls: type, kwargs: dict) -> None:
    base = 0.003
    schedule = parse_spec(spec).schedule
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _dampened_lrs(warmup_cls, 2500, base, **dict(kwargs))
    ours = [base * schedule(t) for t in range(2500)]
    # pytorch_warmup multiplies the already-scheduled LR by ω: (base * 1.0) * ω == base * ω.
    assert ours == expected


# A kind's LR is LambdaLR's base * f(t). torch's StepLR, MultiStepLR and ExponentialLR step
# chainably (each step multiplies the previous LR), which rounds differently from their own
# closed form base_lr * gamma ** n in the last bit; the kinds are that closed form, bit for bit.
CLOSED_FORMS = [
    ("step:3,gamma=0.5", lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5)),
    ("step:3,gamma=0.1", lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.1)),
    ("multistep:[4,9,15],gamma=0.3",
     lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [4, 9, 15], gamma=0.3)),
    ("exponential:0.93", lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.93)),
]


@pytest.mark.parametrize(("spec", "make"), CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS])
@pytest.mark.parametrize("base", [0.1, 1.0, 3e-4])
def test_decays_are_torch_closed_forms(spec: str, make: object, base: float) -> None:
    """torch's own _get_closed_form_lr (what scheduler.step(epoch) uses) at every epoch."""
    scheduler = make(_sgd(base))  # type: ignore[operator]
    schedule = parse_spec(spec).schedule
    for t in range(200):
        scheduler.last_epoch = t
        assert [base * schedule(t)] == scheduler._get_closed_form_lr(), t


@pytest.mark.parametrize("base", [0.1, 1.0, 3e-4])
def test_cosine_restarts_without_floor_is_the_real_class(base: float) -> None:
    """CosineAnnealingWarmRestarts is not chainable (eta_min + (base - eta_min) * (1 + cos) / 2
    at every step): with eta_min 0 that is base * ((1 + cos) / 2), the kind's product, bit for
    bit. (With a floor, eta_min + (base - eta_min) * ... rounds differently from base * factor:
    the README says so, and no parity is claimed.)"""
    optimizer = _sgd(base)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, 4, T_mult=2)
    schedule = parse_spec("cosine-restarts:4,mult=2").schedule
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in range(200):
            assert base * schedule(t) == optimizer.param_groups[0]["lr"], t
            optimizer.step()
            scheduler.step()


def test_radam_warmup_factor_matches_library_function() -> None:
    from pytorch_warmup.radam import get_offset, rho_inf_fn

    schedule = parse_spec("radam:beta2=0.999").schedule
    warmup = pytorch_warmup.RAdamWarmup(_adam())
    params = warmup.warmup_params[0]
    assert params["offset"] == get_offset(0.999, rho_inf_fn(0.999))
    for t in range(0, 5000, 37):
        assert schedule(t) == warmup.warmup_factor(t, **params)
