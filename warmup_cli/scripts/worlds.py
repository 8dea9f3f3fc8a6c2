"""Alternatives: a value that depends on a condition warmup_cli does not decide raises
:class:`Branch`; :func:`worlds` reads the script once per answer, each answer naming an
alternative (``args.cos_lr`` / ``not args.cos_lr``, ``build() called at line 40``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

MAX_WORLDS = 16  # alternatives read per construction


class Branch(Exception):
    """The value depends on ``key`` (a condition's text, or a function's call sites), which
    the current world has not decided: ``options`` are its answers."""

    def __init__(self, key: str, options: tuple[str, ...]) -> None:
        super().__init__(key)
        self.key, self.options = key, options


@dataclass(frozen=True)
class World:
    """One alternative: the answers that pick it (empty: the script has one reading)."""

    assume: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        parts = []
        for key, answer in self.assume:
            if answer == "true":
                parts.append(key)
            elif answer == "false":
                parts.append(f"not {key}")
            else:
                parts.append(f"{key} {answer}")
        return ", ".join(parts)


def worlds(read: Callable[[Mapping[str, str]], Any]) -> Iterator[tuple[World, Any]]:
    """``read(assume)`` for every combination of answers its :class:`Branch` questions need
    (at most MAX_WORLDS; the rest are left out), each with the world that gave it."""
    pending: list[dict[str, str]] = [{}]
    done = 0
    while pending and done < MAX_WORLDS:
        assume = pending.pop(0)
        try:
            result = read(assume)
        except Branch as branch:
            pending.extend({**assume, branch.key: option} for option in branch.options)
            continue
        done += 1
        yield World(tuple(assume.items())), result
