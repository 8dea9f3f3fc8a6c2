"""The schedule spec language.

Grammar (EBNF; whitespace between tokens is ignored)::

    spec     = sequence ;
    sequence = product { ">" product } ;        (* run one after another *)
    product  = factor { "*" factor } ;          (* multiply at every step *)
    factor   = phase | "(" sequence ")" ;
    phase    = kind [ ":" argument { "," argument } ] ;
    argument = value | name "=" value ;
    value    = number | word | "[" [ number { "," number } ] "]" ;

Positional arguments fill a kind's positional parameters in order. The global option
``base=LR`` or ``base=[LR,LR,...]`` (one LR per parameter group) may appear in any phase's
argument list, once. Example: ``linear:500 > cosine:9500,floor=0.1,base=3e-4``.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from warmup_cli.errors import SpecError
from warmup_cli.kinds import ALIASES, KINDS, Kind, Param, lookup
from warmup_cli.schedule import Join, Phase, Product, Schedule

GLOBAL_KEYS = ("base",)
MAX_SPEC_LENGTH = 2000
MAX_PHASES = 64
MAX_LIST = 500
MAX_WHOLE = 2**53  # whole-number options (lengths, steps, milestones): floats count exactly

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<punct>[:,=\[\]>*()])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "word", "punct", "end"
    text: str
    column: int


@dataclass(frozen=True)
class ParsedSpec:
    schedule: Schedule
    base_lrs: tuple[float, ...] | None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SpecError(f"unexpected character {text[position]!r}", text, position,
                            hint="a spec looks like 'linear:4 > cosine:96,floor=0.01,base=0.1'")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.base: tuple[float, ...] | None = None
        self.phase_count = 0

    # --- token helpers ---------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def accept(self, punct: str) -> bool:
        if self.current.kind == "punct" and self.current.text == punct:
            self.index += 1
            return True
        return False

    def fail(self, message: str, token: Token | None = None, hint: str | None = None) -> SpecError:
        token = token or self.current
        return SpecError(message, self.text, token.column, hint=hint)

    def describe(self, token: Token) -> str:
        return "the end of the spec" if token.kind == "end" else repr(token.text)

    # --- grammar ---------------------------------------------------------------------------
    def parse(self) -> ParsedSpec:
        if not self.text.strip():
            raise SpecError("the spec is empty", hint="try 'linear:4,base=0.1'")
        schedule = self.sequence()
        if self.current.kind != "end":
            raise self.fail(f"unexpected {self.describe(self.current)}",
                            hint="join phases with '>' and multiply them with '*'")
        return ParsedSpec(schedule, self.base)

    def sequence(self) -> Schedule:
        pieces = [(self.current, self.product(previous_warmup=None))]
        while self.accept(">"):
            previous = pieces[-1][1]
            pieces.append((self.current, self.product(previous_warmup=previous.warmup_length)))
        for start, piece in pieces[:-1]:
            if piece.length is None:
                raise self.fail(
                    f"{piece.phase_at(0)} never ends, so the phase after it never starts",
                    start,
                    hint="give it a length (len=N), or multiply it with the next phase "
                         "using '*'",
                )
        return pieces[0][1] if len(pieces) == 1 else Join(tuple(p for _, p in pieces))

    def product(self, previous_warmup: int | None) -> Schedule:
        factors = [self.factor(previous_warmup)]
        while self.accept("*"):
            factors.append(self.factor(previous_warmup))
        return factors[0] if len(factors) == 1 else Product(tuple(factors))

    def factor(self, previous_warmup: int | None) -> Schedule:
        if self.accept("("):
            inner = self.sequence()
            if not self.accept(")"):
                raise self.fail(f"expected ')' but found {self.describe(self.current)}")
            return inner
        return self.phase(previous_warmup)

    def phase(self, previous_warmup: int | None) -> Phase:
        token = self.current
        if token.kind != "word":
            raise self.fail(f"expected a schedule kind but found {self.describe(token)}",
                            hint=f"kinds: {', '.join(KINDS)}")
        self.advance()
        self.phase_count += 1
        if self.phase_count > MAX_PHASES:
            raise self.fail(f"more than {MAX_PHASES} phases", token)
        kind = lookup(token.text.lower())
        if kind is None:
            raise self.fail(f"unknown schedule kind {token.text!r}", token,
                            hint=_suggest(token.text, [*KINDS, *ALIASES], "kind",
                                          "run 'warmup kinds' to list them"))
        values: dict[str, tuple[Any, Token]] = {}
        if self.accept(":"):
            self.arguments(kind, values)
        return self.build(kind, token, values, previous_warmup)

    def arguments(self, kind: Kind, values: dict[str, tuple[Any, Token]]) -> None:
        positional = list(kind.positional)
        while True:
            start = self.current
            if start.kind == "word" and self.tokens[self.index + 1].text == "=":
                self.advance()
                self.advance()
                name = start.text.lower()
                if name in GLOBAL_KEYS:
                    self.global_option(name, start)
                    if not self.accept(","):
                        return
                    continue
                if kind.param(name) is None:
                    known = [p.name for p in kind.params]
                    raise self.fail(
                        f"{kind.name} has no option {start.text!r}", start,
                        hint=_suggest(name, [*known, *GLOBAL_KEYS], "option",
                                      f"{kind.name} takes: {', '.join(known) or 'no options'}"),
                    )
                if name in values:
                    raise self.fail(f"option {name!r} is given twice", start)
                where = self.current
                values[name] = (self.value(), where)
            elif start.kind == "punct" and start.text in ",>*)":
                raise self.fail(f"expected an argument but found {self.describe(start)}",
                                hint=f"for example {_example(kind)}")
            else:
                if not positional:
                    raise self.fail(
                        f"{kind.name} takes no more positional arguments", start,
                        hint=f"name the option, e.g. {_example(kind)}",
                    )
                name = positional.pop(0)
                if name in values:
                    raise self.fail(f"{name} is given twice", start)
                values[name] = (self.value(), start)
            if not self.accept(","):
                return

    def global_option(self, name: str, token: Token) -> None:
        if self.base is not None:
            raise self.fail("base is given twice", token)
        value_token = self.current
        value = self.value()
        numbers = value if isinstance(value, list) else [value]
        if not numbers or not all(isinstance(v, int | float) for v in numbers):
            raise self.fail("base must be a number or a list of numbers", value_token)
        lrs = [_finite_float(v) for v in numbers]
        if any(lr is None or lr < 0 for lr in lrs):
            raise self.fail("base learning rates must be finite and not negative", value_token)
        self.base = tuple(lr for lr in lrs if lr is not None)

    def value(self) -> Any:
        token = self.current
        if token.kind == "number":
            self.advance()
            return _number(token.text)
        if token.kind == "word":
            self.advance()
            return token.text
        if self.accept("["):
            items: list[int | float] = []
            if self.accept("]"):
                return items
            while True:
                item = self.current
                if item.kind != "number":
                    raise self.fail(f"expected a number but found {self.describe(item)}")
                self.advance()
                items.append(_number(item.text))
                if len(items) > MAX_LIST:
                    raise self.fail(f"a list may hold at most {MAX_LIST} numbers", item)
                if self.accept("]"):
                    return items
                if not self.accept(","):
                    raise self.fail(f"expected ',' or ']' but found {self.describe(self.current)}")
        raise self.fail(f"expected a value but found {self.describe(token)}")

    def build(self, kind: Kind, token: Token, values: dict[str, tuple[Any, Token]],
              previous_warmup: int | None) -> Phase:
        params: dict[str, Any] = {}
        for param in kind.params:
            if param.name in values:
                raw, where = values[param.name]
                params[param.name] = self.coerce(kind, param, raw, where)
            elif param.required:
                raise self.fail(f"{kind.name} needs {param.name} ({param.doc})", token,
                                hint=f"for example {_example(kind)}")
            else:
                params[param.name] = param.default
        if kind.name == "inv-sqrt" and params["timescale"] == 0:
            params["timescale"] = previous_warmup or 10000
        if kind.name == "multistep" and params["milestones"] != sorted(params["milestones"]):
            raise self.fail("milestones must be in increasing order", values["milestones"][1])
        return kind.build(params)

    def coerce(self, kind: Kind, param: Param, raw: Any, where: Token) -> Any:
        label = f"{kind.name} {param.name}"
        if param.type == "choice":
            if raw not in param.choices:
                raise self.fail(f"{label} must be one of {', '.join(param.choices)}", where,
                                hint=_suggest(str(raw), list(param.choices), "value", None))
            return raw
        if param.type == "ints":
            return self.whole_numbers(label, raw, where)
        if param.type == "name":
            if not isinstance(raw, str):
                raise self.fail(f"{label} must be a name, not {raw!r}", where)
            return raw
        if param.type == "floats" and isinstance(raw, list):
            return [self.coerce(kind, replace(param, type="float"), item, where) for item in raw]
        if not isinstance(raw, int | float):
            raise self.fail(f"{label} must be a number, not {raw!r}", where)
        if param.type == "int":
            raw = self.whole_number(label, raw, where)
        else:
            number = _finite_float(raw)
            if number is None:
                raise self.fail(f"{label} must be finite" if isinstance(raw, float) else
                                f"{label} is too large to be a float ({_digits(raw)}; floats end "
                                "near 1.8e308)", where)
            raw = number
        self.check_range(label, param, raw, where)
        return raw

    def whole_number(self, label: str, raw: int | float, where: Token) -> int:
        if isinstance(raw, float):
            if not math.isfinite(raw):
                raise self.fail(f"{label} must be finite", where)
            if not raw.is_integer():
                raise self.fail(f"{label} must be a whole number, not {raw}", where)
            raw = int(raw)
        if abs(raw) > MAX_WHOLE:
            raise self.fail(f"{label} must be at most {MAX_WHOLE:,}, not {_magnitude(raw)}",
                            where)
        return raw

    def whole_numbers(self, label: str, raw: Any, where: Token) -> list[int]:
        items = raw if isinstance(raw, list) else [raw]
        if not all(isinstance(v, int) or (isinstance(v, float) and v.is_integer())
                   for v in items) or any(v < 0 for v in items):
            raise self.fail(f"{label} must be a list of whole numbers, e.g. [30,60,90]", where)
        numbers = [int(v) for v in items]
        if any(v > MAX_WHOLE for v in numbers):
            raise self.fail(f"{label} must be whole numbers of at most {MAX_WHOLE:,}", where)
        return numbers

    def check_range(self, label: str, param: Param, raw: float, where: Token) -> None:
        low, high = param.minimum, param.maximum
        if low is not None and (raw < low or (param.exclusive_minimum and raw == low)):
            relation = ">" if param.exclusive_minimum else ">="
            raise self.fail(f"{label} must be {relation} {_plain(low)}, not {_plain(raw)}", where)
        if high is not None and (raw > high or (param.exclusive_maximum and raw == high)):
            relation = "<" if param.exclusive_maximum else "<="
            raise self.fail(f"{label} must be {relation} {_plain(high)}, not {_plain(raw)}",
                            where)


def _number(text: str) -> int | float:
    cleaned = text.replace("_", "")
    try:
        return int(cleaned)
    except ValueError:
        return float(cleaned)


def _finite_float(value: int | float) -> float | None:
    """``float(value)`` when it is a finite number: an int past the largest float (more than
    309 digits) makes ``float`` raise OverflowError, which is the same mistake as ``1e400``."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _digits(value: int) -> str:
    return f"{len(str(abs(value))):,} digits"


def _magnitude(value: int) -> str:
    """A huge whole number as its digit count (a 300-digit number helps no one)."""
    return f"{value:,}" if abs(value) < 10**20 else f"a number of {_digits(value)}"


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _example(kind: Kind) -> str:
    args = [f"{p.name}=..." if p.name not in kind.positional else "N"
            for p in kind.params if p.required]
    return kind.name + (":" + ",".join(args) if args else "")


def _suggest(word: str, candidates: list[str], what: str, fallback: str | None) -> str | None:
    close = difflib.get_close_matches(word.lower(), candidates, n=1, cutoff=0.5)
    if close:
        return f"did you mean the {what} {close[0]!r}?"
    return fallback


def parse_spec(text: str) -> ParsedSpec:
    """Parse a schedule spec; raises SpecError with a caret position on any mistake."""
    if len(text) > MAX_SPEC_LENGTH:
        raise SpecError(f"the spec is {len(text)} characters long; the limit is "
                        f"{MAX_SPEC_LENGTH}")
    return _Parser(text).parse()
