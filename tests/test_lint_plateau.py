"""The plateau rules (WU2xx): every documented example, and the names and settings a careful
reviewer would not flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmup_cli.lint.rules import RULES
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings
from warmup_cli.vocab import Code

PLATEAU = sorted(code for code in RULES if code.startswith("WU2"))


def codes(tmp_path: Path, text: str, settings: Settings | None = None) -> list[Code]:
    path = tmp_path / "config.yaml"
    path.write_text(text + "\n")
    return [d.code for d in lint([str(path)], settings or Settings()).diagnostics]


def test_the_family_has_its_codes() -> None:
    assert PLATEAU == [Code.WU201, Code.WU202, Code.WU203, Code.WU204, Code.WU205, Code.WU206]
    assert all(RULES[code].check is not None for code in PLATEAU)


@pytest.mark.parametrize("code", PLATEAU)
def test_bad_example_fires_alone(tmp_path: Path, code: Code) -> None:
    alone = Settings(enabled=frozenset({code}))
    assert codes(tmp_path, RULES[code].bad, alone) == [code]


@pytest.mark.parametrize("code", PLATEAU)
def test_good_example_is_clean(tmp_path: Path, code: Code) -> None:
    assert codes(tmp_path, RULES[code].good) == []


@pytest.mark.parametrize("spec", [
    "plateau:monitor=val_loss",  # the default, mode min, on a loss
    "plateau:mode=max,monitor=val_accuracy",
    "plateau:mode=max,monitor=valAcc",
    "plateau:monitor=accumulated_loss",  # "acc" only as a whole word
    "plateau:monitor=heatmap_loss",  # "map" only as a whole word
    "plateau:mode=max,monitor=acc_minus_loss",  # words of both: unsure, silent
    "plateau:monitor=neg_elbo",  # the positive negation of an ELBO
    "plateau:mode=max,threshold=0,monitor=reward",  # rel with threshold 0 is abs
    "plateau:mode=max,threshold_mode=abs,monitor=episode_reward",
    "plateau:factor=0.99",
    "plateau:min_lr=0.001,base=[0.1,0.01]",  # one min_lr for every group
    "plateau:min_lr=[0.001,0.0001]",  # the groups are not known: silent
    "linear:5 > plateau:patience=10",  # no run length: silent
])
def test_no_false_positives(tmp_path: Path, spec: str) -> None:
    assert [c for c in codes(tmp_path, f'lr_scheduler: "{spec}"') if c.startswith("WU2")] == []


@pytest.mark.parametrize(("spec", "code"), [
    ("plateau:monitor=val_mAP", Code.WU202),
    ("plateau:monitor=val/f1", None),  # '/' is not a spec word: the spec does not parse
    ("plateau:mode=max,monitor=val_perplexity", Code.WU202),
    ("plateau:monitor=log_likelihood", Code.WU201),
    ("plateau:mode=max,monitor=val_logprob", Code.WU201),
    ("plateau:factor=1", Code.WU203),
])
def test_findings(tmp_path: Path, spec: str, code: Code | None) -> None:
    found = codes(tmp_path, f'lr_scheduler: "{spec}"')
    if code is None:
        assert Code.WU003 in found
    else:
        assert code in found


def test_patience_counts_the_steps_after_the_warmup(tmp_path: Path) -> None:
    text = 'lr_scheduler: "linear:2 > plateau:patience={}"\nepochs: 12'
    assert Code.WU205 in codes(tmp_path, text.format(10))
    assert Code.WU205 not in codes(tmp_path, text.format(9))  # 10 steps left > patience 9


def test_a_plateau_spec_is_linted_without_torch(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "config.yaml"
    path.write_text('lr_scheduler: "linear:5 > plateau:factor=2"\n')
    script = ("import sys; from warmup_cli.lint.runner import lint; "
              "from warmup_cli.lint.settings import Settings; "
              f"lint([{str(path)!r}], Settings()); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
