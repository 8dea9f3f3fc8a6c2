"""A config file with its base configs merged in, as its framework merges them: the entry point
of every command that reads a config (``show``, ``compare``, ``export``, ``lint``).

:func:`load_config` reads the file with the bounded reader, then resolves what it inherits:

* MMEngine / mmcv ``_base_`` files and ``{{ _base_.x }}`` (``configs.mmengine_bases``);
* Hydra defaults lists (``configs.hydra_defaults``).

detectron2's ``_BASE_`` is followed by its reader (``frameworks.detectron2``), with the same
policy (``configs.bases``). The result is one :class:`~warmup_cli.configs.tree.Document` whose
root is the merged tree; every value from a base file carries that file
(:attr:`Node.source <warmup_cli.configs.tree.Node.source>`), and
:attr:`Document.inheritance` lists the files read and the bases that could not be merged.
Readers see only the merged tree, exactly as the framework's code sees its merged config.
"""

from __future__ import annotations

from pathlib import Path

from warmup_cli.configs import hydra_defaults, mmengine_bases
from warmup_cli.configs.bases import BaseFiles
from warmup_cli.configs.document import choose_format, load_document
from warmup_cli.configs.text import LIMITS, Limits, check_text, read_text
from warmup_cli.configs.tree import Document


def load_config(path: str | Path, *, follow_bases: bool = False,
                limits: Limits = LIMITS, text: str | None = None) -> Document:
    """The config at ``path`` with its bases merged in; ``follow_bases`` (``--follow-bases``)
    lets an absolute or ``~`` base outside the project be read. Raises ``ConfigError`` as
    :func:`~warmup_cli.configs.document.load_document` does, for the file itself and for a
    chain whose files together pass the node budget; a base that cannot be read is recorded
    in ``Document.inheritance.problems`` instead. ``text`` is the file's contents when they
    do not come from disk (standard input, a git revision); its bases are read from disk."""
    name = str(path)
    choose_format(name)  # an unsupported suffix is refused before anything is read
    text = read_text(name, limits.max_bytes) if text is None \
        else check_text(name, text, limits.max_bytes)
    if mmengine_bases.has_base_variables(text):  # the text does not parse before substitution
        return mmengine_bases.resolve(name, text, BaseFiles(name, follow_bases, limits))
    doc = load_document(name, text=text, limits=limits)
    if mmengine_bases.has_bases(doc):
        return mmengine_bases.resolve(name, text, BaseFiles(name, follow_bases, limits))
    if hydra_defaults.has_defaults(doc):
        return hydra_defaults.compose(doc, BaseFiles(name, follow_bases, limits))
    return doc
