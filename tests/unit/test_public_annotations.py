"""Every public function of contracts/, plugins/ and services/ says what it takes and gives (issue 16):
its parameters (but self and cls) and its return annotated. Public: a module-level function or a
method of a module-level class, neither named with a leading underscore (dunder methods but
``__init__`` are left to their protocols)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contracts", "plugins", "services")


def _public_functions(tree):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    not item.name.startswith("_") or item.name == "__init__"
                ):
                    yield f"{node.name}.{item.name}", item


def _unannotated(function):
    args = function.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    missing = [p.arg for p in params if p.annotation is None and p.arg not in ("self", "cls")]
    missing += [f"*{a.arg}" for a in (args.vararg, args.kwarg) if a is not None and a.annotation is None]
    if function.returns is None and function.name != "__init__":
        missing.append("return")
    return missing


def _gaps():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for name, function in _public_functions(tree):
                missing = _unannotated(function)
                if missing:
                    yield f"{path.relative_to(ROOT)}:{function.lineno} {name}: {', '.join(missing)}"


def test_every_public_function_is_annotated():
    gaps = list(_gaps())
    assert not gaps, f"{len(gaps)} public functions without full annotations:\n" + "\n".join(gaps)


@pytest.mark.parametrize(
    "source, missing",
    [
        ("def f(a, b: int) -> int: ...", ["a"]),
        ("def f(a: int, *rest, **kw: str): ...", ["*rest", "return"]),
        ("class C:\n    def m(self, x: int) -> None: ...\n    def _p(self, y): ...", []),
    ],
)
def test_the_check_finds_what_is_missing(source, missing):
    found = [m for _, function in _public_functions(ast.parse(source)) for m in _unannotated(function)]
    assert found == missing
