"""MMEngine (and mmcv) config inheritance: ``_base_`` files merged as MMEngine merges them,
with every value keeping the file and place it was written in.

This follows ``mmengine/config/config.py`` (mmengine 0.10.7, ``Config._file2dict``), which
does, for a config file:

1. ``_pre_substitute_base_vars``: each ``{{ _base_.a.b }}`` in the *text* (any format) becomes
   a quoted placeholder string; after the file is read, a value equal to a placeholder is
   replaced by that value of the merged bases (``_substitute_base_vars``); a placeholder
   inside a longer string is left as text;
2. ``_get_base_files``: ``_base_`` (the first ``_base_ = ...`` of a Python file, the key of a
   YAML/JSON one) is a path or a list of paths, relative to the config's folder
   (``_get_cfg_path``; ``package::path`` names a config of an installed package);
3. each base is read the same way (recursively); the bases' keys are combined with
   ``dict.update``, and a key set by two bases is a ``KeyError`` ("Duplicate key is not
   allowed among bases");
4. a Python config runs with ``_base_`` bound to the combined bases, so ``_base_.x.y`` (or
   ``_base_['x']``) reads their values; its own ``_base_ = ...`` line is removed first
   (``RemoveAssignFromAST``). warmup_cli never runs it: ``python_loader`` reads the file
   with ``_base_`` bound (``load_python(bindings=...)``);
5. ``_merge_a_into_b(cfg, base)``: the config's keys over the bases' keys, recursively for
   dicts; a dict holding ``_delete_=True`` replaces the base's value instead of merging into it
   (``_delete_`` is popped only when the base has the key); a dict over a base value that is
   not a dict is a ``TypeError``; lists and scalars replace.

Not followed (each a located problem): bases of installed packages (``mmdet::...``), lazy
``with read_base():`` configs, ``{{ fileDirname }}``-style predefined variables, and changes a
Python config makes to ``_base_`` by assigning to its attributes (``_base_.model.x = 1``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from warmup_cli.configs.bases import BaseFiles
from warmup_cli.configs.document import load_document
from warmup_cli.configs.tree import Document, Inheritance, Node, NodeValue, rerooted

BASE_KEY = "_base_"
DELETE_KEY = "_delete_"
# mmengine/config/config.py Config._pre_substitute_base_vars
_BASE_VAR = re.compile(r"\{\{\s*" + BASE_KEY + r"\.([\w\.]+)\s*\}\}")
_MARK, _PAD = "\ue000", "\ue001"  # private-use characters: the placeholders' text


def has_bases(doc: Document) -> bool:
    """Whether ``doc`` inherits the MMEngine way: a ``_base_`` key (detectron2's is
    ``_BASE_``), or ``{{ _base_.x }}`` in its text."""
    return doc.root.get(BASE_KEY) is not None or has_base_variables(doc.text)


def has_base_variables(text: str) -> bool:
    return "{{" in text and _BASE_VAR.search(text) is not None


def resolve(path: str, text: str, files: BaseFiles) -> Document:
    """The config ``path`` (its ``text`` read already) with its ``_base_`` files merged into
    its root; the problems met are in ``files``."""
    marks = _Placeholders()
    doc = load_document(path, text=marks.substitute(text), limits=files.limits)
    files.count(doc)
    root = _Resolver(files).file(doc, (os.path.realpath(path),), marks)
    chain = tuple(base.path for base in files.files)
    return Document(doc.path, doc.format, root, text, doc.comments, Inheritance(
        "mmengine", tuple(files.files), tuple(files.problems), chain,
        declaration=doc.root.get(BASE_KEY)))


@dataclass
class _Placeholders:
    """The ``{{ _base_.x }}`` of one file's text, each replaced by a quoted placeholder of the
    same length, so that every line and column of the file stays where it was."""

    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # text -> (var, original)

    def substitute(self, text: str) -> str:
        def placeholder(match: re.Match[str]) -> str:
            width = match.end() - match.start() - 2
            body = f"{_MARK}{len(self.names):x}"
            body += _PAD * (width - len(body))
            self.names[body] = (match.group(1), match.group(0))
            return f'"{body}"'

        return _BASE_VAR.sub(placeholder, text)

    def restore(self, text: str) -> str:
        """A longer string holding placeholders: MMEngine leaves it as text."""
        for body, (_, original) in self.names.items():
            text = text.replace(f'"{body}"', original).replace(body, original)
        return text


class _Resolver:
    def __init__(self, files: BaseFiles) -> None:
        self.files = files

    def file(self, doc: Document, chain: tuple[str, ...], marks: _Placeholders) -> Node:
        """The merged root of ``doc``, read from its text with the placeholders ``marks``
        (``chain`` ends with its real path)."""
        if "read_base()" in doc.text:
            self.files.problem(doc.root, "MMEngine's lazy-import configs (`with read_base():`) "
                               "are not followed: the values of the files they import are "
                               "unknown")
        declared = doc.root.get(BASE_KEY)
        bases = self._bases(doc, declared, chain)
        if declared is not None and doc.format == "python":
            doc = self._reload(doc, _mapping_node(bases, declared))
        own = doc.root.as_mapping() or {}
        own = {k: v for k, v in own.items() if k != BASE_KEY}
        if marks.names:
            own = {k: self._substituted(v, marks, bases) for k, v in own.items()}
        merged = self._merge(own, bases)
        return Node(merged, doc.root.line, doc.root.column, path=(), source=doc.root.source)

    def _reload(self, doc: Document, base: Node) -> Document:
        """The Python config ``doc`` read again with ``_base_`` bound to ``base``."""
        source = doc.root.source
        again = load_document(doc.path, text=doc.text, format=doc.format,
                              limits=self.files.limits, bindings={BASE_KEY: base})
        if source is not None:  # a base file: its values are marked with it
            for node in again.root.walk():
                if node.source is None:
                    node.source = source
        return Document(doc.path, doc.format, again.root, doc.text, doc.comments)

    def _bases(self, doc: Document, declared: Node | None,
               chain: tuple[str, ...]) -> dict[str, Node]:
        """The bases' keys combined (``base_cfg_dict.update``), each base merged itself."""
        combined: dict[str, Node] = {}
        if declared is None:
            return combined
        items = declared.as_sequence()
        for item in items if items is not None else [declared]:
            name = item.as_str()
            if name is None:
                self.files.problem(item, "_base_ must be a path or a list of paths; MMEngine "
                                   "cannot read this one", rejected=True)
                continue
            base = self._base(doc, item, name, chain)
            duplicates = sorted(set(combined) & set(base))
            if duplicates:
                self.files.problem(item, f"_base_ {name} sets {', '.join(duplicates)}, which "
                                   "an earlier base sets too: MMEngine raises KeyError "
                                   "(duplicate keys are not allowed among bases)", rejected=True)
            combined.update(base)
        return combined

    def _base(self, doc: Document, item: Node, name: str,
              chain: tuple[str, ...]) -> dict[str, Node]:
        if "::" in name:
            package = name.partition("::")[0]
            self.files.problem(item, f"_base_ {name} is a config of the installed package "
                               f"{package}, which warmup_cli does not read: the values it sets "
                               "are unknown")
            return {}
        found = self.files.target(name, doc.path, item, BASE_KEY)
        if found is None:
            return {}
        shown, real = found
        marks = _Placeholders()
        base = self.files.open(shown, real, item, chain, f"_base_ {name}", marks.substitute)
        if base is None:
            return {}
        return self.file(base, (*chain, real), marks).as_mapping() or {}

    def _substituted(self, node: Node, marks: _Placeholders, bases: dict[str, Node]) -> Node:
        """``node`` with each placeholder value replaced by that value of the bases
        (Config._substitute_base_vars), recursively through mappings and lists."""
        value = node.value
        if isinstance(value, dict):
            replaced: NodeValue = {k: self._substituted(v, marks, bases)
                                   for k, v in value.items()}
        elif isinstance(value, list):
            replaced = [self._substituted(v, marks, bases) for v in value]
        elif isinstance(value, str) and value in marks.names:
            return self._base_value(node, *marks.names[value], bases)
        elif isinstance(value, str) and _MARK in value:
            replaced = marks.restore(value)
        else:
            return node
        return Node(replaced, node.line, node.column, node.key_line, node.key_column,
                    node.path, node.source)

    def _base_value(self, node: Node, var: str, original: str,
                    bases: dict[str, Node]) -> Node:
        found: Node | None = Node(bases, 1, 1)
        for step in var.split("."):
            found = found.get(step) if found is not None else None
        if found is None:
            self.files.problem(node, f"{original} names a value the base configs do not set: "
                               "MMEngine raises KeyError", rejected=True)
            return Node(original, node.line, node.column, node.key_line, node.key_column,
                        node.path, node.source)
        # the value sits where the child wrote {{ _base_.x }}; what it holds keeps its places
        copied = rerooted(found, node.path)
        return Node(copied.value, node.line, node.column, node.key_line, node.key_column,
                    node.path, node.source)

    def _merge(self, child: dict[str, Node], base: dict[str, Node]) -> dict[str, Node]:
        """Config._merge_a_into_b(child, base), on located trees (a new mapping)."""
        merged = dict(base)
        for key, value in child.items():
            mapping = value.as_mapping()
            if mapping is None or key not in merged:
                merged[key] = value
                continue
            delete = mapping.get(DELETE_KEY)
            kept = {k: v for k, v in mapping.items() if k != DELETE_KEY}
            if delete is not None and delete.value:
                merged[key] = _with_value(value, kept)
                continue
            below = merged[key].as_mapping()
            if below is None:
                self.files.problem(value, f"{key} is a dict here but not in the base config: "
                                   "MMEngine raises TypeError (set _delete_=True to replace "
                                   "the base's value)", rejected=True)
                merged[key] = _with_value(value, kept)
                continue
            merged[key] = _with_value(value, self._merge(kept, below))
        return merged


def _with_value(node: Node, value: NodeValue) -> Node:
    return Node(value, node.line, node.column, node.key_line, node.key_column, node.path,
                node.source)


def _mapping_node(bases: dict[str, Node], at: Node) -> Node:
    """The combined bases as the mapping ``_base_`` reads (placed at the ``_base_`` line)."""
    return Node(bases, at.line, at.column, at.key_line, at.key_column, (BASE_KEY,), at.source)
