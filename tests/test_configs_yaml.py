"""Tests for warmup_cli.configs.yaml_loader: YAML into a located tree, its comments and errors."""

from __future__ import annotations

import pytest

from tests.configs_support import at, error_of, headline, load, where
from warmup_cli.configs.document import load_document
from warmup_cli.configs.tree import Comment


class TestYaml:
    def test_positions_of_keys_and_values(self) -> None:
        doc = load("positions.yaml")
        assert doc.format == "yaml"
        assert where(at(doc, "scheduler")) == ((3, 3), (2, 1))
        assert where(at(doc, "scheduler", "type")) == ((3, 9), (3, 3))
        assert where(at(doc, "scheduler", "params")) == ((5, 5), (4, 3))
        assert where(at(doc, "scheduler", "params", "warmup_min_lr")) == ((5, 20), (5, 5))
        assert where(at(doc, "scheduler", "params", "warmup_max_lr")) == ((6, 20), (6, 5))
        assert where(at(doc, "scheduler", "steps")) == ((8, 10), (8, 3))
        assert where(at(doc, "list")) == ((10, 3), (9, 1))
        assert where(at(doc, "list", 1)) == ((11, 5), (None, None))
        assert where(at(doc, "list", 2, "k")) == ((12, 9), (12, 6))
        assert where(at(doc, "flow", 1)) == ((13, 14), (None, None))

    def test_location_prefers_the_key(self) -> None:
        doc = load("positions.yaml")
        assert at(doc, "scheduler", "params", "lr").location == (7, 5)
        assert at(doc, "list", 0).location == (10, 5)

    def test_paths(self) -> None:
        doc = load("positions.yaml")
        node = at(doc, "scheduler", "params", "warmup_min_lr")
        assert node.path == ("scheduler", "params", "warmup_min_lr")
        assert at(doc, "list", 2, "k").path == ("list", 2, "k")
        assert doc.root.path == ()

    def test_yaml_11_number_strings(self) -> None:
        doc = load("positions.yaml")
        max_lr = at(doc, "scheduler", "params", "warmup_max_lr")
        assert max_lr.value == "2e-05"  # SafeLoader's YAML 1.1 resolver: no dot, not a float
        assert max_lr.as_number() == 2e-05
        assert at(doc, "scheduler", "params", "lr").value == 1e-4  # has a dot
        assert [n.value for n in at(doc, "flow").value] == ["1e-4", "5e-4"]
        assert at(doc, "flow").as_number_list() == [1e-4, 5e-4]
        assert at(doc, "quoted").as_number() == 2e-05

    def test_yaml_11_booleans_and_ints(self) -> None:
        doc = load("positions.yaml")
        assert at(doc, "yes_key").value is True
        assert at(doc, "yes_key").as_number() is None  # never a bool as a number
        assert at(doc, "scheduler", "params", "warmup_min_lr").value == 0
        assert type(at(doc, "scheduler", "params", "warmup_min_lr").value) is int

    def test_detectron2_tuple_strings(self) -> None:
        doc = load("positions.yaml")
        steps = at(doc, "scheduler", "steps")
        assert steps.value == "(60000, 80000)"
        assert steps.as_number() is None
        assert steps.as_number_list() == [60000, 80000]

    def test_merge_keys_keep_positions_of_the_anchor(self) -> None:
        doc = load("positions.yaml")
        derived = at(doc, "derived")
        assert sorted(derived.value) == ["lr", "warmup"]  # type: ignore[arg-type]
        assert at(doc, "derived", "warmup").value == 20  # explicit key wins
        assert where(at(doc, "derived", "warmup")) == ((21, 11), (21, 3))
        lr = at(doc, "derived", "lr")
        assert lr.value == 0.1
        assert where(lr) == ((17, 7), (17, 3))  # written under `base: &base`
        assert lr.path == ("derived", "lr")

    def test_alias_expands(self) -> None:
        doc = load_document("x.yaml", text="a: &v [1, 2]\nb: *v\n")
        assert at(doc, "b").to_python() == [1, 2]
        assert at(doc, "b").key_line == 2
        assert at(doc, "b", 1).path == ("b", 1)

    def test_first_non_empty_document(self) -> None:
        doc = load_document("x.yaml", text="---\n---\n# c\na: 1\n---\nb: 2\n")
        assert doc.root.to_python() == {"a": 1}
        assert where(at(doc, "a")) == ((4, 4), (4, 1))

    def test_later_documents_are_not_parsed(self) -> None:
        doc = load_document("x.yaml", text="a: 1\n---\nb: [unclosed\n")
        assert doc.root.to_python() == {"a": 1}

    def test_non_ascii_columns_count_characters(self) -> None:
        doc = load_document("x.yaml", text="é: 1\nk: [ä, 2e-5]\n")
        assert where(at(doc, "k", 1)) == ((2, 8), (None, None))

    def test_keys_keep_their_text(self) -> None:
        doc = load_document("x.yaml", text="on: 1\n1: 2\nnull: 3\n")
        assert doc.root.to_python() == {"on": 1, "1": 2, "null": 3}

    def test_custom_tags_keep_their_text(self) -> None:
        doc = load_document("x.yaml", text="a: !ENV ${LR}\nb: !!python/object:os.system ls\n")
        assert doc.root.to_python() == {"a": "${LR}", "b": "ls"}

    def test_timestamps_stay_text(self) -> None:
        doc = load_document("x.yaml", text="when: 2024-01-02\n")
        assert at(doc, "when").value == "2024-01-02"

    def test_duplicate_keys_last_wins(self) -> None:
        doc = load_document("x.yaml", text="a: 1\na: 2\n")
        assert at(doc, "a").value == 2
        assert at(doc, "a").line == 2

    def test_hydra_eval_strings_are_never_evaluated(self) -> None:
        text = "x: ${eval:\"__import__('os').system('false')\"}\n"
        doc = load_document("x.yaml", text=text)
        assert at(doc, "x").value == "${eval:\"__import__('os').system('false')\"}"

    def test_scalar_root(self) -> None:
        doc = load_document("x.yaml", text="just text\n")
        assert doc.root.value == "just text"


