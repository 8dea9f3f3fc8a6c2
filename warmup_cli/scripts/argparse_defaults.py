"""The ``argparse`` arguments a script declares: ``args.warmup_steps`` and where its default
comes from.

Every ``X.add_argument(...)`` call of the file counts, whatever ``X`` is (a parser, an
argument group, a subparser): scripts build them in many ways, and the destination names are
what ``args.NAME`` reads. A string default goes through ``type=`` as argparse does it
(only for strings). The destination follows argparse (``Lib/argparse.py``,
``_get_optional_kwargs``; ``set_defaults`` changes ``action.default``, still typed): ``dest=``
when given, else the first long option string
(``--warmup-steps``) without its dashes, ``-`` turned into ``_``; a positional argument's first
string is its destination. ``set_defaults(name=...)`` replaces a default. Two arguments with
one destination and different defaults are ambiguous: no default is taken for them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from warmup_cli.scripts.model import Span
from warmup_cli.scripts.nodes import module_nodes

FLAG_ACTIONS = {"store_true": False, "store_false": True}


@dataclass(frozen=True)
class Argument:
    """One destination: ``default`` is the expression argparse uses (None: argparse's own
    default, None), ``type_name`` the ``type=`` callable when it is a plain name, ``flag`` a
    ``store_true``/``store_false``/``BooleanOptionalAction`` switch (its default is then
    ``flag_default`` unless ``default=`` is given)."""

    dest: str
    default: ast.expr | None
    type_name: str | None
    flag: bool
    flag_default: bool | None
    at: Span
    required: bool = False
    ambiguous: bool = False


def _string(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((item.value for item in call.keywords if item.arg == name), None)


def _dest(call: ast.Call) -> str | None:
    explicit = _keyword(call, "dest")
    if explicit is not None:
        return _string(explicit)
    strings = [text for text in map(_string, call.args) if text is not None]
    if not strings:
        return None
    long = next((text for text in strings if text.startswith("--")), None)
    if long is not None:
        return long[2:].replace("-", "_")
    if not strings[0].startswith("-"):
        return strings[0]  # a positional argument
    return strings[0].lstrip("-").replace("-", "_")


def _argument(call: ast.Call, dest: str) -> Argument:
    action = _keyword(call, "action")
    action_name = _string(action) if action is not None else None
    boolean_optional = action is not None and isinstance(action, ast.Attribute) \
        and action.attr == "BooleanOptionalAction"
    flag = action_name in FLAG_ACTIONS or boolean_optional
    kind = _keyword(call, "type")
    required = _keyword(call, "required")
    return Argument(
        dest=dest, default=_keyword(call, "default"),
        type_name=kind.id if isinstance(kind, ast.Name) else (
            None if kind is None else ast.unparse(kind)),
        flag=flag,
        flag_default=FLAG_ACTIONS.get(action_name or "") if action_name else None,
        at=Span.of(call),
        required=isinstance(required, ast.Constant) and required.value is True)


def arguments(module: ast.Module) -> dict[str, Argument]:
    """Every argparse destination of ``module``."""
    found: dict[str, Argument] = {}
    defaults: list[ast.Call] = []
    for node in module_nodes(module):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "set_defaults":
            defaults.append(node)
            continue
        if node.func.attr != "add_argument":
            continue
        dest = _dest(node)
        if dest is None:
            continue
        argument = _argument(node, dest)
        known = found.get(dest)
        if known is not None and ast.dump(known.default or ast.Constant(None)) != ast.dump(
                argument.default or ast.Constant(None)):
            argument = Argument(dest, None, None, False, None, argument.at, ambiguous=True)
        found[dest] = argument
    for call in defaults:
        for item in call.keywords:
            if item.arg is not None and item.arg in found:
                known = found[item.arg]
                found[item.arg] = Argument(known.dest, item.value, known.type_name, known.flag,
                                           None, Span.of(call), ambiguous=known.ambiguous)
    return found
