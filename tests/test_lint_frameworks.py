"""``warmup lint`` with the framework readers switched on: their findings and unresolved values
as located diagnostics, what covers what, readers that fail, lazy loading and torch."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import codes_of, lint_file, only_code
from warmup_cli.configs.document import Document, load_document
from warmup_cli.errors import ConfigError
from warmup_cli.frameworks import kit
from warmup_cli.lint import runner
from warmup_cli.lint.diagnostics import Location, Severity
from warmup_cli.lint.emitters import emit_sarif
from warmup_cli.lint.engine import check_subject
from warmup_cli.lint.extract import (
    GenericExtractor,
    framework_subjects,
    owned_by_reader,
)
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import DEFAULT_SCHEDULE_KEYS, Settings
from warmup_cli.schedule import FunctionSchedule, Plan
from warmup_cli.vocab import RunFacts

ROOT = Path(__file__).resolve().parents[1]


def line_of(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


# --- findings and unresolved values ----------------------------------------------------------

DEEPSPEED_ZERO = """\
optimizer:
  type: Adam
  params:
    lr: 0.001
scheduler:
  type: WarmupLR
  params:
    warmup_min_lr: 0
    warmup_max_lr: 0.001
    warmup_num_steps: 4
"""


def test_reader_findings_are_located_at_the_key_the_reader_blames(tmp_path: Path) -> None:
    found = lint_file(tmp_path, DEEPSPEED_ZERO)
    hit = only_code(found, "WU302")
    # WarmupLR holds warmup_min_lr for the constructor and iteration 0: 2 of 5 updates
    assert hit.severity is Severity.ERROR and "2 of the 5 warmup updates" in hit.message
    assert hit.start == Location(line_of(DEEPSPEED_ZERO, "warmup_min_lr"), 5)
    assert codes_of(found) == ["WU302"]  # the generic WU101 is covered, not repeated


def test_zero_start_covers_the_generic_check_that_would_fire(tmp_path: Path) -> None:
    doc = load_document("c.yaml", text=DEEPSPEED_ZERO)
    (subject,) = framework_subjects(doc)
    assert {"WU101"} <= subject.covered
    settings = Settings()
    uncovered = dataclasses.replace(subject, covered=frozenset())
    assert "WU101" in [h.code for h in check_subject(uncovered, settings, settings.enabled)]
    assert "WU101" not in [h.code for h in check_subject(subject, settings, settings.enabled)]
    # Ignoring the framework's finding does not bring the generic one back.
    assert lint_file(tmp_path, DEEPSPEED_ZERO, settings=Settings(
        enabled=settings.enabled - {"WU302"})) == []


def test_warmup_longer_than_run_covers_peak_not_reached(tmp_path: Path) -> None:
    text = ("lr_scheduler_type: linear\nlearning_rate: 0.0002\nwarmup_steps: 200\n"
            "max_steps: 100\n")
    found = lint_file(tmp_path, text)
    assert only_code(found, "WU301").start == Location(3, 1)
    assert "WU108" not in codes_of(found) and "WU109" not in codes_of(found)


def test_generic_checks_still_run_on_framework_schedules(tmp_path: Path) -> None:
    # An LR range test grows without bound: the generic WU102, at the scheduler key.
    text = ("scheduler:\n  type: LRRangeTest\n  params:\n    lr_range_test_min_lr: 0.0001\n"
            "    lr_range_test_step_size: 10\n    lr_range_test_step_rate: 1.0\n")
    hit = only_code(lint_file(tmp_path, text), "WU102")
    assert hit.start == Location(1, 1)
    # A detectron2 LazyConfig whose main schedule ends below zero: the generic WU104.
    lazy = ("lr_multiplier = L(WarmupParamScheduler)(\n"
            "    scheduler=L(LinearParamScheduler)(start_value=1.0, end_value=-0.5),\n"
            "    warmup_length=0.01,\n    warmup_factor=0.001,\n)\n"
            "train = dict(max_iter=1000)\noptimizer = dict(lr=0.1)\n")
    hit = only_code(lint_file(tmp_path, lazy, "lazy.py"), "WU104")
    assert hit.start == Location(1, 1)
    assert "negative at step" in hit.message


def test_unresolved_values_are_located_notes_never_repeated(tmp_path: Path) -> None:
    text = ('{"optimizer": {"params": {"lr": "auto"}},\n'
            ' "scheduler": {"type": "WarmupDecayLR",\n'
            '   "params": {"total_num_steps": "auto", "warmup_max_lr": "auto"}}}\n')
    found = lint_file(tmp_path, text, "ds.json")
    # The reader reports each "auto" itself (and lists it as unresolved): one note each.
    assert [(d.code, d.severity, d.start.line) for d in found] == [
        ("WU308", Severity.NOTE, 3), ("WU308", Severity.NOTE, 3)]
    assert all("set by the launcher" in d.message for d in found)
    hf = lint_file(tmp_path, "lr_scheduler_type: cosine\nwarmup_ratio: 0.1\n"
                             "num_train_epochs: 3\n")
    hit = only_code(hf, "WU308")
    assert hit.severity is Severity.NOTE and hit.start == Location(3, 1)
    assert hit.message.startswith("cannot resolve the hf lr_scheduler_type schedule: the run "
                                  "length depends on the dataset size")


@pytest.mark.parametrize(("name", "text", "message"), [
    ("d2.yaml", "SOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 0\n", "MAX_ITER"),
    ("d2.yaml", "SOLVER:\n  MAX_ITER: 1000\n  WARMUP_ITERS: 10.5\n", "not an integer"),
    ("d2.yaml", "_BASE_: d2.yaml\nSOLVER:\n  MAX_ITER: 1000\n", "loops back"),
    ("fs.yaml", "optimization:\n  lr: [0.001]\n  max_update: 1000\nlr_scheduler:\n"
                "  _name: inverse_sqrt\n  warmup_updates: 0\n", "ZeroDivisionError"),
    ("fs.yaml", "optimization:\n  lr: [0.001, 0.002]\n  max_update: 1000\nlr_scheduler:\n"
                "  _name: cosine\n", "more than one lr"),
    ("mm.py", "optim_wrapper = dict(optimizer=dict(lr=0.1))\ntrain_cfg = dict(max_epochs=10)\n"
              "param_scheduler = [dict(type='LinearLR', start_factor=0.1, end=5, warm=1)]\n",
     "does not take warm"),
    ("mm.py", "optim_wrapper = dict(optimizer=dict(lr=0.1))\ntrain_cfg = dict(max_epochs=10)\n"
              "param_scheduler = [dict(type='LinearLR', begin=5, end=5)]\n",
     "end should be larger than begin"),
])
def test_values_the_framework_rejects_are_errors(tmp_path: Path, name: str, text: str,
                                                 message: str) -> None:
    hit = only_code(lint_file(tmp_path, text, name), "WU308")
    assert hit.severity is Severity.ERROR
    assert message in hit.message


def test_values_computed_in_code_are_notes(tmp_path: Path) -> None:
    text = ("import os\n_debug = os.getenv('DEBUG')\nn_linear = 5 if _debug else 200\n"
            "optim_wrapper = dict(optimizer=dict(lr=0.1))\ntrain_cfg = dict(max_iters=1000)\n"
            "param_scheduler = [dict(type='LinearLR', start_factor=0.01, by_epoch=False, "
            "end=n_linear)]\n")
    hit = only_code(lint_file(tmp_path, text, "mm.py"), "WU308")
    assert hit.severity is Severity.NOTE
    assert hit.start.line == 6 and "depends on a runtime condition" in hit.message


def test_horizon_is_the_hf_run_length_the_config_leaves_open(tmp_path: Path) -> None:
    text = "lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nwarmup_ratio: 0.1\n"
    assert codes_of(lint_file(tmp_path, text)) == ["WU308"]
    found = lint_file(tmp_path, text, settings=Settings(horizon=1000))
    # N = 1000, so the warmup is ceil(0.1 * 1000) = 100 steps, the first one at LR 0
    assert "1 of the 100 warmup steps" in only_code(found, "WU302").message


def test_noqa_silences_a_framework_finding_on_its_own_line(tmp_path: Path) -> None:
    text = "sched: cosine\nlr: 0.001\nepochs: 100\nwarmup_epochs: 5\nwarmup_lr: 0.0\n"
    assert codes_of(lint_file(tmp_path, text)) == ["WU302"]
    assert lint_file(tmp_path, text.replace("0.0\n", "0.0  # warmup: noqa: WU302\n")) == []
    # a comment on another line of the same schedule does not reach it
    moved = text.replace("sched: cosine", "sched: cosine  # warmup: noqa")
    assert codes_of(lint_file(tmp_path, moved)) == ["WU302"]


def test_framework_codes_are_selectable(tmp_path: Path) -> None:
    text = ("lr_scheduler_type: cosine\nlearning_rate: 2.0e-5\nnum_train_epochs: 3\n"
            "max_steps: 1000\nwarmup_steps: 2\n")
    assert codes_of(lint_file(tmp_path, text)) == ["WU305", "WU302"]
    ignore = Settings(enabled=Settings().enabled - {"WU305"})
    assert codes_of(lint_file(tmp_path, text, settings=ignore)) == ["WU302"]
    per_file = Settings(per_file_ignores=(("config.yaml", frozenset({"WU302", "WU305"})),))
    assert lint_file(tmp_path, text, settings=per_file) == []


# --- the generic extractor and readers on the same value --------------------------------------

def fake_reader(monkeypatch: pytest.MonkeyPatch, *, resolved: bool,
                fn: object = None) -> None:
    def read(doc: Document, facts: RunFacts) -> list[kit.FrameworkSchedule]:
        node = doc.root.get("trainer")
        assert node is not None
        schedule = FunctionSchedule(fn or (lambda t: 1.0), "fake", "fake()")  # type: ignore
        plan = Plan(schedule, (0.1,), "fake") if resolved else None
        return [kit.FrameworkSchedule("fake", "trainer", node, plan, horizon=100)]

    monkeypatch.setitem(kit.READERS, "fake", kit.Reader(
        "fake", lambda doc: doc.root.get("trainer") is not None, read))


OWNED = ('trainer:\n  lr_lambda: "lambda e: (e + 1) / 4"\n'
         '  gpu: "${eval:__import__(\'os\').getcwd()}"\n'
         'other:\n  lr_lambda: "lambda e: (e + 1) / 4"\n')


def test_a_resolved_reader_schedule_owns_its_subtree(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    fake_reader(monkeypatch, resolved=True)
    found = lint_file(tmp_path, OWNED)
    # trainer's lambda is the reader's business; the unsafe text and other keys are not
    assert [(d.code, d.start.line) for d in found] == [("WU002", 3), ("WU102", 5)]


def test_an_unresolved_reader_schedule_owns_nothing(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    fake_reader(monkeypatch, resolved=False)
    found = lint_file(tmp_path, OWNED)
    assert [(d.code, d.start.line) for d in found] == [("WU102", 2), ("WU002", 3),
                                                       ("WU102", 5)]


def test_axolotl_constant_is_not_also_a_warmup_cli_spec() -> None:
    text = ("base_model: x\nmicro_batch_size: 1\nlr_scheduler: constant\nlearning_rate: 1e-4\n"
            "warmup_ratio: 0.1\nmax_steps: 100\n")
    doc = load_document("a.yaml", text=text)
    generic = GenericExtractor(frozenset(DEFAULT_SCHEDULE_KEYS))(doc)
    assert [s.text for s in generic] == ["constant"]  # a spec, taken alone
    readers = framework_subjects(doc)
    assert [h.code for s in readers for h in s.hits] == ["WU303"]
    claims = [s.key_path for s in readers if s.schedule is not None]
    assert all(owned_by_reader(s, claims) for s in generic)


# --- readers that fail -----------------------------------------------------------------------

def test_a_reader_that_raises_is_a_finding_and_lint_goes_on(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    def read(doc: Document, facts: RunFacts) -> list[kit.FrameworkSchedule]:
        raise KeyError("boom")

    def detect(doc: Document) -> bool:
        if "detect-bug" in doc.text:
            raise RuntimeError("detect failed")
        return doc.root.get("trainer") is not None

    monkeypatch.setitem(kit.READERS, "broken", kit.Reader("broken", detect, read))
    (tmp_path / "a.yaml").write_text('trainer: 1\nlr_lambda: "lambda e: (e + 1) / 4"\n')
    (tmp_path / "b.yaml").write_text('# detect-bug\nx: 1\n')
    (tmp_path / "c.yaml").write_text('lr_lambda: "lambda e: (e + 1) / 4"\n')
    found = lint([str(tmp_path)], Settings()).diagnostics
    by_file = {(Path(d.path).name, d.code) for d in found}
    assert by_file == {("a.yaml", "WU308"), ("a.yaml", "WU102"), ("b.yaml", "WU308"),
                       ("c.yaml", "WU102")}
    crash = next(d for d in found if d.code == "WU308" and d.path.endswith("a.yaml"))
    assert crash.severity is Severity.ERROR and crash.start == Location(1, 1)
    assert "the broken reader failed on this file (KeyError: 'boom')" in crash.message


def test_a_reader_that_refuses_a_file_says_so(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    def read(doc: Document, facts: RunFacts) -> list[kit.FrameworkSchedule]:
        raise ConfigError("the trainer section is too old", hint="upgrade it")

    monkeypatch.setitem(kit.READERS, "picky", kit.Reader(
        "picky", lambda doc: doc.root.get("trainer") is not None, read))
    hit = only_code(lint_file(tmp_path, "trainer: 1\n"), "WU308")
    assert hit.severity is Severity.ERROR
    assert hit.message == ("the picky reader cannot read this file: the trainer section is "
                           "too old (upgrade it)")


def test_a_reader_schedule_that_raises_is_located(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    def fn(step: int) -> float:
        if step == 7:
            raise KeyError("no such phase")
        return 1.0

    fake_reader(monkeypatch, resolved=True, fn=fn)
    hit = only_code(lint_file(tmp_path, "x: 1\ntrainer:\n  kind: fake\n"), "WU103")
    assert hit.start == Location(2, 1)
    assert "at step 7" in hit.message and "KeyError" in hit.message


def test_a_crash_while_checking_a_reader_schedule_is_reported(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_reader(monkeypatch, resolved=True)
    real = runner.check_subject

    def check(subject, settings, codes):  # type: ignore[no-untyped-def]
        if subject.origin == "fake":
            raise AssertionError("unexpected shape")
        return real(subject, settings, codes)

    monkeypatch.setattr(runner, "check_subject", check)
    hit = only_code(lint_file(tmp_path, "trainer:\n  kind: fake\n"), "WU308")
    assert hit.severity is Severity.ERROR
    assert "could not be checked (AssertionError: unexpected shape)" in hit.message


# --- rule metadata -----------------------------------------------------------------------------

def test_sarif_describes_the_framework_rules() -> None:
    rules = {r["id"]: r for r in json.loads(emit_sarif([]))["runs"][0]["tool"]["driver"]["rules"]}
    assert {f"WU3{i:02d}" for i in range(1, 11)} <= set(rules)
    assert rules["WU304"]["defaultConfiguration"]["level"] == "warning"
    assert rules["WU308"]["defaultConfiguration"]["level"] == "note"
    assert rules["WU304"]["help"]["markdown"].startswith("Bad:\n```json\n{")
    assert "```python\noptim_wrapper" in rules["WU309"]["help"]["markdown"]


# --- lazy loading and torch --------------------------------------------------------------------

def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    return result.stdout.strip().splitlines()[-1]


PROBE = """\
import sys
import warmup_cli.cli.lint
from warmup_cli.cli import app
from typer.testing import CliRunner
for args in {runs!r}:
    CliRunner().invoke(app, args)
