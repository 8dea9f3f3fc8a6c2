"""Golden LR series for warmup_cli's fairseq reader, produced by fairseq's own code.

Sources (run, not re-typed):
  fairseq 0.12.2 from PyPI (fairseq-0.12.2.tar.gz, the v0.12.2 release of
  facebookresearch/fairseq), files
    fairseq/optim/lr_scheduler/fairseq_lr_scheduler.py
    fairseq/optim/lr_scheduler/inverse_square_root_schedule.py
    fairseq/optim/lr_scheduler/cosine_lr_scheduler.py
    fairseq/optim/lr_scheduler/polynomial_decay_schedule.py
    fairseq/optim/lr_scheduler/tri_stage_lr_scheduler.py
  Only these modules are loaded, with small stand-ins for the imports they need from the rest of
  fairseq and from omegaconf (dataclass base, registry decorator, FairseqOptimizer); fairseq's
  full install (C extensions, hydra) is not needed.

Transcribed (no installable release has them), class by class, stepping like the original:
  * the 2020 cosine scheduler (CosineSchedule with ``max_lr``; facebookresearch/fairseq
    fairseq/optim/lr_scheduler/cosine_lr_scheduler.py as of the Hydra-2020 layout, commit
    251c86940600b932f9925d630e1a77b55cc24d02 era), whose ``lr`` is the floor;
  * audiocraft's InverseSquareRootLRScheduler (facebookresearch/audiocraft
    audiocraft/optim/inverse_sqrt_lr_scheduler.py at bf7052227b52e836b77f4d161dfc7c6bd1caa445),
    a real torch ``_LRScheduler`` subclass stepped by a real torch optimizer.

Stepping follows fairseq/trainer.py: ``step_update(0)`` when the optimizer is built, then
``step_update(num_updates)`` after each update, so update ``n`` runs at ``step_update(n)``.

Usage: python tools/golden/fairseq_golden.py [--src DIR]   (DIR: an unpacked fairseq-0.12.2
sdist; without it the sdist is fetched with ``pip download --no-deps`` into a temp dir).
Writes tests/golden/fairseq_schedules.json.
"""

from __future__ import annotations

import dataclasses
import math
import tarfile
import types
from pathlib import Path
from typing import Any

import yaml
from _common import GOLDEN, load_module, pip_download, sources, stub_module, write_cases

OUT = GOLDEN / "fairseq_schedules.json"
PACKAGE = "fairseq==0.12.2"
FILES = ("fairseq_lr_scheduler", "inverse_square_root_schedule", "cosine_lr_scheduler",
         "polynomial_decay_schedule", "tri_stage_lr_scheduler")


def fetch(dest: Path) -> Path:
    # fairseq 0.12.2 has no wheel for current Pythons: pip fetches the sdist (and prepares its
    # metadata, which needs no compiler)
    pip_download(dest, PACKAGE)
    archive = next(dest.glob("fairseq-*.tar.gz"))
    root = dest / "src"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if "/fairseq/optim/lr_scheduler/" in member.name and member.name.endswith(".py"):
                member.name = "fairseq/optim/lr_scheduler/" + member.name.rsplit("/", 1)[-1]
                tar.extract(member, root)
    return root


def load_real(src: Path) -> dict[str, Any]:
    """fairseq's scheduler modules, with stand-ins for what they import from elsewhere."""
    folder = src / "fairseq" / "optim" / "lr_scheduler"
    if not folder.is_dir():
        folder = next(src.glob("**/fairseq/optim/lr_scheduler"))

    class FairseqOptimizer:  # fairseq.optim.FairseqOptimizer: only isinstance() is needed
        pass

    @dataclasses.dataclass
    class FairseqDataclass:
        pass

    stub_module("omegaconf", II=lambda key: "${" + key + "}", DictConfig=dict)
    stub_module("fairseq", __path__=[])
    stub_module("fairseq.registry")
    stub_module("fairseq.dataclass", FairseqDataclass=FairseqDataclass, __path__=[])
    stub_module("fairseq.dataclass.utils", gen_parser_from_dataclass=lambda *a, **k: None,
                FairseqDataclass=FairseqDataclass)
    stub_module("fairseq.optim", FairseqOptimizer=FairseqOptimizer, __path__=[])
    package = stub_module("fairseq.optim.lr_scheduler", __path__=[str(folder)])
    package.register_lr_scheduler = lambda name, dataclass=None: (lambda cls: cls)
    loaded: dict[str, Any] = {}
    for name in FILES:
        mod = load_module(f"fairseq.optim.lr_scheduler.{name}", folder / f"{name}.py",
                          register=True)
        loaded[name] = mod
        if name == "fairseq_lr_scheduler":
            package.FairseqLRScheduler = mod.FairseqLRScheduler
    loaded["FairseqOptimizer"] = FairseqOptimizer
    return loaded


