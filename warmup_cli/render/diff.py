"""``warmup diff`` as text, JSON or Markdown (a pull-request comment).

Every LR is printed exactly (``repr``), as the tables print them; sources are a stranger's
text and go through ``safe_text`` (controls escaped; ``|`` and backticks escaped in
Markdown).
"""

from __future__ import annotations

import math
from typing import Any

from warmup_cli.diff import Change, ScheduleDiff, Side
from warmup_cli.render.safe_text import escape_controls, json_text


def _number(value: object) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, tuple):
        return ", ".join(map(_number, value))
    return repr(value) if isinstance(value, float) else str(value)


def _share(change: Change) -> str:
    relative = change.relative
    return "from 0" if math.isinf(relative) else f"{relative:.4g}x ({relative:.2%})"


def _landmarks(diff: ScheduleDiff) -> list[tuple[str, str, str, bool]]:
    """``(what, old, new, changed)`` for the table and the text lines."""
    unit = diff.unit
    def at(side: Side) -> str:
        return f"{_number(side.peak_lr)} at {unit} {side.peak_at}"
    rows = [
        ("warmup", _number(diff.old.warmup), _number(diff.new.warmup),
         _differs(diff.old.warmup, diff.new.warmup)),
        ("peak lr", at(diff.old), at(diff.new),
         (diff.old.peak_lr, diff.old.peak_at) != (diff.new.peak_lr, diff.new.peak_at)),
        ("final lr", _number(diff.old.final_lr), _number(diff.new.final_lr),
         diff.old.final_lr != diff.new.final_lr),
        (f"length ({unit}s)", _number(diff.old.length), _number(diff.new.length),
         _differs(diff.old.length, diff.new.length)),
        ("base lrs", _number(diff.old.base_lrs), _number(diff.new.base_lrs),
         diff.old.base_lrs != diff.new.base_lrs),
    ]
    return rows


def _differs(old: int | None, new: int | None) -> bool:
    """Known on both sides and different (see ``ScheduleDiff.changes``)."""
    return old is not None and new is not None and old != new


def _verdict(diff: ScheduleDiff) -> str:
    if diff.identical:
        return (f"no change: the same LR at every one of the {diff.rows:,} {diff.unit}s "
                "compared")
    parts = []
    if diff.first_difference is not None:
        first = diff.first_difference
        parts.append(f"first difference at {diff.unit} {first.row}: "
                     f"{_number(first.old)} -> {_number(first.new)}")
    if diff.largest is not None:
        largest = diff.largest
        parts.append(f"largest relative change {_share(largest)} at {diff.unit} "
                     f"{largest.row}: {_number(largest.old)} -> {_number(largest.new)}")
    return "; ".join(parts) or "the series agree; only the landmarks above differ"


def diff_text(diff: ScheduleDiff) -> str:
    lines = [f"--- {escape_controls(diff.old.source)}  ({escape_controls(diff.old.spec)})",
             f"+++ {escape_controls(diff.new.source)}  ({escape_controls(diff.new.spec)})"]
    width = max(len(what) for what, *_ in _landmarks(diff))
    for what, old, new, changed in _landmarks(diff):
        shown = f"{old} -> {new}" if changed or old != new else f"{old} (unchanged)"
        lines.append(f"{'*' if changed else ' '} {what:<{width}}  {shown}")
    lines.append(_verdict(diff))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return escape_controls(text).replace("|", "\\|").replace("`", "\\`")


def diff_markdown(diff: ScheduleDiff) -> str:
    title = "no change" if diff.identical else "schedule changed"
    lines = [f"**warmup diff: {title}**", "",
             f"| | old: {_md(diff.old.source)} | new: {_md(diff.new.source)} |",
             "|---|---|---|"]
    for what, old, new, changed in _landmarks(diff):
        mark = "**" if changed else ""
        lines.append(f"| {mark}{what}{mark} | {_md(old)} | {_md(new)} |")
    lines += ["", _md(_verdict(diff))]
    return "\n".join(lines) + "\n"


def _side(side: Side) -> dict[str, Any]:
    return {"source": side.source, "spec": side.spec, "base_lrs": list(side.base_lrs),
            "length": side.length, "warmup": side.warmup, "peak_lr": side.peak_lr,
            "peak_at": side.peak_at, "final_lr": side.final_lr}


def _change(change: Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    relative = change.relative
    return {"row": change.row, "old": change.old, "new": change.new,
            "relative": None if math.isinf(relative) else relative,
            "from_zero": math.isinf(relative)}


def diff_json(diff: ScheduleDiff) -> str:
    return json_text({
        "identical": diff.identical, "unit": diff.unit, "rows": diff.rows,
        "old": _side(diff.old), "new": _side(diff.new),
        "changes": [{"what": what, "old": old, "new": new} for what, old, new in diff.changes()],
        "first_difference": _change(diff.first_difference),
        "largest_change": _change(diff.largest),
        "notes": list(diff.notes),
    }, indent=2) + "\n"
