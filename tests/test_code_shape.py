"""The shape of the app code (issue #14, STYLE.md): short modules, short functions, thin views.

Over core, stores, sales, aftersales, dashboards, demo, bench and config, without migrations and
tests: no module over 400 lines, no function over 60 lines, no view function (a function in a
`views` module or package) over 30 lines. A function's length runs from its `def` (decorators
excluded) to its last line; a method counts as a function (and in a views module, as a view).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "stores", "sales", "aftersales", "dashboards", "demo", "bench", "config")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_VIEW_LINES = 30


def app_modules() -> list[Path]:
    paths = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            paths.append(path)
    return paths


def is_view_module(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return path.stem == "views" or "views" in parts[:-1]


def functions(path: Path):
    """(qualified name, lines) of every function and method of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def walk(node, prefix=""):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child.end_lineno - child.lineno + 1
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")

    yield from walk(tree)


def offenders() -> dict[str, list[str]]:
    found = {"module": [], "function": [], "view": []}
    for path in app_modules():
        name = str(path.relative_to(ROOT))
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found["module"].append(f"{name}: {lines} lines")
        view = is_view_module(path)
        for qualname, length in functions(path):
            if length > MAX_FUNCTION_LINES:
                found["function"].append(f"{name} {qualname}: {length} lines")
            elif view and length > MAX_VIEW_LINES:
                found["view"].append(f"{name} {qualname}: {length} lines")
    return found


def test_the_shape_is_checked_over_the_whole_app_code():
    names = {str(p.relative_to(ROOT)) for p in app_modules()}
    assert {"core/feeds/runner.py", "bench/dispatch.py", "config/celery.py", "aftersales/views/tickets.py"} <= names
    assert not any("/migrations/" in n or "/tests/" in n for n in names)


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("module", MAX_MODULE_LINES), ("function", MAX_FUNCTION_LINES), ("view", MAX_VIEW_LINES)],
)
def test_no_app_code_is_over_its_length(kind, limit):
    found = offenders()[kind]
    assert not found, f"{kind}s over {limit} lines:\n" + "\n".join(found)
