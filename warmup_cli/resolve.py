"""Argument → plan: the one resolver every command uses (``show``, ``compare``, ``export``,
``lint`` for its command-line schedules go through :mod:`warmup_cli.parse` the same way).

An argument is a spec, a lambda or expression, or a config file (``--schedule`` and
``--framework`` choose within it; :class:`~warmup_cli.vocab.RunFacts` state a run length the
config leaves open). A text that looks like a path and is not a file is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from warmup_cli.errors import ConfigError, WarmupError
from warmup_cli.parse import TextKind, classify, parse_schedule_text, special_path
from warmup_cli.schedule import Plan
from warmup_cli.vocab import DEFAULT_BASE_LR, NO_FACTS, RunFacts, Unit


@dataclass(frozen=True)
class Resolved:
    """A plan and what its source says beside it: the run length and notes for the user."""

    plan: Plan
    horizon: int | None = None
    notes: tuple[str, ...] = ()
    names_base: bool = False  # the source itself states the base LR (base=, a config's lr)


@dataclass(frozen=True)
class Selection:
    """Which schedule of a config file (``--schedule``, ``--framework``), whether its
    reader may follow base configs outside the project (``--follow-bases``), and the values a
    training script leaves to its run (``--set NAME=VALUE``)."""

    schedule: str | None = None
    framework: str | None = None
    follow_bases: bool = False
    assignments: tuple[str, ...] = ()


NO_SELECTION = Selection()


def resolve(argument: str, facts: RunFacts = NO_FACTS, *, base_lrs: Sequence[float] = (),
            default_base_lrs: Sequence[float] = (), unit: Unit | None = None,
            selection: Selection = NO_SELECTION, text: str | None = None) -> Resolved:
    """The plan ``argument`` declares. ``base_lrs`` win over whatever the source names
    (``show --base``); ``default_base_lrs`` apply only where it names none (``compare
    --base``); ``unit`` is what a spec or lambda counts (configs know their own). With
    ``text``, ``argument`` names a config file whose contents are ``text`` (standard
    input), and nothing is read from disk for it."""
    kind = TextKind.FILE if text is not None else classify(argument)
    if kind is TextKind.FILE:
        resolved = _config(argument, facts, selection, text)
    else:
        _refuse_non_schedule(argument, kind, selection)
        parsed = parse_schedule_text(argument)
        plan = Plan(parsed.schedule, parsed.base_lrs or (DEFAULT_BASE_LR,), argument,
                    unit or Unit.EPOCH)
        resolved = Resolved(plan, names_base=parsed.names_base)
    # rebased: a framework's own LR function was built from its config's LR (Plan.rebased)
    if base_lrs:
        return replace(resolved, plan=resolved.plan.rebased(tuple(base_lrs)))
    if default_base_lrs and not resolved.names_base:
        return replace(resolved, plan=resolved.plan.rebased(tuple(default_base_lrs)))
    return resolved


def _refuse_non_schedule(argument: str, kind: TextKind, selection: Selection) -> None:
    if kind is TextKind.DIRECTORY:
        raise ConfigError(f"{argument} is a directory", hint="name one config file in it")
    if kind is TextKind.SPECIAL:
        raise ConfigError(f"{argument} is {special_path(argument) or 'not a regular file'}, "
                          "not a config file",
                          hint="give a config file (.yaml, .yml, .json, .toml or .py), a spec "
                               "or a lambda")
    if kind is TextKind.PATH:
        raise ConfigError(f"no such file: {argument}",
                          hint="give an existing config file, a spec such as 'linear:4' or a "
                               "lambda such as 'lambda e: min(1, (e + 1) / 4)'")
    if selection.schedule or selection.framework:
        raise WarmupError("--schedule and --framework apply to config files only",
                          hint=f"no file is named {argument!r}")
    if selection.assignments:
        raise WarmupError("--set applies to training scripts (.py files) only",
                          hint=f"no file is named {argument!r}")


def _config(path: str, facts: RunFacts, selection: Selection, text: str | None = None
            ) -> Resolved:
    from warmup_cli.config_plans import choose, config_schedules

    if selection.follow_bases:
        facts = replace(facts, follow_bases=True)
    if selection.assignments:
        facts = replace(facts, assignments=selection.assignments)
    item = choose(config_schedules(path, framework=selection.framework, facts=facts,
                                   text=text), selection.schedule, path,
                  follow_bases=facts.follow_bases, text=text)
    if item.plan is None:
        line, column = item.node.location
        raise ConfigError(f"cannot resolve the schedule {item.name!r}",
                          path=item.node.file(item.path),
                          line=line, column=column, hint="; ".join(item.unresolved) or None)
    notes = (*item.notes, *(f"not resolved, assumed: {why}" for why in item.unresolved))
    return Resolved(item.plan, item.horizon, notes, names_base=item.names_base)
