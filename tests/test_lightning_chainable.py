"""The Lightning reader computes torch schedulers with the transcription (no torch in lint);
``show`` checks it against torch's real class where torch is installed, and says when it is
not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warmup_cli.verify import TORCH_MISSING

FIXTURES = Path(__file__).parent / "fixtures" / "frameworks" / "lightning"
CORPUS = Path("/work/shared/corpus")
CONFIG = FIXTURES / "cli_linear_cosine.yaml"
LITGPT = CORPUS / "lightning-cli__Lightning-AI_litgpt__phi-2-full-warmup-gt-max-steps.yaml"
BLOCK = "import sys; sys.modules['torch'] = None; "
RUN = ("from warmup_cli.cli import main; sys.argv = ['warmup', *sys.argv[1:]]\n"
       "try:\n    main()\nfinally:\n"
       "    print('TORCH' if sys.modules.get('torch') else 'NO-TORCH', file=sys.stderr)\n")


def _warmup(*args: str, block: bool = False) -> subprocess.CompletedProcess[str]:
    code = ("import sys; " + (BLOCK if block else "") + "\n" + RUN)
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_lint_of_lightning_configs_never_imports_torch() -> None:
    configs = sorted(str(path) for path in [*FIXTURES.glob("*.yaml"),
                                            *CORPUS.glob("lightning-cli__*")])
    done = _warmup("lint", *configs)
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr.strip().endswith("NO-TORCH")
    # and the same findings where torch cannot be imported at all
    blocked = _warmup("lint", *configs, block=True)
    assert (blocked.returncode, blocked.stdout) == (done.returncode, done.stdout)
    assert "WU301" in done.stdout  # litgpt's warmup longer than max_steps: LRs were computed


def test_show_checks_the_transcription_against_torchs_real_class() -> None:
    done = _warmup("show", str(CONFIG), "-n", "12", "--format", "table", "--no-plot")
    assert done.returncode == 0, done.stderr
    line = " ".join(done.stdout.split())
    assert "all 12 updates checked against torch's real SequentialLR, stepped" in line
    assert "verified against torch 2.13.0 in the test suite" in line
    litgpt = _warmup("show", str(LITGPT), "--format", "table", "--no-plot")
    assert litgpt.returncode == 0, litgpt.stderr
    assert ("all 100 updates checked against torch's real SequentialLR, stepped"
            in " ".join(litgpt.stdout.split()))


def test_show_without_torch_prints_the_series_and_says_it_was_not_checked() -> None:
    with_torch = _warmup("show", str(CONFIG), "-n", "12", "--format", "csv")
    without = _warmup("show", str(CONFIG), "-n", "12", "--format", "csv", block=True)
    assert (with_torch.returncode, without.returncode) == (0, 0), without.stderr
    assert without.stdout == with_torch.stdout
    assert TORCH_MISSING in " ".join(without.stderr.split())
    assert "not checked" not in with_torch.stderr


def test_the_plan_carries_the_real_class_as_its_check() -> None:
    from warmup_cli.configs.document import load_document
    from warmup_cli.frameworks import lightning

    [found] = lightning.read(load_document(CONFIG))
    assert found.plan is not None and found.plan.origin is not None
    origin = found.plan.origin
    assert origin.torch_class == "SequentialLR" and origin.real is not None
    lr_fn = found.plan.lr_fn
    assert lr_fn is not None
    real = list(origin.real(30))  # the run: trainer.max_epochs
    assert len(real) == 30
    assert [lr_fn(k) for k in range(30)] == real
