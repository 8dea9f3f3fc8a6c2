"""The training-script reader's front door: a script's text and the ``--set`` values in, its
schedules and the ``--set`` names it never used out."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Any

from warmup_cli.errors import ConfigError
from warmup_cli.scripts.model import ScriptFinding
from warmup_cli.scripts.reader import ScriptReader, ScriptSchedule
from warmup_cli.scripts.values import parse_set


@dataclass(frozen=True)
class ScriptRead:
    schedules: tuple[ScriptSchedule, ...]
    unused: tuple[str, ...]  # --set names no value of the script asked for
    reader: ScriptReader

    def findings(self) -> list[ScriptFinding]:
        """The stepping checks (WU4xx, ``scripts.checks``) over this script, asking this
        reader's values (with the ``--set`` values; an undecided branch is no number)."""
        from warmup_cli.scripts.checks import check_script

        reader = self.reader
        return check_script(reader.module, reader.builds, reader.values({}))


def overrides_of(assignments: tuple[str, ...]) -> dict[str, Any]:
    """The ``--set NAME=VALUE`` texts as values by :func:`~.values.canonical` name;
    ConfigError (exit 2) for one that does not parse."""
    found: dict[str, Any] = {}
    for text in assignments:
        try:
            key, value = parse_set(text)
        except ValueError as error:
            raise ConfigError(str(error), hint="--set NAME=VALUE, e.g. --set "
                              "args.warmup_steps=200 --set 'len(train_loader)=391'") from None
        found[key] = value
    return found


def read_script_text(text: str, path: str, assignments: tuple[str, ...] = ()) -> ScriptRead:
    """Every scheduler construction of the script ``text`` as schedules (none: not a training
    script warmup_cli knows). The text was already loaded and parsed within the loader's
    budgets (``configs.text``); it is parsed again here, never run."""
    overrides = overrides_of(assignments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings about the script are not ours
        module = ast.parse(text)
    reader = ScriptReader(text, path, overrides, module=module)
    schedules = tuple(reader.schedules())
    return ScriptRead(schedules, tuple(key for key in overrides if key not in reader.used),
                      reader)
