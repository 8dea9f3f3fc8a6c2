"""Where a training script steps, restores and rebinds its schedulers and optimizers.

Each function of the file (and the module body) is a *frame*. Walking a frame's statements
in file order gives every ``x.step(...)``, ``x.load_state_dict(...)`` and ``x.last_epoch =``
as an :class:`Event`, with the loops and ``if`` guards around it and an order key that is
the execution order within one iteration of the loops they share. A call of a helper of the
same file (``train_one_epoch(model, optimizer, scheduler)``, ``self.train_step(batch)``) is
followed one level: the helper's events join the caller's frame, its parameters renamed to
the caller's arguments.

A scheduler construction reaches a frame as a :class:`Handle`: the paths it is known by
there (its target, aliases, the names ``accelerator.prepare`` returns it as), the paths of
its optimizer, and, for a factory of the file that returns it, the call sites of that
factory (one level). Walks are iterative; nothing recurses over the tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from warmup_cli.scripts.constructions import ScriptBuilds
from warmup_cli.scripts.loops import Loop, loop_of
from warmup_cli.scripts.model import Construction, Span
from warmup_cli.scripts.symbols import dotted

Scope = tuple[str, ...]
Order = tuple[int, ...]
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Alias closure rounds: a chain of rebindings longer than this is not followed.
_ALIAS_ROUNDS = 8


class EventKind(StrEnum):
    STEP = "step"  # x.step(...)
    LOAD = "load_state_dict"  # x.load_state_dict(...)
    SET_LAST_EPOCH = "last_epoch"  # x.last_epoch = ...


@dataclass(frozen=True)
class Guard:
    """An ``if`` (``test``; ``negated`` in its ``else``) or an ``except``/``case`` block
    (``test`` None) around an event; ``depth`` is the number of loops around the guard."""

    test: ast.expr | None
    negated: bool
    depth: int


@dataclass(frozen=True)
class Site:
    """Where a statement sits in its frame: order key, loops and guards around it."""

    order: Order
    loops: tuple[Loop, ...]
    guards: tuple[Guard, ...]


@dataclass(frozen=True)
class Event:
    """One call on a receiver: ``receiver`` is a dotted path in the names of ``scope``
    (the caller's, for a helper's parameters), ``frame`` the function whose execution
    order ``site.order`` counts, ``via`` the helper call it was reached through."""

    kind: EventKind
    receiver: str
    node: ast.Call | ast.Assign
    at: Span
    scope: Scope
    frame: Scope
    site: Site
    via: ast.Call | None = None
    # The dotted path of the first positional argument, renamed like the receiver
    # (``scaler.step(optimizer)``).
    argument: str | None = None

    @property
    def call(self) -> ast.Call | None:
        return self.node if isinstance(self.node, ast.Call) else None

    @property
    def loops(self) -> tuple[Loop, ...]:
        return self.site.loops

    @property
    def guards(self) -> tuple[Guard, ...]:
        return self.site.guards


@dataclass(frozen=True)
class Frame:
    scope: Scope
    node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
    events: tuple[Event, ...]
    # id() of every call and statement of the frame (not of followed helpers) → its site.
    sites: dict[int, Site] = field(compare=False)

    def site_of(self, node: ast.AST) -> Site | None:
        return self.sites.get(id(node))


@dataclass(frozen=True)
class Handle:
    """A scheduler construction as one frame knows it."""

    construction: Construction
    frame: Scope
    paths: frozenset[str]
    optimizers: frozenset[str]
    site: ast.Call  # the construction, or the call of the factory that returned it
    prepared: bool = False  # passed through accelerator.prepare (an AcceleratedScheduler)


def visible(owner: Scope, path: str, scope: Scope) -> bool:
    """Whether ``path`` bound in frame ``owner`` is what ``path`` means in ``scope``:
    the same or an enclosing function, or ``self.x`` in another method of the class."""
    if scope[:len(owner)] == owner:
        return True
    return (path.startswith("self.") and len(owner) >= 2 and len(scope) >= 2
            and owner[:-1] == scope[:-1])


def _functions(module: ast.Module) -> dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef]:
    found: dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    stack: list[tuple[ast.AST, Scope]] = [(module, ())]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (*_FUNCTIONS, ast.ClassDef)):
                inner = (*scope, child.name)
                if isinstance(child, _FUNCTIONS):
                    found[inner] = child
                stack.append((child, inner))
            elif not isinstance(child, ast.Lambda):
                stack.append((child, scope))
    return found


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    return [arg.arg for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]


def bind_arguments(function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call,
                   method: bool) -> dict[str, ast.expr]:
    """The helper's parameters bound to the call's argument expressions (``*args`` and
    ``**kwargs`` leave the positions they hide unbound)."""
    names = [arg.arg for arg in (*function.args.posonlyargs, *function.args.args)]
    if method and names:
        names = names[1:]
    bound: dict[str, ast.expr] = {}
    for index, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            break
        if index < len(names):
            bound[names[index]] = argument
    keyword_names = set(parameters(function))
    for keyword in call.keywords:
        if keyword.arg is not None and keyword.arg in keyword_names:
            bound[keyword.arg] = keyword.value
    return bound


def _rename(path: str, renames: dict[str, str]) -> str | None:
    head, dot, rest = path.partition(".")
    if head in renames:
        return renames[head] + dot + rest
    return None


def _blocks(statement: ast.stmt) -> Iterator[tuple[str, list[ast.stmt]]]:
    """A compound statement's blocks by role: body, orelse, handler, finally."""
    if isinstance(statement, ast.If | ast.For | ast.AsyncFor | ast.While):
        yield "body", statement.body
        yield "orelse", statement.orelse
    elif isinstance(statement, ast.With | ast.AsyncWith):
        yield "plain", statement.body
    elif isinstance(statement, ast.Try | ast.TryStar):
        yield "plain", statement.body
        for handler in statement.handlers:
            yield "handler", handler.body
        yield "plain", statement.orelse
        yield "plain", statement.finalbody
    elif isinstance(statement, ast.Match):
        for case in statement.cases:
            yield "handler", case.body


