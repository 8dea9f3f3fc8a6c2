"""The training-script checks (WU4xx): the catalogue's examples, every fixture's exact
findings, the false-positive fixtures clean, and the edges each rule promises."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from warmup_cli.lint.rules import RULES
from warmup_cli.scripts.checks import LiteralValues, check_script
from warmup_cli.scripts.constructions import find_builds
from warmup_cli.scripts.literals import literal_number
from warmup_cli.scripts.model import ScriptFinding
from warmup_cli.vocab import Code, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "scripts" / "lint"
SCRIPT_RULES = sorted(code for code in RULES if code.startswith("WU4"))


def findings(source: str) -> list[ScriptFinding]:
    module = ast.parse(source)
    return check_script(module, find_builds(module), LiteralValues())


def located(source: str) -> list[tuple[Code, int]]:
    return [(finding.code, finding.at.line) for finding in findings(source)]


def snippet(source: str) -> list[tuple[Code, int]]:
    return located(textwrap.dedent(source))


# --- the catalogue --------------------------------------------------------------------------

def test_catalogue_has_the_script_rules() -> None:
    expected = {
        Code.WU410: ("scheduler-before-optimizer", Severity.WARNING),
        Code.WU411: ("epoch-scheduler-stepped-per-batch", Severity.WARNING),
        Code.WU412: ("step-scheduler-stepped-per-epoch", Severity.WARNING),
        Code.WU413: ("onecycle-past-total-steps", Severity.ERROR),
        Code.WU414: ("lightning-interval-mismatch", Severity.WARNING),
        Code.WU415: ("scheduler-ignores-accumulation", Severity.WARNING),
        Code.WU416: ("plateau-step-without-metric", Severity.ERROR),
        Code.WU420: ("sequential-milestone-count", Severity.ERROR),
        Code.WU421: ("sequential-milestone-not-positive", Severity.WARNING),
        Code.WU422: ("sequential-plateau-child", Severity.ERROR),
        Code.WU423: ("sequential-mixed-optimizers", Severity.ERROR),
        Code.WU424: ("sequential-segment-mismatch", Severity.WARNING),
        Code.WU425: ("child-stepped-twice", Severity.WARNING),
        Code.WU430: ("resume-restarts-warmup", Severity.WARNING),
        Code.WU431: ("optimizer-restored-before-scheduler", Severity.WARNING),
        Code.WU440: ("step-with-epoch", Severity.NOTE),
        Code.WU441: ("amp-scaler-before-scheduler", Severity.NOTE),
    }
    assert {code: (RULES[code].name, RULES[code].severity) for code in SCRIPT_RULES} == expected
    for code in SCRIPT_RULES:
        rule = RULES[code]
        assert rule.example_format == "python" and rule.check is None
        assert not (rule.blocking or rule.fixed or rule.scales)


@pytest.mark.parametrize("code", SCRIPT_RULES)
def test_bad_example_fires_exactly_its_rule(code: Code) -> None:
    assert {finding.code for finding in findings(RULES[code].bad)} == {code}


@pytest.mark.parametrize("code", SCRIPT_RULES)
def test_good_example_is_clean(code: Code) -> None:
    assert findings(RULES[code].good) == []


def test_notes_are_notes_by_their_rule() -> None:
    # The findings carry no severity of their own: the rule's (a note) applies.
    for code in (Code.WU440, Code.WU441):
        (finding,) = findings(RULES[code].bad)
        assert finding.severity is None and RULES[code].severity is Severity.NOTE


# --- fixtures -------------------------------------------------------------------------------

EXPECTED: dict[str, list[tuple[Code, int]]] = {
    "before_optimizer_helper.py": [(Code.WU410, 31)],
    "per_batch_epoch_horizon.py": [(Code.WU411, 15)],
    "per_epoch_step_horizon.py": [(Code.WU412, 20), (Code.WU412, 21)],
    "onecycle_past_total.py": [(Code.WU413, 10)],
    "lightning_interval.py": [(Code.WU414, 12), (Code.WU414, 20)],
    "accumulation.py": [(Code.WU415, 22)],
    "plateau.py": [(Code.WU416, 12)],
    "sequential.py": [(Code.WU424, 15), (Code.WU420, 19), (Code.WU422, 21),
                      (Code.WU423, 23), (Code.WU421, 25), (Code.WU424, 27),
                      (Code.WU425, 35)],
    "resume_restart.py": [(Code.WU430, 9)],
    "resume_before.py": [(Code.WU431, 9)],
    "notes.py": [(Code.WU441, 16), (Code.WU440, 17)],
}
CLEAN = sorted(path.name for path in FIXTURES.glob("clean_*.py"))


def test_every_fixture_has_its_expectation() -> None:
    assert sorted(path.name for path in FIXTURES.glob("*.py")) == sorted([*EXPECTED, *CLEAN])
    assert len(CLEAN) == 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings_exactly(name: str) -> None:
    assert located((FIXTURES / name).read_text(encoding="utf-8")) == EXPECTED[name]


@pytest.mark.parametrize("name", CLEAN)
def test_false_positive_fixture_is_clean(name: str) -> None:
    assert findings((FIXTURES / name).read_text(encoding="utf-8")) == []


def test_findings_point_at_the_responsible_call() -> None:
    source = (FIXTURES / "before_optimizer_helper.py").read_text(encoding="utf-8")
    (finding,) = findings(source)
    line = source.splitlines()[finding.at.line - 1]
    assert line[finding.at.column - 1:finding.at.end_column - 1] == "scheduler.step()"
    assert "optimizer.step() (line 23)" in finding.message
    assert "loop at line 30" in finding.message


# --- WU410 ----------------------------------------------------------------------------------

HEAD = """
    import torch
    from torch.optim.lr_scheduler import LambdaLR, OneCycleLR
    optimizer = torch.optim.SGD(params, lr=0.1)
    scheduler = LambdaLR(optimizer, lambda e: 1.0)
