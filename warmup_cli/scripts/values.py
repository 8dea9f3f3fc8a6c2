"""What an expression of a training script holds where it is used, without running the script.

Names are looked up the way Python does (the function's locals, then the enclosing functions,
then the module), each through the definitions that reach the use (:mod:`.scope`). What is
followed: literals and arithmetic (bounded, with the expression sandbox's own operators),
module constants and dict/list literals (``hyp["lrf"]``), ``argparse`` defaults
(``args.warmup_steps``, :mod:`.argparse_defaults`), one call into a function of the file (its
parameters bound from the call, or from its one call site when the use sits inside it),
``functools.partial`` keywords, closures and lambdas, ``self.x`` set in ``__init__`` (bound
from the class's construction), ``min``/``max``/``int``/``float``/``round``/``abs``/``len`` and
``math.*``.

What stays open raises :class:`Unresolved` with the place and the ``--set NAME=VALUE`` that
closes it (``len(train_loader)``, ``cfg.lr`` of a config read at run time, a parameter nobody
passes). A use that depends on a condition warmup_cli does not decide (a branch on an
``argparse`` flag, a function called from two places) raises :class:`Branch`: the caller reads
the script once per answer (:func:`worlds`), each answer naming an alternative.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warmup_cli.configs.python_fold import Cannot, fold
from warmup_cli.expr.allowlist import MATH_CONSTANTS, MATH_FUNCTIONS
from warmup_cli.scripts.argparse_defaults import Argument, arguments
from warmup_cli.scripts.assignments import canonical, parse_set
from warmup_cli.scripts.model import Span
from warmup_cli.scripts.nodes import module_nodes
from warmup_cli.scripts.scope import Definition, assigned_names, reaching
from warmup_cli.scripts.worlds import Branch, World, worlds

MAX_WORK = 50_000  # expression nodes evaluated per query
MAX_DEPTH = 6  # nested calls into functions of the file
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass(frozen=True)
class Open:
    """A value known only when the script runs: ``why``, where, and the name ``--set`` takes
    to supply it (None when no single name would)."""

    why: str
    at: Span
    set_name: str | None = None

    def describe(self) -> str:
        text = f"line {self.at.line}: {self.why}"
        return text + (f" (--set '{self.set_name}=VALUE')" if self.set_name else "")


class Unresolved(Exception):
    def __init__(self, open_value: Open) -> None:
        super().__init__(open_value.why)
        self.open = open_value


@dataclass(frozen=True)
class Opaque:
    """A value the reader keeps only to know what it is (a module, a parser, a model)."""

    what: str


@dataclass(frozen=True)
class Namespace:
    """What ``parser.parse_args()`` returns."""


@dataclass(eq=False, repr=False)
class Frame:
    """One activation: a function of the file (None: the module) with its parameters bound,
    the lexically enclosing frame, the instance for ``self``, and the line uses are read at."""

    function: FunctionNode | None
    body: Sequence[ast.stmt]
    parent: Frame | None
    line: int | None
    params: dict[str, Thunk] = field(default_factory=dict)
    instance: Instance | None = None


@dataclass(eq=False, repr=False)
class Thunk:
    """An argument: an expression of the caller, evaluated when first used."""

    expr: ast.expr | None
    frame: Frame | None
    line: int | None
    ready: Any = None
    has_value: bool = False


@dataclass(eq=False, repr=False)
class Function:
    """A callable of the file: a ``def`` or ``lambda`` with the frame it closes over;
    ``bound`` holds ``functools.partial`` keywords, ``instance`` the object of a method."""

    node: FunctionNode
    frame: Frame
    bound: dict[str, Thunk] = field(default_factory=dict)
    instance: Instance | None = None

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<lambda>")


@dataclass(eq=False, repr=False)
class Instance:
    """An object of a class of the file, with the ``__init__`` frame its attributes are read
    in (None when the class has no ``__init__``)."""

    cls: ast.ClassDef
    init: Frame | None


@dataclass(frozen=True)
class ClassRef:
    node: ast.ClassDef


_BUILTINS: dict[str, Callable[..., Any]] = {
    "min": min, "max": max, "abs": abs, "round": round, "int": int, "float": float,
    "bool": bool, "len": len, "sum": sum,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Is: operator.is_,
    ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_TYPES: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "str": str}


def _open(node: ast.AST, why: str, set_name: str | None = None) -> Unresolved:
    at = Span.of(node) if isinstance(node, ast.expr | ast.stmt) else Span(1, 1, 1, 1)
    return Unresolved(Open(why, at, set_name))


def _function_of(body: Sequence[ast.stmt], name: str) -> ast.AST | None:
    return next((item for item in body if isinstance(
        item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and item.name == name),
        None)


class ScriptValues:
    """The values of one script in one world: ``overrides`` are the ``--set`` values (keyed by
    :func:`canonical`), ``assume`` the answers to the :class:`Branch` keys taken so far.
    Implements the ``Values`` protocol of :mod:`warmup_cli.scripts.model`."""

    def __init__(self, module: ast.Module, *, overrides: Mapping[str, Any] | None = None,
                 assume: Mapping[str, str] | None = None,
                 known: Mapping[int, Any] | None = None) -> None:
        self.module = module
        # Calls whose value the syntactic layer knows (an optimizer or scheduler built in the
        # file), by the id of their node: a name bound to one resolves to that record.
        self.known = dict(known or {})
        self.overrides = dict(overrides or {})
        self.assume = dict(assume or {})
        self.used: set[str] = set()  # the --set names this world used
        self.args: dict[str, Argument] = arguments(module)
        self.root = Frame(None, module.body, None, None)
        self.work = 0
        self.depth = 0
        self.in_condition = 0
        self._resolving: set[tuple[str, int, int | None]] = set()
        self._calls: list[ast.Call] = [n for n in module_nodes(module)
                                       if isinstance(n, ast.Call)]

    # -- the Values protocol and entry points ----------------------------------------------

    def number(self, node: ast.expr, scope: tuple[str, ...]) -> float | None:
        try:
            value = self.value(node, scope)
        except (Unresolved, Branch):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return value

    def value(self, node: ast.expr, scope: tuple[str, ...]) -> Any:
        """``node`` evaluated where it sits (``scope`` as in ``Construction.scope``)."""
        self.work = 0
        return self.evaluate(node, self.frame(scope, node.lineno))

    def frame(self, scope: tuple[str, ...], line: int | None) -> Frame:
        """The frame of the function ``scope`` names, its parameters bound from its one call
        site (a :class:`Branch` over several), read at ``line``."""
        # Functions run once the module has run: their module-level names are read at its
        # end; an enclosing function's names where the inner function is defined.
        frame = self.root
        body: Sequence[ast.stmt] = self.module.body
        cls: ast.ClassDef | None = None
        for name in scope:
            node = _function_of(body, name)
            if isinstance(node, ast.ClassDef):
                cls, body = node, node.body
                continue
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                break
            parent = frame if frame is self.root else _at_line(frame, node.lineno)
            instance = self._instance(cls) if cls is not None else None
            inner = Frame(node, node.body, parent, None, instance=instance)
            self._bind_from_callers(inner, node, cls)
            frame, body, cls = inner, node.body, None
        return _at_line(frame, line)

    # -- evaluation ------------------------------------------------------------------------

    def evaluate(self, node: ast.expr, frame: Frame) -> Any:
        self.work += 1
        if self.work > MAX_WORK:
            raise _open(node, "takes too much work to evaluate")
        if isinstance(node, ast.Call) and id(node) in self.known:
            return self.known[id(node)]
        if isinstance(node, ast.Name | ast.Attribute | ast.Subscript | ast.Call):
            key = canonical(node)
            if key in self.overrides:
                self.used.add(key)
                return self.overrides[key]
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise _open(node, f"`{_short(node)}` is not evaluated")
        return handler(self, node, frame)

    def _constant(self, node: ast.Constant, frame: Frame) -> Any:
        return node.value

    def _collection(self, node: ast.List | ast.Tuple | ast.Set, frame: Frame) -> Any:
        items = [self.evaluate(item, frame) for item in node.elts
                 if not isinstance(item, ast.Starred)]
        if len(items) != len(node.elts):
            raise _open(node, f"`{_short(node)}` unpacks with *")
        return items if isinstance(node, ast.List) else tuple(items)

    def _dict(self, node: ast.Dict, frame: Frame) -> Any:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise _open(node, f"`{_short(node)}` unpacks with **")
            out[self.evaluate(key, frame)] = _Lazy(self, value, frame)
        return out

    def _unary(self, node: ast.UnaryOp, frame: Frame) -> Any:
        operand = self.evaluate(node.operand, frame)
        if isinstance(node.op, ast.Not):
            return not operand
        if not isinstance(operand, int | float):
            raise _open(node, f"`{_short(node)}` is not a number")
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return +operand
        return ~operand if isinstance(operand, int) else _fail(node, "inverts a float")

    def _binop(self, node: ast.BinOp, frame: Frame) -> Any:
        left, right = self.evaluate(node.left, frame), self.evaluate(node.right, frame)
        try:
            return fold(node.op, left, right)
        except Cannot as exc:
            raise _open(node, f"`{_short(node)}` {exc.reason}") from None

    def _boolop(self, node: ast.BoolOp, frame: Frame) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        for item in node.values:
            value = self.evaluate(item, frame)
            if (not value) if is_and else value:
                return value
        return value

    def _compare(self, node: ast.Compare, frame: Frame) -> Any:
        left = self.evaluate(node.left, frame)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.evaluate(comparator, frame)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                raise _open(node, f"`{_short(node)}` compares values of different kinds") \
                    from None
            left = right
        return True

    def _ifexp(self, node: ast.IfExp, frame: Frame) -> Any:
        chosen = self.decide(node.test, frame)
        return self.evaluate(node.body if chosen else node.orelse, frame)

    def _lambda(self, node: ast.Lambda, frame: Frame) -> Any:
        return Function(node, frame)

    def _subscript(self, node: ast.Subscript, frame: Frame) -> Any:
        container = self.evaluate(node.value, frame)
        if isinstance(node.slice, ast.Slice):
            raise _open(node, f"`{_short(node)}` is a slice", canonical(node))
        key = self.evaluate(node.slice, frame)
        try:
            item = container[key]
        except (KeyError, IndexError, TypeError):
            raise _open(node, f"`{_short(node)}` is not in what this file shows",
                        canonical(node)) from None
        return item.get() if isinstance(item, _Lazy) else item

    def _attribute(self, node: ast.Attribute, frame: Frame) -> Any:
        if isinstance(node.value, ast.Name) and node.value.id == "math" \
                and node.attr in MATH_CONSTANTS and self._is_math(node.value, frame):
            return MATH_CONSTANTS[node.attr]
        base = self.evaluate(node.value, frame)
        if isinstance(base, Namespace):
            return self._argument(node, node.attr)
        if isinstance(base, Instance):
            return self._self_attribute(node, base)
        raise _open(node, f"`{_short(node)}` is only known when the script runs",
                    canonical(node))

    def _name(self, node: ast.Name, frame: Frame) -> Any:
        return self.lookup(node.id, frame, node)

    # -- names -----------------------------------------------------------------------------

    def lookup(self, name: str, frame: Frame, at: ast.expr) -> Any:
        key = (name, id(frame.function), frame.line)
        if key in self._resolving:
            raise _open(at, f"`{name}` depends on itself here", name)
        self._resolving.add(key)
        try:
            return self._lookup(name, frame, at)
        finally:
            self._resolving.discard(key)

    def _lookup(self, name: str, frame: Frame, at: ast.expr) -> Any:
        current: Frame | None = frame
        while current is not None:
            function = current.function
            if function is None or name in assigned_names(function):
                initial: list[Definition] = []
                if name in current.params:
                    initial = [Definition(None, function or at, why="parameter")]
                elif function is not None and name in _params(function):
                    raise _open(at, f"`{name}` is a parameter of {_name_of(function)}() that "
                                    "no call in this file passes", name)
                if isinstance(function, ast.Lambda):
                    defs = initial
                else:
                    defs = reaching(current.body, name, current.line, initial)
                if defs:
                    return self._definitions(name, defs, current, at)
                if function is not None:
                    raise _open(at, f"`{name}` is not assigned before line {current.line}",
                                name)
            current = current.parent
        if name in _BUILTINS:
            return _Builtin(name)
        raise _open(at, f"`{name}` is not defined in this file", name)

    def _definitions(self, name: str, defs: list[Definition], frame: Frame,
                     at: ast.expr) -> Any:
        live = [d for d in defs if self._holds(d, frame)]
        if not live:
            raise _open(at, f"`{name}` is not assigned on the path to line {frame.line}", name)
        if len(live) > 1:
            values = [self._definition(name, d, frame, at) for d in live]
            if all(_same(values[0], v) for v in values[1:]):
                return values[0]
            raise _open(at, f"`{name}` has {len(live)} definitions here", name)
        return self._definition(name, live[0], frame, at)

    def _holds(self, definition: Definition, frame: Frame) -> bool:
        # a condition is evaluated where its `if` stands, not where the name is used
        return all(self.decide(test, _at_line(frame, test.lineno)) is wanted
                   for test, wanted in definition.conditions)

    def _definition(self, name: str, definition: Definition, frame: Frame,
                    at: ast.expr) -> Any:
        value = definition.value
        if definition.why == "parameter":
            return self._param(frame.params[name])
        if value is None:
            raise _open(definition.at, f"`{name}` {definition.why}", name)
        if isinstance(value, ast.FunctionDef | ast.AsyncFunctionDef):
            return Function(value, frame)
        if isinstance(value, ast.ClassDef):
            return ClassRef(value)
        if isinstance(value, ast.alias):
            return Opaque(value.name)
        line = definition.at.lineno if isinstance(definition.at, ast.stmt) else frame.line
        return self.evaluate(value, _at_line(frame, line))

    def _param(self, thunk: Thunk) -> Any:
        if not thunk.has_value:
            if thunk.expr is None or thunk.frame is None:
                raise Unresolved(Open("a parameter has no value", Span(1, 1, 1, 1)))
            thunk.ready = self.evaluate(thunk.expr, _at_line(thunk.frame, thunk.line))
            thunk.has_value = True
        return thunk.ready

    def decide(self, test: ast.expr, frame: Frame) -> bool:
        """Whether ``test`` holds: from its value, else from the world's assumption, else a
        :class:`Branch` over it. A branch on an ``argparse`` flag is never decided by the
        flag's default: both runs are real."""
        key = canonical(test)
        if key in self.assume:
            return self.assume[key] == "true"
        self.in_condition += 1
        try:
            return bool(self.evaluate(test, frame))
        except Unresolved:
            raise Branch(key, ("true", "false")) from None
        finally:
            self.in_condition -= 1

    # -- argparse and instances ------------------------------------------------------------

    def _argument(self, node: ast.Attribute, dest: str) -> Any:
        argument = self.args.get(dest)
        name = canonical(node)
        if argument is None or argument.ambiguous:
            why = "is not declared by an add_argument of this file" if argument is None \
                else "has two argparse declarations with different defaults"
            raise _open(node, f"`{name}` {why}", name)
        if argument.flag and self.in_condition:
            raise _open(node, f"`{name}` is a command-line flag", name)
        if argument.required:
            raise _open(node, f"`{name}` is a required command-line argument", name)
        if argument.default is None:
            if argument.flag_default is not None:
                return argument.flag_default
            raise _open(node, f"`{name}` has no default (argparse gives None)", name)
        value = self.evaluate(argument.default, self.root)
        if isinstance(value, str) and argument.type_name is not None:
            convert = _TYPES.get(argument.type_name)
            if convert is None:
                raise _open(node, f"`{name}`'s default goes through type={argument.type_name}",
                            name)
            try:
                return convert(value)
            except ValueError:
                raise _open(node, f"`{name}`'s default {value!r} is not a valid "
                                  f"{argument.type_name}", name) from None
        return value

    def _instance(self, cls: ast.ClassDef) -> Instance:
        init = _function_of(cls.body, "__init__")
        if not isinstance(init, ast.FunctionDef):
            return Instance(cls, None)
        instance = Instance(cls, None)
        frame = Frame(init, init.body, self.root, None, instance=instance)
        self._bind_from_callers(frame, init, cls)
        instance.init = frame
        return instance

    def _self_attribute(self, node: ast.Attribute, instance: Instance) -> Any:
        methods = [item for item in instance.cls.body if isinstance(item, ast.FunctionDef)]
        methods.sort(key=lambda item: item.name != "__init__")
        for method in methods:
            assigned = [stmt for stmt in ast.walk(method) if isinstance(stmt, ast.Assign)
                        and any(canonical(t) == f"self.{node.attr}" for t in stmt.targets)]
            if not assigned:
                continue
            if len(assigned) > 1 or method.name != "__init__" or instance.init is None:
                break
            stmt = assigned[0]
            return self.evaluate(stmt.value, _at_line(instance.init, stmt.lineno))
        defined = _function_of(instance.cls.body, node.attr)
        if isinstance(defined, ast.FunctionDef):
            return Function(defined, self.root, instance=instance)
        raise _open(node, f"`{canonical(node)}` is not set once in __init__",
                    canonical(node))

    # -- calls -----------------------------------------------------------------------------

    def _call(self, node: ast.Call, frame: Frame) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in ("parse_args", "parse_known_args"):
                return Namespace() if func.attr == "parse_args" else (Namespace(), [])
            if func.attr == "partial" or (isinstance(func.value, ast.Name)
                                          and func.value.id == "math"):
                return self._library_call(node, func.attr, frame)
            if func.attr == "ArgumentParser":
                return Opaque("argparse.ArgumentParser")
        try:
            callee = self.evaluate(func, frame)
        except Unresolved:
            raise _open(node, f"`{_short(node)}` is only known when the script runs",
                        canonical(node)) from None
        if isinstance(callee, Opaque) and self._functools_partial(func, callee):
            return self._library_call(node, "partial", frame)
        if isinstance(callee, Opaque):
            raise _open(node, f"`{_short(node)}` calls {callee.what}, which is defined in "
                              "another module (warmup_cli reads this file only)",
                        canonical(node))
        if isinstance(callee, _Builtin):
            return self._builtin(node, callee.name, frame)
        if isinstance(callee, Function):
            return self.call(callee, node, frame)
        if isinstance(callee, ClassRef):
            return self.construct(callee.node, node, frame)
        raise _open(node, f"`{_short(node)}` is only known when the script runs",
                    canonical(node))

    def _functools_partial(self, func: ast.expr, callee: Opaque) -> bool:
        """Whether ``func`` names functools.partial imported by name (``from functools import
        partial [as p]``): a name bound to an import, so the file's own import says which."""
        if callee.what != "partial" or not isinstance(func, ast.Name):
            return False
        return any(isinstance(node, ast.ImportFrom) and node.module == "functools"
                   and any(alias.name == "partial" and (alias.asname or alias.name) == func.id
                           for alias in node.names)
                   for node in module_nodes(self.module))

    def _library_call(self, node: ast.Call, name: str, frame: Frame) -> Any:
        args = [self.evaluate(arg, frame) for arg in node.args]
        if name == "partial":
            if not args or not isinstance(args[0], Function):
                raise _open(node, f"`{_short(node)}` is a partial of a function of another "
                                  "module")
            target: Function = args[0]
            bound = dict(target.bound)
            bound.update({item.arg: Thunk(item.value, frame, node.lineno)
                          for item in node.keywords if item.arg is not None})
            if len(node.args) > 1:
                raise _open(node, "functools.partial with positional arguments is not "
                                  "followed")
            return Function(target.node, target.frame, bound, target.instance)
        entry = MATH_FUNCTIONS.get(name)
        if entry is None or node.keywords:
            raise _open(node, f"`{_short(node)}` is not evaluated", canonical(node))
        return _apply(node, entry[0], args)

    def _builtin(self, node: ast.Call, name: str, frame: Frame) -> Any:
        if node.keywords:
            raise _open(node, f"`{_short(node)}` uses keyword arguments")
        try:
            args = [self.evaluate(arg, frame) for arg in node.args]
        except Unresolved:
            if name != "len":
                raise
            raise _open(node, f"`{_short(node)}` is only known when the script runs",
                        canonical(node)) from None
        if name == "len" and (len(args) != 1 or not isinstance(args[0], list | tuple | str
                                                                 | dict)):
            raise _open(node, f"`{_short(node)}` is only known when the script runs",
                        canonical(node))
        return _apply(node, _BUILTINS[name], args)

    def call(self, function: Function, node: ast.Call | None, frame: Frame | None) -> Any:
        """What calling ``function`` at ``node`` returns: a lambda's body, or a ``def``'s one
        ``return`` at the end of its body."""
        if self.depth >= MAX_DEPTH:
            raise _open(node or function.node, "calls nest too deeply to follow")
        inner = self.enter(function, node, frame)
        fn = function.node
        self.depth += 1
        try:
            if isinstance(fn, ast.Lambda):
                return self.evaluate(fn.body, inner)
            returns = [stmt for stmt in ast.walk(fn) if isinstance(stmt, ast.Return)]
            last = fn.body[-1] if fn.body else None
            if len(returns) != 1 or returns[0] is not last or last.value is None:
                raise _open(node or fn, f"{function.name}() does not end in its one return")
            inner.line = last.lineno
            return self.evaluate(last.value, inner)
        finally:
            self.depth -= 1

    def enter(self, function: Function, node: ast.Call | None, frame: Frame | None,
              skip: int = 0) -> Frame:
        """A new frame of ``function``, its parameters bound from ``node`` (made in
        ``frame``), then from its partial keywords and defaults; ``skip`` leading parameters
        (``self``, the step) stay unbound."""
        fn = function.node
        inner = Frame(fn, fn.body if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                      else [], function.frame, None, instance=function.instance)
        params = _params(fn)
        if function.instance is not None and params and isinstance(fn, ast.FunctionDef):
            params = params[1:]
            inner.params[_params(fn)[0]] = Thunk(None, None, None, function.instance, True)
        params = params[skip:]
        if node is not None and frame is not None:
            self._bind_call(inner, params, node, frame)
        for name, thunk in function.bound.items():
            inner.params.setdefault(name, thunk)
        self._defaults(inner, fn)
        return inner

    def construct(self, cls: ast.ClassDef, node: ast.Call, frame: Frame) -> Instance:
        init = _function_of(cls.body, "__init__")
        instance = Instance(cls, None)
        if isinstance(init, ast.FunctionDef):
            inner = Frame(init, init.body, self.root, None, instance=instance)
            inner.params[_params(init)[0]] = Thunk(None, None, None, instance, True)
            self._bind_call(inner, _params(init)[1:], node, frame)
            self._defaults(inner, init)
            instance.init = inner
        return instance

    def _bind_call(self, inner: Frame, params: Sequence[str], node: ast.Call,
                   frame: Frame) -> None:
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
                item.arg is None for item in node.keywords):
            raise _open(node, f"`{_short(node)}` passes *args or **kwargs")
        for name, arg in zip(params, node.args, strict=False):
            inner.params[name] = Thunk(arg, frame, node.lineno)
        for item in node.keywords:
            if item.arg is not None:
                inner.params[item.arg] = Thunk(item.value, frame, node.lineno)

    def _defaults(self, inner: Frame, fn: FunctionNode) -> None:
        args = fn.args
        positional = [*args.posonlyargs, *args.args]
        pairs = [*zip(positional[len(positional) - len(args.defaults):], args.defaults,
                      strict=True),
                 *((arg, default) for arg, default in zip(args.kwonlyargs, args.kw_defaults,
                                                          strict=True) if default is not None)]
        parent = inner.parent or self.root
        for arg, default in pairs:
            inner.params.setdefault(arg.arg, Thunk(default, parent, default.lineno))

    def _bind_from_callers(self, frame: Frame, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                           cls: ast.ClassDef | None) -> None:
        """Parameters of the function a use sits in, from its one call site in the file (a
        :class:`Branch` when there are several)."""
        params = _params(fn)
        if cls is not None and params:
            frame.params[params[0]] = Thunk(None, None, None, frame.instance, True)
            params = params[1:]
        sites = self._call_sites(fn, cls)
        if len(sites) > 1:
            key = f"{fn.name}() called at"
            options = tuple(f"line {call.lineno}" for call, _ in sites)
            chosen = self.assume.get(key)
            if chosen is None:
                raise Branch(key, options)
            sites = [site for site in sites if f"line {site[0].lineno}" == chosen]
        if sites:
            call, caller = sites[0]
            self._bind_call(frame, params, call, self.frame(caller, call.lineno))
        self._defaults(frame, fn)

    def _call_sites(self, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                    cls: ast.ClassDef | None) -> list[tuple[ast.Call, tuple[str, ...]]]:
        wanted = cls.name if cls is not None and fn.name == "__init__" else fn.name
        found = []
        for call in self._calls:
            func = call.func
            if (isinstance(func, ast.Name) and func.id == wanted) or (
                    cls is not None and fn.name != "__init__" and isinstance(func, ast.Attribute)
                    and func.attr == fn.name and isinstance(func.value, ast.Name)
                    and func.value.id == "self"):
                found.append((call, scope_of(self.module, call)))
        return found

    def _is_math(self, node: ast.Name, frame: Frame) -> bool:
        try:
            value = self.lookup(node.id, frame, node)
        except Unresolved:
            return False
        return isinstance(value, Opaque) and value.what == "math"


