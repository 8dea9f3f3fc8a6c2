"""One pass over a (possibly huge) series keeps what a person looks at: the table's head,
milestones, peak and tail, and a min/max envelope for the plot. Memory stays constant."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from warmup_cli.series import Row

HEAD_ROWS = 8
TAIL_ROWS = 4
CONTEXT = 1  # rows kept on each side of a milestone
FULL_TABLE_LIMIT = 40  # tables up to this many rows are never elided


class Envelope:
    """Per-bucket min and max of each line, so a one-update spike survives down-sampling."""

    def __init__(self, start: int, count: int, buckets: int, lines: int) -> None:
        self.start, self.count, self.buckets = start, count, max(1, buckets)
        # bucket -> per line: [(low_value, low_x), (high_value, high_x)]
        self.cells: dict[int, list[list[tuple[float, int]]]] = {}
        self.lines = lines

    def add(self, x: int, values: Sequence[float]) -> None:
        bucket = (x - self.start) * self.buckets // max(1, self.count)
        cell = self.cells.get(bucket)
        if cell is None:
            self.cells[bucket] = [[(v, x), (v, x)] for v in values]
            return
        for line, value in zip(cell, values, strict=True):
            if value < line[0][0]:
                line[0] = (value, x)
            if value > line[1][0]:
                line[1] = (value, x)

    def points(self, line: int) -> tuple[list[int], list[float]]:
        xs: list[int] = []
        ys: list[float] = []
        for bucket in sorted(self.cells):
            low, high = self.cells[bucket][line]
            for x, value in sorted({(low[1], low[0]), (high[1], high[0])}):
                xs.append(x)
                ys.append(value)
        return xs, ys


@dataclass
class Digest:
    marks: dict[int, str]  # row index -> note
    count: int
    show_all: bool = False
    envelope: Envelope | None = None
    track_peak: bool = True  # off when rows hold several schedules (compare)
    # the factor still grows after the last row: its largest value is no peak (set by the
    # caller, who can evaluate the schedule one update further)
    rising: bool = False
    kept: dict[int, Row] = field(default_factory=dict)
    tail: deque[Row] = field(default_factory=lambda: deque(maxlen=TAIL_ROWS))
    peak: Row | None = None
    _previous: Row | None = None
    _before_peak: Row | None = None
    _after_peak: Row | None = None

    def _wanted(self, row: Row, offset: int) -> bool:
        if self.show_all or self.count <= FULL_TABLE_LIMIT or offset < HEAD_ROWS:
            return True
        return any(row.step + d in self.marks for d in range(-CONTEXT, CONTEXT + 1))

    def consume(self, rows: Iterable[Row]) -> Digest:
        for offset, row in enumerate(rows):
            if self._wanted(row, offset):
                self.kept[row.step] = row
            if self._after_peak is None and self.peak is not None \
                    and self.peak.step == row.step - 1:
                self._after_peak = row
            if self.track_peak and (self.peak is None or row.factor > self.peak.factor):
                # Only the final peak and its neighbours are kept, once the pass is over.
                self.peak, self._before_peak, self._after_peak = row, self._previous, None
            self.tail.append(row)
            if self.envelope is not None:
                self.envelope.add(row.step, row.lrs)
            self._previous = row
        for kept in (*self.tail, self.peak, self._before_peak, self._after_peak):
            if kept is not None:
                self.kept[kept.step] = kept
        return self

    def notes(self) -> dict[int, str]:
        notes = dict(self.marks)
        if self.peak is not None:
            step = self.peak.step
            word = "still rising" if self.rising and self.peak_is_last else "peak"
            notes[step] = f"{notes[step]}; {word}" if step in notes else word
        return notes

    @property
    def peak_is_last(self) -> bool:
        return self.peak is not None and bool(self.tail) and self.tail[-1].step == self.peak.step

    def table_rows(self) -> list[Row]:
        return [self.kept[step] for step in sorted(self.kept)]
