"""audiocraft's inverse square root scheduler: facebookresearch/audiocraft
``audiocraft/optim/inverse_sqrt_lr_scheduler.py`` (at bf7052227b52e836b77f4d161dfc7c6bd1caa445).

``InverseSquareRootLRScheduler`` is a torch ``_LRScheduler`` whose ``get_lr`` reads
``self._step_count``, which is already 1 once the scheduler is built (torch's ``_initial_step``
steps once): update n (0-based) runs at step n + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

CITES = "audiocraft/optim/inverse_sqrt_lr_scheduler.py"  # InverseSquareRootLRScheduler


@dataclass(frozen=True)
class InverseSqrt:
    """InverseSquareRootLRScheduler: ``lr`` is the optimizer's (the scheduler's base_lr)."""

    lr: float
    warmup_steps: int
    warmup_init_lr: float

    def __call__(self, update: int) -> float:
        """The LR of update ``update`` (0-based): ``_get_sched_lr`` at step ``update + 1``."""
        step = update + 1
        if step < self.warmup_steps:
            lr_step = (self.lr - self.warmup_init_lr) / self.warmup_steps
            return self.warmup_init_lr + step * lr_step
        decay_factor = self.lr * self.warmup_steps**0.5
        return float(decay_factor * step**-0.5)


def inverse_sqrt(lr: float, warmup_steps: int, warmup_init_lr: float | None) -> InverseSqrt:
    """InverseSquareRootLRScheduler.__init__ (warmup_init_lr defaults to 0)."""
    # "warmup_init_lr = self.warmup_init_lr or 0"
    return InverseSqrt(lr, warmup_steps, warmup_init_lr or 0)
