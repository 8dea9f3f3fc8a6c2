"""How the table and plot of ``show``/``compare`` look: the options a person sets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Display:
    """How the table and plot look (``--all``, ``--plot``, ``--log-y``, sizes, ``--digits``)."""

    show_all: bool = False
    plot: bool = False
    log_y: bool = False
    plot_width: int = 100
    plot_height: int = 20
    digits: int | None = None

    @property
    def plot_buckets(self) -> int | None:
        """Envelope buckets: one per plot column inside the axes."""
        return self.plot_width - 10 if self.plot else None
