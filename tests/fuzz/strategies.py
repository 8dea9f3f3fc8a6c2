"""Hypothesis strategies for the texts strangers hand warmup_cli: spec texts (from the kind
table), lambda texts (random expression trees over the sandbox's allowlist), hostile strings.
Config documents and file names are in :mod:`tests.fuzz.documents`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

from warmup_cli.expr.allowlist import (
    BARE_CONSTANTS,
    BINOP_SYMBOLS,
    BUILTIN_FUNCTIONS,
    MATH_CONSTANTS,
    MATH_FUNCTIONS,
)
from warmup_cli.kinds import KINDS, Kind, Param
from warmup_cli.spec import MAX_LIST

# Text that has bitten tools like this one: rich markup and emoji codes, GitHub workflow
# commands, terminal escapes (CSI, OSC 52 writes the clipboard), C0/C1 controls, Unicode line
# separators, XML specials, OmegaConf/Jinja interpolations, quotes and backslashes.
HOSTILE = (
    "[/]", "[bold red]X[/]", "[link=file:///etc/passwd]x[/link]", ":thumbs_up:",
    "\n::error file=README.md,line=1::INJECTED", "::warning::x", "%0A%25", "\r",
    "\x1b[31mred", "\x1b]52;c;SGVsbG8=\x07", "\x1b[2J", "\x07", "\x00", "\x08", "\x7f",
    "\x85", "\x9b", "\u2028", "\u202e", "\ufeff", "<![CDATA[", "]]>", "&amp;", "<x/>",
    "${oc.env:HOME}", "${eval:1+1}", "{{ x }}", '"', "'", "\\", "\t", "é", "日本",
)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=3).map("".join),
        st.text(max_size=12),
    )


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in ``one_in`` draws. Not ``integers(...) == 0``: hypothesis draws the
    smallest value far more often than its share."""
    return draw(st.integers(0, one_in - 1)) == one_in // 2


# --- spec texts ---------------------------------------------------------------------------

# Numbers at the edges: huge (float() overflows past 1e308), tiny, with underscores, signs.
_EDGE_NUMBERS = (
    "0", "1", "-1", "+4", "007", "1_000", "2.5", ".5", "5.", "1e3", "1E-3", "-0.0", "0.6",
    "0.60000001", "0.999", "0.9999999999999999", "1.0", "1e-320", "1e308", "1e309",
    "1" + "0" * 310, "0." + "0" * 400 + "1", "1e99999", "9" * 40, "nan", "inf", "1__0",
)


def _number_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-3, 5000).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(_EDGE_NUMBERS),
        st.integers(0, 420).map(lambda zeros: "1" + "0" * zeros),
    )


def _in_range(param: Param) -> st.SearchStrategy[str]:
    """A value the parameter accepts, mostly: most specs should parse, to reach evaluation."""
    low = param.minimum if param.minimum is not None else 0
    if param.type == "int":
        return st.integers(int(low), int(low) + 5000).map(str)
    high = param.maximum if param.maximum is not None else max(10.0, low + 10.0)
    return st.floats(low, high, exclude_min=param.exclusive_minimum).map(repr)


def _param_value(param: Param) -> st.SearchStrategy[str]:
    edges = [repr(v) for v in (param.minimum, param.maximum, param.default)
             if isinstance(v, int | float) and not isinstance(v, bool)]
    if param.type == "ints":
        item = st.one_of(st.integers(0, 5000).map(str), _number_texts())
        return st.one_of(
            st.lists(st.integers(1, 5000), max_size=8).map(
                lambda xs: "[" + ",".join(map(str, sorted(set(xs)))) + "]"),
            st.lists(item, max_size=8).map(lambda xs: "[" + ",".join(xs) + "]"),
            st.just("[" + ",".join(map(str, range(1, MAX_LIST + 2))) + "]"),
        )
    if param.type == "choice":
        return st.one_of(st.sampled_from(param.choices),
                         st.from_regex(r"[a-z]{1,8}", fullmatch=True))
    return st.one_of(_in_range(param), _in_range(param), _number_texts(),
                     st.sampled_from(edges) if edges else _number_texts())


