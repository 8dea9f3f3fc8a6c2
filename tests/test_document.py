"""Tests for warmup_cli.configs.document: located trees for YAML/JSON/TOML/Python, safely."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, needs_corpus
from warmup_cli.configs.document import (
    MAX_DEPTH,
    Document,
    Node,
    Unresolved,
    load_document,
    suppressed,
)
from warmup_cli.errors import EXIT_USAGE, ConfigError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"


def load(name: str) -> Document:
    return load_document(FIXTURES / name)


def at(doc: Document, *path: str | int) -> Node:
    node = doc.root
    for part in path:
        value = node.value
        if isinstance(part, int):
            assert isinstance(value, list), f"{node!r} is not a sequence"
            node = value[part]
        else:
            assert isinstance(value, dict), f"{node!r} is not a mapping"
            node = value[part]
    return node


def where(node: Node) -> tuple[tuple[int, int], tuple[int | None, int | None]]:
    """((line, column) of the value, (line, column) of its key)."""
    return (node.line, node.column), (node.key_line, node.key_column)


def error_of(path: str | Path, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_document(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.exit_code == EXIT_USAGE
    return info.value


# ------------------------------------------------------------------------------------------
# YAML


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
        assert max_lr.as_number() == pytest.approx(2e-05)
        assert at(doc, "scheduler", "params", "lr").value == pytest.approx(1e-4)  # has a dot
        assert [n.value for n in at(doc, "flow").value] == ["1e-4", "5e-4"]
        assert at(doc, "flow").as_number_list() == [pytest.approx(1e-4), pytest.approx(5e-4)]
        assert at(doc, "quoted").as_number() == pytest.approx(2e-05)

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


# ------------------------------------------------------------------------------------------
# JSON


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

    def test_no_suppressions_in_json(self) -> None:
        doc = load_document("x.json", text='{"a": "1  # warmup: noqa"}')
        assert doc.suppressions == {}


# ------------------------------------------------------------------------------------------
# TOML


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
        assert at(doc, "lr").value == pytest.approx(2e-05)

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
        assert doc.suppressions == {3: frozenset({"WU001"})}

    def test_dates_become_text(self) -> None:
        doc = load_document("x.toml", text="d = 1979-05-27\n")
        assert at(doc, "d").value == "1979-05-27"


# ------------------------------------------------------------------------------------------
# Python


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
        assert at(doc, "total").value == pytest.approx(1000 / 90000)
        assert at(doc, "power").value == 1024
        assert at(doc, "mixed").value == pytest.approx(0.02)

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
        assert cls.to_python() == {"type": "torch.optim.AdamW", "lr": pytest.approx(3e-4)}
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
        assert at(doc, "sched", "warmup_length").value == pytest.approx(1000 / 90000)
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
        assert at(doc, "lr").value == pytest.approx(0.2)
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


# ------------------------------------------------------------------------------------------
# Node helpers


class TestNode:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (3, 3),
            (0.5, 0.5),
            ("2e-05", 2e-05),
            ("1e-4", 1e-4),
            ("5e-4", 5e-4),
            (" 11e-3 ", 11e-3),
            ("1_000", 1000),
            ("0x10", 16),
            ("-.5", -0.5),
            ("5.", 5.0),
            (True, None),
            (None, None),
            ("abc", None),
            ("1e", None),
            ("inf", None),
            ("", None),
            ("1,000", None),
            ("٣", None),  # a non-ASCII digit
        ],
    )
    def test_as_number(self, value: object, expected: object) -> None:
        result = Node(value, 1, 1).as_number()
        assert result == expected
        if expected is not None:
            assert type(result) is type(expected)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("(60000, 80000)", [60000, 80000]),
            ("[1e-4, 2]", [1e-4, 2]),
            ("(5500,)", [5500]),
            ("()", []),
            ("(1, x)", None),
            ("(1, 2]", None),
            ('("coco_2017_train",)', None),
            ("60000, 80000", None),
            (5, None),
        ],
    )
    def test_as_number_list(self, value: object, expected: object) -> None:
        assert Node(value, 1, 1).as_number_list() == expected

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


# ------------------------------------------------------------------------------------------
# Suppressions


class TestSuppressions:
    def test_yaml(self) -> None:
        doc = load("suppress.yaml")
        assert doc.suppressions == {
            1: None,
            4: frozenset({"WU101"}),
            9: frozenset({"WU202"}),
        }

    def test_toml(self) -> None:
        doc = load("suppress.toml")
        assert doc.suppressions == {1: None, 6: frozenset({"WU101"})}

    def test_python(self) -> None:
        doc = load("suppress.py")
        assert doc.suppressions == {
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
        assert doc.suppressions == {}

    def test_blanket_wins_over_codes_on_the_same_line(self) -> None:
        doc = load_document("x.py", text="a = 1  # warmup: noqa: WU101 # warmup: noqa\n")
        assert doc.suppressions == {1: None}

    def test_comment_after_a_block_scalar(self) -> None:
        doc = load_document("x.yaml", text="a: |\n  text\n# warmup: noqa\nb: 1  # warmup: noqa\n")
        assert doc.suppressions == {3: None, 4: None}

    def test_empty_file_with_only_comments(self) -> None:
        doc = load_document("x.yaml", text="# warmup: noqa\n")
        assert doc.root.value == {}
        assert doc.suppressions == {1: None}


# ------------------------------------------------------------------------------------------
# Formats, files and hostile input


class TestFiles:
    def test_unsupported_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.md"
        path.write_text("a: 1\n")
        err = error_of(path)
        assert str(path) in err.message
        assert "unsupported file type '.md'" in err.message

    def test_format_overrides_the_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.md"
        path.write_text("a: 1\n")
        assert load_document(path, format="yaml").root.to_python() == {"a": 1}
        assert load_document(path, format="yaml").format == "yaml"

    def test_unknown_format(self) -> None:
        assert "unknown config format 'ini'" in error_of("x.yaml", text="", format="ini").message

    @pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".toml", ".py"])
    def test_empty_files(self, tmp_path: Path, suffix: str) -> None:
        path = tmp_path / f"empty{suffix}"
        path.write_text("\n  \n")
        doc = load_document(path)
        assert doc.root.value == {}
        assert (doc.root.line, doc.root.column) == (1, 1)

    def test_missing_path(self, tmp_path: Path) -> None:
        path = tmp_path / "missing.yaml"
        err = error_of(path)
        assert err.message == f"{path}: cannot read: No such file or directory"

    def test_directory(self, tmp_path: Path) -> None:
        path = tmp_path / "dir.yaml"
        path.mkdir()
        assert error_of(path).message == f"{path}: cannot read: Is a directory"

    def test_not_a_regular_file(self, tmp_path: Path) -> None:
        path = tmp_path / "fifo.yaml"
        os.mkfifo(path)
        assert error_of(path).message == f"{path}: cannot read: not a regular file"

    @pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
    def test_permission_denied(self, tmp_path: Path) -> None:
        path = tmp_path / "secret.yaml"
        path.write_text("a: 1\n")
        path.chmod(0)
        assert "Permission denied" in error_of(path).message

    def test_too_big(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        with path.open("wb") as f:
            f.truncate(int(12.3 * 2**20))
        assert error_of(path).message == f"{path}: file is 12.3 MB; the limit is 5 MB"

    def test_just_over_the_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        path.write_bytes(b"#" * (5 * 2**20 + 1))
        assert error_of(path).message == f"{path}: file is 5.000 MB; the limit is 5 MB"

    def test_at_the_limit_is_fine(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        path.write_bytes(b"a: 1\n" + b"#" * (5 * 2**20 - 6) + b"\n")
        assert load_document(path).root.to_python() == {"a": 1}

    def test_too_big_text(self) -> None:
        err = error_of("x.yaml", text="#" * (6 * 2**20))
        assert err.message == "x.yaml: file is 6.0 MB; the limit is 5 MB"

    def test_binary(self, tmp_path: Path) -> None:
        path = tmp_path / "model.yaml"
        path.write_bytes(b"a: 1\n\x00\x01\x02")
        err = error_of(path)
        assert err.message.startswith(f"{path}: binary file (NUL byte at offset 5)")

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.yaml"
        path.write_bytes("a: 1\nb: café\n".encode("latin-1"))
        err = error_of(path)
        assert err.message.startswith(f"{path}:2:7: file is not UTF-8 text (byte 0xe9")

    def test_utf16(self, tmp_path: Path) -> None:
        path = tmp_path / "u16.yaml"
        path.write_bytes("a: 1\n".encode("utf-16"))
        assert "UTF-16" in error_of(path).message

    def test_utf8_bom_is_dropped(self, tmp_path: Path) -> None:
        path = tmp_path / "bom.json"
        path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
        doc = load_document(path)
        assert where(at(doc, "a")) == ((1, 7), (1, 2))

    def test_lone_surrogate_in_text(self) -> None:
        err = error_of("x.yaml", text="a: 1\nb: \ud800\n")
        assert err.message == "x.yaml:2:4: text is not valid Unicode (a lone surrogate)"

    def test_utf8_bom_in_text_is_dropped(self) -> None:
        doc = load_document("x.json", text='\ufeff{"a": 1}')
        assert where(at(doc, "a")) == ((1, 7), (1, 2))

    def test_permission_denied_names_the_os_reason(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Running as root, chmod cannot make a file unreadable: fail the open() instead.
        import warmup_cli.configs.document as document

        path = tmp_path / "secret.yaml"
        path.write_text("a: 1\n")

        def refuse(*args: object, **kwargs: object) -> object:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(document, "open", refuse, raising=False)
        assert error_of(path).message == f"{path}: cannot read: Permission denied"

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


class TestInvalid:
    def test_yaml(self) -> None:
        err = error_of("bad.yaml", text="a: 1\nkey: value: other\n")
        assert err.message.startswith("bad.yaml:2:11: invalid YAML: mapping values are not allowed")
        assert err.source == "key: value: other"
        assert err.column == 10

    def test_yaml_undefined_alias(self) -> None:
        err = error_of("bad.yaml", text="a: *nope\n")
        assert err.message.startswith("bad.yaml:1:4: invalid YAML: found undefined alias")

    def test_yaml_control_character(self) -> None:
        err = error_of("bad.yaml", text="a: 1\nb: \x07\n")
        assert err.message.startswith("bad.yaml:2:4: invalid YAML:")

    def test_yaml_bad_explicit_tag(self) -> None:
        err = error_of("bad.yaml", text="a: !!int abc\n")
        assert err.message == "bad.yaml:1:4: invalid YAML: cannot read 'abc' as int"

    def test_yaml_collection_key(self) -> None:
        err = error_of("bad.yaml", text="? [a, b]\n: 1\n")
        assert err.message.startswith("bad.yaml:1:3: unsupported YAML key")

    def test_json(self) -> None:
        err = error_of("bad.json", text='{"a": 1,}')
        assert err.message == (
            "bad.json:1:9: invalid JSON: Expecting property name enclosed in double quotes"
        )

    def test_json_huge_integer(self) -> None:
        err = error_of("bad.json", text="[" + "1" * 5000 + "]")
        assert err.message.startswith("bad.json: invalid JSON: Exceeds the limit")

    def test_toml(self) -> None:
        err = error_of("bad.toml", text="a = 1\nb = \n")
        assert err.message == "bad.toml:2:5: invalid TOML: Invalid value"

    def test_toml_at_end(self) -> None:
        err = error_of("bad.toml", text="a = 1\nb = ")
        assert err.message == "bad.toml:2:5: invalid TOML: Invalid value"

    def test_python(self) -> None:
        err = error_of("bad.py", text="x = 1\ny = (1,\n")
        assert err.message == "bad.py:2:5: invalid Python: '(' was never closed"

    def test_python_null_byte_past_the_sniffed_prefix(self) -> None:
        err = error_of("bad.py", text="x = 1\n" + "#" * 9000 + "\n\x00\n")
        assert "invalid Python" in err.message


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
        assert "nesting deeper than 64 levels" in error_of(deep).message

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
        assert str(path) in err.message

    def test_deep_block_yaml(self) -> None:
        text = "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v: 1\n"
        err = error_of("deep.yaml", text=text)
        assert err.message.startswith("deep.yaml:66:")
        assert "nesting deeper than 64 levels" in err.message

    def test_billion_laughs(self) -> None:
        start = time.perf_counter()
        err = error_of(FIXTURES / "billion-laughs.yaml")
        assert time.perf_counter() - start < 1.0
        assert f"{FIXTURES / 'billion-laughs.yaml'}:6:4: more than 200,000 values" in err.message

    def test_recursive_alias(self) -> None:
        err = error_of("r.yaml", text="a: &a [*a]\n")
        assert err.message.startswith("r.yaml:1:4: nesting deeper than 64 levels")

    def test_recursive_merge(self) -> None:
        err = error_of("r.yaml", text="a: &a {b: 1, <<: *a}\n")
        assert err.message.startswith("r.yaml:1:4: invalid YAML: recursive merge key")

    def test_too_many_nodes_json(self) -> None:
        err = error_of("many.json", text="[" + "0," * 250_000 + "0]")
        assert err.message.startswith("many.json:1:")
        assert "more than 200,000 values" in err.message

    def test_too_many_nodes_python_copies(self) -> None:
        lines = ["a0 = [1, 2]"] + [f"a{i} = [a{i - 1}, a{i - 1}]" for i in range(1, 40)]
        err = error_of("many.py", text="\n".join(lines) + "\n")
        assert "more than 200,000 values" in err.message

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


def test_the_reader_has_no_unsafe_calls() -> None:
    """A static guard: no unsafe YAML loaders, no exec/eval/compile/imports of user code."""
    import re

    import warmup_cli.configs.document as document

    source = Path(document.__file__).read_text()
    banned = [
        r"yaml\.(?:load|full_load|unsafe_load|load_all)\(",
        r"\b(?:Unsafe|Full)Loader\b",
        r"yaml\.Loader\b",
        r"(?<![.\w])(?:exec|eval|compile|__import__)\(",
        r"\bimport_module\(",
        r"\bliteral_eval\(",
    ]
    for pattern in banned:
        assert re.search(pattern, source) is None, pattern
    assert "SafeLoader" in source


def test_mutated_inputs_never_escape_as_tracebacks() -> None:
    """Random edits of the fixtures either load or fail with a ConfigError, nothing else."""
    import random

    rng = random.Random(20240601)
    pieces = [
        *"[]{}()\"'#:,=.-_ \n\t\\&*!|>%$0123456789eé\r",
        *("<<: *a\n", "&a ", "*a", '"""', "[[", "]]", "lambda", " if ", "**", "dict(", ")("),
    ]
    sources = sorted(p for p in FIXTURES.iterdir() if p.is_file())
    loaded = failed = 0
    for _ in range(400):
        source = rng.choice(sources)
        text = source.read_text()
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(text) + 1)
            if rng.random() < 0.5:
                text = text[:i] + rng.choice(pieces) + text[i:]
            else:
                text = text[:i] + text[i + rng.randint(1, 5) :]
        try:
            doc = load_document(source.name, text=text)
        except ConfigError as e:
            assert e.message.startswith(source.name + ":")
            failed += 1
            continue
        for node in doc.root.walk():
            assert node.line >= 1
            assert node.column >= 1
            node.as_number()
            node.as_number_list()
        loaded += 1
    assert loaded > 50
    assert failed > 50


