"""Every FIXED reproducer passes the contract; every KNOWN_ISSUES entry still fails the way it
says (once its fix is merged that test fails, and the entry moves to FIXED)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.known_issues import FIXED, KNOWN_ISSUES
from tests.fuzz.support import KnownIssue, strict


def _reproduces(issue: KnownIssue, error: BaseException) -> bool:
    if isinstance(error, AssertionError) and any(
            str(error).startswith(f"{check}:") for check in issue.checks):
        return True
    # the contract helpers raise AssertionError from the exception that escaped
    cause = error.__cause__ if isinstance(error, AssertionError) else error
    return cause is not None and issue.matches_exception(cause)


@pytest.mark.parametrize("issue", FIXED, ids=[i.label for i in FIXED])
def test_fixed_issue_stays_fixed(issue: KnownIssue, tmp_path: Path) -> None:
    with strict():
        issue.reproduce(tmp_path)


def test_known_issues_still_reproduce(tmp_path: Path) -> None:
    for index, issue in enumerate(KNOWN_ISSUES):
        directory = tmp_path / str(index)
        directory.mkdir()
        with strict():
            try:
                issue.reproduce(directory)
            except BaseException as error:  # BudgetExceeded is one
                if isinstance(error, KeyboardInterrupt) or not _reproduces(issue, error):
                    raise
                continue
        pytest.fail(f"{issue.label!r} no longer fails ({issue.reference}): move it to FIXED "
                    "in tests/fuzz/known_issues.py")
