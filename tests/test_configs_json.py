"""Tests for warmup_cli.configs.json_loader: JSON into a located tree, and its errors."""

from __future__ import annotations

from tests.configs_support import at, error_of, headline, load, where
from warmup_cli.configs.document import load_document


class TestJson:
    def test_positions_of_keys_and_values(self) -> None:
        doc = load("positions.json")
        assert doc.format == "json"
        assert where(at(doc, "scheduler")) == ((2, 16), (2, 3))
        assert where(at(doc, "scheduler", "type")) == ((3, 13), (3, 5))
        assert where(at(doc, "scheduler", "params")) == ((4, 15), (4, 5))
        assert where(at(doc, "scheduler", "params", "warmup_min_lr")) == ((4, 33), (4, 16))
        assert where(at(doc, "scheduler", "params", "warmup_max_lr")) == ((4, 53), (4, 36))
        assert where(at(doc, "list")) == ((6, 11), (6, 3))
        assert where(at(doc, "list", 1)) == ((6, 15), (None, None))
        assert where(at(doc, "list", 2)) == ((6, 20), (None, None))

    def test_values_come_from_json(self) -> None:
        doc = load("positions.json")
        assert at(doc, "scheduler", "params", "warmup_max_lr").value == 0.001
        assert at(doc, "list", 2).value == "x # not a comment"
        assert at(doc, 'esc"aped').value is True
        assert where(at(doc, 'esc"aped')) == ((7, 16), (7, 3))

    def test_duplicate_keys_last_wins_with_its_position(self) -> None:
        doc = load("positions.json")
        assert at(doc, "dup").value == 2
        assert where(at(doc, "dup")) == ((9, 10), (9, 3))

    def test_tabs_and_escapes(self) -> None:
        text = '{\n\t"a\\u00e9": {\n\t\t"b": [1,\t"x\\"y"]\n\t}\n}'
        doc = load_document("x.json", text=text)
        assert where(at(doc, "aé")) == ((2, 13), (2, 2))
        assert where(at(doc, "aé", "b", 1)) == ((3, 12), (None, None))
        assert at(doc, "aé", "b", 1).value == 'x"y'

    def test_json_has_no_comments(self) -> None:
        doc = load_document("x.json", text='{"a": "1  # warmup: noqa"}')
        assert doc.comments == ()


class TestInvalidJson:
    def test_json(self) -> None:
        err = error_of("bad.json", text='{"a": 1,}')
        assert headline(err) == (
            "bad.json:1:9: invalid JSON: Expecting property name enclosed in double quotes"
        )

    def test_json_huge_integer(self) -> None:
        err = error_of("bad.json", text="[" + "1" * 5000 + "]")
        assert headline(err).startswith("bad.json: invalid JSON: Exceeds the limit")


class TestJsonErrorFields:
    def test_syntax_error(self) -> None:
        err = error_of("bad.json", text='{\n  "a": 1,\n}')
        assert (err.path, err.line, err.column) == ("bad.json", 3, 1)
        assert err.message == "invalid JSON: Expecting property name enclosed in double quotes"
        assert str(err) == (
            "bad.json:3:1: invalid JSON: Expecting property name enclosed in double quotes\n"
            "  }\n"
            "  ^"
        )

    def test_error_without_a_place(self) -> None:
        err = error_of("bad.json", text="[" + "1" * 5000 + "]")
        assert (err.path, err.line, err.column) == ("bad.json", None, None)
        assert str(err).startswith("bad.json: invalid JSON: Exceeds the limit")
