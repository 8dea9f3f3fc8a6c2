"""Config → the schedule texts written into it, for any framework or none.

The generic extractor knows no framework: it finds every string that is a lambda, every string
under a schedule key (``lr_lambda``, ``warmup``, ... :data:`DEFAULT_SCHEDULE_KEYS`) that is a
warmup_cli spec, the lambdas of a Python config, and every Hydra/OmegaConf ``${eval:...}`` body
that the expression sandbox refuses (checked, never run). Beside each schedule it finds the
base LR and the run length in the nearest enclosing mapping that has them, else anywhere in the
file. It returns neutral :class:`FoundText` records: ``show`` turns them into plans, lint into
subjects to check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from warmup_cli.configs.document import Document, Node
from warmup_cli.configs.text import LIMITS, Limits, config_error
from warmup_cli.errors import ExpressionError, SpecError
from warmup_cli.expr import compile_expression, is_lambda_text
from warmup_cli.parse import ParsedText, ParseError, TextKind, looks_like_spec, parse_text
from warmup_cli.spec import parse_spec

# Keys whose string value is read when it is a lambda or a warmup_cli spec. Any string that is
# a lambda is read wherever it sits; these add specs such as "linear:500".
DEFAULT_SCHEDULE_KEYS = (
    "lr_lambda", "lr_lambdas", "lr_schedule", "lr_scheduler", "lr_sched", "schedule",
    "scheduler", "sched", "warmup", "warmup_schedule", "lr_fn", "lr_func", "lambda_fn",
)
BASE_LR_KEYS = ("lr", "base_lr", "learning_rate", "peak_lr", "max_lr", "lr_base")
STEP_KEYS = ("max_steps", "total_steps", "num_training_steps", "max_iters", "max_iter",
             "max_update", "total_iters", "train_steps", "training_steps", "num_steps",
             "total_num_steps", "total_training_steps", "num_train_steps")
EPOCH_KEYS = ("epochs", "max_epochs", "num_epochs", "num_train_epochs", "max_epoch",
              "total_epochs", "n_epochs", "train_epochs")
MAX_RUN_LENGTH = 10**15  # longer "runs" are typos or sentinels, not a horizon to check
SPEC_PUNCTUATION = frozenset(":>*(=")
EVAL_OPEN = "${eval:"
MAX_EVALS = 100  # ${eval:...} bodies checked per string

T = TypeVar("T")


def normalize_key(key: str) -> str:
    """Config keys compare case- and separator-insensitively (BASE_LR, base-lr, base_lr)."""
    return key.strip().lower().replace("-", "_")


@dataclass(frozen=True)
class RunLength:
    """A run length found beside a schedule: ``key = length`` at ``node``."""

    key: str
    node: Node
    length: int


@dataclass(frozen=True)
class FoundText:
    """One schedule text of a config file, parsed, with what the file says beside it."""

    node: Node  # the value holding the text
    text: str  # the text as parsed (for an ${eval:...} body: the body)
    parsed: ParsedText | ParseError
    # The 1-based file column of text[0] on node's line, set only when the file holds the text
    # verbatim there (one line, no escapes), so offsets inside the text map to columns.
    text_column: int | None = None
    base_lrs: tuple[float, ...] = ()  # named by the text, else the nearest LR key's value
    run: RunLength | None = None


# --- ${eval:...} ------------------------------------------------------------------------------

def _brace_pairs(text: str) -> dict[int, int]:
    """``{open index: close index}`` for every balanced brace pair, in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            stack.append(index)
        elif char == "}" and stack:
            pairs[stack.pop()] = index
    return pairs


