"""The terminal plot of LR per update (plotext 5.x, imported lazily).

plotext's build time grows linearly with the number of points (about 1 s per 10^5), so callers
pass a min/max envelope (``warmup_cli.digest.Envelope``): a one-update spike still shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def integer_ticks(first: int, last: int, count: int = 5) -> list[int]:
    """Evenly spread whole-number ticks: updates are counted, never fractional."""
    if last <= first:
        return [first]
    step = max(1, math.ceil((last - first) / (count - 1)))
    return list(range(first, last + 1, step))


def render_plot(lines: Sequence[tuple[str, Sequence[int], Sequence[float]]], *, title: str,
                xlabel: str, width: int, height: int, log_y: bool, color: bool) -> str:
    """One line per ``(label, xs, ys)``; ``log_y`` leaves out LRs <= 0 (log 0 is -inf)."""
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.title(title)
    plt.xlabel(xlabel)
    plotted = False
    first = min((xs[0] for _, xs, _ in lines if xs), default=0)
    last = max((xs[-1] for _, xs, _ in lines if xs), default=0)
    for label, xs, ys in lines:
        points = list(zip(xs, ys, strict=True))
        if log_y:
            points = [(x, y) for x, y in points if y > 0 and math.isfinite(y)]
        if points:
            plt.plot([x for x, _ in points], [y for _, y in points],
                     label=label if len(lines) > 1 else "", marker="braille")
            plotted = True
    if log_y and plotted:
        plt.yscale("log")
    ticks = integer_ticks(first, last)
    plt.xticks(ticks, [str(t) for t in ticks])
    if not color:
        plt.theme("clear")
    text: str = plt.build()
    plt.clear_figure()
    return text if color else str(plt.uncolorize(text))
