"""What a framework reader produces, and the registry readers join.

A reader recognises one framework's config keys in a located Document
(``warmup_cli.configs.document``) and turns each schedule it declares into a
:class:`FrameworkSchedule`: a :class:`~warmup_cli.schedule.Plan` whose factor function follows
that framework's own formula, defaults and idea of step 0, or the reasons it cannot be
resolved. Framework-aware checks travel with it as :class:`Finding` values (located at the
responsible key); ``warmup lint`` turns them into diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warmup_cli.schedule import Plan

if TYPE_CHECKING:
    from warmup_cli.configs.document import Document, Node


@dataclass(frozen=True)
class Finding:
    """A framework-aware check that fired: ``code`` is a rule code (WU3xx), located at ``node``."""

    code: str
    message: str
    node: Node | None
    severity: str | None = None  # overrides the rule's default (e.g. scaled by warmup share)


@dataclass
class FrameworkSchedule:
    framework: str  # "hf", "deepspeed", "timm", "detectron2", "fairseq", "lightning", "mmengine"
    name: str  # which schedule of the file, e.g. "scheduler" or "param_scheduler"
    node: Node  # where it is declared: findings without a better place point here
    plan: Plan | None  # None when it cannot be resolved
    horizon: int | None = None  # run length in the plan's unit, when the config says it
    unresolved: list[tuple[Node, str]] = field(default_factory=list)  # (where, why)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # assumptions worth telling the user


@dataclass(frozen=True)
class Reader:
    name: str
    detect: Callable[[Document], bool]
    read: Callable[[Document], list[FrameworkSchedule]]


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> Reader:
    READERS[reader.name] = reader
    return reader