print(sorted(m for m in ('warmup_cli.frameworks', 'warmup_cli.frameworks.hf', 'torch',
                         'plotext') if m in sys.modules))
"""


def test_readers_load_only_when_a_config_file_is_linted(tmp_path: Path) -> None:
    quiet = [["--help"], ["rules"], ["lint", "--explain", "WU302"],
             ["lint", "lambda e: e / 4", "linear:500 > cosine:9500"]]
    assert run_python(PROBE.format(runs=quiet)) == "[]"
    config = tmp_path / "c.yaml"
    config.write_text("lr_scheduler_type: cosine\nmax_steps: 10\n")
    assert run_python(PROBE.format(runs=[["lint", str(config)]])) \
        == "['warmup_cli.frameworks', 'warmup_cli.frameworks.hf']"


LIGHTNING = """\
optimizer:
  class_path: torch.optim.AdamW
  init_args:
    lr: 0.001
lr_scheduler:
  class_path: {scheduler}
  init_args:
    warmup_ratio: 0.1
trainer:
  max_epochs: 10
"""


def test_lightning_lint_imports_no_torch(tmp_path: Path) -> None:
    # torch's classes are transcribed (upstream/torch_chainable.py): lint never imports torch
    third_party = tmp_path / "third.yaml"
    third_party.write_text(LIGHTNING.format(scheduler="mylib.schedulers.CosineWithWarmup"))
    bare = tmp_path / "bare.yaml"
    bare.write_text(LIGHTNING.format(scheduler="CosineWithWarmup"))
    assert "torch" not in run_python(PROBE.format(runs=[["lint", str(third_party),
                                                         str(bare)]]))
    torch_class = tmp_path / "torch.yaml"
    torch_class.write_text(LIGHTNING.format(scheduler="torch.optim.lr_scheduler.LinearLR")
                           .replace("warmup_ratio: 0.1", "start_factor: 0.25"))
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(LIGHTNING.format(scheduler="torch.optim.lr_scheduler.NoSuchLR"))
    nested = tmp_path / "nested.yaml"
    nested.write_text(NESTED_TORCH)
    probe = PROBE.format(runs=[["lint", str(torch_class), str(unknown), str(nested)]])
    assert "torch" not in run_python(probe)


NESTED_TORCH = """\
optimizer:
  class_path: torch.optim.SGD
