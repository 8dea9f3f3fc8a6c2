"""Golden LR series for warmup_cli's detectron2 reader.

Sources:
  * fvcore 0.1.5.post20221221 from PyPI (fvcore-0.1.5.post20221221.tar.gz), file
    fvcore/common/param_scheduler.py: run as is (it is pure Python). The ParamSchedulers
    (MultiStep, Cosine, StepWithFixedGamma, Linear, Constant, Composite) are fvcore's own.
  * detectron2 is not on PyPI, so its two glue pieces are transcribed class by class from
    facebookresearch/detectron2 (detectron2/solver/lr_scheduler.py, WarmupParamScheduler with
    rescale_interval and LRMultiplier; detectron2/solver/build.py, build_lr_scheduler; defaults
    from detectron2/config/defaults.py; read at commits 1846f9159b5da2091cb00b4249f83a2a9be84a39
    and 012c8986baac12c9e7c2f8877a51ff5e97e7fe96, RESCALE_INTERVAL/NUM_DECAYS as in main).
    WarmupParamScheduler subclasses the real fvcore CompositeParamScheduler and LRMultiplier
    subclasses the real torch LRScheduler, driven by a real torch SGD.

Stepping follows detectron2's hooks.LRScheduler: the LR of iteration k is read from the
optimizer, then ``optimizer.step(); scheduler.step()``. Long runs are sampled: the scheduler is
put at ``last_epoch = k - 1`` and stepped once, which is what resuming does.

Usage: python tools/golden/detectron2_golden.py [--src DIR]   (DIR holds
fvcore/common/param_scheduler.py; without it fvcore is fetched with ``pip download --no-deps``).
Writes tests/golden/detectron2_schedules.json.
"""

from __future__ import annotations

import tarfile
import warnings
from pathlib import Path
from typing import Any

from _common import GOLDEN, load_module, pip_download, sources, write_cases

OUT = GOLDEN / "detectron2_schedules.json"
PACKAGE = "fvcore==0.1.5.post20221221"

# detectron2/config/defaults.py
DEFAULTS = {"LR_SCHEDULER_NAME": "WarmupMultiStepLR", "MAX_ITER": 40000, "BASE_LR": 0.001,
            "BASE_LR_END": 0.0, "GAMMA": 0.1, "STEPS": (30000,), "NUM_DECAYS": 3,
            "WARMUP_FACTOR": 1.0 / 1000, "WARMUP_ITERS": 1000, "WARMUP_METHOD": "linear",
            "RESCALE_INTERVAL": False}


def fetch(dest: Path) -> Path:
    pip_download(dest, PACKAGE)
    archive = next(dest.glob("fvcore-*.tar.gz"))
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers()
                      if m.name.endswith("fvcore/common/param_scheduler.py"))
        member.name = "fvcore/common/param_scheduler.py"
        tar.extract(member, dest / "src")
    return dest / "src"


def load_fvcore(src: Path) -> Any:
    path = next(src.glob("**/fvcore/common/param_scheduler.py"))
    return load_module("fvcore_param_scheduler", path)


def detectron2_classes(fv: Any) -> tuple[type, type]:
    import torch

    class WarmupParamScheduler(fv.CompositeParamScheduler):  # detectron2/solver/lr_scheduler.py
        def __init__(self, scheduler: Any, warmup_factor: float, warmup_length: float,
                     warmup_method: str = "linear", rescale_interval: bool = False) -> None:
            end_value = scheduler(0.0) if rescale_interval else scheduler(warmup_length)
            start_value = warmup_factor * scheduler(0.0)
            if warmup_method == "constant":
                warmup = fv.ConstantParamScheduler(start_value)
            elif warmup_method == "linear":
                warmup = fv.LinearParamScheduler(start_value, end_value)
            else:
                raise ValueError(f"Unknown warmup method: {warmup_method}")
            super().__init__(
                [warmup, scheduler],
                interval_scaling=["rescaled", "rescaled" if rescale_interval else "fixed"],
                lengths=[warmup_length, 1 - warmup_length],
            )

    class LRMultiplier(torch.optim.lr_scheduler.LRScheduler):
        def __init__(self, optimizer: Any, multiplier: Any, max_iter: int,
                     last_iter: int = -1) -> None:
            self._multiplier = multiplier
            self._max_iter = max_iter
            super().__init__(optimizer, last_epoch=last_iter)

        def get_lr(self) -> list[float]:
            multiplier = self._multiplier(self.last_epoch / self._max_iter)
            return [base_lr * multiplier for base_lr in self.base_lrs]

    return WarmupParamScheduler, LRMultiplier


