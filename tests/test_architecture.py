"""House rules that hold by test: no imports inside functions (a cycle is fixed by layering or by
queueing a task by name, not hidden), no import cycle between modules, no module over 400 lines.
The layering itself is checked by import-linter (pyproject.toml, `make lint`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("audit", "ratings", "dpa_portal")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_app_config_ready(function: ast.FunctionDef | ast.AsyncFunctionDef, owner: ast.ClassDef | None) -> bool:
    # Django forbids importing models before the app registry is ready, so registration
    # imports (signal receivers, Celery tasks) belong in AppConfig.ready().
    if owner is None or function.name != "ready":
        return False
    return any(
        isinstance(base, ast.Name | ast.Attribute) and ast.unparse(base).endswith("AppConfig") for base in owner.bases
    )


def _local_imports(tree: ast.Module) -> Iterator[tuple[int, str, str]]:
    """(line, function, statement) for every import inside a function or method body."""

    def visit(node: ast.AST, owner: ast.ClassDef | None, function: str | None) -> Iterator[tuple[int, str, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from visit(child, child, function)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                allowed = function is None and _is_app_config_ready(child, owner)
                yield from visit(child, None, None if allowed else child.name)
            elif isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
                yield child.lineno, function, ast.unparse(child)
            else:
                yield from visit(child, owner, function)

    yield from visit(tree, None, None)


def test_no_imports_inside_functions():
    found = [
        f"{path.relative_to(ROOT)}:{line} in {function}(): {statement}"
        for path in MODULES.values()
        for line, function, statement in _local_imports(ast.parse(path.read_text("utf-8")))
    ]
    assert found == []


def test_no_module_over_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def _is_type_checking(node: ast.If) -> bool:
    return ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _imported(name: str, tree: ast.Module) -> set[str]:
    """The project modules `name` imports when it runs (imports for type checkers only are not run)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = name.rsplit(".", child.level)[0]
                    base = f"{package}.{base}" if base else package
                for alias in child.names:
                    submodule = f"{base}.{alias.name}"
                    found.add(submodule if submodule in MODULES else base)
            visit(child)

    visit(tree)
    return {module for module in found if module in MODULES and module != name}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return components


def test_every_script_make_bench_runs_is_a_benchmark():
    # `make bench` runs each bench/*.py as a script and fails when one does: shared code lives
    # in bench/common/, where the loop does not look.
    scripts = sorted((ROOT / "bench").glob("*.py"))
    assert scripts
    not_runnable = [path.name for path in scripts if 'if __name__ == "__main__":' not in path.read_text()]
    assert not_runnable == []


def test_no_import_cycles():
    graph = {name: _imported(name, ast.parse(path.read_text("utf-8"))) for name, path in MODULES.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    import os\n", ["f"]),
        ("class A:\n    def m(self):\n        from x import y\n", ["m"]),
        ("class C(AppConfig):\n    def ready(self):\n        from x import y\n", []),
        ("class C(apps.AppConfig):\n    def ready(self):\n        import x\n", []),
        ("class C:\n    def ready(self):\n        import x\n", ["ready"]),
        ("class C(AppConfig):\n    def other(self):\n        import x\n", ["other"]),
        ("class C(AppConfig):\n    def ready(self):\n        def inner():\n            import x\n", ["inner"]),
        ("import os\nif True:\n    import sys\ntry:\n    import a\nexcept ImportError:\n    pass\n", []),
    ],
)
def test_the_local_import_check_itself(source, expected):
    assert [function for _, function, _ in _local_imports(ast.parse(source))] == expected


def test_the_cycle_check_itself():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _row_locks(tree: ast.Module) -> Iterator[tuple[int, set[str]]]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
        ):
            yield node.lineno, {ast.unparse(keyword) for keyword in node.keywords}


def test_every_row_lock_is_on_own_rows_and_lets_foreign_keys_through():
    # docs/architecture.md "Lock order": FOR NO KEY UPDATE of the query's own table only. A
    # plain FOR UPDATE would also block the foreign-key checks (KEY SHARE) other transactions
    # make at commit, after they hold the audit chain lock: a deadlock.
    wrong = [
        f"{name}:{line}"
        for name, path in MODULES.items()
        for line, keywords in _row_locks(ast.parse(path.read_text()))
        if not {"of=('self',)", "no_key=True"} <= keywords
    ]
    assert wrong == []
