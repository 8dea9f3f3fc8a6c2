"""The LR of every training iteration of Ultralytics YOLO and YOLOv5: the epoch LambdaLR ``lf``
plus the per-iteration ``np.interp`` warmup, transcribed from two trainers:

* ``ultralytics``: ultralytics/ultralytics ``ultralytics/engine/trainer.py`` at 00016300
  (``_setup_scheduler``, ``_get_warmup_iterations``, ``_do_train``, ``build_optimizer``) and
  ``ultralytics/utils/torch_utils.py`` (``one_cycle``);
* ``yolov5``: ultralytics/yolov5 ``train.py`` at 5081342f (the scheduler block, ``nw``, the
  warmup inside the batch loop) and ``utils/torch_utils.py`` (``smart_optimizer``).

Both set ``x["lr"] = np.interp(ni, [0, nw], [start, x["initial_lr"] * lf(epoch)])`` for every
parameter group while ``ni`` (the iteration since the start of training) is in the warmup;
``start`` is ``warmup_bias_lr`` for the bias group and 0.0 for the others (so their first
iteration runs at LR 0). Outside the warmup the group keeps whatever was set last: the
warmup's last value, or what ``LambdaLR`` set at its last ``step()`` (``initial_lr *
lf(last_epoch)``, the closed form of ``torch.optim.lr_scheduler.LambdaLR.get_lr``). The two
trainers differ in exactly the places :class:`YoloWarmup` switches on:

=================  =======================================  ====================================
                   ultralytics (engine/trainer.py)          yolov5 (train.py)
=================  =======================================  ====================================
warmup length nw   ``round(min(w, max(epochs - 1, 0)) *     ``max(round(w * nb), 100)``: at
                   nb)`` if w > 0 else 0                    least 100 iterations, even at w = 0
warmup test        ``ni < nw``                              ``ni <= nw``
linear ``lf``      ``max(1 - x / epochs, 0) * (1 - lrf) +   ``(1 - x / epochs) * (1 - lrf) +
                   lrf``                                    lrf``
scheduler.step()   at the start of every epoch, so epoch e  at the end of every epoch after
                   runs at ``lf(e)``                        ``last_epoch = start_epoch - 1``, so
                                                            epoch e >= 1 runs at ``lf(e - 1)``
after the warmup   the last warmup value (iteration nw - 1) the warmup's end value
(rest of its                                                ``initial_lr * lf(epoch)``
epoch)
=================  =======================================  ====================================

``np.interp`` with two points computes ``slope * (x - xp[0]) + fp[0]`` with ``slope = (fp[1] -
fp[0]) / (xp[1] - xp[0])``, returns ``fp[0]`` at ``x == xp[0]`` and ``fp[1]`` from ``x >=
xp[1]`` on (numpy ``numpy/_core/src/multiarray/compiled_base.c``, ``arr_interp``);
:func:`interp` is that, in the same float operations (the tests compare it with numpy's).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

LambdaFn = Callable[[int], float]

ULTRALYTICS = "ultralytics"
YOLOV5 = "yolov5"
CITES = {ULTRALYTICS: "ultralytics/engine/trainer.py (_do_train, _setup_scheduler)",
         YOLOV5: "yolov5/train.py (the warmup in the batch loop, the scheduler block)"}


def interp(x: int, x1: int, y0: float, y1: float) -> float:
    """``np.interp(x, [0, x1], [y0, y1])`` for ``0 <= x``, ``x1 > 0`` (compiled_base.c
    ``arr_interp``: the exact end points, else ``slope * (x - xp[0]) + fp[0]``)."""
    if x >= x1:
        return y1
    if x == 0:
        return y0
    slope = (y1 - y0) / (x1 - 0.0)
    return slope * (x - 0.0) + y0


def one_cycle(y1: float, y2: float, steps: int) -> LambdaFn:
    """ultralytics ``utils/torch_utils.py`` ``one_cycle`` (YOLOv5 imports the same function):
    a half cosine from y1 to y2 over ``steps``."""
    return lambda x: max((1 - math.cos(x * math.pi / steps)) / 2, 0) * (y2 - y1) + y1


def linear_lf(dialect: str, epochs: int, lrf: float) -> LambdaFn:
    """The linear ``lf``: ultralytics ``_setup_scheduler`` clamps at 0, YOLOv5 does not."""
    if dialect == ULTRALYTICS:
        return lambda x: max(1 - x / epochs, 0) * (1.0 - lrf) + lrf
    return lambda x: (1 - x / epochs) * (1.0 - lrf) + lrf


def warmup_iterations(dialect: str, warmup_epochs: float, epochs: int, nb: int) -> int:
    """``nw``: ultralytics ``_get_warmup_iterations``; YOLOv5 ``nw = max(round(hyp[
    "warmup_epochs"] * nb), 100)``."""
    if dialect == ULTRALYTICS:
        capped = min(warmup_epochs, max(epochs - 1, 0))
        return round(capped * nb) if capped > 0 else 0
    return max(round(warmup_epochs * nb), 100)


@dataclass(frozen=True)
class YoloWarmup:
    """One run: ``lr0`` (every group's ``initial_lr``), the ``lf`` settings, ``nb`` batches per
    epoch; :meth:`lr` is the LR of iteration ``ni`` in the bias group or in the others."""

    dialect: str
    lr0: float
    lrf: float
    epochs: int
    warmup_epochs: float
    warmup_bias_lr: float
    cos_lr: bool
    nb: int

    @property
    def lf(self) -> LambdaFn:
        if self.cos_lr:
            return one_cycle(1, self.lrf, self.epochs)  # cosine 1->lrf
        return linear_lf(self.dialect, self.epochs, self.lrf)

    @property
    def nw(self) -> int:
        return warmup_iterations(self.dialect, self.warmup_epochs, self.epochs, self.nb)

    def in_warmup(self, ni: int) -> bool:
        return ni < self.nw if self.dialect == ULTRALYTICS else ni <= self.nw

    def lr_fn(self, bias: bool) -> LambdaFn:
        """The LR of iteration ``ni`` (0-based, counted from the start of training)."""
        lf, lr0, nb, nw = self.lf, self.lr0, self.nb, self.nw
        start = self.warmup_bias_lr if bias else 0.0
        ultralytics = self.dialect == ULTRALYTICS
        last = nw - 1 if ultralytics else nw  # the last iteration the warmup sets

        def lr(ni: int) -> float:
            epoch = ni // nb
            if (ni < nw) if ultralytics else (ni <= nw):
                return interp(ni, nw, start, lr0 * lf(epoch))
            if last >= 0 and epoch == last // nb:
                # no scheduler.step() since the warmup's last assignment in this epoch
                return interp(last, nw, start, lr0 * lf(epoch))
            # LambdaLR.get_lr: base_lr * lmbda(last_epoch)
            return lr0 * lf(epoch if ultralytics else epoch - 1)

        return lr
