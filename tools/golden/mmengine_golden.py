"""Golden LR series for warmup_cli's MMEngine reader, produced by MMEngine's own schedulers.

Sources (run, not re-typed):
  * mmengine 0.10.7 from PyPI (mmengine-0.10.7-py3-none-any.whl, open-mmlab/mmengine v0.10.7):
    mmengine/optim/scheduler/param_scheduler.py, lr_scheduler.py, momentum_scheduler.py;
  * mmdet 3.3.0 from PyPI (mmdet-3.3.0-py3-none-any.whl, open-mmlab/mmdetection v3.3.0):
    mmdet/engine/schedulers/quadratic_warmup.py (QuadraticWarmupLR).
  Only these modules are loaded, with stand-ins for mmengine.logging.print_log, the registries
  (a ``register_module()`` that returns the class) and mmengine.optim.BaseOptimWrapper; the
  scheduler classes run on a real torch SGD.

Transcribed (the runner is not loaded): the runner's stepping, from
mmengine/runner/runner.py (``_build_param_scheduler``: schedulers built in list order, a missing
``end`` defaults to max_epochs/max_iters, ``convert_to_iter_based`` goes through
``build_iter_from_epoch`` with ``epoch_length``) and mmengine/hooks/param_scheduler_hook.py
(``after_train_iter`` steps the ``by_epoch=False`` schedulers after every iteration, then
``after_train_epoch`` the ``by_epoch=True`` ones after every epoch). The LR of each iteration
(or epoch) is read from the optimizer before it runs.

Usage: python tools/golden/mmengine_golden.py [--src DIR]   (DIR: the two wheels' contents
unpacked; without it they are fetched with ``pip download --no-deps``).
Writes tests/golden/mmengine_schedules.json.
"""

from __future__ import annotations

import importlib
import warnings
import zipfile
from pathlib import Path
from typing import Any

from _common import GOLDEN, load_module, pip_download, sources, stub_module, write_cases

OUT = GOLDEN / "mmengine_schedules.json"
PACKAGES = ("mmengine==0.10.7", "mmdet==3.3.0")
INF = int(1e9)


def fetch(dest: Path) -> Path:
    pip_download(dest, *PACKAGES, wheels_only=True)
    src = dest / "src"
    for wheel in dest.glob("*.whl"):
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.startswith(("mmengine/optim/scheduler/",
                                    "mmdet/engine/schedulers/quadratic_warmup.py")):
                    zf.extract(name, src)
    return src


def load_real(src: Path) -> dict[str, Any]:
    class Registry:
        def register_module(self, *args: Any, **kwargs: Any) -> Any:
            return lambda cls: cls

    class BaseOptimWrapper:  # only isinstance() checks are made against it
        pass

    registry = Registry()
    stub_module("mmengine", __path__=[])
    stub_module("mmengine.logging", print_log=lambda *a, **k: None)
    stub_module("mmengine.registry", PARAM_SCHEDULERS=registry)
    stub_module("mmengine.optim", BaseOptimWrapper=BaseOptimWrapper, __path__=[])
    folder = next(src.glob("**/mmengine/optim/scheduler"))
    stub_module("mmengine.optim.scheduler", __path__=[str(folder)])
    param = importlib.import_module("mmengine.optim.scheduler.param_scheduler")
    lr = importlib.import_module("mmengine.optim.scheduler.lr_scheduler")
    importlib.import_module("mmengine.optim.scheduler.momentum_scheduler")
    stub_module("mmdet", __path__=[])
    stub_module("mmdet.registry", PARAM_SCHEDULERS=registry)
    quadratic_path = next(src.glob("**/mmdet/engine/schedulers/quadratic_warmup.py"))
    quadratic = load_module("mmdet_quadratic_warmup", quadratic_path)
    classes = {name: getattr(lr, name) for name in
               ("LinearLR", "ConstantLR", "CosineAnnealingLR", "MultiStepLR", "StepLR",
                "ExponentialLR", "PolyLR", "CosineRestartLR")}
    classes["QuadraticWarmupLR"] = quadratic.QuadraticWarmupLR
    assert param.INF == INF
    return classes