def eval_bodies(text: str) -> Iterator[tuple[int, str]]:
    """``(offset, body)`` of every ``${eval:BODY}`` in ``text``, nested ones included.

    Inner interpolations ``${a.b}`` become ``0`` digits of the same length (a valid number
    literal) so that the body compiles on its own and columns stay put; a quoted body
    (``${eval:"..."}``) is the text between the quotes, as OmegaConf passes it. At most
    :data:`MAX_EVALS` per string, so a hostile file cannot make this quadratic.
    """
    pairs = _brace_pairs(text)
    search = 0
    for _ in range(MAX_EVALS):
        start = text.find(EVAL_OPEN, search)
        end = pairs.get(start + 1) if start >= 0 else None
        if end is None:
            return
        body_start = start + len(EVAL_OPEN)
        body = _blank_interpolations(text, body_start, end, pairs)
        stripped = body.strip()
        if len(stripped) >= 2 and stripped[0] == stripped[-1] and stripped[0] in "\"'":
            lead = body.index(stripped[0]) + 1
            body_start += lead
            body = stripped[1:-1]
        yield body_start, body
        search = body_start


def _blank_interpolations(text: str, start: int, end: int, pairs: dict[int, int]) -> str:
    parts: list[str] = []
    index = start
    while (inner := text.find("${", index, end)) >= 0 and (close := pairs.get(inner + 1)):
        parts += [text[index:inner], "0" * (close + 1 - inner)]
        index = close + 1
    parts.append(text[index:end])
    return "".join(parts)


# --- values found beside a schedule -----------------------------------------------------------

def _count(node: Node) -> int | None:
    number = node.as_number()
    if number is None or not math.isfinite(number) or number != int(number):
        return None
    count = int(number)
    return count if 1 <= count <= MAX_RUN_LENGTH else None


def _base_lrs(node: Node) -> tuple[float, ...] | None:
    number = node.as_number()
    numbers = [number] if number is not None else node.as_number_list()
    if not numbers or not all(math.isfinite(n) and n >= 0 for n in numbers):
        return None
    return tuple(float(n) for n in numbers)


Scopes = list[dict[str, Node]]


@dataclass
class _Context:
    """Finds the base LR and run length for a value: nearest enclosing mapping first."""

    root: Node
    _index: dict[str, Node] | None = field(default=None, init=False)

    def _anywhere(self) -> dict[str, Node]:
        if self._index is None:
            # Shallowest first: breadth-first over the tree.
            index: dict[str, Node] = {}
            level = [self.root]
            while level:
                following: list[Node] = []
                for node in level:
                    mapping, sequence = node.as_mapping(), node.as_sequence()
                    if mapping is not None:
                        for key, child in mapping.items():
                            index.setdefault(normalize_key(key), child)
                            following.append(child)
                    elif sequence is not None:
                        following.extend(sequence)
                level = following
            self._index = index
        return self._index

    def find(self, scopes: Scopes, keys: Iterable[str],
             read: Callable[[Node], T | None]) -> tuple[str, Node, T] | None:
        keys = tuple(keys)
        for scope in (*reversed(scopes), self._anywhere()):
            for key in keys:
                node = scope.get(key)
                if node is not None:
                    value = read(node)
                    if value is not None:
                        return key, node, value
        return None


def _run_keys(param: str | None) -> tuple[str, ...]:
    """Epoch keys first for ``lambda epoch: ...``, step keys first otherwise."""
    if param is not None and "epoch" in param.lower():
        return EPOCH_KEYS + STEP_KEYS
    return STEP_KEYS + EPOCH_KEYS


# --- the walk -------------------------------------------------------------------------------

def find_texts(doc: Document, schedule_keys: Iterable[str] = DEFAULT_SCHEDULE_KEYS,
               limits: Limits = LIMITS) -> list[FoundText]:
    """Every schedule text of ``doc`` in file order (see the module docstring).

    A file with more than ``limits.max_schedules`` texts is refused (a ConfigError at the
    first text too many) before that one is parsed: each costs a compile, and lint a trace."""
    walker = _Walker(doc, frozenset(normalize_key(key) for key in schedule_keys),
                     limits.max_schedules)
    walker.walk(doc.root, None, [])
    return walker.found


