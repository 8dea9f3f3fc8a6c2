"""The value layer of the training-script reader: names by scope and reaching definition,
argparse defaults, dict literals, one level of calls, partials, closures, --set, branches."""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

import pytest
import torch

from warmup_cli.scripts.argparse_defaults import arguments
from warmup_cli.scripts.signatures import OPTIMIZER_LR_DEFAULTS, TORCH_SIGNATURES
from warmup_cli.scripts.values import (
    Branch,
    Function,
    ScriptValues,
    Unresolved,
    parse_set,
    scope_of,
    worlds,
)


def module_of(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


def use(module: ast.Module, text: str) -> ast.expr:
    """The last expression whose text is ``text`` (a use, never an assignment target)."""
    found = [node for node in ast.walk(module) if isinstance(node, ast.expr)
             and ast.unparse(node) == text and not isinstance(getattr(node, "ctx", None),
                                                               ast.Store)]
    assert found, text
    return max(found, key=lambda node: (node.lineno, node.col_offset))


def value(source: str, text: str, **options: Any) -> Any:
    module = module_of(source)
    node = use(module, text)
    return ScriptValues(module, **options).value(node, scope_of(module, node))


def open_reason(source: str, text: str, **options: Any) -> Unresolved:
    with pytest.raises(Unresolved) as caught:
        value(source, text, **options)
    return caught.value


ARGPARSE = """
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--warmup-steps", type=int, default="500")
    parser.add_argument("--lr", "-l", type=float, default=3e-4)
    parser.add_argument("--num_epochs", dest="epochs", type=int, default=90)
    parser.add_argument("--amp", action="store_true")
    parser.add_argument("--no-ema", action="store_false")
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--width", type=lambda s: int(s) * 2, default="8")
    group = parser.add_argument_group("sched")
    group.add_argument("--min_lr", type=float, default=1e-6)
    parser.set_defaults(lr=0.1)
    args = parser.parse_args()
    use = (args.warmup_steps, args.lr, args.epochs, args.amp, args.no_ema, args.data,
           args.seed, args.width, args.min_lr, args.missing)
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("args.warmup_steps", 500),  # both spellings map to warmup_steps; the string goes through int
    ("args.lr", 0.1),  # set_defaults replaces the default
    ("args.epochs", 90),  # dest=
    ("args.amp", False),
    ("args.no_ema", True),
    ("args.min_lr", 1e-06),  # on an argument group
])
def test_argparse_defaults(text: str, expected: object) -> None:
    got = value(ARGPARSE, text)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("text", "why"), [
    ("args.data", "required command-line argument"),
    ("args.seed", "has no default"),
    ("args.width", "goes through type="),
    ("args.missing", "not declared by an add_argument"),
])
def test_argparse_values_left_open_name_their_set(text: str, why: str) -> None:
    reason = open_reason(ARGPARSE, text).open
    assert why in reason.why
    assert reason.set_name == text


def test_argparse_destinations() -> None:
    found = arguments(module_of(ARGPARSE))
    assert {"warmup_steps", "lr", "epochs", "amp", "no_ema", "data", "seed", "min_lr"} <= set(
        found)
    assert found["amp"].flag and not found["lr"].flag


def test_module_constants_dicts_and_arithmetic() -> None:
    source = """
        EPOCHS = 30
        hyp = {"lrf": 0.01, "warmup": {"epochs": 3.0}}
        steps = [10, 20]
        total = EPOCHS * 2 + steps[1]
        use = (total, hyp["lrf"], hyp["warmup"]["epochs"], len(steps), min(EPOCHS, 4) ** 2)
    """
    assert value(source, "total") == 80
    assert value(source, "hyp['lrf']") == 0.01
    assert value(source, "hyp['warmup']['epochs']") == 3.0
    assert value(source, "len(steps)") == 2
    assert value(source, "min(EPOCHS, 4) ** 2") == 16


def test_the_definition_that_reaches_the_use_wins() -> None:
    source = """
        def train():
            warmup = 5
            warmup = warmup * 2
            x = warmup
            warmup = 99
            return x
    """
    assert value(source, "x") == 10  # the reassignment after the use does not count


def test_a_branch_on_a_constant_is_decided() -> None:
    source = """
        DEBUG = False
        if DEBUG:
            warmup = 1
        else:
            warmup = 500
        use = warmup
    """
    assert value(source, "warmup") == 500


def test_a_branch_on_a_flag_is_an_alternative_each_named_by_its_condition() -> None:
    source = """
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--cos", action="store_true")
        args = parser.parse_args()
        if args.cos:
            warmup = 1
        else:
            warmup = 2
        use = warmup
    """
    with pytest.raises(Branch) as caught:
        value(source, "warmup")
    assert caught.value.key == "args.cos"
    module = module_of(source)
    node = use(module, "warmup")
    read = list(worlds(lambda assume: ScriptValues(module, assume=assume).value(node, ())))
    assert [(world.name, got) for world, got in read] == [("args.cos", 1), ("not args.cos", 2)]
    # --set decides it
    assert value(source, "warmup", overrides={"args.cos": True}) == 1


def test_a_factory_parameter_is_bound_from_its_one_call_site() -> None:
    source = """
        def build(optimizer, warmup, total=100):
            use = (warmup, total)
        def main():
            w = 8 * 2
            build(opt, w)
    """
    assert value(source, "(warmup, total)") == (16, 100)


def test_several_call_sites_are_alternatives() -> None:
    source = """
        def build(warmup):
            use = warmup
        build(10)
        build(20)
    """
    with pytest.raises(Branch) as caught:
        value(source, "warmup")
    assert caught.value.options == ("line 4", "line 5")
    assert value(source, "warmup", assume={"build() called at": "line 5"}) == 20


def test_a_parameter_nobody_passes_stays_open() -> None:
    reason = open_reason("def build(warmup):\n    use = warmup\n", "warmup").open
    assert "no call in this file passes" in reason.why and reason.set_name == "warmup"


def test_closure_factories_partials_and_instances() -> None:
    source = """
        import functools
        def one_cycle(y1=0.0, y2=1.0, steps=100):
            return lambda x: x * steps
        def f(step, *, warmup):
            return step
        class Sched:
            def __init__(self, warmup, total):
                self.warmup = warmup
                self.total = total * 2
        lf = one_cycle(1, 0.1, 30)
        part = functools.partial(f, warmup=5)
        s = Sched(3, total=7)
        use = (lf, part, s.total)
    """
    cycle = value(source, "lf")
    assert isinstance(cycle, Function) and cycle.name == "<lambda>"
    part = value(source, "part")
    assert isinstance(part, Function) and set(part.bound) == {"warmup"}
    assert value(source, "s.total") == 14


@pytest.mark.parametrize(("text", "expected"), [
    ("args.warmup_steps=200", ("args.warmup_steps", 200)),
    ("len(train_loader)=391", ("len(train_loader)", 391)),
    ("hyp[\"lrf\"] = 0.1", ("hyp['lrf']", 0.1)),
    ("opt.cos_lr=True", ("opt.cos_lr", True)),
    ("milestones=[30, 60]", ("milestones", [30, 60])),
    ("lr=-1e-3", ("lr", -0.001)),
])
def test_parse_set(text: str, expected: tuple[str, object]) -> None:
    assert parse_set(text) == expected


@pytest.mark.parametrize("text", ["x", "=3", "x=__import__('os')", "x=1+1", "x=(", "f(=1"])
def test_parse_set_refuses_what_is_not_a_literal(text: str) -> None:
    with pytest.raises(ValueError):
        parse_set(text)


def test_set_supplies_what_the_script_leaves_open() -> None:
    source = "total = EPOCHS_FROM_CFG * len(train_loader)\nuse = total\n"
    reason = open_reason(source, "total").open
    assert reason.set_name == "EPOCHS_FROM_CFG"
    assert value(source, "total", overrides={"EPOCHS_FROM_CFG": 3,
                                             "len(train_loader)": 391}) == 1173


def test_runtime_calls_stay_open_at_their_place() -> None:
    source = "import yaml\ncfg = yaml.safe_load(open('c.yaml'))\nuse = cfg['lr']\n"
    reason = open_reason(source, "cfg['lr']").open
    assert reason.at.line == 2 and "only known when the script runs" in reason.why


def test_work_is_bounded() -> None:
    reason = open_reason("X = 9 ** 9 ** 9\nuse = X\n", "X").open
    assert "too large" in reason.why


def test_values_protocol_numbers() -> None:
    module = module_of("A = 3\nB = 'text'\nuse = (A, B)\n")
    values = ScriptValues(module)
    assert values.number(use(module, "A"), ()) == 3
    assert values.number(use(module, "B"), ()) is None
    assert values.number(ast.parse("C", mode="eval").body, ()) is None  # not defined


def test_signature_tables_are_torchs() -> None:
    for name, params in TORCH_SIGNATURES.items():
        cls = getattr(torch.optim.lr_scheduler, name)
        assert tuple(inspect.signature(cls).parameters) == params, name
    for name, default in OPTIMIZER_LR_DEFAULTS.items():
        cls = getattr(torch.optim, name)
        assert inspect.signature(cls).parameters["lr"].default == default, name


def test_transformers_signatures_are_transformers() -> None:
    import transformers

    from warmup_cli.scripts.signatures import HF_SIGNATURES

    for name, params in HF_SIGNATURES.items():
        assert tuple(inspect.signature(getattr(transformers, name)).parameters) == params, name


def test_a_name_redefined_under_a_condition_on_itself_never_loops() -> None:
    # yolov5's train.py: `if opt.resume: opt = argparse.Namespace(**d)` (a RecursionError once)
    source = """
        import argparse
        def main(opt):
            if opt.resume and not opt.evolve:
                opt = argparse.Namespace(**d)
            use = opt.epochs
        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", type=int, default=7)
        parser.add_argument("--resume", action="store_true")
        parser.add_argument("--evolve", action="store_true")
        main(parser.parse_args())
    """
    assert value(source, "opt.epochs", assume={"opt.resume and (not opt.evolve)": "false"}) == 7
    with pytest.raises(Branch):
        value(source, "opt.epochs")
    reason = open_reason("x = x + 1\nuse = x\n", "x").open
    assert "not defined in this file" in reason.why or "depends on itself" in reason.why
