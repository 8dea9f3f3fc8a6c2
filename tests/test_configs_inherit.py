"""MMEngine ``_base_`` inheritance (``configs.inherit``, ``configs.mmengine_bases``): merged as
MMEngine merges, every value located in the file that set it.

The merged configs are compared with golden dicts made by MMEngine's own ``Config.fromfile``
(``tools/golden/inherit_golden.py``); the fixture tree ``tests/fixtures/inherit/mmdet`` has
mmdetection's layout (``configs/_base_/schedules/schedule_1x.py`` ...).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.inherit_support import FIXTURES, GOLDEN, at, plain, problems, tree
from warmup_cli.cli.app import app
from warmup_cli.configs.inherit import load_config
from warmup_cli.configs.text import Limits
from warmup_cli.errors import ConfigError
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.resolve import Selection, resolve
from warmup_cli.vocab import RunFacts

MMDET = FIXTURES / "mmdet" / "configs"
BASE_1X = MMDET / "_base_" / "schedules" / "schedule_1x.py"


def relative(path: Path) -> str:
    return os.path.relpath(path)


@pytest.mark.parametrize("name", [k for k in GOLDEN if k.startswith("mmdet/")])
def test_the_merged_config_is_mmengines(name: str) -> None:
    doc = load_config(FIXTURES / name)
    assert doc.inheritance is not None and doc.inheritance.problems == ()
    assert plain(doc.root) == GOLDEN[name]


def test_a_value_from_a_base_is_located_in_the_base_file() -> None:
    child = MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_2x_coco.py"
    doc = load_config(relative(child))
    assert doc.inheritance is not None
    # three levels: the 2x config <- the 1x config <- _base_/schedules/schedule_1x.py
    assert [Path(p).name for p in doc.inheritance.chain] == [
        "faster-rcnn_r50_fpn_1x_coco.py", "faster-rcnn_r50_fpn.py", "schedule_1x.py",
        "default_runtime.py"]
    lr = at(doc, "optim_wrapper", "optimizer", "lr")
    written = BASE_1X.read_text().splitlines()[21]
    assert doc.file_of(lr) == relative(BASE_1X)
    assert lr.location == (22, written.index("lr=") + 1) and lr.value == 0.02
    loop = at(doc, "train_cfg")
    assert doc.file_of(at(doc, "train_cfg", "type")) == relative(BASE_1X)
    assert doc.file_of(at(doc, "train_cfg", "max_epochs")) == relative(child)
    assert doc.file_of(loop) == relative(child) and loop.location == (5, 1)
    # the list is the 2x config's own: lists replace
    assert doc.file_of(at(doc, "param_scheduler", 1, "milestones")) == relative(child)


def test_delete_replaces_the_base_value_and_base_references_resolve() -> None:
    child = MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_cosine-adamw_coco.py"
    doc = load_config(relative(child))
    wrapper = at(doc, "optim_wrapper").to_python()
    assert wrapper == {"type": "OptimWrapper",
                       "optimizer": {"type": "AdamW", "lr": 0.0001, "weight_decay": 0.05}}
    scheduler = at(doc, "param_scheduler")
    assert "_delete_" not in (scheduler.as_mapping() or {})
    # _base_.optim_wrapper.optimizer.lr is the base's SGD lr (0.02), the child's own AdamW
    # replaces it only after the file ran
    assert at(doc, "param_scheduler", "eta_min").value == 0.02 * 0.01
    assert at(doc, "param_scheduler", "T_max").value == 24
    assert doc.file_of(at(doc, "param_scheduler", "T_max")) == relative(child)


def test_base_variables_in_the_text_are_substituted_in_place() -> None:
    child = MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco-lr-var.py"
    doc = load_config(relative(child))
    momentum = at(doc, "optim_wrapper", "optimizer", "momentum")
    line = child.read_text().splitlines()[3]
    assert momentum.value == 0.9
    assert momentum.location == (4, line.index("momentum") + 1)
    assert (momentum.line, momentum.column) == (4, line.index("{{") + 1)
    assert at(doc, "optim_wrapper", "optimizer", "type").value == "SGD"  # merged, not replaced
    yaml_child = MMDET / "yaml" / "faster-rcnn_r50_fpn_1x_coco-yaml.yaml"
    assert at(load_config(yaml_child), "train_cfg", "max_epochs").value == 12


def test_show_compare_and_export_read_the_merged_config() -> None:
    child = MMDET / "retinanet" / "retinanet_r50_fpn_cos-12e.py"
    resolved = resolve(str(child))
    assert resolved.horizon == 12 and resolved.plan.base_lrs == (0.02,)
    assert any("schedule_cos_20e.py" in note for note in resolved.notes)
    runner = CliRunner()
    shown = runner.invoke(app, ["show", str(child), "--format", "csv", "--all"])
    assert shown.exit_code == 0, shown.output
    rows = [line.split(",") for line in shown.stdout.splitlines()[1:]]
    assert [float(r[2]) for r in rows[:2]] == [0.02 * 0.001, 0.02]  # LinearLR over 2 epochs
    compared = runner.invoke(app, ["compare", str(child), str(MMDET / "_base_" / "schedules" /
                                                             "schedule_cos_20e.py"),
                                   "--format", "csv", "-n", "12"])
    assert compared.exit_code == 0, compared.output
    assert all(a == b for a, b in (line.split(",")[1:3]
                                   for line in compared.stdout.splitlines()[1:]))
    exported = runner.invoke(app, ["export", str(child), "--to", "json"])
    assert exported.exit_code == 0 and "CosineAnnealingLR" in exported.stdout


def test_lint_locates_a_finding_on_an_inherited_value_in_the_base_file() -> None:
    child = MMDET / "retinanet" / "retinanet_r50_fpn_cos-12e.py"
    base = MMDET / "_base_" / "schedules" / "schedule_cos_20e.py"
    report = lint([relative(child)], Settings())
    (wu307,) = [d for d in report.diagnostics if d.code == "WU307"]
    assert wu307.path == relative(base)
    line = base.read_text().splitlines()[13]
    assert (wu307.start.line, wu307.start.column) == (14, line.index("end") + 1)
    assert "training stops after 12 epochs" in wu307.message
    assert wu307.message.endswith(f"(inherited by {relative(child)})")
    assert report.internal_errors == []


def test_a_noqa_in_the_base_file_silences_the_inherited_finding(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    base = tmp_path / "base.py"
    base.write_text("param_scheduler = [dict(type='CosineAnnealingLR', T_max=20, by_epoch=True,\n"
                    "                        begin=0, end=20)]  # warmup: noqa: WU307\n"
                    "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n")
    child = tmp_path / "child.py"
    child.write_text("_base_ = './base.py'\ntrain_cfg = dict(max_epochs=10)\n")
    assert [d.code for d in lint([str(child)], Settings()).diagnostics
            if d.code == "WU307"] == []
    base.write_text(base.read_text().replace("  # warmup: noqa: WU307", ""))
    (found,) = [d for d in lint([str(child)], Settings()).diagnostics if d.code == "WU307"]
    assert found.path == str(base) and found.start.line == 2


# --- bases that are not merged ---------------------------------------------------------------


SCHEDULE = ("param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0,"
            " end=2)]\ntrain_cfg = dict(max_epochs=10)\n"
            "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n")


def test_a_base_not_at_hand_is_a_located_note_and_no_schedule(tmp_path: Path) -> None:
    root = tree(tmp_path, {"child.py": "_base_ = ['./missing.py']\n" + SCHEDULE})
    ((line, column, reason, rejected),) = problems(root / "child.py")
    assert (line, column, rejected) == (1, 11, False)
    assert "the base config ./missing.py" in reason and "is not at hand" in reason
    report = lint([str(root / "child.py")], Settings())
    (note,) = [d for d in report.diagnostics if d.code == "WU308"]
    assert note.severity == "note" and (note.start.line, note.start.column) == (1, 11)
    result = CliRunner().invoke(app, ["show", str(root / "child.py")])
    assert result.exit_code == 2 and "not at hand" in result.output
    assert "Traceback" not in result.output


def test_a_cycle_is_an_error_at_the_base_line(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a.py": "_base_ = './b.py'\n" + SCHEDULE,
                            "b.py": "_base_ = './a.py'\nx = 1\n"})
    ((line, column, reason, rejected),) = problems(root / "a.py")
    assert rejected and "loops back" in reason and (line, column) == (1, 10)
    report = lint([str(root / "a.py")], Settings())
    (error,) = [d for d in report.diagnostics if d.code == "WU308"]
    assert error.severity == "error" and error.path == str(root / "b.py")


def test_a_chain_deeper_than_ten_files_is_refused(tmp_path: Path) -> None:
    files = {f"c{i}.py": f"_base_ = './c{i + 1}.py'\nv{i} = {i}\n" for i in range(12)}
    files["c12.py"] = SCHEDULE
    root = tree(tmp_path, files)
    ((_, _, reason, rejected),) = problems(root / "c0.py")
    assert rejected and "deeper than 10 files" in reason


@pytest.mark.parametrize(("name", "needle"), [
    ("/etc/hostname", "is outside the project"),
    ("~/base.py", "is outside the project"),
    ("https://example.com/base.py", "is a URL"),
    ("mmdet::_base_/schedules/schedule_1x.py", "installed package mmdet"),
])
def test_hostile_bases_are_not_followed(tmp_path: Path, name: str, needle: str) -> None:
    root = tree(tmp_path, {"child.py": f"_base_ = {name!r}\n" + SCHEDULE})
    ((_, _, reason, rejected),) = problems(root / "child.py")
    assert needle in reason and not rejected


def test_follow_bases_reads_an_absolute_base_outside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "base.py"
    outside.parent.mkdir()
    outside.write_text(SCHEDULE)
    root = tree(tmp_path / "project", {"child.py": f"_base_ = {str(outside)!r}\n"})
    assert "outside the project" in problems(root / "child.py")[0][2]
    doc = load_config(root / "child.py", follow_bases=True)
    assert doc.inheritance is not None and doc.inheritance.problems == ()
    assert doc.file_of(at(doc, "train_cfg", "max_epochs")) == str(outside)
    plan = resolve(str(root / "child.py"), selection=Selection(follow_bases=True)).plan
    assert plan.base_lrs == (0.1,)
    report = lint([str(root / "child.py")], Settings(), follow_bases=True)
    assert not [d for d in report.diagnostics if d.code == "WU308"]


def test_what_mmengine_refuses_to_merge_is_an_error(tmp_path: Path) -> None:
    root = tree(tmp_path, {
        "a.py": "x = 1\noptim_wrapper = dict(optimizer=dict(lr=0.1))\n",
        "b.py": "x = 2\n",
        "dup.py": "_base_ = ['./a.py', './b.py']\n",
        "shape.py": "_base_ = './b.py'\nx = dict(y=1)\n",
        "kind.py": "_base_ = [1]\n",
        "var.yaml": "_base_: ./a.py\nlr: {{ _base_.optim_wrapper.missing }}\n",
    })
    assert "duplicate keys" in problems(root / "dup.py")[0][2]
    assert "MMEngine raises TypeError" in problems(root / "shape.py")[0][2]
    assert "must be a path or a list of paths" in problems(root / "kind.py")[0][2]
    (line, column, reason, rejected), = problems(root / "var.yaml")
    assert rejected and "{{ _base_.optim_wrapper.missing }}" in reason and (line, column) == (2, 5)


def test_the_chain_shares_one_node_budget(tmp_path: Path) -> None:
    files = {"child.py": "_base_ = ['./a.py', './b.py']\n",
             "a.py": "a = [" + ", ".join(["1"] * 60) + "]\n",
             "b.py": "b = [" + ", ".join(["1"] * 60) + "]\n"}
    root = tree(tmp_path, files)
    assert load_config(root / "child.py", limits=Limits(max_nodes=200)).root.get("b")
    with pytest.raises(ConfigError, match="base configs hold more than 100 values"):
        load_config(root / "child.py", limits=Limits(max_nodes=100))


def test_a_base_reference_without_the_base_stays_unresolved(tmp_path: Path) -> None:
    root = tree(tmp_path, {"child.py": "_base_ = './gone.py'\nparam_scheduler = [dict("
                            "type='LinearLR', start_factor=_base_.factor, by_epoch=True, "
                            "begin=0, end=2)]\n"})
    doc = load_config(root / "child.py")
    factor = at(doc, "param_scheduler", 0, "start_factor").as_unresolved()
    assert factor is not None and "base configs at hand do not set" in factor.reason


def test_facts_reach_the_reader_of_a_merged_config() -> None:
    child = MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_2x_coco.py"
    resolved = resolve(str(child), RunFacts(updates_per_epoch=100))
    assert resolved.horizon == 2400  # 24 epochs of 100 iterations, from the child
    first = resolved.plan.schedule(0)
    assert first == 0.001  # schedule_1x's LinearLR start_factor, in the base file


def test_a_finding_in_a_shared_base_is_reported_once() -> None:
    base = MMDET / "_base_" / "schedules" / "schedule_cos_20e.py"
    children = [MMDET / "retinanet" / "retinanet_r50_fpn_cos-12e.py", base]
    report = lint([relative(p) for p in children], Settings())
    located = [(d.code, d.path, d.start.line) for d in report.diagnostics]
    assert located.count(("WU107", relative(base), 6)) == 1  # the child's and the base's own
    assert located.count(("WU307", relative(base), 14)) == 1  # only the child's shorter run


def test_a_detectron2_key_set_in_a_base_is_located_there(tmp_path: Path) -> None:
    root = tree(tmp_path, {
        "Base.yaml": "MODEL:\n  META_ARCHITECTURE: GeneralizedRCNN\nSOLVER:\n"
                     "  BASE_LR: 0.02\n  WARMUP_FACTOR: 0.0\n  WARMUP_ITERS: 100\n",
        "quick/child.yaml": "_BASE_: ../Base.yaml\nSOLVER:\n  MAX_ITER: 1000\n"
                            "  STEPS: (500,)\n"})
    report = lint([str(root / "quick" / "child.yaml")], Settings())
    (wu302,) = [d for d in report.diagnostics if d.code == "WU302"]
    assert wu302.path == os.path.normpath(root / "Base.yaml")
    assert (wu302.start.line, wu302.start.column) == (5, 3)
    assert wu302.message.endswith(f"(inherited by {root / 'quick' / 'child.yaml'})")