def optimizer(real: dict[str, Any]) -> Any:
    class Optimizer(real["FairseqOptimizer"]):  # set_lr/get_lr as FairseqOptimizer has them
        def __init__(self) -> None:
            self.lr = math.nan

        def set_lr(self, lr: float) -> None:
            self.lr = lr

        def get_lr(self) -> float:
            return self.lr

    return Optimizer()


def run_fairseq(sched: Any, opt: Any, updates: int) -> list[float]:
    # fairseq/trainer.py: _build_optimizer calls step_update(0); set_num_updates(n) after
    # every update calls lr_step_update() -> step_update(n)
    lrs = []
    for n in range(updates):
        sched.step_update(n)
        lrs.append(opt.get_lr())
    return lrs


class LegacyCosineSchedule:
    """fairseq 2020 CosineSchedule (max_lr is the peak, lr[0] the floor), transcribed."""

    def __init__(self, args: types.SimpleNamespace, optimizer: Any) -> None:
        self.args = args
        self.optimizer = optimizer
        if len(args.lr) > 1:
            raise ValueError("Cannot use a fixed learning rate schedule with cosine.")
        warmup_end_lr = args.max_lr
        if args.warmup_init_lr < 0:
            args.warmup_init_lr = args.lr[0]
        self.min_lr = args.lr[0]
        self.max_lr = args.max_lr
        assert self.max_lr > self.min_lr, "max_lr must be more than lr"
        self.t_mult = args.t_mult
        self.period = args.lr_period_updates
        if self.period <= 0:
            assert args.max_update >= 0
            self.period = args.max_update - args.warmup_updates
        if args.warmup_updates > 0:
            self.lr_step = (warmup_end_lr - args.warmup_init_lr) / args.warmup_updates
        else:
            self.lr_step = 1
        self.warmup_updates = args.warmup_updates
        self.lr_shrink = args.lr_shrink
        self.lr = args.warmup_init_lr
        self.optimizer.set_lr(self.lr)

    def step_update(self, num_updates: int) -> float:
        if num_updates < self.args.warmup_updates:
            self.lr = self.args.warmup_init_lr + num_updates * self.lr_step
        else:
            curr_updates = num_updates - self.args.warmup_updates
            if self.t_mult != 1:
                i = math.floor(math.log(1 - curr_updates / self.period * (1 - self.t_mult),
                                        self.t_mult))
                t_i = self.t_mult**i * self.period
                t_curr = curr_updates - (1 - self.t_mult**i) / (1 - self.t_mult) * self.period
            else:
                i = math.floor(curr_updates / self.period)
                t_i = self.period
                t_curr = curr_updates - (self.period * i)
            lr_shrink = self.lr_shrink**i
            min_lr = self.min_lr * lr_shrink
            max_lr = self.max_lr * lr_shrink
            self.lr = min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * t_curr / t_i))
        self.optimizer.set_lr(self.lr)
        return self.lr


