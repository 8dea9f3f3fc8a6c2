"""Tests for warmup_cli.configs.text: bounded reading, decoding, located errors."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.configs_support import FIXTURES, at, error_of, headline, where
from warmup_cli.configs.document import Unresolved, load_document
from warmup_cli.configs.text import MAX_DEPTH, Lines, config_error
from warmup_cli.errors import ConfigError


class TestFiles:
    def test_missing_path(self, tmp_path: Path) -> None:
        path = tmp_path / "missing.yaml"
        err = error_of(path)
        assert headline(err) == f"{path}: cannot read: No such file or directory"

    def test_directory(self, tmp_path: Path) -> None:
        path = tmp_path / "dir.yaml"
        path.mkdir()
        assert headline(error_of(path)) == f"{path}: cannot read: Is a directory"

    def test_not_a_regular_file(self, tmp_path: Path) -> None:
        path = tmp_path / "fifo.yaml"
        os.mkfifo(path)
        assert headline(error_of(path)) == f"{path}: cannot read: not a regular file"

    @pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
    def test_permission_denied(self, tmp_path: Path) -> None:
        path = tmp_path / "secret.yaml"
        path.write_text("a: 1\n")
        path.chmod(0)
        assert "Permission denied" in headline(error_of(path))

    def test_too_big(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        with path.open("wb") as f:
            f.truncate(int(12.3 * 2**20))
        assert headline(error_of(path)) == f"{path}: file is 12.3 MB; the limit is 5 MB"

    def test_just_over_the_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        path.write_bytes(b"#" * (5 * 2**20 + 1))
        assert headline(error_of(path)) == f"{path}: file is 5.000 MB; the limit is 5 MB"

    def test_at_the_limit_is_fine(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        path.write_bytes(b"a: 1\n" + b"#" * (5 * 2**20 - 6) + b"\n")
        assert load_document(path).root.to_python() == {"a": 1}

    def test_too_big_text(self) -> None:
        err = error_of("x.yaml", text="#" * (6 * 2**20))
        assert headline(err) == "x.yaml: file is 6.0 MB; the limit is 5 MB"

    def test_binary(self, tmp_path: Path) -> None:
        path = tmp_path / "model.yaml"
        path.write_bytes(b"a: 1\n\x00\x01\x02")
        err = error_of(path)
        assert headline(err).startswith(f"{path}: binary file (NUL byte at offset 5)")

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.yaml"
        path.write_bytes("a: 1\nb: café\n".encode("latin-1"))
        err = error_of(path)
        assert headline(err).startswith(f"{path}:2:7: file is not UTF-8 text (byte 0xe9")

    def test_utf16(self, tmp_path: Path) -> None:
        path = tmp_path / "u16.yaml"
        path.write_bytes("a: 1\n".encode("utf-16"))
        assert "UTF-16" in headline(error_of(path))

    def test_utf8_bom_is_dropped(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.json"
        path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
        doc = load_document(path)
        assert where(at(doc, "a")) == ((1, 7), (1, 2))

    def test_lone_surrogate_in_text(self) -> None:
        err = error_of("x.yaml", text="a: 1\nb: \ud800\n")
        assert headline(err) == "x.yaml:2:4: text is not valid Unicode (a lone surrogate)"

    def test_utf8_bom_in_text_is_dropped(self) -> None:
        doc = load_document("x.json", text='\ufeff{"a": 1}')
        assert where(at(doc, "a")) == ((1, 7), (1, 2))

    def test_permission_denied_names_the_os_reason(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Running as root, chmod cannot make a file unreadable: fail the open() instead.
        import warmup_cli.configs.text as text_module

        path = tmp_path / "secret.yaml"
        path.write_text("a: 1\n")

        def refuse(*args: object, **kwargs: object) -> object:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(text_module, "open", refuse, raising=False)
        assert headline(error_of(path)) == f"{path}: cannot read: Permission denied"

    @pytest.mark.parametrize(
        ("name", "text", "expected"),
        [
            ("a.yaml", "a: 1\r\nb:\r\n  c: 2\r\n", ((3, 6), (3, 3))),
            ("a.json", '{\r\n  "b": {"c": 2}\r\n}', ((2, 14), (2, 9))),
            ("a.toml", "a = 1\r\n[b]\r\nc = 2\r\n", ((3, 5), (3, 1))),
            ("a.py", "a = 1\r\nb = dict(\r\n  c=2)\r\n", ((3, 5), (3, 3))),
        ],
    )
    def test_crlf_line_endings(self, name: str, text: str, expected: object) -> None:
        assert where(at(load_document(name, text=text), "b", "c")) == expected


class TestBounds:
    @pytest.mark.parametrize(
        ("suffix", "template"),
        [
            (".yaml", "a: {open}1{close}\n"),
            (".json", '{{"a": {open}1{close}}}'),
            (".toml", "a = {open}1{close}\n"),
            (".py", "a = {open}1{close}\n"),
        ],
    )
    def test_nesting_limit(self, tmp_path: Path, suffix: str, template: str) -> None:
        def text(levels: int) -> str:
            return template.format(open="[" * levels, close="]" * levels)

        # 64 nested collections (the root mapping and 63 lists) are fine: the scalar inside
        # sits at depth 64 (the root is depth 0) ...
        ok = tmp_path / f"ok{suffix}"
        ok.write_text(text(MAX_DEPTH - 1))
        node = load_document(ok).root
        depth = 0
        while isinstance(node.value, dict | list):
            node = (
                next(iter(node.value.values())) if isinstance(node.value, dict) else node.value[0]
            )
            depth += 1
        assert (depth, node.value) == (MAX_DEPTH, 1)
        assert node.path == ("a",) + (0,) * (MAX_DEPTH - 1)

        # ... one more list is too deep.
        deep = tmp_path / f"deep{suffix}"
        deep.write_text(text(MAX_DEPTH))
        assert "nesting deeper than 64 levels" in headline(error_of(deep))

    @pytest.mark.parametrize("suffix", [".yaml", ".json", ".toml", ".py"])
    def test_parser_recursion_limits(self, tmp_path: Path, suffix: str) -> None:
        path = tmp_path / f"deeper{suffix}"
        if suffix == ".json":
            path.write_text("[" * 100_000 + "]" * 100_000)
        else:
            path.write_text("a = " if suffix in (".toml", ".py") else "a: ")
            with path.open("a") as f:
                f.write("[" * 100_000 + "]" * 100_000 + "\n")
        err = error_of(path)
        assert str(path) in headline(err)

    def test_deep_block_yaml(self) -> None:
        text = "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v: 1\n"
        err = error_of("deep.yaml", text=text)
        assert headline(err).startswith("deep.yaml:66:")
        assert "nesting deeper than 64 levels" in headline(err)

    def test_billion_laughs(self) -> None:
        start = time.perf_counter()
        err = error_of(FIXTURES / "billion-laughs.yaml")
        assert time.perf_counter() - start < 1.0
        assert f"{FIXTURES / 'billion-laughs.yaml'}:6:4: more than 200,000 values" in headline(err)

    def test_recursive_alias(self) -> None:
        err = error_of("r.yaml", text="a: &a [*a]\n")
        assert headline(err).startswith("r.yaml:1:4: nesting deeper than 64 levels")

    def test_recursive_merge(self) -> None:
        err = error_of("r.yaml", text="a: &a {b: 1, <<: *a}\n")
        assert headline(err).startswith("r.yaml:1:4: invalid YAML: recursive merge key")

    def test_too_many_nodes_json(self) -> None:
        err = error_of("many.json", text="[" + "0," * 250_000 + "0]")
        assert headline(err).startswith("many.json:1:")
        assert "more than 200,000 values" in headline(err)

    def test_too_many_nodes_python_copies(self) -> None:
        lines = ["a0 = [1, 2]"] + [f"a{i} = [a{i - 1}, a{i - 1}]" for i in range(1, 40)]
        err = error_of("many.py", text="\n".join(lines) + "\n")
        assert "more than 200,000 values" in headline(err)

    def test_long_arithmetic_chain_is_unresolved(self) -> None:
        doc = load_document("x.py", text="x = " + " + ".join(["1"] * 500) + "\n")
        assert at(doc, "x").value == Unresolved(
            at(doc, "x").value.source,  # type: ignore[union-attr]
            "is nested too deeply to evaluate",
        )

    def test_many_small_files_load_fast(self) -> None:
        texts = [
            ("a.yaml", (FIXTURES / "positions.yaml").read_text()),
            ("a.json", (FIXTURES / "positions.json").read_text()),
            ("a.toml", (FIXTURES / "positions.toml").read_text()),
            ("a.py", (FIXTURES / "positions.py").read_text()),
        ]
        start = time.perf_counter()
        for i in range(500):
            name, text = texts[i % 4]
            load_document(name, text=text)
        assert time.perf_counter() - start < 2.0  # typically ~0.2 s



class TestErrorFields:
    """Every refusal names its place in fields; the text it renders is as it always was."""

    def test_too_deep(self) -> None:
        text = "a: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n"
        err = error_of("deep.yaml", text=text)
        # the scalar inside the 64th list is the first value below the limit
        assert (err.path, err.line, err.column) == ("deep.yaml", 1, 4 + MAX_DEPTH)
        assert err.message == f"nesting deeper than {MAX_DEPTH} levels"
        assert str(err).startswith(f"deep.yaml:1:{4 + MAX_DEPTH}: nesting deeper than")

    def test_too_deep_json(self) -> None:
        text = "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)  # the root list is depth 0
        err = error_of("deep.json", text=text)
        assert (err.path, err.line, err.column) == ("deep.json", 1, MAX_DEPTH + 2)

    def test_binary_file(self, tmp_path: Path) -> None:
        path = tmp_path / "model.yaml"
        path.write_bytes(b"a: 1\n\x00\x01\x02")
        err = error_of(path)
        assert (err.path, err.line, err.column) == (str(path), None, None)
        assert err.message == "binary file (NUL byte at offset 5); expected a text config file"
        assert str(err) == f"{path}: {err.message}"

    def test_not_utf8_is_located(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.yaml"
        path.write_bytes("a: 1\nb: café\n".encode("latin-1"))
        err = error_of(path)
        assert (err.path, err.line, err.column) == (str(path), 2, 7)
        assert err.source is None  # the bytes are not text: nothing to quote

    def test_unreadable_names_only_the_path(self, tmp_path: Path) -> None:
        err = error_of(tmp_path / "missing.yaml")
        assert (err.path, err.line, err.column) == (str(tmp_path / "missing.yaml"), None, None)
        assert err.message == "cannot read: No such file or directory"

    def test_config_error_quotes_short_lines_only(self) -> None:
        short = config_error("a.yaml", "bad", 3, 2, "\tx: y")
        assert (short.path, short.line, short.column, short.source) == ("a.yaml", 3, 2, " x: y")
        assert str(short) == "a.yaml:3:2: bad\n   x: y\n   ^"
        long = config_error("a.yaml", "bad", 3, 2, "x" * 201)
        assert long.source is None
        assert str(long) == "a.yaml:3:2: bad"
        assert str(config_error("a.yaml", "bad", 3)) == "a.yaml:3:1: bad"
        assert isinstance(config_error("a.yaml", "bad"), ConfigError)


class TestLines:
    def test_offsets_to_lines_and_columns(self) -> None:
        lines = Lines("ab\r\ncd\ne")
        assert [lines.at(i) for i in (0, 1, 4, 7)] == [(1, 1), (1, 2), (2, 1), (3, 1)]
        assert [lines.line_text(n) for n in (0, 1, 2, 3, 4)] == ["", "ab", "cd", "e", ""]
        assert lines.end(1) == 4
        assert lines.end(3) == 8

    def test_comment_runs_to_the_end_of_its_line(self) -> None:
        lines = Lines("a  # one\r\nb # two")
        assert lines.comment(3).text == "# one"
        assert (lines.comment(12).line, lines.comment(12).column) == (2, 3)
        assert lines.comment(12).text == "# two"
