"""Lint settings: ``[tool.warmup-cli]`` in the nearest ``pyproject.toml``, then the CLI on top.

Like ruff: ``select`` replaces the default set (every rule), ``extend-select`` adds to it,
``ignore`` removes from it, ``per-file-ignores`` removes codes for files matching a glob. A
command-line option replaces the value of the same key from ``pyproject.toml``.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from warmup_cli.configs.extract import DEFAULT_SCHEDULE_KEYS, normalize_key
from warmup_cli.errors import ConfigError, WarmupError
from warmup_cli.lint.rules import RULES, expand_selectors
from warmup_cli.vocab import Code, Severity

TABLE = "warmup-cli"
DEFAULT_FAIL_ON = Severity.WARNING
DEFAULT_MAX_WARMUP_SHARE = 0.3
DEFAULT_MAX_JUMP_RATIO = 3.0
@dataclass(frozen=True)
class Settings:
    enabled: frozenset[Code] = field(default_factory=lambda: frozenset(RULES))
    fail_on: Severity = DEFAULT_FAIL_ON
    horizon: int | None = None
    updates_per_epoch: int | None = None
    max_warmup_share: float = DEFAULT_MAX_WARMUP_SHARE
    max_jump_ratio: float = DEFAULT_MAX_JUMP_RATIO
    schedule_keys: frozenset[str] = frozenset(DEFAULT_SCHEDULE_KEYS)
    per_file_ignores: tuple[tuple[str, frozenset[Code]], ...] = ()
    root: Path = field(default_factory=Path.cwd)  # per-file-ignores globs are relative to it
    config_file: Path | None = None

    def codes_for(self, path: str | None) -> frozenset[Code]:
        """The codes enabled for ``path`` (``None``: a command-line schedule)."""
        codes = self.enabled
        if path is not None:
            for pattern, ignored in self.per_file_ignores:
                if _matches(pattern, path, self.root):
                    codes = codes - ignored
        return codes | {code for code, rule in RULES.items() if rule.fixed}


def _matches(pattern: str, path: str, root: Path) -> bool:
    candidates = {PurePath(path).as_posix(), PurePath(path).name}
    with contextlib.suppress(ValueError, OSError):  # outside the root: globs see the path
        candidates.add(Path(path).resolve().relative_to(root.resolve()).as_posix())
    return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)


# --- reading and validating values ----------------------------------------------------------

def _string_list(value: Any, key: str) -> tuple[str, ...]:
    """A list of strings; each item may itself be comma-separated (``--select WU1,WU002``)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise WarmupError(f"{key} must be a list of strings, not {value!r}")
    return tuple(part.strip() for item in value for part in item.split(",") if part.strip())


def _selectors(value: Any, key: str) -> tuple[str, ...]:
    items = _string_list(value, key)
    expand_selectors(items)  # unknown codes fail here, with a suggestion
    return items


def _positive_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise WarmupError(f"{key} must be a positive whole number, not {value!r}")
    return value


def _number(low: float, high: float) -> Callable[[Any, str], float]:
    def check(value: Any, key: str) -> float:
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or not low < value <= high):
            raise WarmupError(f"{key} must be a number in ({low:g}, {high:g}], not {value!r}")
        return float(value)
    return check