class _Walker:
    def __init__(self, doc: Document, schedule_keys: frozenset[str], max_texts: int) -> None:
        self.doc = doc
        self.schedule_keys = schedule_keys
        self.max_texts = max_texts
        self.texts = 0  # texts read: found ones, and the ${eval:...} bodies that compiled
        self.context = _Context(doc.root)
        self.found: list[FoundText] = []
        self._lines: list[str] | None = None

    def _count(self, node: Node) -> None:
        """Refuse the file when ``node`` holds one text more than the schedule budget."""
        self.texts += 1
        if self.texts > self.max_texts:
            line, column = node.location
            raise config_error(
                self.doc.path,
                f"more than {self.max_texts:,} schedule texts (lambdas, specs, ${{eval:...}} "
                "bodies) in one file (the schedule budget); none of them was checked",
                line, column, self._line(line))

    def walk(self, node: Node, key: str | None, scopes: Scopes) -> None:
        mapping, sequence = node.as_mapping(), node.as_sequence()
        text, unresolved = node.as_str(), node.as_unresolved()
        if mapping is not None:
            scopes.append({normalize_key(k): child for k, child in mapping.items()})
            for child_key, child in mapping.items():
                self.walk(child, child_key, scopes)
            scopes.pop()
        elif sequence is not None:
            for child in sequence:
                self.walk(child, key, scopes)  # per-group lists keep their key's meaning
        elif text is not None:
            self.string(node, text, key, scopes)
        elif unresolved is not None and is_lambda_text(unresolved.source):
            # A lambda in a Python config: its source sits in the file as written.
            self.schedule(node, unresolved.source, TextKind.LAMBDA, scopes)

    def string(self, node: Node, text: str, key: str | None, scopes: Scopes) -> None:
        if is_lambda_text(text):
            self.schedule(node, text, TextKind.LAMBDA, scopes)
        elif EVAL_OPEN in text:
            self.eval_strings(node, text)
        elif key is not None and normalize_key(key) in self.schedule_keys \
                and looks_like_spec(text):
            if not (SPEC_PUNCTUATION & set(text)):
                # A bare kind name ("cosine", "linear") is a framework's scheduler name, not a
                # spec; it is read only when it parses ("constant").
                try:
                    parse_spec(text)
                except SpecError:
                    return
            self.schedule(node, text, TextKind.SPEC, scopes)

    def eval_strings(self, node: Node, text: str) -> None:
        start = self._verbatim(node, text)
        for offset, body in eval_bodies(text):
            self._count(node)
            try:
                compile_expression(body)
            except ExpressionError as error:
                column = None if start is None else start + offset
                problem = ParseError(body, TextKind.EXPRESSION, error)
                self.found.append(FoundText(node, body, problem, text_column=column))

    def schedule(self, node: Node, text: str, kind: TextKind, scopes: Scopes) -> None:
        self._count(node)
        column = self._verbatim(node, text)
        parsed = parse_text(text, kind)
        if isinstance(parsed, ParseError):
            self.found.append(FoundText(node, text, parsed, text_column=column))
            return
        base_lrs = parsed.base_lrs
        if not base_lrs:
            found = self.context.find(scopes, BASE_LR_KEYS, _base_lrs)
            base_lrs = found[2] if found else ()
        param = parsed.expression.param if parsed.expression else None
        run = self.context.find(scopes, _run_keys(param), _count)
        self.found.append(FoundText(node, text, parsed, column, base_lrs,
                                    RunLength(*run) if run else None))

    # -- columns inside strings ---------------------------------------------------------------

    def _line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self.doc.text.splitlines()
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def _verbatim(self, node: Node, text: str) -> int | None:
        """The column of ``text`` when the file holds it verbatim on the value's line: right
        at the value (plain scalar) or after its opening quote (or a one-letter prefix)."""
        if "\n" in text or "\r" in text:
            return None
        line = self._line(node.line)
        for shift in (0, 1, 2):
            start = node.column - 1 + shift
            if line[start:start + len(text)] == text:
                return start + 1
        return None
