"""Output formats: separate emitters over one list of diagnostics, like ruff's.

Each emitter takes the sorted diagnostics and returns the whole output as text. ``text`` also
has a styled variant (severity colours) that the CLI uses on a terminal only.

A diagnostic's path and message quote what a config file holds (its name, keys, values), so
every format writes them through ``render.safe_text``: text, github and junit with controls
escaped (no line of a stranger's can start a workflow command, no ESC reaches a terminal,
the XML stays XML 1.0), json and sarif with ``json_text``; a file name that is not UTF-8 is
written as its bytes escaped (``\\xff``), and percent-encoded in a SARIF URI.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from rich.text import Text

from warmup_cli import __version__
from warmup_cli.lint.diagnostics import Diagnostic, count_by_severity
from warmup_cli.lint.rules import RULES, rule_name
from warmup_cli.render.safe_text import escape_controls, json_text, utf8_bytes
from warmup_cli.vocab import Code, LintFormat, Severity

Emitter = Callable[[Sequence[Diagnostic]], str]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "warmup"
_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}
_ARGUMENT = re.compile(r"<arg[0-9]+>")
_PLURALS = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.NOTE: "notes"}


# --- text ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Checked:
    """What a lint run looked at: config files (a WU001 for an unreadable one counts) and
    command-line schedules."""

    files: int
    schedules: int = 0

    def text(self) -> str:
        """``1 schedule and 39 files``."""
        parts = [_count(self.schedules, "schedule")] if self.schedules else []
        if self.files or not self.schedules:
            parts.append(_count(self.files, "file"))
        return " and ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def summary(diagnostics: Sequence[Diagnostic], checked: Checked | None = None) -> str:
    """``Found 3 findings (1 error, 2 warnings) in 2 files.`` or ``All checks passed.``; with
    ``checked``, what was looked at too: ``... in 2 files; 39 files checked.``"""
    if not diagnostics:
        return "All checks passed." if checked is None else \
            f"All checks passed ({checked.text()} checked)."
    counts = count_by_severity(list(diagnostics))
    parts = [f"{n} {severity.value if n == 1 else _PLURALS[severity]}"
             for severity in (Severity.ERROR, Severity.WARNING, Severity.NOTE)
             if (n := counts[severity])]
    paths = {d.path for d in diagnostics}
    total = len(diagnostics)
    found = f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) in "
    if checked is None:
        return found + _count(len(paths), "file") + "."
    # a command-line schedule is reported as <argN>
    schedules = sum(1 for path in paths if _ARGUMENT.fullmatch(path))
    return f"{found}{Checked(len(paths) - schedules, schedules).text()}; " \
           f"{checked.text()} checked."


def styled_text(diagnostics: Sequence[Diagnostic], checked: Checked | None = None, *,
                summary_line: bool = True) -> Text:
    """``path:line:col: CODE [severity] message`` lines and the summary line."""
    out = Text()
    for d in diagnostics:
        out.append(f"{escape_controls(d.path)}:{d.start.line}:{d.start.column}:", style="bold")
        out.append(" ")
        out.append(d.code, style=_STYLES[d.severity])
        out.append(f" [{d.severity.value}] ", style=_STYLES[d.severity])
        out.append(escape_controls(d.message))
        out.append("\n")
    if summary_line:
        out.append(summary(diagnostics, checked), style="bold")
        out.append("\n")
    return out


def emit_text(diagnostics: Sequence[Diagnostic]) -> str:
    return styled_text(diagnostics).plain


def emit_statistics(diagnostics: Sequence[Diagnostic], checked: Checked | None = None) -> str:
    """``--statistics``: one ``count  CODE  name  [severity]`` line per rule that fired, most
    frequent first (flake8's and ruff's ``--statistics``), then the summary line."""
    counts: dict[tuple[Code, Severity], int] = {}
    for d in diagnostics:
        counts[d.code, d.severity] = counts.get((d.code, d.severity), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    width = len(str(ranked[0][1])) if ranked else 1
    lines = [f"{count:>{width}}  {code}  {rule_name(code)}  [{severity.value}]"
             for (code, severity), count in ranked]
    return "".join(f"{line}\n" for line in (*lines, summary(diagnostics, checked)))


# --- json ---------------------------------------------------------------------------------

def _json_object(d: Diagnostic) -> dict[str, object]:
    rule = RULES.get(d.code)
    return {
        "code": d.code,
        "name": rule_name(d.code),
        "severity": d.severity.value,
        "message": d.message,
        "filename": d.path,
        "location": {"row": d.start.line, "column": d.start.column},
        "end_location": None if d.end is None else {"row": d.end.line, "column": d.end.column},
        "noqa_row": d.noqa_lines[0] if d.noqa_lines else d.start.line,
        "url": rule.anchor if rule else None,
    }


def emit_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json_text([_json_object(d) for d in diagnostics], indent=2) + "\n"


# --- github workflow commands ----------------------------------------------------------------

_GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    # actions/toolkit core/command.ts escapeData; then the other controls (ESC would still
    # reach the log's terminal renderer) and a non-UTF-8 file name's bytes, as everywhere
    return escape_controls(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    # actions/toolkit core/command.ts escapeProperty
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def emit_github(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        properties = {
            "title": f"warmup ({d.code})",
            "file": d.path,
            "line": str(d.start.line),
            "col": str(d.start.column),
        }
        props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
        message = f"{d.path}:{d.start.line}:{d.start.column}: {d.code} {d.message}"
        lines.append(f"::{_GITHUB_LEVELS[d.severity]} {props}::{_escape_data(message)}\n")
    return "".join(lines)


# --- sarif --------------------------------------------------------------------------------

def _artifact_uri(path: str) -> str:
    # Relative paths stay relative (code scanning resolves them against the checkout);
    # pseudo-paths such as <arg1> are percent-encoded into a valid URI reference, and so are
    # the bytes of a file name that is not UTF-8 (quote() of the str would raise).
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(utf8_bytes(posix))
    return quote(utf8_bytes(posix))


def _sarif_rules() -> tuple[list[dict[str, object]], dict[Code, int]]:
    rules = sorted(RULES.values(), key=lambda r: r.code)
    described: list[dict[str, object]] = [{
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": f"Bad:\n{rule.bad}\n\nGood:\n{rule.good}",
                 "markdown": f"Bad:\n```{rule.example_format}\n{rule.bad}\n```\nGood:\n"
                             f"```{rule.example_format}\n{rule.good}\n```"},
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": {"docs": rule.anchor},
    } for rule in rules]
    return described, {rule.code: index for index, rule in enumerate(rules)}


def emit_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    rules, index = _sarif_rules()
    results = []
    for d in diagnostics:
        region: dict[str, int] = {"startLine": d.start.line, "startColumn": d.start.column}
        if d.end is not None:
            region.update(endLine=d.end.line, endColumn=d.end.column)
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": d.severity.value,
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _artifact_uri(d.path)},
                "region": region,
            }}],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": __version__, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json_text(log, indent=2) + "\n"


# --- junit --------------------------------------------------------------------------------

def emit_junit(diagnostics: Sequence[Diagnostic]) -> str:
    import xml.etree.ElementTree as ET  # only this format pays for it

    root = ET.Element("testsuites", name="warmup lint", tests=str(max(1, len(diagnostics))),
                      failures=str(len(diagnostics)), errors="0")
    if not diagnostics:
        suite = ET.SubElement(root, "testsuite", name="warmup lint", tests="1", failures="0",
                              errors="0")
        ET.SubElement(suite, "testcase", name="No findings", classname="warmup lint")
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    for raw_path, found in by_path.items():
        # XML 1.0 has no way to write most controls (not even as &#27;): escaped as text
        path = escape_controls(raw_path)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(found)),
                              failures=str(len(found)), errors="0")
        for d in found:
            message = escape_controls(d.message)
            case = ET.SubElement(suite, "testcase", name=f"warmup.{d.code}", classname=path,
                                 line=str(d.start.line), column=str(d.start.column))
            failure = ET.SubElement(case, "failure", message=message,
                                    type=d.severity.value)
            failure.text = (f"{path}:{d.start.line}:{d.start.column}: {d.code} "
                            f"[{d.severity.value}] {message}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"


EMITTERS: dict[LintFormat, Emitter] = {
    LintFormat.TEXT: emit_text,
    LintFormat.JSON: emit_json,
    LintFormat.GITHUB: emit_github,
    LintFormat.SARIF: emit_sarif,
    LintFormat.JUNIT: emit_junit,
}
