"""What the checks look at: one schedule found in a config file or on the command line.

Extractors (the generic one in ``extract``, framework readers later) turn a Document into
:class:`Subject` values; the checks never see the file, only the subject's schedule, the run
length and base LR found beside it, and the places findings should point at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warmup_cli.lint.diagnostics import Location
from warmup_cli.vocab import Code, Severity

if TYPE_CHECKING:
    from warmup_cli.expr import CompiledExpression
    from warmup_cli.schedule import Schedule

# Names of Subject.anchors a check may ask for; a missing anchor falls back to Subject.where.
ANCHOR_START = "start"  # the value that sets the first factor (e.g. a framework's warmup_lr: 0)
ANCHOR_RUN = "run"  # the run length (max_steps, epochs, ...)
ANCHOR_WARMUP = "warmup"  # the warmup length


def source_offset(text: str, column: int | None) -> int | None:
    """A column of ``text.strip()`` (what the spec and expression parsers see) as an offset
    into ``text`` itself."""
    return None if column is None else len(text) - len(text.lstrip()) + column


@dataclass(frozen=True)
class RuleHit:
    """A rule that fired on a subject, before it is placed in the file.

    ``anchor`` names one of the subject's anchors; ``offset`` is a 0-based character offset
    into ``Subject.text`` (a construct inside an expression); ``at`` is an explicit place
    (framework findings that know their node).
    """

    code: Code
    message: str
    severity: Severity | None = None  # None: the rule's default
    anchor: str | None = None
    offset: int | None = None
    at: Location | None = None
    path: str | None = None  # the file ``at`` is in, when it is not the subject's (a base config)


@dataclass(frozen=True)
class Subject:
    text: str  # the schedule as written: a lambda, a spec, an expression; or a description
    path: str  # the file, or "<argN>" for a command-line schedule
    where: Location  # the key holding the value (or the value when it has no key)
    value_at: Location | None = None
    # The 1-based file column of text[0] on value_at's line, set only when the file holds the
    # text verbatim there (one line, no escapes), so offsets inside the text map to columns.
    text_column: int | None = None
    schedule: Schedule | None = None  # None: nothing to evaluate (see problem)
    expression: CompiledExpression | None = None  # for lambdas: staircase constructs, columns
    problem: RuleHit | None = None  # why the text could not become a schedule (WU002, WU003)
    base_lrs: tuple[float, ...] = ()
    run_length: int | None = None  # scheduler steps in the run, when the config says so
    run_source: str | None = None  # where run_length came from, for messages
    anchors: Mapping[str, Location] = field(default_factory=dict)
    hits: tuple[RuleHit, ...] = ()  # findings the extractor made itself (framework checks)
    covered: frozenset[Code] = frozenset()  # generic checks the extractor's own hits replace
    noqa_lines: tuple[int, ...] = ()
    # The framework reader that produced this subject ("hf", "deepspeed", ...); None for the
    # generic extractor and command-line schedules. A reader's subject that fails while being
    # checked becomes a finding naming it instead of a traceback.
    origin: str | None = None
    # The key path of the node the subject was read from (the value for the generic extractor,
    # the declaring key for a reader): a resolved reader schedule owns its subtree, and the
    # generic extractor's subjects inside it are dropped so that one value is linted once.
    key_path: tuple[str | int, ...] = ()
    # The file ``where`` and ``value_at`` are in, when it is not ``path``: a schedule a config
    # inherits from a base config (``configs.inherit``).
    where_path: str | None = None
    # The file does not say how long the run is and nothing suggests it is long (a training
    # script stepping its scheduler outside any loop): a finding that exists only within the
    # default horizon is speculative, and the rules that say so lower it to a note.
    run_unknown: bool = False

    def locate_file(self, hit: RuleHit) -> str:
        """The file :meth:`locate` points into: ``path``, or a base config of it."""
        if hit.at is not None:
            return hit.path or self.path
        return self.where_path or self.path

    def locate(self, hit: RuleHit) -> Location:
        """The file location of ``hit``: inside the text when verifiable, else its anchor."""
        if hit.at is not None:
            return hit.at
        if hit.offset is not None:
            if self.text_column is not None and self.value_at is not None \
                    and 0 <= hit.offset <= len(self.text):
                return Location(self.value_at.line, self.text_column + hit.offset)
            return self.value_at or self.where
        if hit.anchor is not None:
            return self.anchors.get(hit.anchor, self.where)
        return self.where