@st.composite
def _phase(draw: st.DrawFn) -> str:
    kind: Kind = KINDS[draw(st.sampled_from(sorted(KINDS)))]
    name = draw(st.sampled_from((kind.name, *kind.aliases, kind.name.upper())))
    arguments: list[str] = []
    positional = [p for p in kind.params if p.name in kind.positional]
    given = draw(st.integers(0, len(positional))) if rarely(draw, 5) else len(positional)
    for param in positional[:given]:
        arguments.append(draw(_param_value(param)))
    for param in kind.params:
        if param not in positional and draw(st.booleans()):
            arguments.append(f"{param.name}={draw(_param_value(param))}")
    if rarely(draw, 30):
        arguments.append(f"{draw(st.sampled_from(('bse', 'base', 'len', 'x')))}="
                         f"{draw(_number_texts())}")
    if not arguments:
        return name
    return f"{name}:{','.join(arguments)}"


@st.composite
def _with_base(draw: st.DrawFn, text: str) -> str:
    """``base=LR`` or ``base=[LR, ...]`` in the last phase's arguments, sometimes."""
    if text.endswith(")") or not rarely(draw, 4):
        return text
    bases = draw(st.lists(st.one_of(st.floats(0, 1).map(repr), _number_texts()),
                          min_size=1, max_size=3))
    option = "base=" + (bases[0] if len(bases) == 1 else "[" + ",".join(bases) + "]")
    last = re.split(r"[>*(]", text)[-1]
    return f"{text}{',' if ':' in last else ':'}{option}"


def _join(parts: st.SearchStrategy[list[str]], symbol: str) -> st.SearchStrategy[str]:
    return parts.map(lambda items: f" {symbol} ".join(items))


def _structure(phases: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """sequence = product {">" product}; product = factor {"*" factor}; factor = phase |
    "(" sequence ")"  (spec.py's grammar), nested a few levels."""
    return st.recursive(
        phases,
        lambda inner: st.one_of(
            _join(st.lists(inner, min_size=2, max_size=4), ">"),
            _join(st.lists(inner, min_size=2, max_size=3), "*"),
            inner.map(lambda text: f"({text})"),
        ),
        max_leaves=6,
    )


_SPEC_ALPHABET = ":,=[]>*() 0123456789.eE+-_" + "abcdefghijklmnopqrstuvwxyz"


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str], alphabet: str = _SPEC_ALPHABET,
            max_mutations: int = 3) -> str:
    """``base`` with a few characters deleted, inserted, replaced or a slice duplicated."""
    text = draw(base)
    for _ in range(draw(st.integers(0, max_mutations))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(("delete", "insert", "replace", "duplicate", "hostile")))
        if action == "delete":
            text = text[:position] + text[position + 1:]
        elif action == "insert":
            text = text[:position] + draw(st.sampled_from(alphabet)) + text[position:]
        elif action == "replace":
            text = text[:position] + draw(st.sampled_from(alphabet)) + text[position + 1:]
        elif action == "duplicate":
            end = draw(st.integers(position, len(text)))
            text = text[:end] + text[position:end] + text[end:]
        else:
            text = text[:position] + draw(hostile_text()) + text[position:]
    return text


def spec_texts() -> st.SearchStrategy[str]:
    """Grammar-aware specs over every kind of warmup_cli.kinds.KINDS, and mutations of them."""
    valid = _structure(_phase()).flatmap(_with_base)
    return st.one_of(valid, mutated(valid))


# --- lambda texts -------------------------------------------------------------------------

STEP_NAMES = ("e", "epoch", "step", "t", "x", "_s")
_INT_LEAVES = ("0", "1", "2", "3", "10", "100", "4000", "2**62", "10**308", "1" + "0" * 309,
               "0x7f", "0b101", "1_000")
_FLOAT_LEAVES = ("0.5", "1.0", "0.1", "1e-8", "1e308", "1e309", "5e-324", "2.5e-3", ".0")


@dataclass(frozen=True)
class Expression:
    """A generated expression: its text, and whether it stays inside the allowlist (a
    generated construct the sandbox refuses, such as ``@`` or a string, sets it False)."""

    text: str
    allowed: bool = True


def _leaves(step: str) -> st.SearchStrategy[Expression]:
    constants = [*BARE_CONSTANTS, *(f"math.{name}" for name in MATH_CONSTANTS)]
    return st.one_of(
        st.just(Expression(step)),
        st.integers(-5, 50).map(lambda n: Expression(str(n) if n >= 0 else f"({n})")),
        st.sampled_from(_INT_LEAVES).map(Expression),
        st.floats(0, 1e6, allow_nan=False).map(lambda f: Expression(repr(f))),
        st.sampled_from(_FLOAT_LEAVES).map(Expression),
        st.sampled_from(constants).map(Expression),
        st.sampled_from(("True", "False")).map(Expression),
        # refused constructs, so that the contract covers refusals too
        st.sampled_from(("'a'", "None", "1j", "[1]", "(1, 2)", "e.real", "os", "x[0]",
                         "__import__('os')", "f'{1}'", "...")).map(
            lambda text: Expression(text, allowed=False)),
    )