@dataclass(frozen=True)
class _Builtin:
    name: str


class _Lazy:
    """A dict literal's value, evaluated when read (``hyp["lrf"]`` needs only one entry)."""

    def __init__(self, values: ScriptValues, node: ast.expr, frame: Frame) -> None:
        self.values, self.node, self.frame = values, node, frame

    def get(self) -> Any:
        return self.values.evaluate(self.node, self.frame)


def _params(fn: FunctionNode) -> list[str]:
    args = fn.args
    return [arg.arg for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def _name_of(fn: FunctionNode) -> str:
    return getattr(fn, "name", "lambda")


def _at_line(frame: Frame, line: int | None) -> Frame:
    if frame.line == line:
        return frame
    return Frame(frame.function, frame.body, frame.parent, line, frame.params, frame.instance)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float | str | bool | None) and isinstance(b, int | float | str
                                                                       | bool | None):
        return type(a) is type(b) and a == b
    return a is b


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(node: ast.AST, why: str) -> Any:
    raise _open(node, f"`{_short(node)}` {why}")


def _apply(node: ast.Call, function: Callable[..., Any], args: list[Any]) -> Any:
    if any(not isinstance(arg, int | float | str | list | tuple | dict | bool) for arg in args):
        raise _open(node, f"`{_short(node)}` is called on something that is not a value")
    try:
        result = function(*args)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise _open(node, f"`{_short(node)}` raises {type(exc).__name__}: {exc}") from None
    if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > 4096:
        raise _open(node, f"`{_short(node)}` is too large to evaluate")
    return result