def _expressions(statement: ast.stmt) -> Iterator[ast.AST]:
    """The nodes a statement evaluates itself (not those of its blocks), lambdas and
    nested definitions left out."""
    roots: list[ast.AST] = []
    for child in ast.iter_child_nodes(statement):
        if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
            continue
        roots.append(child)
    while roots:
        node = roots.pop()
        if isinstance(node, _NESTED):
            continue
        yield node
        roots.extend(ast.iter_child_nodes(node))


@dataclass
class _Walk:
    """One walk over a frame's statements (or a followed helper's, ``renames`` set)."""

    scope: Scope  # where receivers are looked up
    frame: Scope
    method_class: Scope | None  # the class of the frame, for self.helper(...)
    renames: dict[str, str] | None = None
    via: ast.Call | None = None
    events: list[Event] = field(default_factory=list)
    sites: dict[int, Site] = field(default_factory=dict)
    calls: list[tuple[ast.Call, Site]] = field(default_factory=list)

    def receiver(self, path: str) -> tuple[str, Scope]:
        """The path and the scope it is looked up in: a followed helper's parameters are
        renamed to the caller's arguments, its other names stay its own."""
        renamed = _rename(path, self.renames) if self.renames is not None else None
        return (renamed, self.frame) if renamed is not None else (path, self.scope)

    def add(self, kind: EventKind, path: str | None, node: ast.Call | ast.Assign,
            site: Site) -> None:
        if path is None:
            return
        receiver, scope = self.receiver(path)
        first = None
        if isinstance(node, ast.Call) and node.args:
            written = dotted(node.args[0])
            first = self.receiver(written)[0] if written is not None else None
        self.events.append(Event(kind, receiver, node, Span.of(node), scope, self.frame, site,
                                 self.via, first))

    def statement(self, statement: ast.stmt, site: Site) -> None:
        self.sites[id(statement)] = site
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Attribute) and target.attr == "last_epoch":
                    self.add(EventKind.SET_LAST_EPOCH, dotted(target.value), statement, site)
        for node in _expressions(statement):
            if not isinstance(node, ast.Call):
                continue
            self.sites[id(node)] = site
            self.calls.append((node, site))
            if isinstance(node.func, ast.Attribute) and node.func.attr in {"step",
                                                                          "load_state_dict"}:
                kind = EventKind.STEP if node.func.attr == "step" else EventKind.LOAD
                self.add(kind, dotted(node.func.value), node, site)

    def run(self, body: Sequence[ast.stmt], base: Site) -> None:
        stack: list[tuple[ast.stmt, Site]] = [
            (statement, replace(base, order=(*base.order, index)))
            for index, statement in reversed(list(enumerate(body)))]
        while stack:
            statement, site = stack.pop()
            if isinstance(statement, _NESTED):
                continue
            self.statement(statement, site)
            children: list[tuple[ast.stmt, Site]] = []
            for number, (role, block) in enumerate(_blocks(statement)):
                inner = self._inner(statement, role, site)
                children.extend((child, replace(inner, order=(*site.order, number, index)))
                                for index, child in enumerate(block))
            stack.extend(reversed(children))

    def _inner(self, statement: ast.stmt, role: str, site: Site) -> Site:
        depth = len(site.loops)
        if isinstance(statement, ast.For | ast.AsyncFor | ast.While) and role == "body":
            return replace(site, loops=(*site.loops, loop_of(statement)))
        if isinstance(statement, ast.If) and role in {"body", "orelse"}:
            guard = Guard(statement.test, role == "orelse", depth)
            return replace(site, guards=(*site.guards, guard))
        if role == "handler":
            return replace(site, guards=(*site.guards, Guard(None, False, depth)))
        return site