class TestInvalidYaml:
    def test_yaml(self) -> None:
        err = error_of("bad.yaml", text="a: 1\nkey: value: other\n")
        assert headline(err).startswith(
            "bad.yaml:2:11: invalid YAML: mapping values are not allowed"
        )
        assert err.source == "key: value: other"
        # the column is the file's (1-based); the caret sits under it, as before the split
        assert (err.path, err.line, err.column) == ("bad.yaml", 2, 11)
        assert str(err).splitlines()[1:] == ["  key: value: other", "  " + " " * 10 + "^"]

    def test_yaml_undefined_alias(self) -> None:
        err = error_of("bad.yaml", text="a: *nope\n")
        assert headline(err).startswith("bad.yaml:1:4: invalid YAML: found undefined alias")

    def test_yaml_control_character(self) -> None:
        err = error_of("bad.yaml", text="a: 1\nb: \x07\n")
        assert headline(err).startswith("bad.yaml:2:4: invalid YAML:")

    def test_yaml_bad_explicit_tag(self) -> None:
        err = error_of("bad.yaml", text="a: !!int abc\n")
        assert headline(err) == "bad.yaml:1:4: invalid YAML: cannot read 'abc' as int"

    def test_yaml_collection_key(self) -> None:
        err = error_of("bad.yaml", text="? [a, b]\n: 1\n")
        assert headline(err).startswith("bad.yaml:1:3: unsupported YAML key")


class TestYamlComments:
    def test_comments_outside_strings(self) -> None:
        doc = load("suppress.yaml")
        assert doc.comments == (
            Comment(1, 7, "# warmup: noqa"),
            Comment(4, 11, "# warmup: noqa: WU101"),
            Comment(9, 6, "# note # warmup: noqa: WU202"),
        )

    def test_a_hash_inside_a_word_or_a_quoted_string_is_no_comment(self) -> None:
        doc = load_document("x.yaml", text="a: x#y\nb: 'p #q'  # r\n")
        assert doc.comments == (Comment(2, 12, "# r"),)

    def test_comment_lines_block_scalars_and_crlf(self) -> None:
        text = "# top\r\na: |\r\n  # text\r\nb: 1 # end\r\n"
        doc = load_document("x.yaml", text=text)
        assert doc.comments == (Comment(1, 1, "# top"), Comment(4, 6, "# end"))

    def test_comments_of_a_file_with_no_document(self) -> None:
        doc = load_document("x.yaml", text="# only\n---\n# more\n")
        assert doc.comments == (Comment(1, 1, "# only"), Comment(3, 1, "# more"))

    def test_comments_in_later_documents(self) -> None:
        doc = load_document("x.yaml", text="a: 1\n---\nb: 2  # later\n")
        assert doc.comments == (Comment(3, 7, "# later"),)

    def test_columns_count_characters(self) -> None:
        doc = load_document("x.yaml", text="é: 1 # c\n")
        assert doc.comments == (Comment(1, 6, "# c"),)

    def test_no_comments(self) -> None:
        assert load_document("x.yaml", text="a: 1\n").comments == ()


class TestYamlErrorFields:
    @pytest.mark.parametrize(
        ("text", "line", "column"),
        [
            ("a: 1\nkey: value: other\n", 2, 11),  # a syntax error
            ("a: !!int abc\n", 1, 4),  # a scalar that does not construct
            ("a: 1\nb: \x07\n", 2, 4),  # a character YAML refuses
        ],
    )
    def test_located_by_fields(self, text: str, line: int, column: int) -> None:
        err = error_of("bad.yaml", text=text)
        assert (err.path, err.line, err.column) == ("bad.yaml", line, column)
        assert not err.message.startswith("bad.yaml")
        assert str(err).startswith(f"bad.yaml:{line}:{column}: {err.message}")
