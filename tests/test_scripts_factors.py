"""Factor functions of training scripts compiled by the sandbox: bit for bit the script's own
function, refusals located at their line and column, nothing ever run as Python."""

from __future__ import annotations

import ast
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from warmup_cli.errors import EvaluationError
from warmup_cli.scripts.factors import Factor, FactorRefused, compile_factor
from warmup_cli.scripts.values import Function, ScriptValues, Unresolved, scope_of


def factor_of(source: str, name: str = "lr_lambda", **overrides: object) -> Factor:
    source = textwrap.dedent(source)
    module = ast.parse(source)
    node = [n for n in ast.walk(module) if isinstance(n, ast.Name) and n.id == name
            and isinstance(n.ctx, ast.Load)][-1]
    values = ScriptValues(module, overrides=overrides)
    function = values.value(node, scope_of(module, node))
    assert isinstance(function, Function)
    return compile_factor(function, values, source, "train.py")


def refusal(source: str, name: str = "lr_lambda") -> FactorRefused:
    with pytest.raises(FactorRefused) as caught:
        factor_of(source, name)
    return caught.value


HF_COSINE = """
    import math
    def get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps,
                                        num_cycles=0.5):
        def lr_lambda(current_step):
            if current_step < num_warmup_steps:
                return float(current_step) / float(max(1, num_warmup_steps))
            progress = float(current_step - num_warmup_steps) / float(
                max(1, num_training_steps - num_warmup_steps))
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))
        use = lr_lambda
    get_cosine_schedule_with_warmup(opt, 37, 1000)
"""


def test_hf_cosine_is_bit_for_bit_the_python_function() -> None:
    factor = factor_of(HF_COSINE)

    def reference(step: int) -> float:
        if step < 37:
            return float(step) / float(max(1, 37))
        progress = float(step - 37) / float(max(1, 1000 - 37))
        num_cycles = 0.5
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))

    assert all(factor(step) == reference(step) for step in range(0, 1200))
    assert factor.param == "current_step"


def test_locals_elif_augmented_assignment_and_math() -> None:
    factor = factor_of("""
        import math
        WARMUP, PEAK = 4, 2.0
        def lr_lambda(s):
            scale = PEAK
            scale *= 0.5
            if s < WARMUP:
                ramp = (s + 1) / WARMUP
                return ramp * scale
            elif s < 10:
                return scale
            else:
                return scale * math.exp(-(s - 10) / 5)
        use = lr_lambda
    """)

    def reference(s: int) -> float:
        scale = 2.0
        scale *= 0.5
        if s < 4:
            return (s + 1) / 4 * scale
        if s < 10:
            return scale
        return scale * math.exp(-(s - 10) / 5)

    assert [factor(s) for s in range(30)] == [reference(s) for s in range(30)]


def test_raise_and_assert_raise_at_their_step() -> None:
    factor = factor_of("""
        def lr_lambda(step):
            assert step < 5, "too far"
            if step == 3:
                raise ValueError("boom")
            return 1.0
        use = lr_lambda
    """)
    assert factor(0) == 1.0
    with pytest.raises(EvaluationError, match="raises at step 3"):
        factor(3)
    with pytest.raises(EvaluationError, match="assert fails at step 7"):
        factor(7)


def test_a_failure_inside_an_expression_is_located_in_the_file() -> None:
    factor = factor_of("""
        WARMUP = 0
        def lr_lambda(step):
            return step / WARMUP
        use = lr_lambda
    """)
    with pytest.raises(EvaluationError) as caught:
        factor(0)
    assert "train.py:4:" in caught.value.message
    assert caught.value.source == "    return step / WARMUP"


def test_hostile_lambda_is_refused_at_its_column() -> None:
    source = 'lr_lambda = lambda e: __import__("os").system("true") or 1\nuse = lr_lambda\n'
    refused = refusal(source)
    assert refused.message == "call of '__import__' is not allowed"
    assert (refused.at.line, refused.at.column) == (1, 23)


@pytest.mark.parametrize(("body", "message", "where"), [
    ("    return [s][0]\n", "list display", (2, 12)),
    ("    for i in range(3):\n        pass\n    return 1\n", "'For' statement", (2, 5)),
    ("    return open('x').read()\n", "call of 'open'", (2, 12)),
    ("    x = [i for i in range(s)]\n    return 1\n", "list comprehension", (2, 9)),
])
def test_refused_constructs_are_located(body: str, message: str,
                                        where: tuple[int, int]) -> None:
    refused = refusal(f"def lr_lambda(s):\n{body}use = lr_lambda\n")
    assert message in refused.message
    assert (refused.at.line, refused.at.column) == where


def test_refusal_comes_before_any_lookup() -> None:
    # `unknown_thing` would be open, but the refused call is what is reported
    refused = refusal("lr_lambda = lambda s: os.system('x') + unknown_thing\nuse = lr_lambda\n")
    assert "os.system" in refused.message


def test_a_free_name_that_stays_open_names_its_set() -> None:
    source = "lr_lambda = lambda s: s / WARMUP_FROM_CONFIG\nuse = lr_lambda\n"
    with pytest.raises(Unresolved) as caught:
        factor_of(source)
    assert caught.value.open.set_name == "WARMUP_FROM_CONFIG"
    assert factor_of(source, WARMUP_FROM_CONFIG=4)(2) == 0.5


def test_self_attributes_and_methods() -> None:
    source = textwrap.dedent("""
        class Warmup:
            def __init__(self, warmup_steps):
                self.warmup_steps = warmup_steps
            def lr_lambda(self, step):
                return min(1.0, (step + 1) / self.warmup_steps)
        sched = Warmup(warmup_steps=8)
        use = sched.lr_lambda
    """)
    module = ast.parse(source)
    node = next(n for n in ast.walk(module) if isinstance(n, ast.Attribute)
                and ast.unparse(n) == "sched.lr_lambda")
    values = ScriptValues(module)
    function = values.value(node, ())
    assert isinstance(function, Function)
    factor = compile_factor(function, values, source, "train.py")
    assert [factor(s) for s in range(10)] == [min(1.0, (s + 1) / 8) for s in range(10)]


def test_staircase_constructs_are_located() -> None:
    factor = factor_of("lr_lambda = lambda e: min(e // 4, 1)\nuse = lr_lambda\n")
    assert [(span.line, span.column, what) for span, what in factor.staircase] == [
        (1, 29, "//")]


def test_a_hostile_script_is_read_flagged_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(f"""
        import os
        import torch
        from torch.optim.lr_scheduler import LambdaLR
        os.system("touch {marker}")
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        bad = LambdaLR(optimizer, lambda e: __import__("os").system("touch {marker}") or 1)
        good = LambdaLR(optimizer, lambda e: min(1.0, (e + 1) / 4))
        for epoch in range(8):
            optimizer.step()
            bad.step()
            good.step()
    """))
    env_path = str(Path(__file__).resolve().parents[1])
    lint = subprocess.run([sys.executable, "-m", "warmup_cli", "lint", str(script)],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert "train.py:7:37: WU002 [error] unsafe or unsupported factor function: call of " \
           "'__import__' is not allowed" in lint.stdout
    show = subprocess.run([sys.executable, "-m", "warmup_cli", "show", str(script),
                           "--schedule", "good", "--format", "csv"],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert show.returncode == 0, show.stderr
    refused = subprocess.run([sys.executable, "-m", "warmup_cli", "show", str(script),
                              "--schedule", "bad"], capture_output=True, text=True,
                             cwd=tmp_path, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert refused.returncode == 2
    assert "train.py:7:37: the factor function is refused" in refused.stderr
    assert not marker.exists()