lr_scheduler:
  class_path: torch.optim.lr_scheduler.SequentialLR
  init_args:
    milestones: [5]
    schedulers:
      - class_path: torch.optim.lr_scheduler.LinearLR
        init_args: {start_factor: 0.1, total_iters: 5}
      - class_path: torch.optim.lr_scheduler.CosineAnnealingLR
        init_args: {T_max: 20}
trainer:
  max_epochs: 25
"""


def test_lightning_third_party_class_is_unresolved_without_torch(tmp_path: Path) -> None:
    found = lint_file(tmp_path, LIGHTNING.format(scheduler="CosineWithWarmup"))
    hit = only_code(found, "WU308")
    assert hit.severity is Severity.NOTE and hit.start == Location(6, 3)
    assert "CosineWithWarmup is not a torch.optim.lr_scheduler class" in hit.message


@pytest.mark.parametrize(("name", "first_line", "example"), [
    ("WU310", "WU310 torch-scheduler-rejected [error]",
     "    class_path: torch.optim.lr_scheduler.LinearLR"),
    ("gap-between-phases", "WU309 gap-between-phases [warning]",
     '    dict(type="CosineAnnealingLR", T_max=90, by_epoch=True, begin=15, end=100),'),
    ("wu308", "WU308 unresolved-value [note…error]", "lr_scheduler_type: cosine_annealing"),
])
def test_explain_framework_rules(name: str, first_line: str, example: str) -> None:
    from typer.testing import CliRunner

    import warmup_cli.cli.lint  # noqa: F401  (registers lint on the app)
    from warmup_cli.cli import app

    result = CliRunner().invoke(app, ["lint", "--explain", name])
    assert result.exit_code == 0
    assert result.stdout.startswith(first_line + "\n")
    assert example in result.stdout.split("Good:")[0]
