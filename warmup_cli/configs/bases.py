"""Which base configs may be opened, and opening them with bounds: the policy every kind of
config inheritance shares (MMEngine ``_base_``, Hydra defaults lists, detectron2 ``_BASE_``).

A config from a stranger must not make warmup_cli read (and quote values of) any file of the
machine it runs on. A base named by a relative path is followed, as the framework follows it;
one named by an absolute or ``~`` path only when it lies inside the :func:`project_root`, or
with ``--follow-bases``. URLs and installed packages are never read. A chain is at most
:data:`MAX_BASE_DEPTH` files deep, reads at most :data:`MAX_BASE_FILES` files, and every file
goes through :func:`~warmup_cli.configs.document.load_document` (the bounded reader); the
values of all the files together are held to the node budget.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from warmup_cli.configs import reads
from warmup_cli.configs.document import load_document
from warmup_cli.configs.text import LIMITS, Limits, config_error, read_text
from warmup_cli.configs.tree import BaseProblem, Document, Node
from warmup_cli.errors import ConfigError

MAX_BASE_DEPTH = 10
"""Base chains deeper than this many files are refused (detectron2's limit too)."""
MAX_BASE_FILES = 64
"""Most base files one config may pull in, all levels together."""
PROJECT_MARKERS = (".git", "pyproject.toml")


def project_root(config: str) -> str:
    """The folder an absolute or ``~`` base must lie in to be followed without
    ``--follow-bases``: the nearest folder holding ``.git`` or ``pyproject.toml`` above the
    config (its real path), else the config's own folder."""
    start = os.path.dirname(os.path.realpath(config))
    folder = start
    while True:
        if any(reads.exists(os.path.join(folder, marker)) for marker in PROJECT_MARKERS):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return start
        folder = parent


def inside(path: str, folder: str) -> bool:
    """Whether the real path ``path`` lies in ``folder``."""
    return os.path.commonpath([path, folder]) == folder


@dataclass
class BaseFiles:
    """The base files of one config being resolved: the policy (``follow_bases``, the
    project), what was read, the problems met, and the budgets."""

    config: str
    follow_bases: bool = False
    limits: Limits = LIMITS
    files: list[Document] = field(default_factory=list)
    problems: list[BaseProblem] = field(default_factory=list)
    values: int = 0
    project: str = ""

    def __post_init__(self) -> None:
        self.project = project_root(self.config)

    def problem(self, node: Node, reason: str, *, rejected: bool = False) -> None:
        self.problems.append(BaseProblem(node, reason, rejected))

    def target(self, name: str, current: str, blame: Node, key: str) -> tuple[str, str] | None:
        """The base ``name`` that the file ``current`` names under ``key`` (a path relative to
        that file's folder, as both frameworks resolve it): its path as messages show it and
        its real path; or None with the reason recorded at ``blame``."""
        what = f"{key} {name}"
        if name.startswith(("https://", "http://")):
            self.problem(blame, f"{what} is a URL; warmup_cli reads local files only")
            return None
        expanded = os.path.expanduser(name)
        outside_tree = os.path.isabs(expanded)  # absolute, or ~ (expanded to an absolute path)
        shown = os.path.normpath(expanded if outside_tree
                                 else os.path.join(os.path.dirname(current), expanded))
        real = os.path.realpath(shown)
        if outside_tree and not self.follow_bases and not inside(real, self.project):
            self.problem(blame, f"{what} is outside the project ({self.project}), so it was not "
                         "followed and the values it sets are unknown; --follow-bases reads it")
            return None
        if not reads.is_file(real):
            where = f" ({shown})" if shown != name else ""
            self.problem(blame, f"the base config {name}{where} is not at hand, so the values "
                         "it sets are unknown")
            return None
        return shown, real

    def open(self, shown: str, real: str, blame: Node, chain: tuple[str, ...], what: str,
             transform: Callable[[str], str] | None = None) -> Document | None:
        """The base at ``shown`` (real path ``real``), read with the bounded reader and its
        values marked with their file, or None with the reason recorded (a cycle, a chain too
        deep, too many files, a file that cannot be read). ``chain`` holds the real paths from
        the config down to the file naming this base; ``transform`` rewrites the text before it
        is parsed (MMEngine's ``{{_base_.x}}`` placeholders); ``what`` names the base."""
        if real in chain:
            self.problem(blame, f"{what} loops back to {shown}", rejected=True)
            return None
        if len(chain) > MAX_BASE_DEPTH:
            self.problem(blame, f"{what}: the chain of base configs is deeper than "
                         f"{MAX_BASE_DEPTH} files", rejected=True)
            return None
        if len(self.files) >= MAX_BASE_FILES:
            self.problem(blame, f"{what}: more than {MAX_BASE_FILES} base configs in all",
                         rejected=True)
            return None
        try:
            text = read_text(shown, self.limits.max_bytes)
            doc = load_document(shown, text=transform(text) if transform else text,
                                limits=self.limits)
        except ConfigError as exc:
            where = f"{exc.where}: " if exc.where else ""
            self.problem(blame, f"the base config {shown} cannot be read: {where}{exc.message}")
            return None
        self.mark(doc)
        self.files.append(doc)
        return doc

    def mark(self, doc: Document) -> None:
        """Mark every value of the base ``doc`` with its file, and count them."""
        for node in doc.root.walk():
            if node.source is None:
                node.source = doc.path
        self.count(doc)

    def count(self, doc: Document) -> None:
        """Count the values of ``doc`` against the node budget of the merged tree: the config
        and every file of its chain together."""
        self.values += sum(1 for _ in doc.root.walk())
        if self.values > self.limits.max_nodes:
            raise config_error(self.config, f"the config and its base configs hold more than "
                               f"{self.limits.max_nodes:,} values together (the node budget)")
