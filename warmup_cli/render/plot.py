"""The terminal plot of LR per update (plotext 5.x, imported lazily).

plotext's build time grows linearly with the number of points (about 1 s per 10^5), so callers
pass a min/max envelope (``warmup_cli.digest.Envelope``): a one-update spike still shows.

What a reader gets: the terminal's own background and foreground (plotext's ``clear`` theme,
never its white box), line colours from the Okabe-Ito palette that stay apart for colour-blind
readers (blue and orange first, never red against green), ticks at 1-2-5 steps (decades on a
log axis) written short (``3e-4``, ``0.025``), an ``lr`` axis label, and the last update always
labelled. The title and the legend are printed by the caller, outside the canvas, so that a
long title wraps instead of vanishing and the legend never covers a curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Okabe & Ito (2008) "Color Universal Design", as the nearest xterm-256 colours: blue, orange,
# bluish green, reddish purple, sky blue, vermillion, yellow.
PALETTE = (33, 214, 36, 175, 74, 166, 185)
# Without colour, lines are told apart by their marker.
MARKERS = ("braille", "•", "+", "x", "o", "*", "#")
Line = tuple[str, Sequence[int], Sequence[float]]


@dataclass(frozen=True)
class Plot:
    """The canvas, or why there is none (every point left out of a log axis)."""

    text: str | None
    empty_reason: str | None = None


def line_style(index: int, color: bool) -> tuple[int | None, str]:
    """(xterm-256 colour or None, plotext marker) of the ``index``-th line."""
    if color:
        return PALETTE[index % len(PALETTE)], "braille"
    return None, MARKERS[index % len(MARKERS)]


def nice_step(span: float, count: int) -> float:
    """The 1-2-5 step (1, 2, 5, 10, 20, ...) that cuts ``span`` into about ``count``
    intervals (a few more rather than far fewer)."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, count)
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= raw * 0.75:
            return multiple * power
    return 10 * power  # pragma: no cover  (the loop always returns)


def linear_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """1-2-5 ticks inside ``[low, high]``; the value itself when the range is a point."""
    if high <= low:
        return [low]
    step = nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9)
    ticks = []
    k = first
    while (value := k * step) <= high * (1 + 1e-12) + 1e-300:
        ticks.append(float(f"{value:.12g}"))  # 0.30000000000000004 is the tick 0.3
        k += 1
    return ticks or [low]


def log_ticks(low: float, high: float) -> list[float]:
    """Decades inside ``[low, high]`` (``low > 0``); 1-2-5 within a decade when fewer than two
    decades fall inside."""
    decades = [10.0 ** k for k in range(math.ceil(math.log10(low) - 1e-9),
                                         math.floor(math.log10(high) + 1e-9) + 1)]
    if len(decades) >= 2:
        return decades
    ticks = [float(f"{m * 10.0 ** k:.12g}")
             for k in range(math.floor(math.log10(low)), math.floor(math.log10(high)) + 1)
             for m in (1, 2, 5)]
    inside = [t for t in ticks if low * (1 - 1e-12) <= t <= high * (1 + 1e-12)]
    return inside or [low, high]


def integer_ticks(first: int, last: int, count: int = 5) -> list[int]:
    """Whole-number 1-2-5 ticks (updates are counted, never fractional) that always label the
    last update; a tick too close to it to leave room for both labels is dropped."""
    if last <= first:
        return [first]
    step = max(1, int(nice_step(last - first, count - 1)))
    ticks = list(range(math.ceil(first / step) * step, last, step))
    if not ticks or ticks[0] != first:
        ticks.insert(0, first)
    while len(ticks) > 1 and last - ticks[-1] < step * 0.4:
        ticks.pop()
    return [*ticks, last]


def lr_text(value: float) -> str:
    """A tick label: ``0``, ``0.025``, ``3e-4``, ``1.5e-5``, ``2e+4``."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 4:
        return f"{value:.6g}"
    mantissa = float(f"{value / 10.0 ** exponent:.3g}")
    if mantissa >= 10:  # 9.995e-5 rounds up to 1e-4
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}e{exponent}"


def _y_range(lines: Sequence[Line]) -> tuple[float, float]:
    values = [y for _, _, ys in lines for y in ys]
    return min(values), max(values)


def render_plot(lines: Sequence[Line], *, xlabel: str, width: int, height: int, log_y: bool,
                color: bool) -> Plot:
    """One line per ``(label, xs, ys)``, styled by :func:`line_style`; ``log_y`` leaves out
    LRs <= 0 (log 0 is -inf)."""
    import plotext as plt

    if log_y:
        lines = [(label, *_positive(xs, ys)) for label, xs, ys in lines]
    drawn = [(index, line) for index, line in enumerate(lines) if line[1]]
    if not drawn:
        return Plot(None, "the plot is empty: every LR is 0, and a log axis cannot show 0 "
                          "(log 0 is -inf); drop --log-y to see the series")
    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("clear")  # the terminal's own background and foreground
    plt.xlabel(xlabel)
    plt.ylabel("lr")
    for index, (_, xs, ys) in drawn:
        colour, marker = line_style(index, color)
        plt.plot(list(xs), list(ys), marker=marker,
                 **({"color": colour} if colour is not None else {}))
    low, high = _y_range([line for _, line in drawn])
    if log_y:
        plt.yscale("log")
    ticks = log_ticks(low, high) if log_y else linear_ticks(low, high, max(2, height // 4))
    plt.yticks(ticks, [lr_text(t) for t in ticks])
    first = min(xs[0] for _, (_, xs, _) in drawn)
    last = max(xs[-1] for _, (_, xs, _) in drawn)
    xticks = integer_ticks(first, last)
    plt.xticks(xticks, [str(t) for t in xticks])
    text: str = plt.build()
    plt.clear_figure()
    return Plot(text if color else str(plt.uncolorize(text)))


def _positive(xs: Sequence[int], ys: Sequence[float]) -> tuple[list[int], list[float]]:
    kept = [(x, y) for x, y in zip(xs, ys, strict=True) if y > 0 and math.isfinite(y)]
    return [x for x, _ in kept], [y for _, y in kept]
