"""Config file → the schedules it declares, as plans every command can run.

Framework readers (``warmup_cli.frameworks``) reproduce what HF, DeepSpeed, timm, detectron2,
fairseq, Lightning and MMEngine will run; the generic extractor (``configs.extract``) adds
lambdas and specs written into any config (``lr_lambda: "lambda epoch: ..."``). Nothing in
the file is executed.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from warmup_cli.configs.document import Document, Node, load_document
from warmup_cli.configs.extract import find_texts
from warmup_cli.configs.hints import schedule_like_keys
from warmup_cli.configs.inherit import load_config
from warmup_cli.configs.torch_script import hand_set_lr, imports_torch
from warmup_cli.errors import ConfigError
from warmup_cli.parse import ParsedText
from warmup_cli.schedule import Plan
from warmup_cli.vocab import DEFAULT_BASE_LR, NO_FACTS, RunFacts

KNOWN_LAYOUTS = ("warmup_cli reads HF (also open-instruct, axolotl), DeepSpeed, timm, detectron2, "
                 "fairseq, Lightning/litgpt, MMEngine, Ultralytics/YOLOv5 and Hydra _target_ "
                 "configs and lambda or spec strings; --framework NAME forces a reader")


@dataclass(frozen=True)
class ConfigSchedule:
    name: str  # what --schedule selects: "<framework>:<name>" or "line N: <text>"
    plan: Plan | None  # None when it cannot be resolved
    horizon: int | None  # the run length the config states, in the plan's unit
    path: str
    node: Node  # the declaration
    notes: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()  # "path:line:col: why"
    names_base: bool = True  # the config states the base LR (else the plan uses the default)

    @property
    def where(self) -> str:
        return _where(self.node.file(self.path), self.node)


def _where(path: str, node: Node) -> str:
    line, column = node.location
    return f"{path}:{line}:{column}"


def config_schedules(path: str, *, framework: str | None = None,
                     facts: RunFacts = NO_FACTS, text: str | None = None
                     ) -> list[ConfigSchedule]:
    """Every schedule of the config at ``path`` (its base configs merged in: see
    ``configs.inherit``); ``framework`` forces one reader; ``text`` is its contents when
    they do not come from disk (standard input, a git revision)."""
    doc = load_config(path, follow_bases=facts.follow_bases, text=text)
    found = _framework_schedules(doc, framework, facts)
    if framework is None and not found and doc.format == "python":
        found = _script_schedules(doc, facts)
    if framework is None:
        # In a framework's file, `lr_scheduler: cosine` names the framework's scheduler, not a
        # warmup_cli spec: only lambdas are taken from such files.
        found += [_text_schedule(doc, item.node, item.parsed, item.base_lrs,
                                 item.run.length if item.run else None)
                  for item in find_texts(doc)
                  if isinstance(item.parsed, ParsedText)
                  and not (found and item.parsed.expression is None)]
    return _distinct_names(found)


def _distinct_names(found: list[ConfigSchedule]) -> list[ConfigSchedule]:
    """Every schedule under a name of its own, so that ``--schedule`` can pick each: a name two
    schedules share gets its line (``hf:lr_scheduler (line 12)``), then its position."""
    def renamed(items: list[ConfigSchedule], suffix: Callable[[int, ConfigSchedule], str]
                ) -> list[ConfigSchedule]:
        counts = Counter(item.name for item in items)
        return [dataclasses.replace(item, name=f"{item.name} ({suffix(index, item)})")
                if counts[item.name] > 1 else item for index, item in enumerate(items, 1)]

    once = renamed(found, lambda _, item: f"line {item.node.line}")
    return renamed(once, lambda index, _: f"#{index}")


def _framework_schedules(doc: Document, framework: str | None,
                         facts: RunFacts) -> list[ConfigSchedule]:
    from warmup_cli.frameworks import readers
    from warmup_cli.frameworks.kit import with_bases

    available = readers()
    if framework is not None and framework not in available:
        close = difflib.get_close_matches(framework, list(available), n=1)
        raise ConfigError(f"unknown framework {framework!r}",
                          hint=f"did you mean {close[0]!r}?" if close else
                          f"frameworks: {', '.join(available)}")
    chosen = [available[framework]] if framework else \
        [reader for reader in available.values() if reader.detect(doc)]
    return [ConfigSchedule(
        name=f"{item.framework}:{item.name}", plan=item.plan, horizon=item.horizon,
        path=doc.path, node=item.node, notes=tuple(item.notes),
        unresolved=tuple(f"{_where(doc.file_of(node), node)}: {why}"
                         for node, why in item.unresolved))
        for reader in chosen for item in (with_bases(doc, found)
                                          for found in reader.read(doc, facts))]


def _script_schedules(doc: Document, facts: RunFacts) -> list[ConfigSchedule]:
    """A Python file no framework reader claims, read as a training script: each scheduler
    construction (each alternative) with its plan, or what stays open."""
    from warmup_cli.configs.tree import Node
    from warmup_cli.scripts.document import read_script_text
    from warmup_cli.scripts.plans import plan_of

    read = read_script_text(doc.text, doc.path, facts.assignments)
    found: list[ConfigSchedule] = []
    unused = tuple(f"--set {name} was not used: no value of the script asks for it"
                   for name in read.unused)
    for item in read.schedules:
        node = Node(None, item.at.line, item.at.column)
        unresolved = [f"{doc.path}:{o.at.line}:{o.at.column}: {o.why}"
                      + (f" (--set '{o.set_name}=VALUE')" if o.set_name else "")
                      for o in item.open]
        if item.refused is not None:
            at = item.refused.at
            unresolved.append(f"{doc.path}:{at.line}:{at.column}: the factor function is "
                              f"refused: {item.refused.message}")
        plan = None
        if not unresolved:
            try:
                plan = plan_of(item, doc.path)
            except ConfigError as error:
                unresolved.append(error.render())
        found.append(ConfigSchedule(
            name=item.name, plan=plan, horizon=item.horizon, path=doc.path, node=node,
            notes=(*item.notes, *unused), unresolved=tuple(unresolved),
            names_base=item.base_known))
    return found


def _text_schedule(doc: Document, node: Node, parsed: ParsedText, base_lrs: tuple[float, ...],
                   horizon: int | None) -> ConfigSchedule:
    plan = Plan(parsed.schedule, base_lrs or (DEFAULT_BASE_LR,), parsed.text)
    return ConfigSchedule(name=f"line {node.line}: {parsed.text}", plan=plan, horizon=horizon,
                          path=doc.path, node=node, names_base=bool(base_lrs))


def _unmerged(doc: Document) -> ConfigError:
    """No reader found a schedule in a config whose bases are not all merged: say why, where
    the first base that could not be merged is named."""
    assert doc.inheritance is not None
    first, *others = doc.inheritance.problems
    line, column = first.node.location
    return ConfigError(f"no schedule found: {first.reason}", path=doc.file_of(first.node),
                       line=line, column=column,
                       hint="; ".join(p.reason for p in others) or KNOWN_LAYOUTS)


def no_schedule_error(path: str, *, follow_bases: bool = False,
                      text: str | None = None) -> ConfigError:
    """Nothing readable: point at the first base config that could not be merged (the
    schedule may be there), else at the keys that look like schedule settings, if any."""
    merged = load_config(path, follow_bases=follow_bases, text=text)
    if merged.inheritance is not None and merged.inheritance.problems:
        return _unmerged(merged)
    doc = load_document(path, text=text)
    if imports_torch(doc):
        return _no_scheduler(doc)
    keys = schedule_like_keys(doc)
    if not keys:
        return ConfigError("no schedule found", path=path, hint=KNOWN_LAYOUTS)
    line, column = keys[0][1].location
    names = ", ".join(name for name, _ in keys)
    return ConfigError(f"cannot resolve the schedule: {names} are in a layout no reader knows",
                       path=path, line=line, column=column, hint=KNOWN_LAYOUTS)


def _no_scheduler(doc: Document) -> ConfigError:
    """A training script that builds no scheduler warmup_cli reads: its own variables are not a
    config layout; name the LR it writes by hand, if it does."""
    hand = hand_set_lr(doc)
    if hand is None:
        return ConfigError("no schedule found", path=doc.path,
                           hint="no LR scheduler construction was found in this training "
                                "script; " + KNOWN_LAYOUTS)
    return ConfigError("no schedule found", path=doc.path, line=hand.lineno,
                       column=hand.col_offset + 1,
                       hint=f"the LR is set by hand (`{ast.unparse(hand)}`), not by a "
                            "scheduler warmup_cli can read")


def choose(found: list[ConfigSchedule], wanted: str | None, path: str, *,
           follow_bases: bool = False, text: str | None = None) -> ConfigSchedule:
    """The one schedule ``--schedule`` names (by name or part of it), or the only one."""
    names = [item.name for item in found]
    if not found:
        raise no_schedule_error(path, follow_bases=follow_bases, text=text)
    if wanted is None:
        if len(found) == 1:
            return found[0]
        raise ConfigError(f"{path} declares {len(found)} schedules; pick one with --schedule",
                          hint="; ".join(repr(n) for n in names))
    matches = [item for item in found if item.name == wanted or wanted in item.name]
    if len(matches) == 1:
        return matches[0]
    raise ConfigError(f"--schedule {wanted!r} matches {len(matches)} schedules", path=path,
                      hint="choose one of: " + "; ".join(repr(n) for n in names))
