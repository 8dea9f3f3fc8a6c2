"""A Mermaid ``xychart-beta`` block of LR per update, which GitHub renders in a comment.

``--format markdown --plot`` appends it to the table. A chart of thousands of points is
unreadable in a comment and slow to render, so it samples at most ``MAX_POINTS`` rows,
evenly spread and always holding the first and last row and every phase boundary; the values
are the exact floats of those rows (``repr``), the same numbers as the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from warmup_cli.render.image import boundaries
from warmup_cli.schedule import Plan
from warmup_cli.series import View, lrs_at

MAX_POINTS = 60


def sample_rows(view: View, marks: Sequence[int], limit: int = MAX_POINTS) -> list[int]:
    first, last = view.start, view.start + view.count - 1
    if view.count <= limit:
        return list(range(first, last + 1))
    picked = {first, last, *(m for m in marks if first <= m <= last)}
    spread = max(2, limit - len(picked))
    picked.update(first + (last - first) * i // (spread - 1) for i in range(spread))
    return sorted(picked)


def _quoted(text: str) -> str:
    # Mermaid strings end at a double quote and have no escape for it; a newline ends the
    # statement. Both are replaced, and the text is shortened for a title line.
    cleaned = " ".join(text.replace('"', "'").split())
    return f'"{cleaned[:117] + "..." if len(cleaned) > 120 else cleaned}"'


def mermaid_chart(plans: Sequence[Plan], view: View, *, title: str) -> str:
    """The fenced block: one ``line`` per plan (its first parameter group)."""
    marks = [row for row, _ in boundaries(plans[0], view)]
    rows = sample_rows(view, marks)
    updates = [view.update_of(row) for row in rows]
    lines = ["```mermaid", "xychart-beta", f"    title {_quoted(title)}",
             f"    x-axis {_quoted(str(view.row_unit))} [{', '.join(map(str, rows))}]",
             '    y-axis "lr"']
    for plan in plans:
        values = [lrs_at(plan, update)[1] for update in updates]
        lines.append(f"    line [{', '.join(map(repr, values))}]")
    lines.append("```")
    return "\n".join(lines) + "\n"
