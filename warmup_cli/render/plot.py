"""The terminal plot of LR per update (plotext 5.x, imported lazily).

plotext's build time grows linearly with the number of points (about 1 s per 10^5), so long
series are reduced to a min/max envelope per column first: a one-step spike still shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_POINTS_PER_COLUMN = 2


def envelope(xs: Sequence[int], ys: Sequence[float], buckets: int) -> tuple[list[int], list[float]]:
    """Down-sample to at most ``2 * buckets`` points keeping each bucket's min and max."""
    if len(xs) <= buckets * MAX_POINTS_PER_COLUMN:
        return list(xs), list(ys)
    out_x: list[int] = []
    out_y: list[float] = []
    size = len(xs) / buckets
    for bucket in range(buckets):
        lo, hi = int(bucket * size), max(int((bucket + 1) * size), int(bucket * size) + 1)
        window = range(lo, min(hi, len(xs)))
        low = min(window, key=ys.__getitem__)
        high = max(window, key=ys.__getitem__)
        for index in sorted({low, high}):
            out_x.append(xs[index])
            out_y.append(ys[index])
    return out_x, out_y


def render_plot(xs: Sequence[int], series: Sequence[tuple[str, Sequence[float]]], *, title: str,
                xlabel: str, width: int, height: int, log_y: bool, color: bool) -> str:
    """One line per labelled series; ``log_y`` drops non-positive values (log of 0 is -inf)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.title(title)
    plt.xlabel(xlabel)
    plotted = False
    for label, ys in series:
        px, py = envelope(xs, ys, max(10, width - 10))
        if log_y:
            kept = [(x, y) for x, y in zip(px, py, strict=True) if y > 0 and math.isfinite(y)]
            px, py = [x for x, _ in kept], [y for _, y in kept]
        if px:
            plt.plot(px, py, label=label if len(series) > 1 else "", marker="braille")
            plotted = True
    if log_y and plotted:
        plt.yscale("log")
    if not color:
        plt.theme("clear")
    text = plt.build()
    plt.clear_figure()
    return text if color else plt.uncolorize(text)