def build(fv: Any, cfg: dict[str, Any], warmup_cls: type) -> Any:
    """detectron2/solver/build.py build_lr_scheduler, minus the optimizer."""
    name = cfg["LR_SCHEDULER_NAME"]
    if name == "WarmupMultiStepLR":
        steps = [x for x in cfg["STEPS"] if x <= cfg["MAX_ITER"]]
        sched = fv.MultiStepParamScheduler(
            values=[cfg["GAMMA"] ** k for k in range(len(steps) + 1)],
            milestones=steps, num_updates=cfg["MAX_ITER"])
    elif name == "WarmupCosineLR":
        end_value = cfg["BASE_LR_END"] / cfg["BASE_LR"]
        assert end_value >= 0.0 and end_value <= 1.0, end_value
        sched = fv.CosineParamScheduler(1, end_value)
    elif name == "WarmupStepWithFixedGammaLR":
        sched = fv.StepWithFixedGammaParamScheduler(
            base_value=1.0, gamma=cfg["GAMMA"], num_decays=cfg["NUM_DECAYS"],
            num_updates=cfg["MAX_ITER"])
    else:
        raise ValueError(name)
    return warmup_cls(sched, cfg["WARMUP_FACTOR"],
                      min(cfg["WARMUP_ITERS"] / cfg["MAX_ITER"], 1.0), cfg["WARMUP_METHOD"],
                      cfg["RESCALE_INTERVAL"])


def series(multiplier_cls: type, multiplier: Any, base_lr: float, max_iter: int,
           steps: list[int] | None) -> list[float]:
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        param = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([param], lr=base_lr)
        sched = multiplier_cls(opt, multiplier=multiplier, max_iter=max_iter)
        if steps is None:
            lrs = []
            for k in range(max_iter):
                lrs.append(opt.param_groups[0]["lr"])
                if k + 1 < max_iter:  # the step after the last iteration sets no used LR
                    opt.step()
                    sched.step()
            return lrs
        lrs = []
        for k in steps:
            sched.last_epoch = k - 1
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        return lrs


def yaml_text(solver: dict[str, Any]) -> str:
    lines = ["SOLVER:"]
    for key, value in solver.items():
        if isinstance(value, tuple):
            text = "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
        elif isinstance(value, bool):
            text = "True" if value else "False"
        elif isinstance(value, str):
            text = f'"{value}"'
        else:
            text = repr(value)
        lines.append(f"  {key}: {text}")
    return "\n".join(lines) + "\n"


