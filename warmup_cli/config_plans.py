"""Config file → the schedules it declares, as plans ``warmup show`` can run.

Framework readers (``warmup_cli.frameworks``) reproduce what HF, DeepSpeed, timm, detectron2,
fairseq, Lightning and MMEngine will run; the lint's generic extractor adds lambdas and specs
written into any config (``lr_lambda: "lambda epoch: ..."``). Nothing in the file is executed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from warmup_cli.errors import ConfigError
from warmup_cli.schedule import Plan
from warmup_cli.vocab import RunFacts


@dataclass(frozen=True)
class ConfigSchedule:
    name: str  # what --schedule selects: "<framework>:<name>" or the key path of a lambda
    plan: Plan | None  # None when it cannot be resolved
    horizon: int | None  # the run length the config states, in the plan's unit
    where: str  # path:line:col of the declaration
    notes: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = field(default=())  # "path:line:col: why"


def is_config_path(text: str) -> bool:
    """A schedule argument naming an existing file is a config, not a spec or lambda."""
    try:
        return "\n" not in text and len(text) < 4096 and Path(text).is_file()
    except (OSError, ValueError):
        return False


def config_schedules(path: str, *, framework: str | None = None, total_steps: int | None = None,
                     updates_per_epoch: int | None = None) -> list[ConfigSchedule]:
    from warmup_cli.configs.document import load_document
    from warmup_cli.frameworks import readers
    from warmup_cli.lint.extract import GenericExtractor
    from warmup_cli.lint.settings import DEFAULT_SCHEDULE_KEYS

    doc = load_document(path)
    available = readers()
    if framework is not None and framework not in available:
        close = difflib.get_close_matches(framework, list(available), n=1)
        raise ConfigError(f"unknown framework {framework!r}",
                          hint=f"did you mean {close[0]!r}?" if close else
                          f"frameworks: {', '.join(available)}")
    chosen = [available[framework]] if framework else \
        [reader for reader in available.values() if reader.detect(doc)]
    found: list[ConfigSchedule] = []
    for reader in chosen:
        for item in reader.read(doc, RunFacts(total_steps, updates_per_epoch)):
            line, column = item.node.location
            found.append(ConfigSchedule(
                name=f"{item.framework}:{item.name}", plan=item.plan, horizon=item.horizon,
                where=f"{path}:{line}:{column}", notes=tuple(item.notes),
                unresolved=tuple(f"{path}:{n.location[0]}:{n.location[1]}: {why}"
                                 for n, why in item.unresolved)))
    if framework is None:
        for subject in GenericExtractor(frozenset(DEFAULT_SCHEDULE_KEYS))(doc):
            # In a framework's file, `lr_scheduler: cosine` names the framework's scheduler,
            # not a warmup_cli spec: only lambdas are taken from such files.
            if subject.schedule is None or (found and subject.expression is None):
                continue
            where = f"{path}:{subject.where.line}:{subject.where.column}"
            plan = Plan(subject.schedule, subject.base_lrs or (1.0,), subject.text)
            found.append(ConfigSchedule(name=f"line {subject.where.line}: {subject.text}",
                                        plan=plan, horizon=subject.run_length, where=where))
    return found


def no_schedule_error(path: str) -> ConfigError:
    """Nothing readable: point at the keys that look like schedule settings, if any."""
    from warmup_cli.configs.document import load_document
    from warmup_cli.configs.hints import schedule_like_keys

    known = ("warmup_cli reads HF, DeepSpeed, timm, detectron2, fairseq, Lightning and MMEngine "
             "configs and lambda or spec strings; --framework NAME forces a reader")
    keys = schedule_like_keys(load_document(path))
    if not keys:
        return ConfigError(f"{path}: no schedule found", hint=known)
    line, column = keys[0][1].location
    names = ", ".join(name for name, _ in keys)
    return ConfigError(f"{path}:{line}:{column}: cannot resolve the schedule: {names} "
                       "are in a layout no reader knows", hint=known)


def choose(found: list[ConfigSchedule], wanted: str | None, path: str) -> ConfigSchedule:
    names = [item.name for item in found]
    if not found:
        raise no_schedule_error(path)
    if wanted is None:
        if len(found) == 1:
            return found[0]
        raise ConfigError(f"{path} declares {len(found)} schedules; pick one with --schedule",
                          hint="; ".join(repr(n) for n in names))
    matches = [item for item in found if item.name == wanted or wanted in item.name]
    if len(matches) == 1:
        return matches[0]
    raise ConfigError(f"{path}: --schedule {wanted!r} matches {len(matches)} schedules",
                      hint="choose one of: " + "; ".join(repr(n) for n in names))
