"""Tests for warmup_cli.configs.python_loader: Python configs read statically, never run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.configs_support import at, error_of, headline, load, where
from warmup_cli.configs.document import Unresolved, load_document
from warmup_cli.configs.tree import Comment


class TestPython:
    def test_positions_of_keys_and_values(self) -> None:
        doc = load("positions.py")
        assert doc.format == "python"
        assert where(at(doc, "lr")) == ((7, 6), (7, 1))
        assert where(at(doc, "warmup_iters")) == ((8, 21), (8, 1))
        assert where(at(doc, "optimizer")) == ((12, 13), (12, 1))
        assert where(at(doc, "optimizer", "type")) == ((12, 23), (12, 18))
        assert where(at(doc, "param_scheduler", 0)) == ((14, 5), (None, None))
        assert where(at(doc, "param_scheduler", 1, "milestones", 1)) == ((15, 45), (None, None))
        assert where(at(doc, "mapping", "b")) == ((20, 25), (20, 20))

    def test_imports_functions_and_classes_are_not_keys(self) -> None:
        text = "import os\nfrom a import b as c\ndef f():\n    x = 1\nclass K:\n    y = 2\nz = 3\n"
        doc = load_document("x.py", text=text)
        assert doc.root.to_python() == {"z": 3}

    def test_literals(self) -> None:
        doc = load("positions.py")
        assert at(doc, "_base_").to_python() == ["../_base_/default_runtime.py"]
        assert at(doc, "neg").value == -5
        assert at(doc, "steps").to_python() == [60000, 80000]  # tuples become lists
        assert at(doc, "mapping").to_python() == {"a": 1, "b": [1, 2]}

    def test_constant_arithmetic_folds(self) -> None:
        doc = load("positions.py")
        assert at(doc, "total").value == 1000 / 90000
        assert at(doc, "power").value == 1024
        assert at(doc, "mixed").value == 0.02

    def test_names_resolve_at_the_place_of_use(self) -> None:
        doc = load("positions.py")
        lr = at(doc, "optimizer", "lr")
        assert lr.value == 0.01
        assert where(lr) == ((12, 33), (12, 30))
        end = at(doc, "param_scheduler", 0, "end")
        assert end.value == 500
        assert where(end) == ((14, 76), (14, 72))

    def test_names_of_collections_copy_the_subtree(self) -> None:
        text = "opt = dict(lr=0.1)\nwrap = dict(optimizer=opt)\n"
        doc = load_document("x.py", text=text)
        copied = at(doc, "wrap", "optimizer")
        assert where(copied) == ((2, 23), (2, 13))
        assert at(doc, "wrap", "optimizer", "lr").path == ("wrap", "optimizer", "lr")
        assert where(at(doc, "wrap", "optimizer", "lr")) == ((1, 15), (1, 12))

    def test_calls_become_mappings_with_type(self) -> None:
        doc = load("positions.py")
        cls = at(doc, "cls")
        assert cls.to_python() == {"type": "torch.optim.AdamW", "lr": 3e-4}
        assert where(at(doc, "cls", "type")) == ((18, 7), (None, None))
        assert "type" not in at(doc, "optimizer", "type").path[:-1]
        assert at(doc, "optimizer").to_python() == {"type": "SGD", "lr": 0.01, "momentum": 0.9}

    def test_explicit_type_keyword_wins(self) -> None:
        doc = load_document("x.py", text="a = Wrapper(type='Inner', x=1)\n")
        assert at(doc, "a").to_python() == {"type": "Inner", "x": 1}

    def test_warnings_from_the_parser_are_silenced(self) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            doc = load_document("x.py", text="pattern = '\\d+'\nx = 1if True else 2\n")
        assert at(doc, "pattern").value == "\\d+"

    def test_detectron2_lazy_call(self) -> None:
        doc = load("positions.py")
        sched = at(doc, "sched")
        assert at(doc, "sched", "type").value == "WarmupParamScheduler"
        assert where(at(doc, "sched", "type")) == ((17, 11), (None, None))
        assert at(doc, "sched", "warmup_length").value == 1000 / 90000
        assert where(at(doc, "sched", "warmup_length")) == ((17, 47), (17, 33))
        assert sched.get("warmup_factor") is not None

    @pytest.mark.parametrize(
        ("key", "source", "reason"),
        [
            ("start", "_base_.lr_start_factor", "refers to _base_"),
            ("cond", '5 if os.environ.get("X") else 200', "depends on a runtime condition"),
            ("fstr", 'f"{lr}"', "is an f-string"),
            ("comp", "[i for i in range(3)]", "is a comprehension"),
            ("fn", "lambda step: step / 100", "is a lambda"),
            ("huge", "10 ** 100000", "is too large to evaluate"),
            ("div0", "1 / 0", "divides by zero"),
            (
                "later",
                "undefined_name",
                "refers to undefined_name, which is not defined earlier in this file",
            ),
        ],
    )
    def test_unresolved(self, key: str, source: str, reason: str) -> None:
        node = at(load("positions.py"), key)
        assert node.value == Unresolved(source, reason)
        assert node.as_number() is None

    def test_unresolved_names_carry_the_root_cause(self) -> None:
        text = (
            "import os\n_debug = os.getenv('D') == '1'\nn = 5 if _debug else 200\n"
            "m = n\ntotal = m + 10\ncfg = dict(end=n)\n"
        )
        doc = load_document("x.py", text=text)
        assert at(doc, "_debug").value == Unresolved("os.getenv('D') == '1'", "is a comparison")
        assert at(doc, "n").value == Unresolved(
            "5 if _debug else 200", "depends on a runtime condition"
        )
        assert at(doc, "m").value == Unresolved(
            "n", "refers to n, which depends on a runtime condition"
        )
        # the reason names the nearest name and the root cause, not the whole chain
        assert at(doc, "total").value == Unresolved(
            "m + 10", "refers to m, which depends on a runtime condition"
        )
        assert where(at(doc, "cfg", "end")) == ((6, 16), (6, 12))

    def test_constant_conditions_resolve(self) -> None:
        doc = load_document("x.py", text="debug = False\nn = 5 if debug else 200\n")
        assert at(doc, "n").value == 200

    def test_calls_of_unknown_functions(self) -> None:
        text = "import math\na = math.sqrt(4)\nb = len([1])\ndef f(x):\n    return x\nc = f(x=1)\n"
        doc = load_document("x.py", text=text)
        assert at(doc, "a").value == Unresolved(
            "math.sqrt(4)", "calls math.sqrt() with positional arguments"
        )
        assert at(doc, "b").value == Unresolved("len([1])", "calls len() with positional arguments")
        assert at(doc, "c").value == Unresolved(
            "f(x=1)", "calls f(), a function defined in this file"
        )

    def test_unresolved_parts_do_not_spoil_their_container(self) -> None:
        doc = load_document("x.py", text="cfg = dict(a=1, b=_base_.x, c=[1, y])\n")
        assert at(doc, "cfg", "a").value == 1
        assert isinstance(at(doc, "cfg", "b").value, Unresolved)
        assert at(doc, "cfg", "c", 0).value == 1
        assert at(doc, "cfg", "c", 1).value == Unresolved(
            "y", "refers to y, which is not defined earlier in this file"
        )

    def test_kwargs_unpacking_and_non_string_keys_are_unresolved(self) -> None:
        doc = load_document("x.py", text="base = {}\na = dict(x=1, **base)\nb = {1: 2}\n")
        assert at(doc, "a").value == Unresolved("dict(x=1, **base)", "uses ** unpacking")
        assert at(doc, "b").value == Unresolved("{1: 2}", "has a key that is not a string literal")

    def test_bounded_powers(self) -> None:
        text = "a = 2 ** 2 ** 100\nb = 2.0 ** 5000\nc = 2 ** -2\nd = (-8) ** 0.5\n"
        doc = load_document("x.py", text=text)
        assert at(doc, "a").value == Unresolved("2 ** 2 ** 100", "raises to a huge power")
        assert at(doc, "b").value == Unresolved("2.0 ** 5000", "is too large to evaluate")
        assert at(doc, "c").value == 0.25
        assert at(doc, "d").value == Unresolved("(-8) ** 0.5", "gives a complex number")

    def test_repeated_squaring_is_bounded(self) -> None:
        lines = ["x0 = 2 ** 64"] + [f"x{i} = x{i - 1} * x{i - 1}" for i in range(1, 40)]
        start = time.perf_counter()
        doc = load_document("x.py", text="\n".join(lines) + "\n")
        assert time.perf_counter() - start < 1.0
        assert at(doc, "x5").value == 2 ** (64 * 32)
        assert at(doc, "x39").value == Unresolved(
            "x38 * x38", "refers to x38, which is too large to evaluate"
        )

    def test_string_concatenation(self) -> None:
        doc = load_document("x.py", text="root = './data/'\nann = root + 'a.json'\n")
        assert at(doc, "ann").value == "./data/a.json"

    def test_augmented_assignment_and_reassignment(self) -> None:
        doc = load_document("x.py", text="lr = 0.1\nlr *= 2\nsteps = 10\nsteps = 20\n")
        assert at(doc, "lr").value == 0.2
        assert where(at(doc, "lr")) == ((2, 7), (2, 1))
        assert where(at(doc, "steps")) == ((4, 9), (4, 1))

    def test_names_assigned_in_blocks_are_unresolved(self) -> None:
        text = "lr = 0.1\nif big:\n    lr = 0.2\nopt = dict(lr=lr)\n"
        doc = load_document("x.py", text=text)
        assert at(doc, "lr").value == Unresolved("lr", "is assigned inside an `if` block (line 2)")
        assert at(doc, "opt", "lr").value == Unresolved(
            "lr", "refers to lr, which is assigned inside an `if` block (line 2)"
        )

    def test_unpacking(self) -> None:
        doc = load_document("x.py", text="a, b = 1, 2\nc, d = pair\n")
        assert (at(doc, "a").value, at(doc, "b").value) == (1, 2)
        assert isinstance(at(doc, "c").value, Unresolved)

    def test_attribute_targets_are_ignored(self) -> None:
        doc = load_document("x.py", text="_base_.hooks[1].epoch = 5\nx = 1\n")
        assert doc.root.to_python() == {"x": 1}

    def test_non_ascii_columns_count_characters(self) -> None:
        doc = load_document("x.py", text="name = 'é'; lr = 1e-3\nd = dict(é=1, lr=2)\n")
        assert where(at(doc, "lr")) == ((1, 18), (1, 13))
        assert where(at(doc, "d", "lr")) == ((2, 18), (2, 15))

    def test_long_unresolved_source_is_cut(self) -> None:
        text = "x = [i for i in " + "+".join(["a"] * 2000) + "]\n"
        node = at(load_document("x.py", text=text), "x")
        assert isinstance(node.value, Unresolved)
        assert len(node.value.source) == 1000
        assert node.value.source.endswith("...")

    def test_python_is_never_executed(self, tmp_path: Path) -> None:
        marker = tmp_path / "ran"
        text = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\nx = 1\n"
        doc = load_document("x.py", text=text)
        assert doc.root.to_python() == {"x": 1}
        assert not marker.exists()


class TestInvalidPython:
    def test_python(self) -> None:
        err = error_of("bad.py", text="x = 1\ny = (1,\n")
        assert headline(err) == "bad.py:2:5: invalid Python: '(' was never closed"

    def test_python_null_byte_past_the_sniffed_prefix(self) -> None:
        err = error_of("bad.py", text="x = 1\n" + "#" * 9000 + "\n\x00\n")
        assert "invalid Python" in headline(err)



class TestPythonComments:
    def test_comments_come_from_tokenize(self) -> None:
        doc = load("suppress.py")
        assert doc.comments == (
            Comment(1, 11, "# warmup: noqa: WU101, wu102"),
            Comment(3, 8, "# WARMUP: NOQA"),
            Comment(4, 10, "# warmup:noqa:WU103"),
        )

    def test_columns_count_characters(self) -> None:
        doc = load_document("x.py", text="é = 'ü'  # c\n#top\n")
        assert doc.comments == (Comment(1, 10, "# c"), Comment(2, 1, "#top"))

    def test_no_comments(self) -> None:
        assert load_document("x.py", text="a = '#'\n").comments == ()


class TestPythonErrorFields:
    def test_syntax_error(self) -> None:
        err = error_of("bad.py", text="x = 1\ny = (1,\n")
        assert (err.path, err.line, err.column) == ("bad.py", 2, 5)
        assert err.message == "invalid Python: '(' was never closed"
        assert str(err) == "bad.py:2:5: invalid Python: '(' was never closed\n  y = (1,\n      ^"