_FUNCTIONS = {**BUILTIN_FUNCTIONS, **MATH_FUNCTIONS}


def _call(name: str, args: list[Expression], spelled: str) -> Expression:
    low, high = _FUNCTIONS[name][1], _FUNCTIONS[name][2]
    fits = low <= len(args) and (high is None or len(args) <= high)
    return Expression(f"{spelled}({', '.join(a.text for a in args)})",
                      fits and all(a.allowed for a in args))


@st.composite
def _calls(draw: st.DrawFn, inner: st.SearchStrategy[Expression]) -> Expression:
    name = draw(st.sampled_from(sorted(_FUNCTIONS)))
    low, high = _FUNCTIONS[name][1], _FUNCTIONS[name][2]
    count = draw(st.integers(max(0, low - 1), (high if high is not None else low + 2) + 1))
    args = draw(st.lists(inner, min_size=count, max_size=count))
    spelled = f"math.{name}" if name in MATH_FUNCTIONS and draw(st.booleans()) else name
    return _call(name, args, spelled)


def _binary(items: tuple[Expression, Expression, str]) -> Expression:
    left, right, symbol = items
    return Expression(f"({left.text} {symbol} {right.text})",
                      left.allowed and right.allowed and symbol != "@")


def _compare(items: tuple[Expression, list[tuple[str, Expression]]]) -> Expression:
    first, rest = items
    text = first.text + "".join(f" {op} {operand.text}" for op, operand in rest)
    allowed = first.allowed and all(o.allowed and op not in ("is", "in") for op, o in rest)
    return Expression(f"({text})", allowed)


def _boolean(items: tuple[str, list[Expression]]) -> Expression:
    op, values = items
    return Expression("(" + f" {op} ".join(v.text for v in values) + ")",
                      all(v.allowed for v in values))


def _conditional(items: tuple[Expression, Expression, Expression]) -> Expression:
    body, test, orelse = items
    return Expression(f"({body.text} if {test.text} else {orelse.text})",
                      body.allowed and test.allowed and orelse.allowed)


def _unary(items: tuple[str, Expression]) -> Expression:
    op, operand = items
    return Expression(f"({op}{operand.text})", operand.allowed)


def _extend(inner: st.SearchStrategy[Expression]) -> st.SearchStrategy[Expression]:
    symbols = sorted(BINOP_SYMBOLS.values())
    comparisons = st.sampled_from(("<", "<=", ">", ">=", "==", "!=", "is", "in"))
    return st.one_of(
        st.tuples(inner, inner, st.sampled_from(symbols)).map(_binary),
        st.tuples(st.sampled_from(("-", "+", "~", "not ")), inner).map(_unary),
        st.tuples(inner, st.lists(st.tuples(comparisons, inner), min_size=1, max_size=2))
        .map(_compare),
        st.tuples(st.sampled_from(("and", "or")), st.lists(inner, min_size=2, max_size=3))
        .map(_boolean),
        st.tuples(inner, inner, inner).map(_conditional),
        _calls(inner),
    )


@st.composite
def lambda_expressions(draw: st.DrawFn) -> Expression:
    """A random expression tree over the allowlist, as a lambda (``lambda NAME: ...``) or a
    bare expression over its step variable, sometimes with a comment after it."""
    step = draw(st.sampled_from(STEP_NAMES))
    body = draw(st.recursive(_leaves(step), _extend, max_leaves=24))
    text = body.text
    if draw(st.booleans()):
        text = f"lambda {step}: {text}"
    elif step != "e" and step in text:
        # a bare expression takes its single free name as the step, whatever it is called
        pass
    if rarely(draw, 6):
        text += "  # " + draw(hostile_text()).replace("\n", " ").replace("\r", " ")
    return Expression(text, body.allowed)


def lambda_texts() -> st.SearchStrategy[str]:
    """Expression trees, and their mutations (characters from Python's expression syntax)."""
    trees = lambda_expressions().map(lambda expression: expression.text)
    return st.one_of(trees, mutated(trees, alphabet="()+-*/%<>=!~&|^,.: eltmax0123456789#[]'"))
