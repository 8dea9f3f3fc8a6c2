"""Numbers written as strings, which config readers meet all the time.

PyYAML's YAML 1.1 resolver leaves ``2e-05`` (no dot) and ``1e-4`` as strings, and YAML reads
detectron2's ``STEPS: (60000, 80000)`` as the string ``"(60000, 80000)"``. These functions read
such strings as numbers in YAML 1.2, JSON or Python syntax; ``inf``/``nan`` spelled as strings,
non-ASCII digits and thousands separators are not numbers here.
"""

from __future__ import annotations

import re

_DEC = r"[0-9](?:_?[0-9])*"
_INT_RE = re.compile(rf"[-+]?{_DEC}")
_FLOAT_RE = re.compile(rf"[-+]?(?:{_DEC}(?:\.(?:{_DEC})?)?|\.{_DEC})(?:[eE][-+]?{_DEC})?")
_RADIX_RE = re.compile(
    r"[-+]?0(?:[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|[oO][0-7](?:_?[0-7])*|[bB][01](?:_?[01])*)"
)
_LIST_RE = re.compile(r"\s*(?:\((?P<p>.*)\)|\[(?P<b>.*)\])\s*", re.DOTALL)

MAX_NUMBER_TEXT = 100
"""A longer string is never a number (and ``int()`` never sees thousands of digits)."""
MAX_LIST_TEXT = 100_000
"""A longer string is never a list of numbers."""


def number(value: object) -> float | int | None:
    """``value`` as a number: ints and floats (never bools) and numeric strings, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return parse_number(value)
    return None


def parse_number(text: str) -> float | int | None:
    """The int or float that ``text`` spells (surrounding whitespace allowed), or None."""
    s = text.strip()
    if not s or len(s) > MAX_NUMBER_TEXT:
        return None
    try:
        if _INT_RE.fullmatch(s):
            return int(s)
        if _RADIX_RE.fullmatch(s):
            return int(s, 0)
        if _FLOAT_RE.fullmatch(s):
            return float(s)
    except ValueError:
        return None
    return None


def number_list(text: str) -> list[float | int] | None:
    """The numbers of a parenthesized or bracketed list such as ``"(60000, 80000)"``, or None.

    A trailing comma is allowed (``"(5500,)"``) and ``"()"`` is the empty list."""
    if len(text) > MAX_LIST_TEXT:
        return None
    m = _LIST_RE.fullmatch(text)
    if m is None:
        return None
    inner = m.group("p") if m.group("p") is not None else m.group("b")
    parts = inner.split(",")
    if parts and not parts[-1].strip():
        parts.pop()  # "(60000,)" and "()"
    numbers: list[float | int] = []
    for part in parts:
        n = parse_number(part)
        if n is None:
            return None
        numbers.append(n)
    return numbers
