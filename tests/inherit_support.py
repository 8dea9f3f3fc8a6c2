"""What the inheritance tests share: the golden merged configs, the fixture trees, reading a
merged tree as the framework's dict, and building small config trees."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warmup_cli.configs.inherit import load_config
from warmup_cli.configs.tree import Document, Node

ROOT = Path(__file__).resolve().parent
FIXTURES = ROOT / "fixtures" / "inherit"
GOLDEN: dict[str, Any] = json.loads(
    (ROOT / "golden" / "inherit_merged.json").read_text())["configs"]


def plain(node: Node) -> Any:
    """The merged tree as the framework's dict, number strings (YAML 1.1) read as numbers."""
    value = node.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    number = node.as_number()
    return number if isinstance(value, str) and number is not None else value


def at(doc: Document, *path: str | int) -> Node:
    """The node at ``path`` of the merged tree."""
    node = doc.root
    for step in path:
        found = node.get(step) if isinstance(step, str) else (node.as_sequence() or [])[step]
        assert found is not None, path
        node = found
    return node


def tree(folder: Path, files: dict[str, str]) -> Path:
    """``files`` (relative name -> text) written under ``folder``, a project (``.git``)."""
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def problems(path: Path, **options: Any) -> list[tuple[int, int, str, bool]]:
    """(line, column, reason, rejected) of every base that was not merged."""
    doc = load_config(path, **options)
    assert doc.inheritance is not None
    return [(p.node.line, p.node.column, p.reason, p.rejected) for p in doc.inheritance.problems]
