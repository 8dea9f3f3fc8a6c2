"""Training scripts as lint subjects: each scheduler construction the script reader resolves
(:mod:`warmup_cli.scripts`) is a subject the generic WU1xx rules check, located at the
construction (and silenced by a ``noqa`` on its line or on the factor function's).

A Python file one of the framework readers claims (an MMEngine or detectron2 config) is left
to them. A schedule that stays open is a WU308 note at the value (with the ``--set`` that
    elif item.plateau is not None and not hits:
        schedule = item.plateau  # the plateau rules (WU2xx) read its arguments and monitor
    elif item.torch is not None and not hits and item.resolved:
        from warmup_cli.scripts.plans import lint_factor

        factor = lint_factor(item)
        if factor is not None:
            schedule = FunctionSchedule(fn=factor, label=item.label, spec=item.name,
                                        total=item.horizon)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmup_cli.configs.document import Document
from warmup_cli.lint.diagnostics import Location
from warmup_cli.lint.subject import ANCHOR_RUN, RuleHit, Subject
from warmup_cli.schedule import FunctionSchedule, Schedule
from warmup_cli.vocab import NO_FACTS, Code, RunFacts, Severity

if TYPE_CHECKING:
    from warmup_cli.scripts.document import ScriptRead
    from warmup_cli.scripts.reader import ScriptSchedule


def _claimed(doc: Document) -> bool:
    from warmup_cli.frameworks import readers

    return any(reader.detect(doc) for reader in readers().values())


def script_subjects(doc: Document, facts: RunFacts = NO_FACTS
                    ) -> tuple[list[Subject], ScriptRead | None]:
    """The schedule subjects of a training script, and the reading the stepping checks then
    run on (None: not a training script; no subjects)."""
    if doc.format != "python" or _claimed(doc):
        return [], None
    from warmup_cli.scripts.document import read_script_text

    read = read_script_text(doc.text, doc.path, facts.assignments)
    subjects = [_subject(doc, item) for item in read.schedules]
    # a script that builds an optimizer is a training script even without an LR scheduler:
    # its stepping is checked, and it is not "a layout no reader knows"
    return subjects, read if read.schedules or read.reader.builds.optimizers else None


def checks_subject(doc: Document, read: ScriptRead) -> Subject:
    """The script's WU4xx findings, as one subject without a schedule (each hit located at
    its call or argument)."""
    hits = tuple(RuleHit(f.code, f.message, f.severity, at=Location(f.at.line, f.at.column))
                 for f in read.findings())
    return Subject(text="script checks", path=doc.path, where=Location(1, 1),
                   origin="script", hits=hits)


def _subject(doc: Document, item: ScriptSchedule) -> Subject:
    at = item.at
    where = Location(at.line, at.column)
    hits: list[RuleHit] = []
    for value in item.open:
        text = f"cannot resolve the schedule {item.name}: {value.why}"
        if value.set_name:
            text += f"; supply it with --set '{value.set_name}=VALUE'"
        hits.append(RuleHit(Code.WU308, text, Severity.NOTE,
                            at=Location(value.at.line, value.at.column)))
    if item.refused is not None:
        refused = item.refused.at
        hits.append(RuleHit(Code.WU002, f"unsafe or unsupported factor function: "
                            f"{item.refused.message}; warmup lint never runs it, but the "
                            "script would", Severity.ERROR,
                            at=Location(refused.line, refused.column)))
    schedule: Schedule | None = None
    if item.factor is not None and not hits:
        fn = item.factor
        shift = item.shift
        schedule = FunctionSchedule(fn=(lambda step: fn(step + shift)) if shift else fn,
                                    label=item.label, spec=item.name, total=item.horizon)
    elif item.plateau is not None and not hits:
        schedule = item.plateau  # the plateau rules (WU2xx) read its arguments and monitor
    elif item.torch is not None and not hits and item.resolved:
        from warmup_cli.scripts.plans import lint_factor

        factor = lint_factor(item)
        if factor is not None:
            schedule = FunctionSchedule(fn=factor, label=item.label, spec=item.name,
                                        total=item.horizon)
    covered: frozenset[Code] = frozenset()
    if schedule is not None and item.warmup and item.construction.family.value == \
            "transformers":
        zero_start = _hf_zero_start(item, where)
        if zero_start is not None:
            hits.append(zero_start)
        covered = frozenset({Code.WU101})
    noqa = {at.line}
    if item.compiled is not None:
        noqa.add(item.compiled.at.line)
    anchors = {}
    run_source = None
    if item.horizon is not None and item.step_call is not None:
        anchors[ANCHOR_RUN] = Location(item.step_call.lineno, item.step_call.col_offset + 1)
        run_source = f"the loop stepping it at line {item.step_call.lineno}"
    return Subject(text=item.name, path=doc.path, where=where, value_at=where,
                   schedule=schedule, base_lrs=item.base_lrs if item.base_known else (),
                   run_length=item.horizon if schedule is not None else None,
                   run_source=run_source, anchors=anchors, hits=tuple(hits),
                   noqa_lines=tuple(sorted(noqa)), origin="script", covered=covered,
                   run_unknown=item.horizon is None)


def _hf_zero_start(item: ScriptSchedule, where: Location) -> RuleHit | None:
    """Every transformers warmup gives update 0 factor 0 by definition (transformers#34754):
    the HF reader's WU302, one level lower than other frameworks, replaces WU101."""
    from warmup_cli.frameworks.kit import (
        leading_zero_updates,
        zero_share_severity_lowered,
        zero_share_text,
    )
    assert item.factor is not None and item.warmup
    shift = item.shift
    factor = item.factor
    zeros = leading_zero_updates(lambda step: factor(step + shift), item.warmup)
    if not zeros:
        return None
    return RuleHit(Code.WU302, zero_share_text(zeros, item.warmup, "step"),
                   zero_share_severity_lowered(zeros, item.warmup), at=where)
