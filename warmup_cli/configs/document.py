"""Read YAML, JSON, TOML and Python config files into a tree of located :class:`Node` objects.

This module picks the format (by suffix, or as asked) and hands the text to that format's
loader (``yaml_loader``, ``json_loader``, ``toml_loader``, ``python_loader``); ``text`` reads
files with bounds, ``tree`` holds the types. The files come from strangers, so reading them is
bounded and never runs their code.

Every problem ends as a :class:`~warmup_cli.errors.ConfigError` with ``path`` and, when the
place is known, ``line`` and ``column``; no traceback escapes :func:`load_document`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from warmup_cli.configs.json_loader import load_json
from warmup_cli.configs.python_loader import load_python
from warmup_cli.configs.text import (
    LIMITS,
    Limits,
    check_text,
    check_tokens,
    config_error,
    read_text,
)
from warmup_cli.configs.toml_loader import load_toml
from warmup_cli.configs.tree import (
    Comment,
    Document,
    Format,
    Node,
    NodeValue,
    Unresolved,
    empty_root,
)
from warmup_cli.configs.yaml_loader import load_yaml
from warmup_cli.vocab import SUFFIX_FORMATS

__all__ = [
    "FORMATS",
    "SUFFIX_FORMATS",
    "Comment",
    "Document",
    "Format",
    "Node",
    "NodeValue",
    "Unresolved",
    "load_document",
]

FORMATS: tuple[Format, ...] = ("yaml", "json", "toml", "python")

_FORMAT_NAMES: dict[str, Format] = {**{f: f for f in FORMATS}, "yml": "yaml"}
_Loader = Callable[[str, str, Limits], tuple[Node, tuple[Comment, ...]]]
_LOADERS: dict[Format, _Loader] = {
    "yaml": load_yaml,
    "json": load_json,
    "toml": load_toml,
    "python": load_python,
}


def load_document(
    path: str | Path,
    *,
    text: str | None = None,
    format: str | None = None,
    limits: Limits = LIMITS,
    bindings: Mapping[str, Node] | None = None,
) -> Document:
    """Read and parse one config file.

    ``text`` gives the contents instead of reading ``path`` (which then only names the file in
    messages and picks the format); ``format`` (``"yaml"``, ``"json"``, ``"toml"`` or
    ``"python"``) overrides the choice by file suffix; ``limits`` are the budgets the file is
    held to (:class:`~warmup_cli.configs.text.Limits`); ``bindings`` are names a Python config
    reads without assigning them (MMEngine's ``_base_``, see ``configs.mmengine_bases``).
    Base configs are not merged here: ``configs.inherit.load_config`` does that.

    Multi-document YAML: the first non-empty document is used and the others are ignored (not
    parsed further). An empty (or whitespace-only) file gives an empty mapping as its root.

    Raises :class:`ConfigError` (exit code 2) for unreadable, oversized, binary, non-UTF-8,
    invalid, too deeply nested or too large files, located where the place is known. Every
    budget is checked before or while the file is parsed, never only after.
    """
    name = str(path)
    fmt = choose_format(name, format)
    max_bytes = limits.max_bytes
    text = read_text(name, max_bytes) if text is None else check_text(name, text, max_bytes)
    if not text.strip():
        return Document(name, fmt, empty_root(), text)
    # json.loads is C and lean (a 5 MB file needs < 150 MB); the others' parsers are not.
    if fmt == "python":
        check_tokens(name, text, limits.max_python_tokens, "the token budget of Python files")
    elif fmt != "json":
        check_tokens(name, text, limits.max_tokens, "the token budget of YAML and TOML files")
    try:
        if fmt == "python" and bindings:
            root, comments = load_python(name, text, limits, bindings)
        else:
            root, comments = _LOADERS[fmt](name, text, limits)
    except RecursionError:
        raise config_error(
            name, f"nested too deeply for the parser (the limit is {limits.max_depth} levels)"
        ) from None
    except MemoryError:
        raise config_error(name, "file needs too much memory to read") from None
    return Document(name, fmt, root, text, comments)


def choose_format(name: str, format: str | None = None) -> Format:
    """``format`` when given (``yml`` is ``yaml``), else the format of ``name``'s suffix."""
    if format is not None:
        chosen = _FORMAT_NAMES.get(format.lower())
        if chosen is None:
            raise config_error(
                name, f"unknown config format {format!r}; expected one of {', '.join(FORMATS)}"
            )
        return chosen
    suffix = os.path.splitext(name)[1].lower()
    by_suffix = SUFFIX_FORMATS.get(suffix)
    if by_suffix is None:
        shown = repr(suffix) if suffix else "(no suffix)"
        raise config_error(
            name,
            f"unsupported file type {shown}; expected one of {', '.join(SUFFIX_FORMATS)}",
        )
    return by_suffix
