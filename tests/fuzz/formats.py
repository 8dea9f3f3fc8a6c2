"""Lint output parsed back, one checker per ``--output-format``: what a CI system reading it
needs to hold whatever the configs and file names contain.

Each checker reports a broken property through :func:`tests.fuzz.support.violation` with a
stable check name (``json-utf8``, ``junit-xml``, ...), so that a known issue can be named.
"""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any

from tests.fuzz.documents import ROOT
from tests.fuzz.support import violation
from warmup_cli.lint.diagnostics import Diagnostic
from warmup_cli.vocab import LintFormat

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
# C0 controls but tab and newline, DEL and C1: a terminal acts on them (ESC starts CSI/OSC
# sequences, OSC 52 writes the clipboard), so user text must never print them raw.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TEXT_LINE = re.compile(r"^.*:\d+:\d+: WU\d{3} \[(error|warning|note)\] ")
# "1 schedule and 39 files", "2 files", "1 schedule": what was found in, and what was checked
_CHECKED = r"(?:[\d,]+ schedules? and )?[\d,]+ (?:schedules?|files?)"
_SUMMARY = re.compile(rf"^(All checks passed(?: \({_CHECKED} checked\))?\.|Found \d+ findings? "
                      rf"\(.*\) in {_CHECKED}(?:; {_CHECKED} checked)?\.)$")
# actions/toolkit's escapeProperty leaves no ',' ':' CR LF in a property, escapeData no CR LF.
_GITHUB_LINE = re.compile(r"^::(error|warning|notice) title=warmup \(WU\d{3}\),file=[^,:\r\n]*,"
                          r"line=\d+,col=\d+::[^\r\n]*$")
_URI_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


def utf8(text: str, check: str) -> bool:
    """Whether the output can be written as UTF-8 (a lone surrogate from a non-UTF-8 file
    name cannot, or is written as the raw byte with surrogateescape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        violation(check, f"not UTF-8: {error}: {text[:200]!r}")
        return False
    return True


def check_text(output: str, diagnostics: Sequence[Diagnostic]) -> None:
    utf8(output, "text-utf8")
    lines = output.split("\n")
    if lines[-1] == "":
        lines.pop()
    if CONTROLS.search(output):
        violation("text-controls", f"a control character in text output: {output[:300]!r}")
    if len(lines) != len(diagnostics) + 1:
        violation("text-lines", f"{len(diagnostics)} findings but {len(lines)} lines: "
                                f"{output[:300]!r}")
        return
    assert _SUMMARY.match(lines[-1]), lines[-1]
    for line in lines[:-1]:
        assert _TEXT_LINE.match(line), line


def check_json(output: str, diagnostics: Sequence[Diagnostic]) -> None:
    if not utf8(output, "json-utf8"):
        return
    found = json.loads(output)
    assert isinstance(found, list) and len(found) == len(diagnostics), output[:300]
    for item, diagnostic in zip(found, diagnostics, strict=True):
        assert item["code"] == diagnostic.code and item["message"] == diagnostic.message
        assert item["location"] == {"row": diagnostic.start.line,
                                    "column": diagnostic.start.column}


@functools.cache
def _sarif_validator() -> Any:
    import jsonschema  # type: ignore[import-untyped]  # no stubs: types-jsonschema is not needed

    schema = json.loads(SARIF_SCHEMA.read_text())
    return jsonschema.Draft4Validator(schema)


def check_sarif(output: str, diagnostics: Sequence[Diagnostic]) -> None:
    if not utf8(output, "sarif-utf8"):
        return
    log = json.loads(output)
    if SARIF_SCHEMA.exists():
        errors = sorted(_sarif_validator().iter_errors(log), key=str)
        assert not errors, errors[0]
    results = log["runs"][0]["results"]
    assert len(results) == len(diagnostics)
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        if not _URI_CHARACTERS.match(uri):
            violation("sarif-uri", f"not a URI reference: {uri!r}")


def check_junit(output: str, diagnostics: Sequence[Diagnostic]) -> None:
    if not utf8(output, "junit-utf8"):
        return
    try:
        root = ET.fromstring(output.encode("utf-8"))
    except ET.ParseError as error:
        violation("junit-xml", f"not XML 1.0 ({error}): {output[:300]!r}")
        return
    cases = root.findall("./testsuite/testcase")
    failures = root.findall("./testsuite/testcase/failure")
    assert len(failures) == len(diagnostics), output[:300]
    assert len(cases) == max(1, len(diagnostics))


def check_github(output: str, diagnostics: Sequence[Diagnostic]) -> None:
    """Only workflow commands of our own: one ``::error``/``::warning``/``::notice`` line per
    finding with exactly our fields; user text can neither start a line nor add a field."""
    utf8(output, "github-utf8")
    lines = output.split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) != len(diagnostics):
        violation("github-lines", f"{len(diagnostics)} findings, {len(lines)} lines")
        return
    for line in lines:
        if not _GITHUB_LINE.match(line):
            violation("github-lines", f"not one of our workflow commands: {line!r}")


CHECKERS: dict[LintFormat, Callable[[str, Sequence[Diagnostic]], None]] = {
    LintFormat.TEXT: check_text,
    LintFormat.JSON: check_json,
    LintFormat.GITHUB: check_github,
    LintFormat.SARIF: check_sarif,
    LintFormat.JUNIT: check_junit,
}
