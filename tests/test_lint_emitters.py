"""Output formats: one list of diagnostics, five emitters (text, json, github, sarif, junit)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from warmup_cli.lint.diagnostics import Diagnostic, Location, Severity
from warmup_cli.lint.emitters import (
    emit_github,
    emit_json,
    emit_junit,
    emit_sarif,
    emit_text,
    summary,
)
from warmup_cli.lint.rules import RULES
from warmup_cli.vocab import Code

SARIF_SCHEMA = Path(__file__).resolve().parents[1].parent / "shared" / "schemas" \
    / "sarif-schema-2.1.0.json"

FOUND = [
    Diagnostic(Code.WU101, Severity.ERROR, "the first update gets LR 0", "configs/a.yaml",
               Location(3, 5), noqa_lines=(3,)),
    Diagnostic(Code.WU105, Severity.WARNING, "`//` makes the warmup rise in stairs",
               "configs/a.yaml", Location(3, 28)),
    Diagnostic(Code.WU107, Severity.WARNING, "jumps 10x: 50% of it, a,b\nsecond line",
               "dir,with:odd/b.yaml", Location(7, 1)),
    Diagnostic(Code.WU101, Severity.NOTE, "one zero step of 2,000", "<arg1>", Location(1, 1)),
]


def test_text_lines_and_summary() -> None:
    lines = emit_text(FOUND[:3]).splitlines()
    assert lines[0] == "configs/a.yaml:3:5: WU101 [error] the first update gets LR 0"
    assert lines[1] == "configs/a.yaml:3:28: WU105 [warning] `//` makes the warmup rise in stairs"
    assert lines[-1] == "Found 3 findings (1 error, 2 warnings) in 2 files."


@pytest.mark.parametrize(("found", "expected"), [
    ([], "All checks passed."),
    (FOUND[3:], "Found 1 finding (1 note) in 1 file."),
    (FOUND, "Found 4 findings (1 error, 2 warnings, 1 note) in 3 files."),
])
def test_summary_wording(found: list[Diagnostic], expected: str) -> None:
    assert summary(found) == expected


def test_json_objects() -> None:
    data = json.loads(emit_json(FOUND))
    assert len(data) == 4
    first = data[0]
    assert first == {
        "code": "WU101", "name": "zero-lr-start", "severity": "error",
        "message": "the first update gets LR 0", "filename": "configs/a.yaml",
        "location": {"row": 3, "column": 5}, "end_location": None, "noqa_row": 3,
        "url": "README.md#wu101-zero-lr-start",
    }
    assert json.loads(emit_json([])) == []


def test_github_workflow_commands_are_escaped() -> None:
    lines = emit_github(FOUND).splitlines()
    assert lines[0] == ("::error title=warmup (WU101),file=configs/a.yaml,line=3,col=5::"
                        "configs/a.yaml:3:5: WU101 the first update gets LR 0")
    assert lines[2] == ("::warning title=warmup (WU107),file=dir%2Cwith%3Aodd/b.yaml,line=7,"
                        "col=1::dir,with:odd/b.yaml:7:1: WU107 jumps 10x: 50%25 of it, a,b"
                        "%0Asecond line")
    assert lines[3].startswith("::notice title=warmup (WU101),file=<arg1>,")
    assert len(lines) == 4  # the newline in a message never starts a new command


def test_sarif_is_valid_and_has_stable_rules() -> None:
    log = json.loads(emit_sarif(FOUND))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = run["results"][0]
    assert first["level"] == "error"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "configs/a.yaml"
    assert location["region"] == {"startLine": 3, "startColumn": 5}
    assert run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] \
        == "%3Carg1%3E"
    if not SARIF_SCHEMA.exists():
        pytest.skip("shared/schemas/sarif-schema-2.1.0.json is not here")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.validate(log, schema)
    jsonschema.validate(json.loads(emit_sarif([])), schema)


def test_sarif_schema_validation_can_fail() -> None:
    # Guard against a vacuous validation: the schema does reject a broken log.
    if not SARIF_SCHEMA.exists():
        pytest.skip("shared/schemas/sarif-schema-2.1.0.json is not here")
    import jsonschema

    log = json.loads(emit_sarif(FOUND))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))


def test_junit_has_a_suite_per_file_and_a_failure_per_finding() -> None:
    root = ET.fromstring(emit_junit(FOUND))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "4")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["configs/a.yaml", "dir,with:odd/b.yaml", "<arg1>"]
    case = suites[0].find("testcase")
    assert case is not None
    assert (case.get("name"), case.get("line"), case.get("column")) == ("warmup.WU101", "3", "5")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "the first update gets LR 0"
    assert failure.text == "configs/a.yaml:3:5: WU101 [error] the first update gets LR 0"


def test_junit_without_findings_has_one_passing_case() -> None:
    root = ET.fromstring(emit_junit([]))
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None
    assert root.get("failures") == "0"


# A finding that quotes a hostile key, in a file whose name is not UTF-8 (issue 14).
HOSTILE = Diagnostic(Code.WU308, Severity.NOTE,
                     "key lr\n::error::X\x1b]52;c;SGk=\x07\x9b [/] is unknown",
                     "bad\udcff\x1b.yaml", Location(1, 2))


def test_text_escapes_controls_and_file_name_bytes() -> None:
    first = emit_text([HOSTILE]).splitlines()[0]
    assert first == ("bad\\xff\\x1b.yaml:1:2: WU308 [note] key lr\\n::error::X"
                     "\\x1b]52;c;SGk=\\x07\\x9b [/] is unknown")


def test_github_escapes_the_other_controls_too() -> None:
    (line,) = emit_github([HOSTILE]).splitlines()
    assert line.startswith("::notice title=warmup (WU308),file=bad\\xff\\x1b.yaml,line=1,")
    assert line.endswith("WU308 key lr%0A::error::X\\x1b]52;c;SGk=\\x07\\x9b [/] is unknown")


def test_json_and_sarif_keep_the_message_and_stay_printable_utf8() -> None:
    for text in (emit_json([HOSTILE]), emit_sarif([HOSTILE])):
        assert all(char.isprintable() or char == "\n" for char in text)
        text.encode("utf-8")  # no lone surrogate left
    found = json.loads(emit_json([HOSTILE]))[0]
    assert found["message"] == HOSTILE.message
    assert found["filename"] == "bad\\xff\x1b.yaml"
    log = json.loads(emit_sarif([HOSTILE]))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "bad%FF%1B.yaml"


def test_junit_is_xml_with_controls_in_a_message() -> None:
    root = ET.fromstring(emit_junit([HOSTILE]))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "bad\\xff\\x1b.yaml"
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == ("key lr\\n::error::X\\x1b]52;c;SGk=\\x07\\x9b [/] "
                                      "is unknown")