CASES: list[tuple[str, str, dict[str, Any], list[int] | None]] = [
    ("multistep_defaults_warmup", "WarmupMultiStepLR",
     {"BASE_LR": 0.02, "STEPS": (600, 800), "MAX_ITER": 1000, "WARMUP_ITERS": 100}, None),
    ("multistep_constant_warmup", "WarmupMultiStepLR",
     {"BASE_LR": 0.01, "STEPS": (300, 450, 700), "MAX_ITER": 800, "WARMUP_ITERS": 50,
      "WARMUP_METHOD": "constant", "WARMUP_FACTOR": 0.1, "GAMMA": 0.5}, None),
    ("multistep_steps_past_max_iter", "WarmupMultiStepLR",
     {"BASE_LR": 0.02, "STEPS": (200, 900), "MAX_ITER": 500, "WARMUP_FACTOR": 0.3333333,
      "WARMUP_ITERS": 20}, None),
    ("multistep_warmup_factor0", "WarmupMultiStepLR",
     {"BASE_LR": 0.1, "STEPS": (150,), "MAX_ITER": 200, "WARMUP_FACTOR": 0.0,
      "WARMUP_ITERS": 40}, None),
    ("cosine_base_lr_end", "WarmupCosineLR",
     {"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.01, "BASE_LR_END": 0.0001,
      "MAX_ITER": 1000, "WARMUP_ITERS": 100}, None),
    ("cosine_rescale_interval", "WarmupCosineLR",
     {"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.01, "MAX_ITER": 600,
      "WARMUP_ITERS": 60, "RESCALE_INTERVAL": True}, None),
    ("fixed_gamma", "WarmupStepWithFixedGammaLR",
     {"LR_SCHEDULER_NAME": "WarmupStepWithFixedGammaLR", "BASE_LR": 0.05, "GAMMA": 0.2,
      "NUM_DECAYS": 3, "MAX_ITER": 1000, "WARMUP_ITERS": 10}, None),
    ("multistep_long_run_epsilon", "WarmupMultiStepLR",
     {"BASE_LR": 0.02, "STEPS": (600000, 800000), "MAX_ITER": 1000000},
     [0, 1, 500, 985, 989, 990, 991, 995, 999, 1000, 1001, 599989, 599990, 599991, 600000,
      799990, 799991, 999999]),
    ("warmup_longer_than_run", "WarmupMultiStepLR",
     {"BASE_LR": 0.02, "STEPS": (60,), "MAX_ITER": 100, "WARMUP_ITERS": 150}, None),
]

LAZY = '''from fvcore.common.param_scheduler import MultiStepParamScheduler
from detectron2.config import LazyCall as L
from detectron2.solver import WarmupParamScheduler

lr_multiplier = L(WarmupParamScheduler)(
    scheduler=L(MultiStepParamScheduler)(
        values=[1.0, 0.1, 0.01],
        milestones=[600, 800, 1000],
    ),
    warmup_length=100 / 1000,
    warmup_method="linear",
    warmup_factor=0.001,
)
train = dict(max_iter=1000)
optimizer = dict(lr=0.02)
'''


def main() -> None:
    with sources(__doc__, "a directory holding fvcore's sources", fetch) as src:
        fv = load_fvcore(src)
    warmup_cls, multiplier_cls = detectron2_classes(fv)
    cases = []
    for name, family, solver, steps in CASES:
        cfg = {**DEFAULTS, **solver}
        multiplier = build(fv, cfg, warmup_cls)
        lrs = series(multiplier_cls, multiplier, cfg["BASE_LR"], cfg["MAX_ITER"], steps)
        case: dict[str, Any] = {"name": name, "family": family, "config": yaml_text(solver),
                                "generator": "fvcore 0.1.5.post20221221 + transcribed "
                                             "detectron2 glue on torch", "lrs": lrs}
        if steps is not None:
            case["steps"] = steps
        cases.append(case)
    lazy = warmup_cls(fv.MultiStepParamScheduler(values=[1.0, 0.1, 0.01],
                                                 milestones=[600, 800, 1000]),
                      warmup_length=100 / 1000, warmup_method="linear", warmup_factor=0.001)
    cases.append({"name": "lazyconfig_multistep", "family": "LazyConfig WarmupParamScheduler",
                  "config": LAZY, "ext": "py",
                  "generator": "fvcore 0.1.5.post20221221 + transcribed detectron2 glue",
                  "lrs": series(multiplier_cls, lazy, 0.02, 1000, None)})
    write_cases(OUT, __file__, cases)


if __name__ == "__main__":
    main()
