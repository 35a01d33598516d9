"""Who may is named once (``contracts.access``): no service spells out its own list of managers."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Where the roles themselves are named.
NAMING = {ROOT / "contracts" / "access.py", ROOT / "services" / "runtime" / "access.py"}


def _spelled_lists(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            words = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if {"manager", "admin"} <= words:
                yield node.lineno


def test_no_module_spells_out_the_managers():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("contracts", "services")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in NAMING
        for line in _spelled_lists(path)
    ]
    assert not found, f"use the lists of contracts.access (MANAGERS, SELLERS, SCREENERS…): {found}"
