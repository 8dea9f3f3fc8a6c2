"""Where a config talks about its schedule in a layout no reader knows.

When no framework reader recognises a file and it holds no lambda or spec, the user still
deserves a located answer rather than silence: the first key that looks like schedule
settings (``warmup_proportion``, ``warm_up_steps``, ``scheduler``...) is where to look.
"""

from __future__ import annotations

import re

from warmup_cli.configs.tree import Document, Node

_SCHEDULE_KEY = re.compile(r"warm_?up|lr_?sched|scheduler|lr_?lambda|lr_?policy|decay_?steps",
                           re.IGNORECASE)


OWN_TABLE = ("tool", "warmup-cli")


def schedule_like_keys(doc: Document, limit: int = 3) -> list[tuple[str, Node]]:
    """Up to ``limit`` (dotted key, node) pairs whose key names schedule settings, in order."""
    found: list[tuple[str, Node]] = []
    for node in doc.root.walk():
        key = node.path[-1] if node.path else None
        if node.path[:2] == OWN_TABLE:
            continue  # warmup_cli's own settings in a pyproject.toml name no schedule
        if isinstance(key, str) and _SCHEDULE_KEY.search(key) and node.key_line is not None:
            found.append((".".join(str(part) for part in node.path), node))
            if len(found) == limit:
                break
    return found
