"""Tests for warmup_cli.configs.document: format choice, dispatch, safety, the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.configs_support import FIXTURES, at, error_of, headline, where
from tests.conftest import CORPUS, needs_corpus
from warmup_cli.configs.discover import CONFIG_SUFFIXES
from warmup_cli.configs.document import (
    FORMATS,
    SUFFIX_FORMATS,
    Document,
    Node,
    Unresolved,
    choose_format,
    load_document,
)
from warmup_cli.errors import ConfigError


class TestFormats:
    def test_unsupported_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.md"
        path.write_text("a: 1\n")
        err = error_of(path)
        assert str(path) in headline(err)
        assert "unsupported file type '.md'" in headline(err)

    def test_format_overrides_the_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.md"
        path.write_text("a: 1\n")
        assert load_document(path, format="yaml").root.to_python() == {"a": 1}
        assert load_document(path, format="yaml").format == "yaml"

    def test_unknown_format(self) -> None:
        assert "unknown config format 'ini'" in headline(error_of("x.yaml", text="", format="ini"))

    @pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".toml", ".py"])
    def test_empty_files(self, tmp_path: Path, suffix: str) -> None:
        path = tmp_path / f"empty{suffix}"
        path.write_text("\n  \n")
        doc = load_document(path)
        assert doc.root.value == {}
        assert (doc.root.line, doc.root.column) == (1, 1)


def test_the_reader_has_no_unsafe_calls() -> None:
    """A static guard: no unsafe YAML loaders, no exec/eval/compile/imports of user code."""
    import re

    import warmup_cli.configs as configs
    import warmup_cli.configs.yaml_loader as yaml_loader

    modules = sorted(Path(configs.__file__).parent.glob("*.py"))
    assert len(modules) >= 8  # the dispatch, the four loaders, tree, text, numbers...
    source = "\n".join(path.read_text() for path in modules)
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
    assert "SafeLoader" in Path(yaml_loader.__file__).read_text()


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
            assert headline(e).startswith(source.name + ":")
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
        assert base_lr.as_number() == 2e-05
        assert base_lr.location == (16, 3)
        assert at(doc, "TRAIN", "EPOCHS").value == 30

    def test_fairseq_list_of_number_strings(self) -> None:
        doc = load_document(
            CORPUS / "fairseq__facebookresearch_fairseq__roberta-finetuning-rte.yaml"
        )
        lr = at(doc, "optimization", "lr")
        assert [item.value for item in lr.value] == ["2e-05"]  # type: ignore[union-attr]
        assert lr.as_number_list() == [2e-05]
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
        assert at(doc, "optimizer", "lr").value == 3e-4
        assert at(doc, "optim_wrapper", "optimizer", "lr").value == 3e-4
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
        assert "unsupported file type '.md'" in headline(error_of(path))


class TestDispatch:
    def test_the_framework_readers_imports_keep_working(self) -> None:
        assert all(isinstance(t, type) for t in (Document, Node, Unresolved))
        assert callable(load_document)

    def test_format_choice(self) -> None:
        assert choose_format("a/b.YML") == "yaml"
        assert choose_format("a.txt", "YML") == "yaml"
        assert choose_format("a.yaml", "toml") == "toml"
        assert set(SUFFIX_FORMATS.values()) == set(FORMATS)
        assert set(SUFFIX_FORMATS) == set(CONFIG_SUFFIXES)

    def test_format_errors_name_the_file(self) -> None:
        err = error_of("Makefile")
        assert (err.path, err.line, err.column) == ("Makefile", None, None)
        assert str(err).startswith("Makefile: unsupported file type (no suffix); expected one of")

    @pytest.mark.parametrize(
        ("name", "text"),
        [
            ("a.yaml", "a: 1  # c\n"),
            ("a.json", '{"a": 1}'),
            ("a.toml", "a = 1  # c\n"),
            ("a.py", "a = 1  # c\n"),
        ],
    )
    def test_every_format_gives_the_same_tree(self, name: str, text: str) -> None:
        doc = load_document(name, text=text)
        assert doc.root.to_python() == {"a": 1}
        assert [c.text for c in doc.comments] == ([] if name.endswith(".json") else ["# c"])