def audiocraft_lrs(lr: float, warmup: int, warmup_init_lr: float, updates: int) -> list[float]:
    import torch
    from torch.optim.lr_scheduler import _LRScheduler

    class InverseSquareRootLRScheduler(_LRScheduler):  # audiocraft, transcribed
        def __init__(self, optimizer: Any, warmup_steps: int,
                     warmup_init_lr: float | None = 0) -> None:
            self.warmup_steps = warmup_steps
            self.warmup_init_lr = warmup_init_lr
            super().__init__(optimizer)

        def _get_sched_lr(self, lr: float, step: int) -> float:
            if step < self.warmup_steps:
                warmup_init_lr = self.warmup_init_lr or 0
                lr_step = (lr - warmup_init_lr) / self.warmup_steps
                lr = warmup_init_lr + step * lr_step
            else:
                decay_factor = lr * self.warmup_steps**0.5
                lr = decay_factor * step**-0.5
            return lr

        def get_lr(self) -> list[float]:
            return [self._get_sched_lr(base_lr, self._step_count) for base_lr in self.base_lrs]

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=lr)
    sched = InverseSquareRootLRScheduler(opt, warmup_steps=warmup, warmup_init_lr=warmup_init_lr)
    lrs = []
    for _ in range(updates):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


# (name, family, scheduler keys, optimization keys, updates to record)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], int]] = [
    ("inverse_sqrt_default_init", "inverse_sqrt", {"warmup_updates": 400},
     {"lr": [5e-4], "max_update": 900}, 900),
    ("inverse_sqrt_init_1e-7", "inverse_sqrt", {"warmup_updates": 10, "warmup_init_lr": 1e-7},
     {"lr": [1e-3]}, 60),
    ("inverse_sqrt_w1", "inverse_sqrt", {"warmup_updates": 1}, {"lr": [0.1]}, 20),
    ("inverse_sqrt_init0", "inverse_sqrt", {"warmup_updates": 100, "warmup_init_lr": 0.0},
     {"lr": ["2e-05"]}, 250),
    ("cosine_no_warmup", "cosine", {}, {"lr": [0.01], "max_update": 100}, 120),
    ("cosine_warmup_min_lr", "cosine", {"warmup_updates": 10, "min_lr": 1e-5},
     {"lr": [0.003], "max_update": 200}, 220),
    ("cosine_restarts_t_mult2", "cosine",
     {"warmup_updates": 5, "lr_period_updates": 30, "t_mult": 2.0, "lr_shrink": 0.5,
      "min_lr": 1e-6, "warmup_init_lr": 1e-4},
     {"lr": [0.01], "max_update": 300}, 300),
    ("cosine_restarts_t_mult1", "cosine", {"lr_period_updates": 40},
     {"lr": [0.1], "max_update": 200}, 200),
    ("polynomial_rte", "polynomial_decay", {"warmup_updates": 122},
     {"lr": ["2e-05"], "max_update": 2036, "max_epoch": 10}, 2036),
    ("polynomial_power2_end", "polynomial_decay",
     {"power": 2.0, "end_learning_rate": 1e-6, "total_num_update": 100},
     {"lr": [0.001], "max_update": 150}, 150),
    ("polynomial_short_total", "polynomial_decay",
     {"warmup_updates": 10, "total_num_update": 50}, {"lr": [0.5], "max_update": 60}, 60),
    ("tri_stage_ratio", "tri_stage", {"phase_ratio": [0.1, 0.4, 0.5], "final_lr_scale": 0.05},
     {"lr": [0.0001], "max_update": 1000}, 1000),
    ("tri_stage_steps_past_run", "tri_stage",
     {"phase_ratio": None, "warmup_steps": 80, "hold_steps": 0, "decay_steps": 2000,
      "final_lr_scale": 0.05}, {"lr": ["1e-5"], "max_update": 2000}, 2000),
    ("tri_stage_hold_then_floor", "tri_stage",
     {"warmup_steps": 0, "hold_steps": 10, "decay_steps": 50, "init_lr_scale": 0.5},
     {"lr": [0.2], "max_update": 100}, 100),
]
LEGACY = [
    ("cosine2020_max_lr_peak", {"warmup_updates": 10, "warmup_init_lr": -1, "max_lr": 1.0,
                                "t_mult": 1.0, "lr_period_updates": -1, "lr_shrink": 0.1},
     {"lr": [1e-4], "max_update": 100}, 100),
    ("cosine2020_t_mult", {"warmup_updates": 0, "max_lr": 0.01, "t_mult": 1.5,
                           "lr_period_updates": 20, "lr_shrink": 0.5},
     {"lr": [1e-5], "max_update": 200}, 200),
]
AUDIOCRAFT = [
    ("audiocraft_init0", 5e-4, 30, 0.0, 100),
    ("audiocraft_init_nonzero", 1e-3, 10, 1e-5, 40),
]


