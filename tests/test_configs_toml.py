"""Tests for warmup_cli.configs.toml_loader: TOML into a located tree, its comments and errors."""

from __future__ import annotations

import pytest

from tests.configs_support import at, error_of, headline, load, where
from warmup_cli.configs.document import load_document
from warmup_cli.configs.tree import Comment
from warmup_cli.lint.noqa import suppressions


class TestToml:
    def test_positions_of_keys_and_values(self) -> None:
        doc = load("positions.toml")
        assert doc.format == "toml"
        assert where(at(doc, "title")) == ((2, 9), (2, 1))
        assert where(at(doc, "scheduler")) == ((5, 1), (5, 2))
        assert where(at(doc, "scheduler", "type")) == ((6, 8), (6, 1))
        assert where(at(doc, "scheduler", "extra")) == ((11, 1), (11, 12))
        assert where(at(doc, "scheduler", "extra", "steps", 1)) == ((14, 3), (None, None))

    def test_dotted_and_quoted_keys(self) -> None:
        doc = load("positions.toml")
        assert where(at(doc, "scheduler", "params", "warmup_min_lr")) == ((7, 24), (7, 8))
        assert where(at(doc, "scheduler", "quoted.key")) == ((8, 16), (8, 1))
        assert where(at(doc, "scheduler", "literal")) == ((9, 13), (9, 1))

    def test_inline_tables(self) -> None:
        doc = load("positions.toml")
        assert where(at(doc, "scheduler", "extra", "inline", "a")) == ((16, 16), (16, 12))
        assert where(at(doc, "scheduler", "extra", "inline", "b", "c")) == ((16, 29), (16, 25))
        assert at(doc, "scheduler", "extra", "inline", "b", "c").value == "x # y"

    def test_multiline_string_is_not_read_as_tables(self) -> None:
        doc = load("positions.toml")
        assert set(doc.root.value) == {"title", "lr", "scheduler", "phases"}  # type: ignore[arg-type]
        assert at(doc, "scheduler", "extra", "text").value == "[not_a_table]\nfake = 1\n"

    def test_arrays_of_tables(self) -> None:
        doc = load("positions.toml")
        assert where(at(doc, "phases")) == ((22, 1), (22, 3))
        assert where(at(doc, "phases", 1)) == ((26, 1), (None, None))
        assert where(at(doc, "phases", 1, "steps")) == ((28, 9), (28, 1))
        assert at(doc, "phases", 1, "steps").value == 90

    def test_toml_floats_are_floats(self) -> None:
        doc = load("positions.toml")
        assert at(doc, "lr").value == 2e-05

    def test_nested_arrays_of_tables(self) -> None:
        text = (
            "[[a]]\nx = 1\n[[a.b]]\ny = 2\n[[a.b]]\ny = 3\n"
            "[[a]]\nx = 4\n[[a.b]]\ny = 5\n[a.c]\nz = 6\n"
        )
        doc = load_document("x.toml", text=text)
        assert doc.root.to_python() == {
            "a": [
                {"x": 1, "b": [{"y": 2}, {"y": 3}]},
                {"x": 4, "b": [{"y": 5}], "c": {"z": 6}},
            ]
        }
        assert where(at(doc, "a", 0, "b", 1, "y")) == ((6, 5), (6, 1))
        assert where(at(doc, "a", 1, "b", 0, "y")) == ((10, 5), (10, 1))
        assert where(at(doc, "a", 1, "c", "z")) == ((12, 5), (12, 1))

    def test_comments_in_arrays_spaced_dotted_keys_and_quote_runs(self) -> None:
        text = (
            "arr = [ # c1 [x]\n"
            "  1, # c2\n"
            "  [2, 3], ] # warmup: noqa: WU001\n"
            's = """a"""""\n'
            "l = '''b''''\n"
            '[ x . "y.z" ]\n'
            "k = 1\n"
            "a . b = 2\n"
        )
        doc = load_document("x.toml", text=text)
        assert doc.root.to_python() == {
            "arr": [1, [2, 3]],
            "s": 'a""',
            "l": "b'",
            "x": {"y.z": {"k": 1, "a": {"b": 2}}},
        }
        assert where(at(doc, "arr", 1, 1)) == ((3, 7), (None, None))
        assert where(at(doc, "l")) == ((5, 5), (5, 1))
        assert where(at(doc, "x", "y.z")) == ((6, 1), (6, 7))
        assert where(at(doc, "x", "y.z", "k")) == ((7, 5), (7, 1))
        assert where(at(doc, "x", "y.z", "a", "b")) == ((8, 9), (8, 5))
        assert suppressions(doc) == {3: frozenset({"WU001"})}
        assert doc.comments == (
            Comment(1, 9, "# c1 [x]"),
            Comment(2, 6, "# c2"),
            Comment(3, 13, "# warmup: noqa: WU001"),
        )

    def test_dates_become_text(self) -> None:
        doc = load_document("x.toml", text="d = 1979-05-27\n")
        assert at(doc, "d").value == "1979-05-27"


class TestInvalidToml:
    def test_toml(self) -> None:
        err = error_of("bad.toml", text="a = 1\nb = \n")
        assert headline(err) == "bad.toml:2:5: invalid TOML: Invalid value"

    def test_toml_at_end(self) -> None:
        err = error_of("bad.toml", text="a = 1\nb = ")
        assert headline(err) == "bad.toml:2:5: invalid TOML: Invalid value"


class TestTomlComments:
    def test_comments_outside_strings(self) -> None:
        doc = load("suppress.toml")
        assert doc.comments == (
            Comment(1, 8, "# warmup: noqa"),
            Comment(6, 27, "# warmup: noqa: WU101"),
        )

    def test_tables_inline_tables_and_crlf(self) -> None:
        text = "# top\r\n[t] # table\r\nx = {a = 1} # inline\r\ns = '#no'\r\n"
        doc = load_document("x.toml", text=text)
        assert doc.comments == (
            Comment(1, 1, "# top"),
            Comment(2, 5, "# table"),
            Comment(3, 13, "# inline"),
        )

    def test_no_comments(self) -> None:
        assert load_document("x.toml", text="a = '#'\n").comments == ()


class TestTomlErrorFields:
    @pytest.mark.parametrize(
        ("text", "line", "column"),
        [("a = 1\nb = \n", 2, 5), ("a = 1\nb = ", 2, 5), ("a = [1,\n", 2, 1)],
    )
    def test_located_by_fields(self, text: str, line: int, column: int) -> None:
        err = error_of("bad.toml", text=text)
        assert (err.path, err.line, err.column) == ("bad.toml", line, column)
        assert err.message.startswith("invalid TOML: ")
        assert str(err).startswith(f"bad.toml:{line}:{column}: invalid TOML: ")