# ------------------------------------------------------------------------------------------
# The shared corpus of real config files


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".py"))


@needs_corpus
class TestCorpus:
    @pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
    def test_loads(self, path: Path) -> None:
        doc = load_document(path)
        assert isinstance(doc.root.value, dict)
        assert doc.root.value
        for node in doc.root.walk():
            assert node.line >= 1
            assert node.column >= 1

    def test_detectron2_base_lr_and_steps(self) -> None:
        doc = load_document(CORPUS / "detectron2__facebookresearch_detectron2__base-rcnn-fpn.yaml")
        base_lr = at(doc, "SOLVER", "BASE_LR")
        assert base_lr.value == 0.02
        assert where(base_lr) == ((37, 12), (37, 3))
        assert at(doc, "SOLVER", "STEPS").as_number_list() == [60000, 80000]
        assert at(doc, "DATASETS", "TRAIN").as_number_list() is None

    def test_swin_yaml_11_strings(self) -> None:
        doc = load_document(
            CORPUS / "timm__microsoft_Swin-Transformer__swin-base-384-finetune-yacs.yaml"
        )
        base_lr = at(doc, "TRAIN", "BASE_LR")
        assert base_lr.value == "2e-05"
        assert base_lr.as_number() == pytest.approx(2e-05)
        assert base_lr.location == (16, 3)
        assert at(doc, "TRAIN", "EPOCHS").value == 30

    def test_fairseq_list_of_number_strings(self) -> None:
        doc = load_document(
            CORPUS / "fairseq__facebookresearch_fairseq__roberta-finetuning-rte.yaml"
        )
        lr = at(doc, "optimization", "lr")
        assert [item.value for item in lr.value] == ["2e-05"]  # type: ignore[union-attr]
        assert lr.as_number_list() == [pytest.approx(2e-05)]
        assert lr.location == (52, 3)

    def test_deepspeed_json(self) -> None:
        doc = load_document(
            CORPUS / "deepspeed__microsoft_DeepSpeedExamples__cifar-warmuplr-min0.json"
        )
        node = at(doc, "scheduler", "params", "warmup_min_lr")
        assert node.value == 0
        assert where(node) == ((19, 24), (19, 7))

    def test_safari_eval_strings_stay_strings(self) -> None:
        doc = load_document(CORPUS / "lambda__HazyResearch_safari__pile-base-eval-expressions.yaml")
        evals = [
            n for n in doc.root.walk() if isinstance(n.value, str) and n.value.startswith("${eval:")
        ]
        assert any("__import__('subprocess')" in n.value for n in evals)  # type: ignore[operator]

    def test_mmyolo_base_refs_and_folding(self) -> None:
        doc = load_document(CORPUS / "mmengine__open-mmlab_mmyolo__rtmdet-tiny-40e-cat.py")
        start = at(doc, "param_scheduler", 0, "start_factor")
        assert start.value == Unresolved("_base_.lr_start_factor", "refers to _base_")
        assert start.location == (46, 9)
        assert at(doc, "param_scheduler", 1, "T_max").value == 20  # max_epochs // 2
        assert at(doc, "param_scheduler", 1, "end").value == 40
        assert at(doc, "_base_").value == "rtmdet_tiny_syncbn_fast_8xb32-300e_coco.py"

    def test_mmengine_conditional_expression(self) -> None:
        doc = load_document(CORPUS / "mmengine__SimonBon_MCA__train-cfg-conditional-expr.py")
        n_linear = at(doc, "n_linear")
        assert n_linear.value == Unresolved(
            "5   if _debug else 200", "depends on a runtime condition"
        )
        assert at(doc, "optimizer", "lr").value == pytest.approx(3e-4)
        assert at(doc, "optim_wrapper", "optimizer", "lr").value == pytest.approx(3e-4)
        end = at(doc, "param_scheduler", 0, "end").value
        assert isinstance(end, Unresolved)
        assert end.reason == "refers to n_linear, which depends on a runtime condition"

    def test_detectron2_lazyconfig_function_calls(self) -> None:
        doc = load_document(
            CORPUS / "detectron2__facebookresearch_detectron2__lazyconfig-coco-schedule.py"
        )
        assert at(doc, "lr_multiplier_1x").value == Unresolved(
            "default_X_scheduler(1)", "calls default_X_scheduler(), a function defined in this file"
        )

    def test_markdown_excerpt_is_not_a_config(self) -> None:
        path = CORPUS / "lambda__kzhoa_qqtools__qconfig-doc-lambda-and-warmup.excerpt.md"
        assert "unsupported file type '.md'" in error_of(path).message
