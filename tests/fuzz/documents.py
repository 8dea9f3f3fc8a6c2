"""Hypothesis strategies for config documents: the test fixtures and the shared corpus (YAML,
JSON, TOML, Python) with byte, line, key and value mutations, small files that are big inside,
and file names with hostile characters.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz.strategies import hostile_text, lambda_texts, rarely, spec_texts

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".py")


def seed_files() -> list[Path]:
    """Every config file of tests/fixtures and ../shared/corpus (when it is there)."""
    found = [p for p in sorted(FIXTURES.rglob("*")) if p.suffix in SUFFIXES and p.is_file()]
    if CORPUS.is_dir():
        found += [p for p in sorted(CORPUS.iterdir()) if p.suffix in SUFFIXES]
    return found


SEEDS = seed_files()
MAX_GROWTH = 100_000  # characters one mutation may add: big enough for budgets, quick to write
_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<quote>[\"']?)(?P<key>[A-Za-z_][\w.\-]*)(?P=quote)"
                  r"(?P<sep>\s*[:=])", re.MULTILINE)


def quoted(text: str, suffix: str) -> str:
    """``text`` as a string literal of the format of ``suffix`` (so that it reaches the
    loader's tree rather than breaking its syntax)."""
    if suffix == ".py":
        return repr(text)
    if suffix == ".toml":
        # TOML basic strings take JSON's escapes, except \u for surrogates and \x7f as is
        return json.dumps(text, ensure_ascii=True)
    return json.dumps(text, ensure_ascii=False)  # YAML double-quoted and JSON strings


@dataclass(frozen=True)
class Doc:
    """A document to write: its file name's suffix and its text."""

    seed: str
    suffix: str
    text: str


# Keys the readers and the generic extractor look at: a renamed key moves a value under one.
SCHEDULE_KEYS = ("lr_lambda", "lr_schedule", "lr_scheduler", "warmup", "schedule",
                 "lr_scheduler_type", "warmup_steps", "warmup_ratio", "max_steps", "_base_",
                 "_BASE_", "param_scheduler", "scheduler", "optimizer", "lr", "max_epochs",
                 "num_epochs", "T_max", "type")


def _replace_key(text: str, suffix: str, match: re.Match[str], key: str) -> str:
    spelled = key if suffix == ".py" or key.isidentifier() else quoted(key, suffix)
    replacement = f"{match['indent']}{spelled}{match['sep']}"
    return text[: match.start()] + replacement + text[match.end():]


@st.composite
def _line_mutation(draw: st.DrawFn, doc: Doc) -> Doc:
    lines = doc.text.splitlines(keepends=True) or [""]
    index = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(("delete", "duplicate", "swap", "indent", "dedent",
                                   "repeat", "foreign")))
    if action == "delete":
        del lines[index]
    elif action == "duplicate":
        lines.insert(index, lines[index])
    elif action == "swap":
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
    elif action == "indent":
        lines[index] = "  " + lines[index]
    elif action == "dedent":
        lines[index] = lines[index].lstrip()
    elif action == "repeat":  # amplification: one line many times (budgets, aliases)
        room = max(2, MAX_GROWTH // max(1, len(lines[index])))
        lines[index:index + 1] = [lines[index]] * draw(st.integers(2, min(2000, room)))
    else:
        donor = draw(st.sampled_from(SEEDS)).read_text(errors="replace").splitlines(True)
        if donor:
            lines.insert(index, draw(st.sampled_from(donor)))
    return Doc(doc.seed, doc.suffix, "".join(lines))


@st.composite
def _value_mutation(draw: st.DrawFn, doc: Doc) -> Doc:
    """A key renamed to hostile text, or a value replaced by a lambda, a spec or hostile text
    (quoted for the format, so that it reaches the readers and the lint rules)."""
    matches = list(_KEY.finditer(doc.text))
    if not matches:
        return doc
    match = draw(st.sampled_from(matches))
    if draw(st.booleans()):
        keys = st.sampled_from(SCHEDULE_KEYS)
        key = draw(keys if doc.suffix == ".py" else st.one_of(keys, hostile_text()))
        return Doc(doc.seed, doc.suffix, _replace_key(doc.text, doc.suffix, match, key))
    value = draw(st.one_of(lambda_texts(), spec_texts(), hostile_text()))
    line_end = doc.text.find("\n", match.end())
    line_end = len(doc.text) if line_end < 0 else line_end
    literal = quoted(value, doc.suffix)
    text = doc.text[: match.end()] + " " + literal + doc.text[line_end:]
    return Doc(doc.seed, doc.suffix, text)


@st.composite
def _byte_mutation(draw: st.DrawFn, doc: Doc) -> Doc:
    data = bytearray(doc.text.encode("utf-8", "surrogateescape"))
    position = draw(st.integers(0, len(data)))
    action = draw(st.sampled_from(("flip", "insert", "delete", "truncate")))
    if action == "flip" and position < len(data):
        data[position] ^= 1 << draw(st.integers(0, 7))
    elif action == "insert":
        data[position:position] = draw(st.binary(min_size=1, max_size=4))
    elif action == "delete":
        del data[position:position + draw(st.integers(1, 16))]
    else:
        del data[position:]
    return Doc(doc.seed, doc.suffix, data.decode("utf-8", "surrogateescape"))


@st.composite
def _amplified(draw: st.DrawFn) -> Doc:
    """Small files that are big inside: long TOML dotted keys and headers, YAML aliases of a
    lambda, long Python sums, deep nesting (issue 14 must-fix 3)."""
    count = draw(st.integers(1, 3000))
    lam = quoted(draw(lambda_texts()), ".yaml")
    choices = [
        Doc("amplified", ".toml", "[" + ".".join(["a"] * count) + "]\nx = 1\n"),
        Doc("amplified", ".toml", ".".join(["a"] * count) + " = 1\n"),
        Doc("amplified", ".toml", "a = [" + ", ".join(["1"] * count) + "]\n"),
        Doc("amplified", ".yaml", f"a: &a {lam}\nb: [" + ", ".join(["*a"] * count) + "]\n"),
        Doc("amplified", ".yaml", "x: " + "[" * min(count, 200) + "]" * min(count, 200) + "\n"),
        Doc("amplified", ".py", "lr_lambda = " + " + ".join(["1"] * count) + "\n"),
        Doc("amplified", ".py", "".join(f"v{i} = {i}\n" for i in range(count))),
        Doc("amplified", ".json", '{"a": ' * min(count, 300) + "1" + "}" * min(count, 300)),
    ]
    return draw(st.sampled_from(choices))


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    """A fixture or corpus file with up to four mutations, or an amplified small file."""
    if rarely(draw, 10):
        return draw(_amplified())
    seed = draw(st.sampled_from(SEEDS))
    doc = Doc(seed.name, seed.suffix, seed.read_text(encoding="utf-8", errors="surrogateescape"))
    for _ in range(draw(st.integers(0, 4))):
        mutation = draw(st.sampled_from((_line_mutation, _value_mutation, _byte_mutation)))
        doc = draw(mutation(doc))
    return doc


@st.composite
def file_names(draw: st.DrawFn, suffix: str) -> str:
    """A file name with ``suffix``: plain mostly, else with hostile characters (newlines,
    workflow-command syntax, markup, controls, a byte that is not UTF-8). No '/': a file
    name cannot hold one, so no closing markup tag either."""
    if draw(st.integers(0, 3)):
        return f"config{suffix}"
    special = draw(st.sampled_from((
        "a\n::error file=x,line=1::INJECTED", "[bold]b", "[red]", "c%2C,d:e", "\x1b[31mred",
        "\r", "\x01", "sp ace", "\x85", os.fsdecode(b"\xff\xfe"), "#x", "\t", "<&>", "é")))
    return f"{special}{suffix}"