def _helper(call: ast.Call, frame: Scope,
            functions: dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef]
            ) -> tuple[Scope, bool] | None:
    """The function of the file a call runs (by name, lexically, or ``self.m``)."""
    if isinstance(call.func, ast.Name):
        for depth in range(len(frame), -1, -1):
            candidate = (*frame[:depth], call.func.id)
            if candidate in functions and candidate != frame:
                return candidate, False
        return None
    if (isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "self" and len(frame) >= 2):
        candidate = (*frame[:-1], call.func.attr)
        if candidate in functions and candidate != frame:
            return candidate, True
    return None


def _frame(scope: Scope, node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef,
           functions: dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef]) -> Frame:
    walk = _Walk(scope, scope, scope[:-1] if scope else None)
    walk.run(node.body, Site((), (), ()))
    events = list(walk.events)
    for call, site in walk.calls:
        target = _helper(call, scope, functions)
        if target is None:
            continue
        helper_scope, method = target
        helper = functions[helper_scope]
        renames = {name: path for name, argument in bind_arguments(helper, call, method).items()
                   if (path := dotted(argument)) is not None}
        if method:
            renames.setdefault("self", "self")
        inner = _Walk(helper_scope, scope, None, renames, call)
        inner.run(helper.body, replace(site, order=(*site.order, -1)))
        events.extend(inner.events)
    events.sort(key=lambda event: event.site.order)
    return Frame(scope, node, tuple(events), walk.sites)


@dataclass(frozen=True)
class Flow:
    """Every frame's events and every construction's handles."""

    frames: dict[Scope, Frame]
    handles: tuple[Handle, ...]
    functions: dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef] = field(compare=False)

    def follows(self, call: ast.Call, frame: Scope) -> bool:
        """Whether the call runs a function of the file the frame's walk followed."""
        return _helper(call, frame, self.functions) is not None

    def handles_of(self, construction: Construction) -> list[Handle]:
        return [handle for handle in self.handles if handle.construction is construction]

    def events_on(self, handle: Handle, kind: EventKind | None = None) -> list[Event]:
        """The events on the handle's paths: its own frame's first (with followed helpers),
        then those of other frames that see the same object and were not followed."""
        seen: set[int] = set()
        found: list[Event] = []
        frames = [self.frames[handle.frame],
                  *(frame for scope, frame in self.frames.items() if scope != handle.frame)]
        for frame in frames:
            for event in frame.events:
                if (event.receiver in handle.paths and id(event.node) not in seen
                        and (kind is None or event.kind is kind)
                        and any(visible(handle.frame, path, event.scope)
                                for path in handle.paths if path == event.receiver)):
                    seen.add(id(event.node))
                    found.append(event)
        return found


def _rebindings(frame: Frame) -> Iterator[tuple[str, str, bool]]:
    """(new path, old path, through prepare) for ``a = b`` and
    ``a, b = accelerator.prepare(x, y)`` in the frame's own statements."""
    body = frame.node.body
    stack: list[ast.stmt] = list(body)
    while stack:
        statement = stack.pop()
        if isinstance(statement, _NESTED):
            continue
        for _, block in _blocks(statement):
            stack.extend(block)
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target, value = statement.targets[0], statement.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                and value.func.attr == "prepare":
            sources = value.args
            targets = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
            if len(targets) == len(sources) and not any(
                    isinstance(item, ast.Starred) for item in (*sources, *targets)):
                for new, old in zip(targets, sources, strict=True):
                    new_path, old_path = dotted(new), dotted(old)
                    if new_path and old_path:
                        yield new_path, old_path, True
            continue
        new_path, old_path = dotted(target), dotted(value)
        if new_path and old_path:
            yield new_path, old_path, False


def _close(handle: Handle, rebindings: list[tuple[str, str, bool]]) -> Handle:
    paths, optimizers, prepared = set(handle.paths), set(handle.optimizers), handle.prepared
    for _ in range(_ALIAS_ROUNDS):
        before = (len(paths), len(optimizers))
        for new, old, through_prepare in rebindings:
            if old in paths:
                paths.add(new)
                prepared = prepared or through_prepare
            if old in optimizers:
                optimizers.add(new)
        if (len(paths), len(optimizers)) == before:
            break
    return replace(handle, paths=frozenset(paths), optimizers=frozenset(optimizers),
                   prepared=prepared)


