"""Hydra defaults lists: a config composed from its config groups as Hydra composes it, with
every value keeping the file and place it was written in.

This follows Hydra 1.3.2 (the release fairseq-hydra, audiocraft and most research code run):
the syntax and packages of ``hydra/_internal/config_repository.py``
(``_create_defaults_list``, ``_split_group``), ``hydra/core/default_element.py``
(``get_group_path``, ``get_config_path``, ``_get_final_package``, ``set_package_header``),
``hydra/plugins/config_source.py`` (``_get_header_dict``) and the composition order of
``hydra/_internal/defaults_list.py`` (``_validate_self``, ``_update_overrides``), as
documented in ``website/docs/advanced/defaults_list.md`` and ``overriding_packages.md``:

* ``- group: option`` loads ``<config root>/group/option.yaml`` into the package ``group``;
  ``- group@pkg: option`` into ``pkg`` (``_here_``: the including config's package,
  ``_global_``: the root); ``- path/config`` (a config, not overridable) into its folder's
  package; a group is relative to the including config's group unless it starts with ``/``;
  ``group: [a, b]`` loads both; ``group: null`` nothing; ``optional`` tolerates a missing
  option;
* a ``# @package pkg`` header (before the first other line) places the file's content at the
  absolute package ``pkg`` unless the defaults list names one; fairseq's ``_group_`` (Hydra
  1.0) is the group's own package;
* ``- override group: option`` replaces the option of that group wherever the defaults tree
  selects it (registered before the including config's entries are expanded; the last one
  registered wins);
* ``_self_`` is where the config's own content goes among its defaults; without it, last;
* later entries win: mappings merge key by key (OmegaConf's merge), anything else replaces.

The file given is read as the primary config: its content stays at the root. Its config root
(where ``/group`` paths start) is the nearest folder, from the file's own up to the project,
that holds every absolute group the file names. A relative group is looked up under the
file's folder and then its parents up to the root (Hydra 1.3 treats ``solver=a/b`` as the
option ``a/b`` of the group ``solver``, so a file selected that way resolves its relative
entries from ``solver``). Groups under ``hydra/`` configure Hydra itself and are skipped.

Not followed (each a located problem, so the schedule is unresolved): an option that is not on
disk (Hydra's structured configs, other search paths), an interpolated option (``${...}``),
a ``???`` option, and a chain deeper or wider than ``configs.bases`` allows.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from warmup_cli.configs import reads
from warmup_cli.configs.bases import BaseFiles, inside
from warmup_cli.configs.tree import Document, Inheritance, Node, NodeValue, rerooted

DEFAULTS_KEY = "defaults"
SELF = "_self_"
MISSING = "???"
SUFFIXES = (".yaml", ".yml")
_HEADER = re.compile(r"\s*#\s*@(\S+)(?:\s+(\S+))?")


def has_defaults(doc: Document) -> bool:
    """Whether ``doc`` is a YAML config with a Hydra defaults list: a list of config names and
    single ``group: option`` mappings (another tool's ``defaults`` list is left alone)."""
    node = doc.root.get(DEFAULTS_KEY)
    items = node.as_sequence() if node is not None else None
    return doc.format == "yaml" and bool(items) and all(_defaults_item(i) for i in items or ())


def _defaults_item(item: Node) -> bool:
    if item.as_str() is not None:
        return True
    mapping = item.as_mapping()
    if mapping is None or len(mapping) != 1:
        return False
    value = next(iter(mapping.values())).value
    return value is None or isinstance(value, str | list)


def package_header(text: str) -> str | None:
    """The ``# @package`` of a config (Hydra's ``_get_header_dict``: header lines come before
    any other non-empty line)."""
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _HEADER.match(line)
        if match is None:
            return None
        if match.group(1) == "package":
            return match.group(2)
    return None


@dataclass(frozen=True)
class _Entry:
    """One item of a defaults list (a GroupDefault or a ConfigDefault)."""

    node: Node
    group: str | None  # a group default's group, as written (``/model``)
    value: str | list[str] | None  # the option(s); for a config default, its path
    package: str | None = None  # ``@pkg``
    optional: bool = False
    override: bool = False

    @property
    def is_self(self) -> bool:
        return self.group is None and self.value == SELF


@dataclass
class _Parent:
    """The including config: its group path (``parent_base_dir``) and final package."""

    base_dir: str
    package: str


def _join(parent: str, child: str) -> str:
    return child if not parent else (parent if not child else f"{parent}/{child}")


def final_package(parent_package: str, package: str | None, relative_group: str) -> str:
    """InputDefault._get_final_package: where the content goes."""
    if package is None:
        package = relative_group.replace("/", ".")
    if parent_package == "":
        found = package
    else:
        found = parent_package if package == "" else f"{parent_package}.{package}"
    last = found.rfind("_global_")
    return found if last == -1 else found[last + len("_global_") + 1:]


def _header_package(header: str | None) -> str | None:
    """InputDefault.set_package_header: a header is absolute (``_global_.`` in front)."""
    if header is None or header == "_group_":  # Hydra 1.0's _group_: the default package
        return None
    if header == "_global_" or header.startswith("_global_."):
        return header
    return "_global_" if header == "" else f"_global_.{header}"


@dataclass
class _Composer:
    files: BaseFiles
    root_dir: str
    candidates: tuple[str, ...]  # group paths a relative entry of the primary may start from
    overrides: dict[str, tuple[str | list[str] | None, Node]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    choices: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # --- the defaults list ------------------------------------------------------------------

    def entries(self, doc: Document) -> list[_Entry]:
        node = doc.root.get(DEFAULTS_KEY)
        items = node.as_sequence() if node is not None else None
        found: list[_Entry] = []
        for item in items or []:
            entry = self.entry(item)
            if entry is not None:
                found.append(entry)
        if not any(e.is_self for e in found):
            found.append(_Entry(node or doc.root, None, SELF))  # _validate_self: appended
        return found

    def entry(self, item: Node) -> _Entry | None:
        text = item.as_str()
        if text is not None:
            path, _, package = text.partition("@")
            return _Entry(item, None, path.strip(), package.strip() or None)
        mapping = item.as_mapping()
        if mapping is None or len(mapping) != 1:
            self.files.problem(item, "a defaults list item must be a config name or a single "
                               "`group: option`; Hydra rejects this one", rejected=True)
            return None
        key, value_node = next(iter(mapping.items()))
        words = key.split()
        keywords, group_key = words[:-1], words[-1] if words else ""
        group, _, package = group_key.partition("@")
        raw = value_node.value
        value: str | list[str] | None
        if isinstance(raw, list):
            options = [v.as_str() for v in raw]
            if any(o is None for o in options):
                self.files.problem(value_node, "options of a config group must be names",
                                   rejected=True)
                return None
            value = [o for o in options if o is not None]
        elif raw is None or isinstance(raw, str):
            value = raw
        else:
            self.files.problem(value_node, f"the option of {group} must be a name, a list of "
                               "names or null", rejected=True)
            return None
        unknown = [w for w in keywords if w not in ("optional", "override")]
        if unknown or not group:
            self.files.problem(item, f"unknown defaults list keyword in {key!r}", rejected=True)
            return None
        return _Entry(value_node, group, value, package or None, "optional" in keywords,
                      "override" in keywords)

    # --- composing --------------------------------------------------------------------------

    def compose(self, doc: Document, parent: _Parent, chain: tuple[str, ...],
                primary: bool = False) -> list[Node]:
        """The pieces of ``doc``'s output in merge order: each a mapping rooted at ``()``."""
        entries = self.entries(doc)
        for entry in entries:  # _update_overrides: before the children are expanded
            if entry.override and entry.group is not None and not _hydras(entry.group):
                key = self.override_key(entry, parent)
                self.overrides[key] = (entry.value, entry.node)
        pieces: list[Node] = []
        for entry in entries:
            if entry.is_self:
                pieces.append(self.placed(doc.root, parent.package, exclude=DEFAULTS_KEY))
            elif not entry.override:
                pieces += self.expand(entry, parent, chain, primary)
        return pieces

    def override_key(self, entry: _Entry, parent: _Parent) -> str:
        """GroupDefault.get_override_key: the group path, with ``@package`` when the package
        is not the group's own."""
        assert entry.group is not None
        group = self.group_path(entry.group, parent.base_dir)
        package = final_package(parent.package, entry.package, entry.group.lstrip("/"))
        default = group.replace("/", ".")
        return group if package == default else f"{group}@{package or '_global_'}"

    @staticmethod
    def group_path(group: str, base_dir: str) -> str:
        return group[1:] if group.startswith("/") else _join(base_dir, group)

    def expand(self, entry: _Entry, parent: _Parent, chain: tuple[str, ...],
               primary: bool) -> list[Node]:
        if entry.group is None:  # a config default: `- path/to/config`
            assert isinstance(entry.value, str)
            path = entry.value
            relative_group = path.lstrip("/").rpartition("/")[0]
            return self.load(entry, path, relative_group, parent, chain, primary)
        group = entry.group
        if _hydras(group):
            return []  # Hydra's own settings (launcher, logging): not the job's config
        key = self.override_key(entry, parent)
        value = entry.value
        if key in self.overrides:
            value, _ = self.overrides[key]
            self.used.add(key)
        if value is None:
            return []
        options = value if isinstance(value, list) else [value]
        pieces: list[Node] = []
        for option in options:
            self.choices[key] = option
            path = f"{group}/{option}"
            pieces += self.load(entry, path, group.lstrip("/"), parent, chain, primary)
        return pieces

    def load(self, entry: _Entry, path: str, relative_group: str, parent: _Parent,
             chain: tuple[str, ...], primary: bool) -> list[Node]:
        """One option's file, its own defaults composed in; placed at its final package."""
        name = path.rsplit("/", 1)[-1]
        if "${" in path:
            self.files.problem(entry.node, f"the defaults entry {path} is interpolated; "
                               "warmup_cli does not resolve Hydra interpolations")
            return []
        if name == "???":
            self.files.problem(entry.node, f"the option of {path.rsplit('/', 1)[0]} is `???`, "
                               "a mandatory value Hydra expects from the command line")
            return []
        if ".." in path.split("/") or "\\" in path:
            self.files.problem(entry.node, f"the defaults entry {path} climbs out of its folder; "
                               "Hydra's defaults paths do not, and warmup_cli does not follow it")
            return []
        absolute = path.startswith("/")
        bases = ("",) if absolute else (self.candidates if primary else (parent.base_dir,))
        relative = path.lstrip("/")
        located = self.find(relative, bases)
        if located is None:
            if not entry.optional:
                tried = os.path.join(self.root_dir, _join(bases[0], relative))
                self.files.problem(entry.node, f"the defaults entry {path} ({tried}.yaml) is not "
                                   "at hand, so the values it sets are unknown")
            return []
        file, base_dir = located
        real = os.path.realpath(file)
        if not self.files.follow_bases and not inside(real, self.files.project) \
                and not inside(real, os.path.realpath(self.root_dir)):
            self.files.problem(entry.node, f"the defaults entry {path} leads outside the project "
                               f"({self.files.project}), so it was not followed and the values "
                               "it sets are unknown; --follow-bases reads it")
            return []
        config = self.files.config
        shown = os.path.normpath(os.path.join(os.path.dirname(config), os.path.relpath(
            file, os.path.dirname(os.path.abspath(config)))))
        doc = self.files.open(shown, real, entry.node, chain, f"the defaults entry {path}")
        if doc is None:
            return []
        header = _header_package(package_header(doc.text))
        explicit = entry.package if entry.package != "_here_" else ""
        own = explicit if explicit is not None else header
        package = final_package(parent.package, own, relative_group)
        child_dir = _join(base_dir, relative_group) if not absolute else relative_group
        return self.compose(doc, _Parent(child_dir, package), (*chain, real))

    def find(self, relative: str, bases: tuple[str, ...]) -> tuple[str, str] | None:
        """The file of ``relative`` under the first of ``bases`` (group paths) that holds it."""
        for base in bases:
            for suffix in SUFFIXES:
                file = os.path.join(self.root_dir, _join(base, relative) + suffix)
                if reads.is_file(file):
                    return file, base
        return None

    def placed(self, root: Node, package: str, exclude: str | None = None) -> Node:
        """A config's content (without its defaults list) nested at ``package``."""
        value = root.as_mapping() or {}
        keys = tuple(package.split(".")) if package else ()
        content = {k: rerooted(v, (*keys, k)) for k, v in value.items() if k != exclude}
        node = Node(content, root.line, root.column, path=keys, source=root.source)
        for depth in range(len(keys), 0, -1):
            node = Node({keys[depth - 1]: node}, root.line, root.column, path=keys[:depth - 1],
                        source=root.source)
        return node


def merge(into: Node, other: Node) -> Node:
    """OmegaConf.merge of two mappings: ``other`` wins, except that its ``???`` leaves a value
    that is set; mappings merge key by key; lists and scalars replace."""
    target = into.as_mapping()
    source = other.as_mapping()
    if target is None or source is None:
        return other
    merged: dict[str, Node] = dict(target)
    for key, value in source.items():
        if key in merged and value.value == MISSING:
            continue  # OmegaConf: a `???` does not replace a value that is set
        if key in merged and merged[key].as_mapping() is not None \
                and value.as_mapping() is not None:
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return _with_value(other, merged)


def _with_value(node: Node, value: NodeValue) -> Node:
    return Node(value, node.line, node.column, node.key_line, node.key_column, node.path,
                node.source)


def config_root(path: str, absolute_groups: set[str], project: str) -> str:
    """The nearest folder from ``path``'s own up to ``project`` that holds every absolute
    group the config names (else the nearest that holds some); the config's own folder when
    there is none."""
    start = os.path.dirname(os.path.abspath(path))
    if not absolute_groups:
        return start
    folders = [start]
    while inside(os.path.realpath(folders[-1]), os.path.realpath(project)) \
            and os.path.dirname(folders[-1]) != folders[-1] and len(folders) < 32:
        folders.append(os.path.dirname(folders[-1]))
    for wanted in (all, any):
        for folder in folders:
            if wanted(os.path.isdir(os.path.join(folder, g)) for g in absolute_groups):
                return folder
    return start


def compose(doc: Document, files: BaseFiles) -> Document:
    """``doc`` with its defaults list composed into its root (problems in ``files``)."""
    declared = doc.root.get(DEFAULTS_KEY)
    absolute = {_first_group(item) for item in (declared.as_sequence() or [])} \
        if declared is not None else set()
    absolute.discard(None)
    root_dir = config_root(doc.path, {g for g in absolute if g}, files.project)
    own = os.path.relpath(os.path.dirname(os.path.abspath(doc.path)), root_dir)
    own = "" if own == "." else own.replace(os.sep, "/")
    parts = own.split("/") if own else []
    candidates = tuple("/".join(parts[:n]) for n in range(len(parts), -1, -1))
    files.count(doc)
    composer = _Composer(files, root_dir, candidates)
    pieces = composer.compose(doc, _Parent(own, ""), (os.path.realpath(doc.path),),
                              primary=True)
    root = Node({}, doc.root.line, doc.root.column)
    for piece in pieces:
        root = merge(root, piece)
    for key, (value, _) in composer.overrides.items():
        if key not in composer.used:
            composer.notes.append(f"override {key}: {value} selects a group this file's "
                                  "defaults do not load (it applies when this file is composed "
                                  "from a primary config that does)")
    root = Node(root.value, doc.root.line, doc.root.column)
    return Document(doc.path, doc.format, root, doc.text, doc.comments, Inheritance(
        "hydra", tuple(files.files), tuple(files.problems),
        tuple(base.path for base in files.files), tuple(sorted(composer.choices.items())),
        declaration=declared, notes=tuple(composer.notes)))


def _hydras(group: str) -> bool:
    """Whether ``group`` configures Hydra itself (``hydra/launcher``...)."""
    return group.lstrip("/").split("/")[0] == "hydra"


def _first_group(item: Node) -> str | None:
    """The first folder of an absolute entry (``/model: x`` -> ``model``), else None."""
    text = item.as_str()
    mapping = item.as_mapping()
    if text is None and mapping is not None and len(mapping) == 1:
        text = next(iter(mapping)).split()[-1] if next(iter(mapping)).split() else None
    if text is None or not text.startswith("/"):
        return None
    first = text[1:].split("/")[0].split("@")[0]
    return first if first and first != "hydra" else None
