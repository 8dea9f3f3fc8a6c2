"""Hydra defaults lists (``configs.hydra_defaults``): composed as Hydra composes them, every value
located in the file that set it.

The composed configs are compared with golden dicts made by Hydra 1.3.2's own ``compose``
(``tools/golden/inherit_golden.py``) on fixture trees in fairseq's and audiocraft's layouts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.inherit_support import FIXTURES, GOLDEN, at, plain, problems, tree
from warmup_cli.cli.app import app
from warmup_cli.configs.inherit import load_config
from warmup_cli.frameworks.upstream import fairseq_lr_scheduler
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.resolve import resolve

FAIRSEQ = FIXTURES / "fairseq" / "config"
AUDIOCRAFT = FIXTURES / "audiocraft" / "config"
SOLVER = AUDIOCRAFT / "solver" / "audiogen" / "audiogen_base_16khz.yaml"


def relative(path: Path) -> str:
    return os.path.relpath(path)


@pytest.mark.parametrize("name", ["fairseq/config/config.yaml",
                                  "fairseq/config/tri_stage_60k.yaml",
                                  "audiocraft/config/config.yaml"])
def test_the_composed_config_is_hydras(name: str) -> None:
    doc = load_config(FIXTURES / name)
    assert doc.inheritance is not None and doc.inheritance.problems == ()
    assert plain(doc.root) == GOLDEN[name]


def test_a_solver_file_composes_as_hydra_composes_it_under_its_primary_config() -> None:
    # audiocraft runs `solver=audiogen/audiogen_base_16khz` from config/config.yaml: the solver
    # file read alone gives that composition minus what config.yaml and its dset group add
    composed = dict(GOLDEN["audiocraft/config/config.yaml solver=audiogen/audiogen_base_16khz"])
    for key in ("device", "dtype", "seed", "datasource"):
        composed.pop(key)
    doc = load_config(SOLVER)
    assert doc.inheritance is not None and doc.inheritance.problems == ()
    assert plain(doc.root) == composed
    # the override targets config.yaml's dset group, which this file does not load
    assert any("override dset: audio/default" in note for note in doc.inheritance.notes)


def test_values_are_located_in_the_group_file_that_set_them() -> None:
    doc = load_config(relative(FAIRSEQ / "config.yaml"))
    warmup = at(doc, "lr_scheduler", "warmup_updates")
    assert doc.file_of(warmup) == relative(FAIRSEQ / "lr_scheduler" / "inverse_sqrt.yaml")
    assert warmup.location == (2, 1)
    assert doc.file_of(at(doc, "optimization", "lr")) == relative(FAIRSEQ / "config.yaml")
    assert doc.inheritance is not None
    assert dict(doc.inheritance.choices) == {"lr_scheduler": "inverse_sqrt",
                                             "optimizer": "adam", "task": "language_modeling"}
    solver = load_config(relative(SOLVER))
    init = at(solver, "schedule", "inverse_sqrt", "warmup_init_lr")
    assert solver.file_of(init) == relative(AUDIOCRAFT / "solver" / "default.yaml")
    assert solver.file_of(at(solver, "schedule", "inverse_sqrt", "warmup")) == relative(SOLVER)
    # _self_ comes last: the solver's own lr wins over musicgen's and audiogen's 1e-4
    assert at(solver, "optim", "lr").value == "5e-4"


def test_override_replaces_the_option_of_a_nested_defaults_list() -> None:
    doc = load_config(FAIRSEQ / "tri_stage_60k.yaml")
    assert doc.inheritance is not None
    assert dict(doc.inheritance.choices)["lr_scheduler"] == "tri_stage"
    assert "warmup_updates" not in (at(doc, "lr_scheduler").as_mapping() or {})


def test_show_runs_the_composed_config_as_the_flat_config_it_composes_to(
        tmp_path: Path) -> None:
    # the same schedule written out in one file (the golden composition, with the _name that
    # fairseq's dataclass supplies) gives the same LRs, bit for bit
    flat = tmp_path / "flat.yaml"
    composed: dict[str, Any] = GOLDEN["fairseq/config/config.yaml"]
    flat.write_text(yaml.safe_dump({**composed, "lr_scheduler": {
        "_name": "inverse_sqrt", **composed["lr_scheduler"]}}))
    runner = CliRunner()
    merged = runner.invoke(app, ["show", str(FAIRSEQ / "config.yaml"), "--format", "csv",
                                 "--steps", "5000", "--all"])
    single = runner.invoke(app, ["show", str(flat), "--format", "csv", "--steps", "5000",
                                 "--all"])
    assert merged.exit_code == 0 and single.exit_code == 0, merged.output + single.output
    assert merged.stdout == single.stdout
    lrs = [float(line.split(",")[2]) for line in merged.stdout.splitlines()[1:]]
    formula = fairseq_lr_scheduler.inverse_sqrt(0.0005, 4000, 1e-07)
    assert lrs[0] == formula(0) == 1e-07 and len(lrs) == 5000
    plan = resolve(str(SOLVER)).plan
    assert plan.base_lrs == (5e-4,)


def test_lint_locates_a_finding_on_an_inherited_value_in_the_group_file() -> None:
    primary = FAIRSEQ / "tri_stage_60k.yaml"
    group = FAIRSEQ / "lr_scheduler" / "tri_stage.yaml"
    report = lint([relative(primary)], Settings())
    (wu307,) = [d for d in report.diagnostics if d.code == "WU307"]
    assert wu307.path == relative(group) and wu307.start.line == 4  # decay_steps
    assert "past max_update (60000)" in wu307.message
    assert wu307.message.endswith(f"(inherited by {relative(primary)})")


# --- what is not composed -------------------------------------------------------------------


PRIMARY = ("optimization:\n  lr: [0.001]\n  max_update: 1000\n")
INVERSE_SQRT = "# @package _group_\nwarmup_updates: 100\nwarmup_init_lr: 0.0\n"


def test_an_option_not_at_hand_is_a_located_note_and_no_schedule(tmp_path: Path) -> None:
    root = tree(tmp_path, {"config.yaml": "defaults:\n  - lr_scheduler: cosine\n" + PRIMARY,
                            "lr_scheduler/inverse_sqrt.yaml": INVERSE_SQRT})
    ((line, column, reason, rejected),) = problems(root / "config.yaml")
    assert (line, column, rejected) == (2, 19, False) and "is not at hand" in reason
    result = CliRunner().invoke(app, ["show", str(root / "config.yaml")])
    assert result.exit_code == 2 and "not at hand" in result.output
    report = lint([str(root / "config.yaml")], Settings())
    (note,) = [d for d in report.diagnostics if d.code == "WU308"]
    assert (note.start.line, note.start.column) == (2, 5) and "not at hand" in note.message


@pytest.mark.parametrize(("entry", "needle"), [
    ("- lr_scheduler: ${oc.env:SCHED}", "interpolated"),
    ("- lr_scheduler: ???", "mandatory value"),
    ("- lr_scheduler: ../../etc/inverse_sqrt", "climbs out of its folder"),
    ("- override: inverse_sqrt", None),
])
def test_options_that_are_not_read(tmp_path: Path, entry: str, needle: str | None) -> None:
    root = tree(tmp_path, {"config.yaml": f"defaults:\n  {entry}\n" + PRIMARY,
                            "lr_scheduler/inverse_sqrt.yaml": INVERSE_SQRT})
    found = problems(root / "config.yaml")
    if needle is None:  # a group named "override" that is not on disk
        assert "is not at hand" in found[0][2]
    else:
        assert needle in found[0][2]


def test_null_optional_and_hydras_own_groups_are_skipped(tmp_path: Path) -> None:
    root = tree(tmp_path, {
        "config.yaml": "defaults:\n  - lr_scheduler: inverse_sqrt\n  - tokenizer: null\n"
                       "  - optional extra: gone\n  - override hydra/launcher: joblib\n"
                       + PRIMARY,
        "lr_scheduler/inverse_sqrt.yaml": INVERSE_SQRT})
    assert problems(root / "config.yaml") == []
    assert resolve(str(root / "config.yaml")).plan.base_lrs == (0.001,)


def test_a_cycle_is_an_error(tmp_path: Path) -> None:
    root = tree(tmp_path, {"config.yaml": "defaults:\n  - other\n" + PRIMARY,
                            "other.yaml": "defaults:\n  - config\nx: 1\n"})
    ((_, _, reason, rejected),) = problems(root / "config.yaml")
    assert rejected and "loops back" in reason


def test_a_symlink_out_of_the_project_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "inverse_sqrt.yaml"
    outside.parent.mkdir()
    outside.write_text(INVERSE_SQRT)
    root = tree(tmp_path / "project", {"config.yaml": "defaults:\n  - lr_scheduler: "
                                        "inverse_sqrt\n" + PRIMARY})
    (root / "lr_scheduler").mkdir()
    (root / "lr_scheduler" / "inverse_sqrt.yaml").symlink_to(outside)
    ((_, _, reason, _),) = problems(root / "config.yaml")
    assert "leads outside the project" in reason
    doc = load_config(root / "config.yaml", follow_bases=True)
    assert doc.inheritance is not None and doc.inheritance.problems == ()


def test_self_first_lets_the_defaults_win(tmp_path: Path) -> None:
    root = tree(tmp_path, {
        "config.yaml": "defaults:\n  - _self_\n  - lr_scheduler: inverse_sqrt\n"
                       "lr_scheduler:\n  warmup_updates: 7\n" + PRIMARY,
        "lr_scheduler/inverse_sqrt.yaml": INVERSE_SQRT})
    assert at(load_config(root / "config.yaml"), "lr_scheduler", "warmup_updates").value == 100
    last = root / "last.yaml"
    last.write_text("defaults:\n  - lr_scheduler: inverse_sqrt\nlr_scheduler:\n"
                    "  warmup_updates: 7\n" + PRIMARY)
    assert at(load_config(last), "lr_scheduler", "warmup_updates").value == 7


def test_packages_place_the_content(tmp_path: Path) -> None:
    root = tree(tmp_path, {
        "config.yaml": "defaults:\n  - sched@schedule.main: warm\n  - sched@_here_: flat\n"
                       "  - sched@_global_.top: warm\n  - globals\n  - _self_\nlr: 1\n",
        "sched/warm.yaml": "warmup: 3\n",
        "sched/flat.yaml": "flat: true\n",
        "globals.yaml": "# @package _global_\nseed: 3\n"})
    doc = load_config(root / "config.yaml")
    assert doc.root.to_python() == {"schedule": {"main": {"warmup": 3}}, "flat": True,
                                    "top": {"warmup": 3}, "seed": 3, "lr": 1}


def test_a_missing_value_does_not_replace_a_set_one(tmp_path: Path) -> None:
    root = tree(tmp_path, {"config.yaml": "defaults:\n  - base\n  - _self_\nlr: ???\n",
                            "base.yaml": "lr: 0.5\n"})
    assert load_config(root / "config.yaml").root.to_python() == {"lr": 0.5}


def test_another_tools_defaults_list_is_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "app.yaml"
    config.write_text("defaults:\n  - name: a\n    size: 2\nlr_scheduler_type: cosine\n"
                      "learning_rate: 0.1\nmax_steps: 10\n")
    doc = load_config(config)
    assert doc.inheritance is None and doc.root.get("defaults") is not None
