"""What a framework reader produces, the registry readers join, and the helpers they share.

A reader recognises one framework's config keys in a located Document
(``warmup_cli.configs.document``) and turns each schedule it declares into a
:class:`FrameworkSchedule`: a :class:`~warmup_cli.schedule.Plan` whose factor function follows
that framework's own formula, defaults and idea of step 0, or the reasons it cannot be
resolved. Framework-aware checks travel with it as :class:`Finding` values (located at the
responsible key); ``warmup lint`` turns them into diagnostics.
"""

from __future__ import annotations

import math
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


# --- shared by the readers ------------------------------------------------------------------

ZERO_SCAN_CAP = 1_000_000  # most warmup updates inspected when counting LR-0 updates


class Reading:
    """Collects the findings, notes and unresolved values of one schedule while a file is read;
    ``failed`` once a value leaves the schedule without a plan."""

    def __init__(self, doc: Document, out: FrameworkSchedule) -> None:
        self.doc = doc
        self.out = out
        self.failed = False

    def finding(self, code: str, message: str, node: Node | None,
                severity: str | None = None) -> None:
        self.out.findings.append(Finding(code, message, node, severity))

    def note(self, text: str) -> None:
        self.out.notes.append(text)

    def unresolved(self, node: Node, reason: str) -> None:
        self.out.unresolved.append((node, reason))
        self.failed = True

    def bad(self, node: Node, message: str) -> None:
        """A value the framework would reject: WU308 (error) and no plan."""
        self.finding("WU308", message, node, "error")
        self.unresolved(node, message)


def mapping_at(node: Node, key: str) -> Node | None:
    """``node[key]`` when it is a mapping, else None (also when ``node`` is not a mapping)."""
    child = node.get(key)
    return child if child is not None and isinstance(child.value, dict) else None


def fmt(value: object) -> str:
    """A config value as messages show it: floats as their repr, the rest as str."""
    return repr(value) if isinstance(value, float) else str(value)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def integral(value: float | int) -> int | None:
    """``value`` as an int when it is a whole number, else None."""
    if isinstance(value, int):
        return value
    if math.isfinite(value) and value == int(value):
        return int(value)
    return None


# WU302, leading updates at LR 0: every reader scales the severity by the share of the warmup
# lost, error >= 25 %, warning >= 1 %, else note (HF reports one level lower).

def zero_share_severity(zeros: int, warmup: int) -> str:
    """WU302's severity when ``zeros`` of the ``warmup`` updates run at LR 0."""
    share = zeros / max(1, warmup)
    if share >= 0.25:
        return "error"
    if share >= 0.01:
        return "warning"
    return "note"


def leading_zero_updates(fn: Callable[[int], float], limit: int) -> int:
    """How many updates from the first one get exactly 0 from ``fn`` (at most ``limit``)."""
    count = 0
    while count < limit and fn(count) == 0:
        count += 1
    return count


def zero_updates(lr: Callable[[int], float], warmup: int) -> int:
    """How many of the first ``warmup`` updates (at most ZERO_SCAN_CAP of them) run at LR 0."""
    return sum(1 for k in range(min(warmup, ZERO_SCAN_CAP)) if lr(k) == 0.0)


def first_updates_run(count: int, unit: str = "update") -> str:
    """``the first update runs`` / ``the first 3 updates run`` (``unit`` e.g. "epoch")."""
    return f"the first {unit} runs" if count == 1 else f"the first {count} {unit}s run"


def zero_lr_finding(zeros: int, warmup: int, unit: str, node: Node | None, *, prefix: str = "",
                    suffix: str = ", starting with the first") -> Finding:
    """WU302 for ``zeros`` of the ``warmup`` updates (``unit``s) at LR 0, scaled by their share."""
    return Finding("WU302", f"{prefix}{zeros} of the {warmup} warmup {unit}s run at LR 0 "
                   f"({zeros / warmup:.2%}){suffix}", node, zero_share_severity(zeros, warmup))
