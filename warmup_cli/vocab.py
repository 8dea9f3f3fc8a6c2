"""The words every part of warmup_cli shares, as types: units, severities, rule codes, output
formats and the default base LR.

A leaf module: it imports nothing from warmup_cli, so readers, the pipeline, the renderers and
lint can all name these without importing each other. Every enum is a ``StrEnum`` so that
``str(Unit.EPOCH) == "epoch"`` and a value compares equal to its text (``Code.WU101 ==
"WU101"``): messages, JSON output and the ``[tool.warmup-cli]`` table keep their spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

DEFAULT_BASE_LR = 1.0
"""The base LR of a schedule nothing names one for: the factor itself is then the LR."""

RECIPE_JUMPS = "recipe_jumps"
"""The key of a framework plan's ``extra`` that lists ``(step, why)`` for every jump the config
declares on purpose (the end of a constant warmup, Goyal et al.'s recipe): WU107 reports such a
jump as a note, never as a warning."""

RECIPE_DIPS = "recipe_dips"
"""The key of a framework plan's ``extra`` that says why the framework's own warmup dips before
its peak (Ultralytics' warmup targets ``lf(epoch)``, which drops at every epoch boundary):
WU110 reports such a dip as a note."""

ConfigFormat = Literal["yaml", "json", "toml", "python"]

SUFFIX_FORMATS: dict[str, ConfigFormat] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".py": "python",
}
"""The config files warmup_cli reads, by suffix, and the format each suffix means."""

CONFIG_SUFFIXES = tuple(SUFFIX_FORMATS)
"""The suffixes alone (``str.endswith`` takes a tuple): directories are searched for these."""


class Unit(StrEnum):
    """What one ``scheduler.step()`` counts, in the word the framework itself uses."""

    EPOCH = "epoch"
    STEP = "step"  # an optimizer step (torch, HF, DeepSpeed, timm with sched_on_updates)
    ITER = "iter"  # detectron2 and MMEngine iterations
    UPDATE = "update"  # fairseq num_updates

    @property
    def per_update(self) -> bool:
        """Whether the scheduler is stepped after every optimizer update (not once an epoch)."""
        return self is not Unit.EPOCH


@dataclass(frozen=True)
class RunFacts:
    """What the user states about a run that a config often leaves to the dataset size.

    Every framework reader takes them as ``read(doc, facts)``: ``total_steps`` is the run
    length in the reader's own unit (``--steps``/``--epochs`` of ``show``, ``--horizon`` of
    ``lint``); ``updates_per_epoch`` is the optimizer updates of one epoch (HF and timm call it
    ``steps_per_epoch``, MMEngine ``iters_per_epoch``). ``follow_bases`` (``--follow-bases``)
    lets a reader open a base config named by an absolute or ``~`` path outside the project.
    ``assignments`` are ``--set NAME=VALUE`` texts: values a training script only knows when
    it runs (``args.warmup_steps=200``, ``len(train_loader)=391``).
    """

    total_steps: int | None = None
    updates_per_epoch: int | None = None
    follow_bases: bool = False
    assignments: tuple[str, ...] = ()


NO_FACTS = RunFacts()


class Severity(StrEnum):
    """How bad a lint finding is; ``--fail-on`` compares against this order."""

    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def lower(self) -> Severity:
        """One level less severe (HF's WU302 is a note where other frameworks warn)."""
        return _ORDER[max(0, self.rank - 1)]


_ORDER = (Severity.NOTE, Severity.WARNING, Severity.ERROR)
_RANK = {severity: rank for rank, severity in enumerate(_ORDER)}


class Code(StrEnum):
    """Every lint rule code. Codes never change meaning once released.

    ``WU0xx``: an input could not be linted; ``WU1xx``: bugs in the factor function, whoever
    produced it; ``WU2xx``: ReduceLROnPlateau settings; ``WU3xx``: framework-aware checks made
    by the readers; ``WU4xx``: how a training script steps and restores its schedulers
    (warmup_cli.scripts.checks).
    """

    WU001 = "WU001"
    WU002 = "WU002"
    WU003 = "WU003"
    WU101 = "WU101"
    WU102 = "WU102"
    WU103 = "WU103"
    WU104 = "WU104"
    WU105 = "WU105"
    WU106 = "WU106"
    WU107 = "WU107"
    WU108 = "WU108"
    WU109 = "WU109"
    WU110 = "WU110"
    WU201 = "WU201"
    WU202 = "WU202"
    WU203 = "WU203"
    WU204 = "WU204"
    WU205 = "WU205"
    WU206 = "WU206"
    WU301 = "WU301"
    WU302 = "WU302"
    WU303 = "WU303"
    WU304 = "WU304"
    WU305 = "WU305"
    WU306 = "WU306"
    WU307 = "WU307"
    WU308 = "WU308"
    WU309 = "WU309"
    WU310 = "WU310"
    WU410 = "WU410"
    WU411 = "WU411"
    WU412 = "WU412"
    WU413 = "WU413"
    WU414 = "WU414"
    WU415 = "WU415"
    WU416 = "WU416"
    WU420 = "WU420"
    WU421 = "WU421"
    WU422 = "WU422"
    WU423 = "WU423"
    WU424 = "WU424"
    WU425 = "WU425"
    WU430 = "WU430"
    WU431 = "WU431"
    WU440 = "WU440"
    WU441 = "WU441"


class OutputFormat(StrEnum):
    """``warmup show`` / ``compare`` output: ``auto`` picks table or csv by the terminal."""

    AUTO = "auto"
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"


class ExportFormat(StrEnum):
    """``warmup export --to``: a PyTorch snippet or the JSON description."""

    PYTHON = "python"
    JSON = "json"


class DiffFormat(StrEnum):
    """``warmup diff --format``: for a terminal, a program, or a pull-request comment."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class ColorMode(StrEnum):
    """Terminal escapes on stdout: ``auto`` only on a terminal (NO_COLOR/FORCE_COLOR honoured)."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class LintFormat(StrEnum):
    """``warmup lint --output-format``: one emitter each in ``warmup_cli.lint.emitters``."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"
    JUNIT = "junit"
