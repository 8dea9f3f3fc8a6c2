"""User text made safe to print: the one place that escapes it, for every output format.

Config keys and values, file names and schedule texts come from files a stranger may have
written. Printed raw, a newline starts a line that GitHub Actions runs as a workflow command
(``::error ...``), ESC/CSI/OSC sequences drive the terminal (OSC 52 writes the clipboard),
and rich reads ``[...]`` as markup. So:

- :func:`escape_controls` spells every C0 control (tab and newline included), DEL, every C1
  control, the Unicode line/paragraph separators, the bidirectional overrides and isolates
  (they reorder what a reader sees), the noncharacters U+FFFE/U+FFFF and lone surrogates as
  visible backslash escapes; what is left is printable on one line and valid XML 1.0 text.
  A lone surrogate U+DC80..U+DCFF is a byte that was not UTF-8 (``os.fsdecode`` and argv
  decode such bytes with ``surrogateescape``), so it is written as that byte: ``\\xff``.
- :func:`plain` is a rich ``Text`` of the escaped text: rich never parses markup in it.
- :func:`json_text` is ``json.dumps`` whose output is printable UTF-8 whatever the strings
  hold: json escapes C0 controls itself; DEL, C1 and the other characters above become
  ``\\uXXXX`` escapes (the same string to a JSON reader), lone surrogates become the visible
  ``\\xff`` text (a JSON string cannot hold them portably).
- :func:`utf8_bytes` is the bytes a text stands for (a file name's own bytes), for quoting
  into a URI.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text

# Everything escape_controls rewrites, as one character class.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ufffe\uffff\ud800-\udfff]"
)
# What json.dumps(ensure_ascii=False) leaves raw among those (it escapes C0 itself).
_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # surrogateescape's stand-ins for bytes 0x80..0xFF


def _escape_one(char: str) -> str:
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` on one printable line: controls and the like as ``\\n``, ``\\x1b``, ``\\u202e``.

    Backslashes are left alone (Windows paths stay readable), so the escaping is for the eye,
    not a reversible encoding; machine formats keep the exact text where they can (JSON).
    """
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda match: _escape_one(match.group()), text)


def plain(text: str, style: str = "") -> Text:
    """``text`` escaped, as a rich ``Text`` that is printed literally (no markup)."""
    from rich.text import Text

    return Text(escape_controls(text), style=style)


def _json_escape_one(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "\\" + _escape_one(char)  # a JSON-escaped backslash, then x.. / u....
    return f"\\u{code:04x}"


def json_text(value: Any, *, indent: int | None = None, allow_nan: bool = True) -> str:
    """``json.dumps(value)`` with non-ASCII text kept readable and nothing unsafe left raw.

    The rewrite runs over the dumped text: these characters can only occur inside strings
    there, and ``\\uXXXX`` is the same character to a JSON reader.
    """
    import json  # only the machine formats pay for it, not every start-up

    text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=allow_nan)
    if _UNSAFE_IN_JSON.search(text) is None:
        return text
    return _UNSAFE_IN_JSON.sub(lambda match: _json_escape_one(match.group()), text)


def utf8_bytes(text: str) -> bytes:
    """The bytes ``text`` stands for: UTF-8, with surrogateescape'd bytes given back as the
    bytes they were (a non-UTF-8 file name); any other lone surrogate as its escape text."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")