def run(classes: dict[str, Any], schedulers: list[dict[str, Any]], lr: float,
        max_epochs: int | None, max_iters: int | None, ipe: int | None,
        steps: int) -> list[float]:
    """The runner: build in order (mmengine/runner/runner.py), step as ParamSchedulerHook."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        param = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([param], lr=lr)
        built = []
        for cfg in schedulers:
            cfg = dict(cfg)
            kind = cfg.pop("type").split(".")[-1]
            by_epoch = cfg.get("by_epoch", True)
            default_end = max_epochs if by_epoch else max_iters
            if default_end is not None:
                cfg.setdefault("end", default_end)
            cls = classes[kind]
            if cfg.pop("convert_to_iter_based", False):
                built.append(cls.build_iter_from_epoch(opt, epoch_length=ipe, **cfg))
            else:
                built.append(cls(opt, **cfg))
        lrs = []
        for index in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if ipe is None:  # an epoch timeline: every scheduler is epoch based
                for sched in built:
                    sched.step()
                continue
            for sched in built:  # after_train_iter
                if not sched.by_epoch:
                    sched.step()
            if (index + 1) % ipe == 0:  # after_train_epoch
                for sched in built:
                    if sched.by_epoch:
                        sched.step()
        return lrs


def python_config(schedulers: list[dict[str, Any]], lr: float, train: dict[str, Any]) -> str:
    def call(d: dict[str, Any]) -> str:
        return "dict(" + ", ".join(f"{k}={v!r}" for k, v in d.items()) + ")"

    body = ",\n    ".join(call(s) for s in schedulers)
    return (f"optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr={lr!r}))\n"
            f"train_cfg = {call(train)}\n"
            f"param_scheduler = [\n    {body},\n]\n")


ITER_LOOP = 10**9  # "iters per epoch" of an IterBasedTrainLoop run: no epoch ever ends

# name, family, schedulers, lr, train_cfg, iters per epoch (None: an epoch timeline), steps
CASES: list[tuple[str, str, list[dict[str, Any]], float, dict[str, Any], int | None, int]] = [
    ("schedule_1x_like", "LinearLR+MultiStepLR",
     [dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=50),
      dict(type="MultiStepLR", begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)],
     0.02, dict(type="EpochBasedTrainLoop", max_epochs=12), 20, 240),
    ("selfsup_like_converted_warmup", "LinearLR+CosineAnnealingLR",
     [dict(type="LinearLR", start_factor=1e-4, by_epoch=True, begin=0, end=4,
           convert_to_iter_based=True),
      dict(type="CosineAnnealingLR", T_max=26, by_epoch=True, begin=4, end=30)],
     6e-4, dict(type="EpochBasedTrainLoop", max_epochs=30), 10, 300),
    ("yolox_like_quadratic_gap_tmax", "QuadraticWarmupLR+CosineAnnealingLR+ConstantLR",
     [dict(type="mmdet.QuadraticWarmupLR", by_epoch=True, begin=0, end=3,
           convert_to_iter_based=True),
      dict(type="CosineAnnealingLR", eta_min=0.0005, begin=5, T_max=35, end=35, by_epoch=True,
           convert_to_iter_based=True),
      dict(type="ConstantLR", by_epoch=True, factor=1, begin=35, end=40)],
     0.01, dict(max_epochs=40), 5, 200),
    ("epoch_only_linear_cosine_ratio", "LinearLR+CosineAnnealingLR (epochs)",
     [dict(type="LinearLR", start_factor=0.25, begin=0, end=5),
      dict(type="CosineAnnealingLR", eta_min_ratio=0.01, begin=5, end=50)],
     0.1, dict(type="EpochBasedTrainLoop", max_epochs=50), None, 50),
    ("iter_chain_overlap", "LinearLR+ExponentialLR+StepLR+PolyLR",
     [dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=100),
      dict(type="ExponentialLR", gamma=0.99, by_epoch=False, begin=0, end=300),
      dict(type="StepLR", step_size=50, gamma=0.5, by_epoch=False, begin=100, end=300),
      dict(type="PolyLR", eta_min=1e-5, power=2.0, by_epoch=False, begin=300, end=500)],
     0.05, dict(type="IterBasedTrainLoop", max_iters=500), ITER_LOOP, 500),
    ("constant_warmup_cosine_default_tmax", "ConstantLR+CosineAnnealingLR",
     [dict(type="ConstantLR", factor=0.5, by_epoch=False, begin=0, end=20),
      dict(type="CosineAnnealingLR", by_epoch=False, begin=0, end=200)],
     0.01, dict(type="IterBasedTrainLoop", max_iters=220), ITER_LOOP, 220),
    ("cosine_restart_with_warmup", "CosineRestartLR+LinearLR",
     [dict(type="CosineRestartLR", periods=[30, 60], restart_weights=[1, 0.5], eta_min=1e-6,
           by_epoch=False, begin=0, end=90),
      dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=10)],
     0.1, dict(type="IterBasedTrainLoop", max_iters=120), ITER_LOOP, 120),
    ("cosine_short_tmax_rises_again", "CosineAnnealingLR (T_max < end - begin)",
     [dict(type="CosineAnnealingLR", T_max=50, eta_min=0.001, by_epoch=False, begin=0,
           end=150)],
     0.02, dict(type="IterBasedTrainLoop", max_iters=160), ITER_LOOP, 160),
    ("multistep_converted_default_end", "LinearLR+MultiStepLR (converted, default end)",
     [dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=15),
      dict(type="MultiStepLR", milestones=[3, 5], gamma=0.3, by_epoch=True,
           convert_to_iter_based=True)],
     0.04, dict(type="EpochBasedTrainLoop", max_epochs=6), 7, 42),
]


def main() -> None:
    with sources(__doc__, "unpacked mmengine/mmdet wheel contents", fetch) as src:
        classes = load_real(src)
        cases = []
        for name, family, schedulers, lr, train, ipe, steps in CASES:
            epochs = train.get("max_epochs")
            iters = train.get("max_iters")
            if iters is None and epochs is not None and ipe is not None:
                iters = epochs * ipe  # EpochBasedTrainLoop.max_iters
            lrs = run(classes, schedulers, lr, epochs, iters, ipe, steps)
            case: dict[str, Any] = {
                "name": name, "family": family, "ext": "py",
                "config": python_config(schedulers, lr, train), "lrs": lrs,
                "generator": "mmengine 0.10.7 + mmdet 3.3.0 scheduler classes on torch"}
            if ipe is not None and ipe != ITER_LOOP:
                case["iters_per_epoch"] = ipe
            cases.append(case)
    write_cases(OUT, __file__, cases)


if __name__ == "__main__":
    main()
