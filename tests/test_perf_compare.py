"""``compare`` verifies every schedule in one child process (verify.py), not one per schedule:
torch is imported once. Run in a fresh interpreter, as the CLI runs: with torch already
imported (as in this test process) the checks run in-process instead."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from warmup_cli import verify
from warmup_cli.pipeline import CompareRequest, RunLength, compare

children = []
class Counted(verify._Child):
    def __init__(self, plans, view):
        children.append(len(plans))
        super().__init__(plans, view)
verify._Child = Counted

schedules = ("linear:400 > cosine:40000", "noam:4000", "lambda s: 1.0 / (s - 39_999)")
compared = compare(CompareRequest(schedules, RunLength(steps=40_000)))
outcomes = []
for pending in compared.pending:
    try:
        outcomes.append(pending.result().checked)
    except Exception as error:
        outcomes.append(type(error).__name__ + ": " + error.message)
print(json.dumps({"children": children, "outcomes": outcomes,
                  "torch_in_parent": "torch" in sys.modules}))
"""


def test_one_child_verifies_every_schedule() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True)
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["children"] == [3]  # one process, for the three schedules
    assert found["torch_in_parent"] is False
    first, second, third = found["outcomes"]
    # the sampled check (first, last, both sides of every milestone, an even spread)
    assert isinstance(first, int) and isinstance(second, int) and 200 < first < 40_000
    # the third fails at its last update: its failure is its own, the others are still checked
    assert third.startswith("WarmupError: ") and "ZeroDivisionError at step 39999" in third
