"""The generic extractor: which values of a config are linted, with what base LR and run
length, and where findings inside a string land; plus the plug-in points for other readers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from warmup_cli.configs.document import Document, load_document
from warmup_cli.configs.extract import eval_bodies
from warmup_cli.lint import extract
from warmup_cli.lint.diagnostics import Location
from warmup_cli.lint.extract import GenericExtractor
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import DEFAULT_SCHEDULE_KEYS, Settings
from warmup_cli.lint.subject import Subject
from warmup_cli.vocab import RunFacts, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
GENERIC = GenericExtractor(frozenset(DEFAULT_SCHEDULE_KEYS))


def subjects(text: str, name: str = "c.yaml", keys: frozenset[str] | None = None
             ) -> list[Subject]:
    doc = load_document(name, text=text)
    return (GenericExtractor(keys) if keys else GENERIC)(doc)


# --- what is linted -------------------------------------------------------------------------

def test_lambdas_are_linted_under_any_key_and_in_lists() -> None:
    found = subjects('a:\n  anything: "lambda e: e"\n  groups: ["lambda e: 1", "not one"]\n')
    assert [s.text for s in found] == ["lambda e: e", "lambda e: 1"]
    assert [s.where for s in found] == [Location(2, 3), Location(3, 12)]  # key; list item


def test_specs_are_linted_only_under_schedule_keys() -> None:
    found = subjects('warmup: "linear:500 > cosine:9500"\nname: "linear:4"\n'
                     'lr_scheduler: cosine\nscheduler: constant\n')
    assert [s.text for s in found] == ["linear:500 > cosine:9500", "constant"]
    assert all(s.schedule is not None for s in found)


def test_schedule_keys_are_configurable_and_case_insensitive() -> None:
    text = 'My-Schedule: "linear:4"\nwarmup: "linear:8"\n'
    found = subjects(text, keys=frozenset({"my_schedule"}))
    assert [s.text for s in found] == ["linear:4"]


def test_a_broken_spec_under_a_schedule_key_is_reported_where_it_breaks(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    line = 'warmup: "linear:500 > cosin:9500"'
    path.write_text(line + "\n")
    (hit,) = lint([str(path)], Settings()).diagnostics
    assert hit.code == "WU003"
    assert "unknown schedule kind 'cosin'" in hit.message
    assert hit.start == Location(1, line.index("cosin:") + 1)


def test_python_config_lambdas_are_read_without_running_the_file() -> None:
    found = GENERIC(load_document(FIXTURES / "train_config.py"))
    lam, spec = found
    assert lam.text == "lambda epoch: epoch / 4"
    assert lam.base_lrs == (0.02,)
    assert lam.run_length == 12 and lam.run_source == "max_epochs = 12 at line 3"
    line = (FIXTURES / "train_config.py").read_text().splitlines()[3]
    assert lam.text_column == line.index("lambda epoch") + 1
    assert spec.text == "linear:3"


# --- base LR and run length -------------------------------------------------------------------

def test_nearest_enclosing_values_win_over_outer_ones() -> None:
    text = ("lr: 1.0\nmax_steps: 9\n"
            "inner:\n  lr: 0.5\n  max_steps: 77\n  lr_lambda: \"lambda s: 1\"\n"
            "other:\n  lr_lambda: \"lambda s: 1\"\n")
    inner, other = subjects(text)
    assert (inner.base_lrs, inner.run_length) == ((0.5,), 77)
    assert (other.base_lrs, other.run_length) == ((1.0,), 9)
    assert inner.anchors["run"] == Location(5, 3)


def test_values_elsewhere_in_the_file_are_found_too() -> None:
    # qqtools' layout: the lr and the epochs live in sibling sections, not in an ancestor.
    text = ("optim:\n  optimizer_params:\n    lr: 2e-05\n  scheduler_params:\n"
            "    lr_lambda: \"lambda epoch: 0.95 ** epoch\"\nrunner:\n  max_epochs: 100\n")
    (found,) = subjects(text)
    assert found.base_lrs == (2e-05,)  # a YAML 1.1 string, read as a number
    assert found.run_length == 100


def test_epoch_lambdas_prefer_epoch_counts_and_step_lambdas_step_counts() -> None:
    text = ('max_steps: 5000\nnum_epochs: 3\na: "lambda epoch: 1"\nb: "lambda step: 1"\n'
            'c: "lambda t: 1"\n')
    assert [s.run_length for s in subjects(text)] == [3, 5000, 5000]


def test_sentinels_and_fractions_are_not_run_lengths() -> None:
    text = 'max_steps: -1\nnum_train_epochs: 2.5\nepochs: 4.0\nlr: [0.1, 0.01]\nf: "lambda s: 1"\n'
    (found,) = subjects(text)
    assert found.run_length == 4
    assert found.base_lrs == (0.1, 0.01)


def test_a_spec_base_wins_over_the_config_lr() -> None:
    (found,) = subjects('lr: 0.3\nwarmup: "linear:4,base=0.1"\n')
    assert found.base_lrs == (0.1,)


# --- columns inside strings --------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text"), [
    ("c.json", json.dumps({"epochs": 20, "lr_lambda": "lambda e: min(e // 4, 1)"})),
    ("c.toml", 'epochs = 20\nlr_lambda = "lambda e: min(e // 4, 1)"\n'),
    ("c.yaml", "epochs: 20\nlr_lambda: lambda e:min(e // 4, 1)\n"),  # a plain scalar
])
def test_staircase_column_in_every_format(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    hit = next(d for d in lint([str(path)], Settings()).diagnostics if d.code == "WU105")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "//" in row)
    assert hit.start == Location(line, text.splitlines()[line - 1].index("//") + 1)


def test_escaped_or_multi_line_strings_fall_back_to_the_value_start(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"epochs": 20,\n "lr_lambda": "lambda e: min(e \\u002f/ 4, 1)"}\n')
    hit = next(d for d in lint([str(path)], Settings()).diagnostics if d.code == "WU105")
    assert hit.start == Location(2, 15)  # the opening quote of the value
    path = tmp_path / "c.yaml"
    path.write_text("epochs: 20\nlr_lambda: >-\n  lambda e:\n  min(e // 4, 1)\n")
    hit = next(d for d in lint([str(path)], Settings()).diagnostics if d.code == "WU105")
    assert hit.start == Location(2, 12)


# --- ${eval:...} -------------------------------------------------------------------------------

def test_eval_bodies_blank_inner_interpolations_and_unquote() -> None:
    text = '${div_up:${a.b}, ${eval:${trainer.devices} * 2}} ${eval:"round(1.5)"}'
    bodies = list(eval_bodies(text))
    first, second = bodies
    assert first == (text.index("${trainer"), "0" * len("${trainer.devices}") + " * 2")
    assert second == (text.index("round"), "round(1.5)")


def test_hostile_eval_is_located_at_the_import_and_benign_eval_is_quiet(tmp_path: Path) -> None:
    line = ("  gpu_mem: ${eval:\"round(float(__import__('subprocess').check_output('ls', "
            "shell=True)))\"}")
    path = tmp_path / "c.yaml"
    path.write_text("trainer:\n  max_steps: 10\n"
                    "  warmup_t: ${eval:${trainer.max_steps} * 0.01}\n"
                    f"train:\n{line}\n")
    (hit,) = lint([str(path)], Settings()).diagnostics
    assert hit.code == "WU002"
    assert "call of '__import__' is not allowed" in hit.message
    assert hit.start == Location(5, line.index("__import__") + 1)


# --- plug-in points ----------------------------------------------------------------------------

def test_framework_readers_plug_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from warmup_cli.frameworks import kit
    from warmup_cli.schedule import Plan
    from warmup_cli.spec import parse_spec

    def read(doc: Document, facts: RunFacts) -> list[kit.FrameworkSchedule]:
        node = doc.root.get("trainer")
        assert node is not None
        plan = Plan(parse_spec("constant-warmup:5,factor=0.1").schedule, (0.1,), "fake")
        found = kit.FrameworkSchedule("fake", "trainer", node, plan, horizon=100)
        found.findings.append(kit.Finding("WU399", "fake framework check", node.get("kind"),
                                          Severity.NOTE))
        return [found]

    monkeypatch.setitem(kit.READERS, "fake", kit.Reader(
        "fake", lambda doc: doc.root.get("trainer") is not None, read))
    path = tmp_path / "c.yaml"
    path.write_text("trainer:\n  kind: fake\n")
    found = lint([str(path)], Settings()).diagnostics
    by_code = {d.code: d for d in found}
    assert set(by_code) == {"WU107", "WU399"}  # the generic checks ran on the reader's plan
    assert by_code["WU399"].start == Location(2, 3)
    assert by_code["WU399"].severity.value == "note"
    assert by_code["WU107"].start == Location(1, 1)


def test_registered_extractors_run_after_the_generic_one(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    from warmup_cli.spec import parse_spec

    def custom(doc: Document) -> list[Subject]:
        return [Subject("custom", doc.path, Location(1, 1),
                        schedule=parse_spec("constant-warmup:3,factor=0.01").schedule)]

    monkeypatch.setattr(extract, "EXTRACTORS", [])
    extract.register_extractor(custom)
    path = tmp_path / "c.yaml"
    path.write_text("x: 1\n")
    assert [d.code for d in lint([str(path)], Settings()).diagnostics] == ["WU107"]
