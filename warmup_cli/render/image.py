"""Charts for reports and pull requests: LR per update as an SVG or PNG file.

matplotlib is the optional ``[plot]`` extra and is imported only here, inside the function
that draws: a figure is built with the object API (``Figure`` + the Agg canvas), never
through ``pyplot``, so no GUI backend or global state is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warmup_cli.errors import WarmupError
from warmup_cli.series import View, schedule_milestones

if TYPE_CHECKING:
    from warmup_cli.pipeline import Compared, Shown
    from warmup_cli.schedule import Plan

IMAGE_FORMATS = {".svg": "svg", ".png": "png"}
IMAGE_BUCKETS = 2_000  # envelope buckets: a one-update spike survives, the file stays small
# Okabe & Ito's palette: distinct for the common colour-vision deficiencies (no red/green pair).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")

Line = tuple[str, Sequence[int], Sequence[float]]


@dataclass(frozen=True)
class Chart:
    title: str
    xlabel: str
    lines: Sequence[Line]
    boundaries: Sequence[tuple[int, str]]  # (row, what): phase starts, the end of warmup
    log_y: bool = False


def image_format(path: Path) -> str:
    """``svg`` or ``png`` from the file name; anything else is a usage error."""
    found = IMAGE_FORMATS.get(path.suffix.lower())
    if found is None:
        raise WarmupError(f"cannot write a plot to {path.name}: the file name must end in "
                          f"{' or '.join(IMAGE_FORMATS)}",
                          hint="e.g. --plot-file lr.svg")
    return found


def boundaries(plan: Plan, view: View) -> list[tuple[int, str]]:
    """The schedule's milestones as rows of ``view`` (the rows may count the other unit)."""
    marks: list[tuple[int, str]] = []
    first, last = view.start, view.start + view.count - 1
    for mark in schedule_milestones(plan):
        row = _row_of(view, mark.step)
        if first <= row <= last:
            marks.append((row, mark.what))
    return marks


def _row_of(view: View, update: int) -> int:
    spe = view.steps_per_epoch
    if spe is None:
        return update
    return update * spe if not view.unit.per_update else -(-update // spe)


def shown_chart(shown: Shown, *, log_y: bool) -> Chart:
    from warmup_cli.render.screen import lr_headers

    summary = shown.digest(show_all=False, plot_buckets=IMAGE_BUCKETS)
    assert summary.envelope is not None
    lines = [(header, *summary.envelope.points(group))
             for group, header in enumerate(lr_headers(shown.plan))]
    return Chart(shown.plan.source, str(shown.view.row_unit), lines,
                 boundaries(shown.plan, shown.view), log_y)


def compared_chart(compared: Compared, *, log_y: bool) -> Chart:
    summary = compared.digest(show_all=False, plot_buckets=IMAGE_BUCKETS)
    assert summary.envelope is not None
    lines = [(plan.source, *summary.envelope.points(index))
             for index, plan in enumerate(compared.plans)]
    return Chart(" vs ".join(plan.source for plan in compared.plans),
                 str(compared.view.row_unit), lines, [], log_y)


def write_chart(chart: Chart, path: Path) -> None:
    """Draw ``chart`` into ``path`` (SVG or PNG by its suffix)."""
    fmt = image_format(path)
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise WarmupError("--plot-file needs matplotlib",
                          hint="pip install 'warmup-cli[plot]'") from None
    # Text stays text in the SVG (searchable, and the tests read it back); a fixed hash salt
    # and no date make the same chart the same file.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "warmup_cli"}):
        figure = Figure(figsize=(9, 4.8), dpi=110, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        _draw(axes, chart)
        try:
            figure.savefig(path, format=fmt, metadata=_metadata(fmt))
        except OSError as error:
            raise WarmupError(f"cannot write {path}: {error.strerror or error}",
                              hint="give a writable --plot-file path") from None


def _metadata(fmt: str) -> dict[str, str | None]:
    return {"Date": None, "Creator": "warmup_cli"} if fmt == "svg" else {"Software": "warmup_cli"}


def _draw(axes: object, chart: Chart) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    for index, (label, xs, ys) in enumerate(chart.lines):
        points = [(x, y) for x, y in zip(xs, ys, strict=True) if y > 0 or not chart.log_y]
        axes.plot([x for x, _ in points], [y for _, y in points], label=label,
                  color=PALETTE[index % len(PALETTE)], linewidth=1.6, gid=f"lr-{index}")
    for row, what in _merged(chart.boundaries, chart.lines):
        axes.axvline(row, color="0.55", linestyle="--", linewidth=0.8)
        axes.annotate(what, (row, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                      va="top", ha="right", fontsize=8, color="0.35")
    if chart.log_y:
        axes.set_yscale("log")
    else:  # 3e-4 rather than 0.00030 on the axis
        axes.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
    axes.set_title(chart.title, fontsize=11, wrap=True)
    axes.set_xlabel(chart.xlabel)
    axes.set_ylabel("lr")
    axes.grid(True, alpha=0.25)
    if len(chart.lines) > 1:
        # Beside the axes, never on top of the curves.
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def _merged(marks: Sequence[tuple[int, str]], lines: Sequence[Line]) -> list[tuple[int, str]]:
    """Boundaries closer than 1% of the x span share one line and one label, so that "end
    of warmup" and "start of cosine" one update apart do not print over each other."""
    xs = [x for _, line_xs, _ in lines for x in line_xs]
    span = (max(xs) - min(xs)) if xs else 0
    merged: list[tuple[int, str]] = []
    for row, what in sorted(marks):
        if merged and row - merged[-1][0] <= span / 100:
            merged[-1] = (merged[-1][0], f"{merged[-1][1]}; {what}")
        else:
            merged.append((row, what))
    return merged
