"""The layout's promises, checked from the source with ``ast`` (nothing is imported):

- the package has no import cycle, counting imports inside functions (the cycle this replaced
  was hidden by them) but not ``if TYPE_CHECKING:`` blocks, which never run;
- nothing outside ``warmup_cli/cli/`` and ``warmup_cli/lint/`` imports ``warmup_cli.lint``;
- every command reaches its plan through ``warmup_cli.resolve`` (no command parses text).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "warmup_cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if _type_checking_block(node):
            assert isinstance(node, ast.If)
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def _resolved(name: str) -> str | None:
    """The package module ``name`` refers to (``a.b.c`` may be the function ``c`` of ``a.b``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names]
            if not all(name in MODULES for name in names):
                names.append(base)  # names defined in the module itself, not submodules
        for name in names:
            target = _resolved(name)
            if target is not None and target != module:
                found.add(target)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def _cycle() -> list[str] | None:
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(GRAPH[module]):
            if target in on_path:
                return [*path[path.index(target):], target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        on_path.discard(module)
        done.add(module)
        return None

    for module in sorted(GRAPH):
        if module not in done:
            found = visit(module)
            if found:
                return found
    return None


def test_the_graph_sees_imports_inside_functions() -> None:
    # config_plans imports the readers inside a function, to keep start-up lean.
    assert "warmup_cli.frameworks" in GRAPH["warmup_cli.config_plans"]


def test_no_import_cycle() -> None:
    cycle = _cycle()
    assert cycle is None, " -> ".join(cycle)


def test_only_cli_and_lint_import_lint() -> None:
    allowed = ("warmup_cli.cli", "warmup_cli.lint")
    offenders = sorted(
        f"{module} imports {target}" for module, targets in GRAPH.items()
        for target in targets
        if target.startswith("warmup_cli.lint") and not module.startswith(allowed))
    assert offenders == []


def test_commands_reach_plans_through_resolve() -> None:
    text_parsers = {"warmup_cli.spec", "warmup_cli.expr", "warmup_cli.config_plans"}
    for module in ("warmup_cli.cli.show", "warmup_cli.cli.compare", "warmup_cli.cli.export"):
        assert not GRAPH[module] & text_parsers, module
    assert "warmup_cli.resolve" in GRAPH["warmup_cli.pipeline"]
    assert "warmup_cli.resolve" in GRAPH["warmup_cli.export"]
    assert "warmup_cli.parse" in GRAPH["warmup_cli.lint.runner"]


def test_shared_vocabulary_is_a_leaf() -> None:
    # Units, severities, codes, formats and exit codes are named everywhere: they import nothing.
    assert GRAPH["warmup_cli.vocab"] == set()
    assert GRAPH["warmup_cli.errors"] == set()


def _code_map() -> str:
    readme = (PACKAGE.parent / "README.md").read_text()
    start = readme.index("## Code map")
    return readme[start:readme.index("\n## ", start + 1)]


def test_the_code_map_names_every_module_and_only_real_ones() -> None:
    import re

    section = _code_map()
    files = {path.name for path in PACKAGE.rglob("*.py")} - {"__init__.py", "__main__.py"}
    missing = sorted(name for name in files if f"`{name}`" not in section
                     and not re.search(rf"`[\w/]*{re.escape(name)}`", section))
    assert missing == []
    named = set(re.findall(r"`(?!tests/)(?:\w+/)*(\w+\.py)`", section))
    assert sorted(named - files) == []
