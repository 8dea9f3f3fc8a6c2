"""Tests for warmup_cli.lint.noqa: `# warmup: noqa` comments silence findings by line."""

from __future__ import annotations

import gc

import pytest

from tests.configs_support import load
from warmup_cli.configs.document import Comment, Document, Node, load_document
from warmup_cli.lint import noqa
from warmup_cli.lint.noqa import parse_noqa, suppressed, suppressions, suppressions_of


class TestSuppressions:
    def test_yaml(self) -> None:
        doc = load("suppress.yaml")
        assert suppressions(doc) == {
            1: None,
            4: frozenset({"WU101"}),
            9: frozenset({"WU202"}),
        }

    def test_toml(self) -> None:
        doc = load("suppress.toml")
        assert suppressions(doc) == {1: None, 6: frozenset({"WU101"})}

    def test_python(self) -> None:
        doc = load("suppress.py")
        assert suppressions(doc) == {
            1: frozenset({"WU101", "WU102"}),
            3: None,
            4: frozenset({"WU103"}),
        }

    def test_suppressed(self) -> None:
        doc = load("suppress.py")
        assert suppressed(doc, 1, "WU101")
        assert suppressed(doc, 1, "wu102")
        assert not suppressed(doc, 1, "WU103")
        assert suppressed(doc, 3, "WU999")
        assert not suppressed(doc, 2, "WU101")

    def test_malformed_code_list_suppresses_nothing(self) -> None:
        doc = load_document("x.yaml", text="a: 1  # warmup: noqa: oops\nb: 2  # warmup: noqa:\n")
        assert suppressions(doc) == {}

    def test_blanket_wins_over_codes_on_the_same_line(self) -> None:
        doc = load_document("x.py", text="a = 1  # warmup: noqa: WU101 # warmup: noqa\n")
        assert suppressions(doc) == {1: None}

    def test_comment_after_a_block_scalar(self) -> None:
        doc = load_document("x.yaml", text="a: |\n  text\n# warmup: noqa\nb: 1  # warmup: noqa\n")
        assert suppressions(doc) == {3: None, 4: None}

    def test_empty_file_with_only_comments(self) -> None:
        doc = load_document("x.yaml", text="# warmup: noqa\n")
        assert doc.root.value == {}
        assert suppressions(doc) == {1: None}

    def test_no_suppressions_in_json(self) -> None:
        doc = load_document("x.json", text='{"a": "1  # warmup: noqa"}')
        assert suppressions(doc) == {}


class TestParseNoqa:
    @pytest.mark.parametrize(
        ("comment", "expected"),
        [
            ("# warmup: noqa", (True, None)),
            ("#warmup:noqa", (True, None)),
            ("# WARMUP: NOQA", (True, None)),
            ("# warmup: noqa: WU101", (True, frozenset({"WU101"}))),
            ("# warmup: noqa: wu101, WU102 WU103", (True, frozenset({"WU101", "WU102", "WU103"}))),
            ("# warmup: noqa:", (False, None)),
            ("# warmup: noqa: oops", (False, None)),
            ("# noqa", (False, None)),
            ("# warmup: noqa: WU101 # warmup: noqa", (True, None)),
            ("# warmup: noqa: WU101 # warmup: noqa: WU102", (True, frozenset({"WU101", "WU102"}))),
            ("# note # warmup: noqa: WU202", (True, frozenset({"WU202"}))),
        ],
    )
    def test_directives(self, comment: str, expected: tuple[bool, frozenset[str] | None]) -> None:
        assert parse_noqa(comment) == expected


class TestSuppressionsOfComments:
    def test_from_comments_alone(self) -> None:
        comments = [
            Comment(1, 5, "# warmup: noqa: WU101"),
            Comment(2, 1, "# just a note"),
            Comment(3, 9, "# warmup: noqa"),
        ]
        assert suppressions_of(comments) == {1: frozenset({"WU101"}), 3: None}

    def test_a_document_without_comments_suppresses_nothing(self) -> None:
        doc = Document("x.yaml", "yaml", Node({}, 1, 1), "a: 1  # warmup: noqa\n")
        assert suppressions(doc) == {}  # only the loaders' comments count, not the text
        assert not suppressed(doc, 1, "WU101")

    def test_string_codes_and_case(self) -> None:
        doc = load_document("x.toml", text="a = 1  # warmup: noqa: WU101\n")
        assert suppressed(doc, 1, "wu101")
        assert not suppressed(doc, 1, "WU102")


class TestCache:
    def test_computed_once_per_document(self) -> None:
        doc = load_document("x.py", text="a = 1  # warmup: noqa\n")
        assert suppressions(doc) is suppressions(doc)

    def test_documents_of_the_same_text_are_apart(self) -> None:
        one = load_document("x.py", text="a = 1  # warmup: noqa\n")
        two = load_document("x.py", text="a = 1  # warmup: noqa\n")
        assert suppressions(one) == suppressions(two)
        assert suppressions(one) is not suppressions(two)

    def test_the_cache_does_not_keep_documents_alive(self) -> None:
        gc.collect()  # documents of earlier tests that only a reference cycle keeps alive
        doc = load_document("x.py", text="a = 1  # warmup: noqa\n")
        suppressions(doc)
        before = len(noqa._CACHE)
        del doc
        gc.collect()
        assert len(noqa._CACHE) == before - 1
