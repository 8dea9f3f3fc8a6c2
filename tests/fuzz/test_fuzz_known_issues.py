"""Every KNOWN_ISSUES entry still fails the way it says: once its fix is merged this test
fails, and the entry must go (so that the fuzz tests check that input again)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.known_issues import KNOWN_ISSUES
from tests.fuzz.support import KnownIssue, strict


def _reproduces(issue: KnownIssue, error: BaseException) -> bool:
    if isinstance(error, AssertionError) and any(
            str(error).startswith(f"{check}:") for check in issue.checks):
        return True
    # the contract helpers raise AssertionError from the exception that escaped
    cause = error.__cause__ if isinstance(error, AssertionError) else error
    return cause is not None and issue.matches_exception(cause)


@pytest.mark.parametrize("issue", KNOWN_ISSUES, ids=[i.label for i in KNOWN_ISSUES])
def test_known_issue_still_reproduces(issue: KnownIssue, tmp_path: Path) -> None:
    with strict():
        try:
            issue.reproduce(tmp_path)
        except BaseException as error:  # BudgetExceeded is one
            if isinstance(error, KeyboardInterrupt) or not _reproduces(issue, error):
                raise
            return
    pytest.fail(f"{issue.label!r} no longer fails ({issue.reference}): remove it from "
                "KNOWN_ISSUES in tests/fuzz/known_issues.py")
