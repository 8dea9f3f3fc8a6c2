"""Tests for warmup_cli.configs.tree: Node's accessors and walking, Document."""

from __future__ import annotations

from tests.configs_support import at
from warmup_cli.configs.document import Document as ReExportedDocument
from warmup_cli.configs.document import load_document
from warmup_cli.configs.tree import Comment, Document, Node, Unresolved, empty_root


class TestNode:
    def test_as_number_list_of_a_sequence(self) -> None:
        items = [Node("2e-05", 1, 1), Node(3, 1, 1)]
        assert Node(items, 1, 1).as_number_list() == [2e-05, 3]
        assert Node([Node("x", 1, 1)], 1, 1).as_number_list() is None

    def test_walk_is_pre_order(self) -> None:
        doc = load_document("x.yaml", text="a:\n  b: 1\n  c: [2, 3]\nd: 4\n")
        paths = [n.path for n in doc.root.walk()]
        assert paths == [(), ("a",), ("a", "b"), ("a", "c"), ("a", "c", 0), ("a", "c", 1), ("d",)]

    def test_get(self) -> None:
        doc = load_document("x.yaml", text="a: {b: 1}\n")
        assert doc.root.get("a") is at(doc, "a")
        assert doc.root.get("missing") is None
        assert at(doc, "a", "b").get("b") is None

    def test_typed_accessors(self) -> None:
        mapping = Node({"a": Node(1, 1, 1)}, 1, 1)
        assert mapping.as_mapping() is mapping.value
        assert mapping.as_sequence() is None
        sequence = Node([Node(1, 1, 1)], 1, 1)
        assert sequence.as_sequence() is sequence.value
        assert sequence.as_mapping() is None
        assert Node("x", 1, 1).as_str() == "x"
        assert Node(1, 1, 1).as_str() is None
        assert Node(True, 1, 1).as_bool() is True
        assert Node(1, 1, 1).as_bool() is None
        unresolved = Unresolved("a.b", "refers to a")
        assert Node(unresolved, 1, 1).as_unresolved() is unresolved
        assert Node("a.b", 1, 1).as_unresolved() is None

    def test_empty_root(self) -> None:
        root = empty_root()
        assert (root.value, root.line, root.column, root.path) == ({}, 1, 1, ())
        assert empty_root().value is not root.value  # a fresh mapping each time


class TestDocument:
    def test_document_is_re_exported_by_the_dispatch(self) -> None:
        assert ReExportedDocument is Document

    def test_compared_by_identity(self) -> None:
        one = load_document("x.yaml", text="a: 1\n")
        two = load_document("x.yaml", text="a: 1\n")
        assert one != two
        assert len({one, two}) == 2

    def test_comments_default_to_none(self) -> None:
        doc = Document("x.yaml", "yaml", empty_root(), "")
        assert doc.comments == ()

    def test_comment_is_a_value(self) -> None:
        assert Comment(1, 2, "# x") == Comment(1, 2, "# x")
