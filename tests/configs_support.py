"""Helpers shared by the tests of warmup_cli.configs (tests/test_configs_*.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmup_cli.configs.document import Document, Node, load_document
from warmup_cli.errors import EXIT_USAGE, ConfigError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"


def load(name: str) -> Document:
    return load_document(FIXTURES / name)


def at(doc: Document, *path: str | int) -> Node:
    node = doc.root
    for part in path:
        value = node.value
        if isinstance(part, int):
            assert isinstance(value, list), f"{node!r} is not a sequence"
            node = value[part]
        else:
            assert isinstance(value, dict), f"{node!r} is not a mapping"
            node = value[part]
    return node


def where(node: Node) -> tuple[tuple[int, int], tuple[int | None, int | None]]:
    """((line, column) of the value, (line, column) of its key)."""
    return (node.line, node.column), (node.key_line, node.key_column)


def error_of(path: str | Path, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_document(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.exit_code == EXIT_USAGE
    return info.value


def headline(error: ConfigError) -> str:
    """The first line an error renders: ``path[:line:column]: message``."""
    assert error.where is not None, "a config error always names its file"
    return f"{error.where}: {error.message}"