"""


def test_wu410_in_the_same_batch_loop_and_for_self_paths_across_methods() -> None:
    assert snippet(HEAD + """
    for x in loader:
        scheduler.step()
        optimizer.step()
    """) == [(Code.WU410, 8)]
    assert snippet("""
        import torch
        from torch.optim.lr_scheduler import StepLR
        class Trainer:
            def __init__(self, model):
                self.opt = torch.optim.SGD(model.parameters(), lr=0.1)
                self.sched = StepLR(self.opt, 30)
            def fit(self, loader):
                for epoch in range(90):
                    self.sched.step()
                    self.train_epoch(loader)
            def train_epoch(self, loader):
                for x in loader:
                    self.opt.step()
    """) == [(Code.WU410, 10)]


def test_wu410_silent_when_guarded_by_the_loop_variable_or_after_any_optimizer_step() -> None:
    assert snippet(HEAD + """
    for epoch in range(10):
        if epoch > 0:
            scheduler.step()
        for x in loader:
            optimizer.step()
    """) == []
    assert snippet(HEAD + """
    optimizer.step()
    for epoch in range(10):
        scheduler.step()
        for x in loader:
            optimizer.step()
    """) == []


def test_wu410_pairs_each_scheduler_with_its_own_optimizer() -> None:
    # sched_g steps before opt_d, which is not its optimizer: nothing to report.
    assert snippet("""
        import torch
        from torch.optim.lr_scheduler import StepLR
        opt_g = torch.optim.Adam(g.parameters())
        opt_d = torch.optim.Adam(d.parameters())
        sched_g = StepLR(opt_g, 10)
        for epoch in range(10):
            for batch in loader:
                opt_g.step()
                sched_g.step()
                opt_d.step()
    """) == []


def test_wu410_follows_a_factory_returning_optimizer_and_scheduler() -> None:
    assert snippet("""
        import torch
        from transformers import get_linear_schedule_with_warmup
        def build(model, total):
            opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
            sched = get_linear_schedule_with_warmup(opt, 10, total)
            return opt, sched
        optimizer, scheduler = build(model, 1000)
        for step in range(1000):
            scheduler.step()
            optimizer.step()
    """) == [(Code.WU410, 10)]


# --- WU411 / WU412 --------------------------------------------------------------------------

def test_a_bare_step_word_is_no_step_unit() -> None:
    # args.lr_step names the epochs between decays in many scripts: no WU412 per epoch.
    assert snippet("""
        import torch
        from torch.optim.lr_scheduler import StepLR
        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = StepLR(optimizer, step_size=args.lr_step)
        for epoch in range(90):
            for x in train_loader:
                optimizer.step()
            scheduler.step()
    """) == []


def test_units_stay_silent_in_loops_of_no_unit_and_under_guards() -> None:
    assert snippet("""
        import torch
        from torch.optim.lr_scheduler import CosineAnnealingLR
        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs)
        while True:
            optimizer.step()
            scheduler.step()
        for epoch in range(args.epochs):
            for i, batch in enumerate(train_loader):
                optimizer.step()
                if i == len(train_loader) - 1:
                    scheduler.step()
    """) == []


# --- WU413 ----------------------------------------------------------------------------------

def test_wu413_counts_through_epochs_and_steps_per_epoch() -> None:
    source = HEAD + """
    onecycle = OneCycleLR(optimizer, max_lr=0.1, epochs=3, steps_per_epoch={per_epoch})
    for epoch in range({epochs}):
        for i in range(10):
            optimizer.step()
            onecycle.step()
    """
    assert snippet(source.format(per_epoch=10, epochs=3)) == []
    assert snippet(source.format(per_epoch=10, epochs=4)) == [(Code.WU413, 11)]
    assert snippet(source.format(per_epoch=9, epochs=3)) == [(Code.WU413, 11)]


def test_wu413_matches_torch(tmp_path: Path) -> None:
    # The boundary the rule uses is torch's own: total_steps steps pass, one more raises.
    torch = pytest.importorskip("torch")
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    for _ in range(10):
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        scheduler.step()
    assert snippet(HEAD + """
    onecycle = OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    for i in range(10):
        optimizer.step()
        onecycle.step()
    """) == []


# --- WU415 ----------------------------------------------------------------------------------

def test_wu415_sync_gradients_guard_and_not_when_the_scheduler_shares_it() -> None:
    assert snippet(HEAD + """
    for step, batch in enumerate(loader):
        if accelerator.sync_gradients:
            optimizer.step()
        scheduler.step()
    """) == [(Code.WU415, 10)]
    assert snippet(HEAD + """
    for step, batch in enumerate(loader):
        if (step + 1) % accum == 0:
            optimizer.step()
            scheduler.step()
    """) == []


# --- resume ---------------------------------------------------------------------------------

@pytest.mark.parametrize("restore", [
    "scheduler.load_state_dict(ckpt['scheduler'])",
    "scheduler.last_epoch = ckpt['epoch']",
    "scheduler.step(ckpt['epoch'])",
    "restore_all(optimizer, scheduler)",  # a function of another file may restore it
])
def test_resume_is_silent_when_something_may_restore_the_scheduler(restore: str) -> None:
    found = snippet(HEAD + f"""
    ckpt = torch.load('last.pt')
    optimizer.load_state_dict(ckpt['optimizer'])
    {restore}
    """)
    assert [code for code, _ in found if code in {Code.WU430, Code.WU431}] == []


def test_resume_through_a_helper_of_the_file() -> None:
    assert snippet(HEAD + """
    def load(opt, path):
        opt.load_state_dict(torch.load(path)['optimizer'])
    load(optimizer, 'last.pt')
    """) == [(Code.WU430, 5)]


# --- the literal value layer ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("30", 30), ("-1", -1), ("0.5", 0.5), ("10 * 100", 1000), ("1000 // 3", 333),
    ("1 / 4", 0.25), ("-(2 + 3)", -5),
])
def test_literal_numbers(text: str, value: float) -> None:
    assert literal_number(ast.parse(text, mode="eval").body) == value


@pytest.mark.parametrize("text", ["args.epochs", "True", "'5'", "2 ** 10", "1 / 0",
                                  "len(loader)", " + ".join(["1"] * 40)])
def test_what_is_not_a_plain_literal_stays_open(text: str) -> None:
    assert literal_number(ast.parse(text, mode="eval").body) is None
