"""``# warmup: noqa`` comments: which findings a config file silences, line by line.

``# warmup: noqa`` silences every finding reported on its line; ``# warmup: noqa: WU101,
WU102`` only those codes (case-insensitive, separated by commas or spaces). A ``noqa:`` with no
valid code after it silences nothing rather than everything. Only real comments count (the
loaders tell them from ``#`` inside strings, see :attr:`Document.comments`); JSON has none.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping

from warmup_cli.configs.document import Comment, Document

Suppressions = Mapping[int, frozenset[str] | None]
"""Line -> the codes silenced on it (None: all codes)."""

_NOQA = re.compile(
    r"#\s*warmup\s*:\s*noqa\b(?P<colon>\s*:\s*(?P<codes>[A-Za-z]{2}\d{3}(?:[\s,]+[A-Za-z]{2}\d{3})*)"
    r"|\s*:)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Za-z]{2}\d{3}")

_CACHE: weakref.WeakKeyDictionary[Document, Suppressions] = weakref.WeakKeyDictionary()


def suppressed(doc: Document, line: int, code: str) -> bool:
    """Whether a finding ``code`` reported on ``line`` is silenced by a noqa comment there."""
    table = suppressions(doc)
    if line not in table:
        return False
    codes = table[line]
    return codes is None or code.upper() in codes


def suppressions(doc: Document) -> Suppressions:
    """The noqa table of ``doc``, computed once per document."""
    table = _CACHE.get(doc)
    if table is None:
        table = suppressions_of(doc.comments)
        _CACHE[doc] = table
    return table


def suppressions_of(comments: Iterable[Comment]) -> dict[int, frozenset[str] | None]:
    """The noqa table of these comments."""
    result: dict[int, frozenset[str] | None] = {}
    for comment in comments:
        found, codes = parse_noqa(comment.text)
        if found:
            _add(result, comment.line, codes)
    return result


def parse_noqa(comment: str) -> tuple[bool, frozenset[str] | None]:
    """(found, codes) for the noqa directives in one comment; codes None means all codes.

    ``# warmup: noqa:`` followed by no valid code is ignored rather than read as "all"."""
    found = False
    codes: set[str] = set()
    for m in _NOQA.finditer(comment):
        if m.group("colon") is None:
            return True, None
        if m.group("codes"):
            found = True
            codes.update(c.upper() for c in _CODE.findall(m.group("codes")))
    return found, frozenset(codes) if found else None


def _add(result: dict[int, frozenset[str] | None], line: int, codes: frozenset[str] | None) -> None:
    if codes is None or (line in result and result[line] is None):
        result[line] = None
        return
    previous = result.get(line)
    result[line] = codes | previous if previous else codes
