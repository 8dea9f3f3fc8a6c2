"""Number formatting shared by every renderer."""

from __future__ import annotations


def exact(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (``float(text) == value``)."""
    return repr(float(value))


def rounded(value: float, digits: int | None) -> str:
    """``exact`` unless the user asked for ``digits`` significant digits."""
    return exact(value) if digits is None else f"{float(value):.{digits}g}"