def _severity(value: Any, key: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise WarmupError(f"{key} must be one of error, warning, note, not {value!r}") from None


def _per_file(value: Any, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise WarmupError(f"{key} must be a table of glob = [codes], not {value!r}")
    return tuple((str(glob), _selectors(codes, f"{key}.{glob!r}"))
                 for glob, codes in value.items())


VALIDATORS: dict[str, Callable[[Any, str], Any]] = {
    "select": _selectors,
    "extend-select": _selectors,
    "ignore": _selectors,
    "fail-on": _severity,
    "horizon": _positive_int,
    "updates-per-epoch": _positive_int,
    "max-warmup-share": _number(0.0, 1.0),
    "max-jump-ratio": _number(1.0, math.inf),
    "schedule-keys": _string_list,
    "per-file-ignores": _per_file,
}


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` from ``start`` upward that has a ``[tool.warmup-cli]``."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and TABLE in _read_toml(candidate).get("tool", {}):
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def read_config(path: Path) -> dict[str, Any]:
    """The validated ``[tool.warmup-cli]`` table of ``path``."""
    table = _read_toml(path).get("tool", {}).get(TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return _validated(table, source=f"{path}: [tool.{TABLE}]",
                      locate=lambda key, at_value: _place(path, key, at_value))


Locate = Callable[[str, bool], "tuple[str, int, int] | None"]


def _place(path: Path, key: str, at_value: bool) -> tuple[str, int, int] | None:
    """Line and column of ``key`` in the ``[tool.warmup-cli]`` table of ``path`` (of its value
    when ``at_value``), from the located TOML reader; None if it cannot say."""
    from warmup_cli.configs.document import load_document

    try:
        root = load_document(path).root
    except WarmupError:
        return None
    node = root.get("tool")
    for part in (TABLE, key):
        node = node.get(part) if node is not None and node.as_mapping() is not None else None
    if node is None:
        return None
    return (str(path), *((node.line, node.column) if at_value else node.location))


def _validated(values: Mapping[str, Any], source: str, locate: Locate | None = None
               ) -> dict[str, Any]:
    """``values`` checked; an error names ``source``, or the file, line and column that
    ``locate`` gives for a key (or its value)."""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        validator = VALIDATORS.get(key)
        if validator is None:
            close = difflib.get_close_matches(key, list(VALIDATORS), n=1)
            raise _error(f"unknown key {key!r}", f"did you mean {close[0]!r}?" if close
                         else f"keys: {', '.join(VALIDATORS)}", source, locate, key, False)
        try:
            checked[key] = validator(value, key)
        except WarmupError as error:
            raise _error(error.message, error.hint, source, locate, key, True) from None
    return checked


def _error(message: str, hint: str | None, source: str, locate: Locate | None, key: str,
           at_value: bool) -> ConfigError:
    place = locate(key, at_value) if locate is not None else None
    if place is None:
        return ConfigError(f"{source}: {message}", hint=hint)
    path, line, column = place
    where = "" if at_value else f" in [tool.{TABLE}]"
    return ConfigError(message + where, hint=hint, path=path, line=line, column=column)


def resolve_settings(options: Mapping[str, Any] | None = None, *, start: Path | None = None,
                     isolated: bool = False) -> Settings:
    """Settings from ``pyproject.toml`` (unless ``isolated``) overridden by ``options``.

    ``options`` uses the pyproject key names; ``None`` values mean "not given".
    """
    start = (start or Path.cwd()).resolve()
    config_file = None if isolated else find_config(start)
    values = read_config(config_file) if config_file else {}
    given = {key: value for key, value in (options or {}).items() if value is not None}
    values.update(_validated(given, source="command line") if given else {})
    enabled = expand_selectors(values.get("select", ("ALL",)))
    enabled |= expand_selectors(values.get("extend-select", ()))
    enabled -= expand_selectors(values.get("ignore", ()))
    per_file = tuple((glob, expand_selectors(codes))
                     for glob, codes in values.get("per-file-ignores", ()))
    keys = values.get("schedule-keys", DEFAULT_SCHEDULE_KEYS)
    return Settings(
        enabled=frozenset(enabled),
        fail_on=values.get("fail-on", DEFAULT_FAIL_ON),
        horizon=values.get("horizon"),
        updates_per_epoch=values.get("updates-per-epoch"),
        max_warmup_share=values.get("max-warmup-share", DEFAULT_MAX_WARMUP_SHARE),
        max_jump_ratio=values.get("max-jump-ratio", DEFAULT_MAX_JUMP_RATIO),
        schedule_keys=frozenset(normalize_key(k) for k in keys),
        per_file_ignores=per_file,
        root=config_file.parent if config_file else start,
        config_file=config_file,
    )