def number(value: Any) -> float:
    return float(value)


def main() -> None:
    with sources(__doc__, "an unpacked fairseq-0.12.2 sdist", fetch) as src:
        real = load_real(src)
        cases = []
        for name, family, sched_keys, opt_keys, updates in CASES:
            modname, clsname, cfgname = {
                "inverse_sqrt": ("inverse_square_root_schedule", "InverseSquareRootSchedule",
                                 "InverseSquareRootLRScheduleConfig"),
                "cosine": ("cosine_lr_scheduler", "CosineLRSchedule", "CosineLRScheduleConfig"),
                "polynomial_decay": ("polynomial_decay_schedule", "PolynomialDecayLRSchedule",
                                     "PolynomialDecayLRScheduleConfig"),
                "tri_stage": ("tri_stage_lr_scheduler", "TriStageLRSchedule",
                              "TriStageLRScheduleConfig"),
            }[family]
            mod = real[modname]
            cfg_cls = getattr(mod, cfgname)
            fields = {f.name for f in dataclasses.fields(cfg_cls)}
            values = {k: v for k, v in sched_keys.items() if k in fields}
            values["lr"] = [number(x) for x in opt_keys["lr"]]
            if "max_update" in fields:
                values["max_update"] = opt_keys.get("max_update", 0)
            if family == "polynomial_decay" and "total_num_update" not in sched_keys:
                values["total_num_update"] = opt_keys.get("max_update", 0)
            cfg = cfg_cls(**values)
            opt = optimizer(real)
            lrs = run_fairseq(getattr(mod, clsname)(cfg, opt), opt, updates)
            config = {"lr_scheduler": {"_name": family, **sched_keys},
                      "optimization": dict(opt_keys)}
            cases.append({"name": name, "family": family, "generator": "fairseq 0.12.2",
                          "config": yaml.safe_dump(config, sort_keys=False), "lrs": lrs})
        for name, sched_keys, opt_keys, updates in LEGACY:
            ns = types.SimpleNamespace(warmup_init_lr=-1, t_mult=1.0, lr_period_updates=-1,
                                       lr_shrink=0.1, warmup_updates=0, max_lr=1.0)
            ns.__dict__.update(sched_keys)
            ns.lr = [number(x) for x in opt_keys["lr"]]
            ns.max_update = opt_keys["max_update"]
            opt = optimizer(real)
            lrs = run_fairseq(LegacyCosineSchedule(ns, opt), opt, updates)
            config = {"lr_scheduler": {"_name": "cosine", **sched_keys},
                      "optimization": dict(opt_keys)}
            cases.append({"name": name, "family": "cosine (2020)",
                          "generator": "transcribed 2020 fairseq CosineSchedule",
                          "config": yaml.safe_dump(config, sort_keys=False), "lrs": lrs})
        for name, lr, warmup, init, updates in AUDIOCRAFT:
            config = {"optim": {"epochs": 10, "lr": lr},
                      "schedule": {"lr_scheduler": "inverse_sqrt",
                                   "inverse_sqrt": {"warmup": warmup, "warmup_init_lr": init}}}
            cases.append({"name": name, "family": "audiocraft inverse_sqrt",
                          "generator": "transcribed audiocraft InverseSquareRootLRScheduler "
                                       "on torch",
                          "config": yaml.safe_dump(config, sort_keys=False),
                          "lrs": audiocraft_lrs(lr, warmup, init, updates)})
    write_cases(OUT, __file__, cases)


if __name__ == "__main__":
    main()