def scope_of(module: ast.Module, target: ast.AST) -> tuple[str, ...]:
    """The qualified name of the function or class holding ``target`` (empty at module
    level), found by position."""
    scope: list[str] = []
    body: Sequence[ast.stmt] = module.body
    line = getattr(target, "lineno", 0)
    while True:
        holder = next((item for item in body if isinstance(
            item, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and item.lineno <= line <= (item.end_lineno or item.lineno)), None)
        if holder is None:
            nested = [child for item in body if isinstance(item, _BLOCKS)
                      and item.lineno <= line <= (item.end_lineno or item.lineno)
                      for child in _children(item)]
            if not nested:
                return tuple(scope)
            body = nested
            continue
        scope.append(holder.name)
        body = holder.body


_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)


def _children(stmt: ast.stmt) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        out.extend(getattr(stmt, name, []) or [])
    for handler in getattr(stmt, "handlers", []) or []:
        out.extend(handler.body)
    return out


_HANDLERS: dict[type[ast.expr], Callable[[ScriptValues, Any, Frame], Any]] = {
    ast.Constant: ScriptValues._constant,
    ast.List: ScriptValues._collection,
    ast.Tuple: ScriptValues._collection,
    ast.Dict: ScriptValues._dict,
    ast.UnaryOp: ScriptValues._unary,
    ast.BinOp: ScriptValues._binop,
    ast.BoolOp: ScriptValues._boolop,
    ast.Compare: ScriptValues._compare,
    ast.IfExp: ScriptValues._ifexp,
    ast.Lambda: ScriptValues._lambda,
    ast.Subscript: ScriptValues._subscript,
    ast.Attribute: ScriptValues._attribute,
    ast.Name: ScriptValues._name,
    ast.Call: ScriptValues._call,
}


__all__ = ["Branch", "ClassRef", "Frame", "Function", "Instance", "Namespace", "Opaque", "Open",
           "ScriptValues", "Thunk", "Unresolved", "World", "canonical", "parse_set",
           "scope_of", "worlds"]