def _returns(function: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.expr]:
    stack: list[ast.stmt] = list(function.body)
    while stack:
        statement = stack.pop()
        if isinstance(statement, _NESTED):
            continue
        for _, block in _blocks(statement):
            stack.extend(block)
        if isinstance(statement, ast.Return) and statement.value is not None:
            yield statement.value


def _returned_paths(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, int]:
    """The dotted paths a function returns in a tuple, by index (``return opt, sched``)."""
    found: dict[str, int] = {}
    for value in _returns(function):
        if isinstance(value, ast.Tuple):
            for index, element in enumerate(value.elts):
                path = dotted(element)
                if path is not None:
                    found.setdefault(path, index)
    return found


def _returned_index(function: ast.FunctionDef | ast.AsyncFunctionDef,
                    handle: Handle | None, construction: Construction) -> int | bool | None:
    """How the function returns the construction: False when it does not, None as the
    whole value, an index into a returned tuple."""
    def names(value: ast.expr) -> bool:
        return value is construction.call or (
            handle is not None and dotted(value) in handle.paths)
    for value in _returns(function):
        if names(value):
            return None
        if isinstance(value, ast.Tuple):
            for index, element in enumerate(value.elts):
                if names(element):
                    return index
    return False


def _call_sites(flow_frames: dict[Scope, Frame], owner: Scope,
                functions: dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef]
                ) -> Iterator[tuple[Frame, ast.Call, bool]]:
    for frame in flow_frames.values():
        if frame.scope == owner:
            continue
        for node in ast.walk(frame.node):
            if isinstance(node, ast.Call) and id(node) in frame.sites:
                found = _helper(node, frame.scope, functions)
                if found is not None and found[0] == owner:
                    yield frame, node, found[1]


def _binding_statement(frame: Frame, call: ast.Call) -> ast.Assign | None:
    for node in ast.walk(frame.node):
        if isinstance(node, ast.Assign) and node.value is call and id(node) in frame.sites:
            return node
    return None


def _factory_handles(construction: Construction, own: Handle | None,
                     frames: dict[Scope, Frame],
                     functions: dict[Scope, ast.FunctionDef | ast.AsyncFunctionDef]
                     ) -> Iterator[Handle]:
    function = functions.get(construction.scope)
    if function is None:
        return
    index = _returned_index(function, own, construction)
    if index is False:
        return
    optimizers = own.optimizers if own is not None else frozenset(
        {construction.optimizer_path} if construction.optimizer_path else ())
    for frame, call, method in _call_sites(frames, construction.scope, functions):
        statement = _binding_statement(frame, call)
        if statement is None or len(statement.targets) != 1:
            continue
        whole = target = statement.targets[0]
        if isinstance(index, int):
            if not isinstance(whole, ast.Tuple | ast.List) or index >= len(whole.elts):
                continue
            target = whole.elts[index]
        path = dotted(target)
        if path is None:
            continue
        arguments = bind_arguments(function, call, method)
        renamed: set[str] = set()
        returned = _returned_paths(function)
        for optimizer in optimizers:
            head, dot, rest = optimizer.partition(".")
            if (optimizer in returned and isinstance(whole, ast.Tuple | ast.List)
                    and returned[optimizer] < len(whole.elts)):
                # ``return opt, sched`` bound as ``optimizer, scheduler = build(...)``.
                outer = dotted(whole.elts[returned[optimizer]])
                if outer is not None:
                    renamed.add(outer)
            elif head in arguments:
                outer = dotted(arguments[head])
                if outer is not None:
                    renamed.add(outer + dot + rest)
            elif head == "self" and method:
                renamed.add(optimizer)
        yield Handle(construction, frame.scope, frozenset({path}), frozenset(renamed), call)


def build_flow(module: ast.Module, builds: ScriptBuilds) -> Flow:
    functions = _functions(module)
    frames: dict[Scope, Frame] = {(): _frame((), module, functions)}
    for scope, function in functions.items():
        frames[scope] = _frame(scope, function, functions)
    rebindings = {scope: list(_rebindings(frame)) for scope, frame in frames.items()}
    handles: list[Handle] = []
    for construction in builds.constructions:
        own: Handle | None = None
        if construction.target is not None and construction.scope in frames:
            own = _close(Handle(
                construction, construction.scope, frozenset({construction.target}),
                frozenset({construction.optimizer_path} if construction.optimizer_path else ()),
                construction.call), rebindings[construction.scope])
            handles.append(own)
        for handle in _factory_handles(construction, own, frames, functions):
            handles.append(_close(handle, rebindings[handle.frame]))
    return Flow(frames, tuple(handles), functions)
