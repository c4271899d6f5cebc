"""The layout's one rule: each top-level package imports only the packages above it.

The order is DESIGN.md's layout table (``state``, ``persistence``, ``tools``, ``agents``,
``graphs``, ``baton``). Every import counts, at module level, inside functions and under
``TYPE_CHECKING`` alike, read from the source without importing it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("state", "persistence", "tools", "agents", "graphs", "baton")


def _imported(path: Path) -> set[str]:
    """The top-level packages among ORDER that ``path`` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(ORDER)
    return found


def test_the_layout_table_lists_the_packages_in_this_order() -> None:
    design = (ROOT / "DESIGN.md").read_text()
    listed = re.findall(r"^\| `([a-z]+)/` \|", design, flags=re.M)
    assert tuple(name for name in listed if name in ORDER) == ORDER


def test_each_package_imports_only_the_ones_above_it() -> None:
    wrong = []
    for rank, package in enumerate(ORDER):
        allowed = set(ORDER[: rank + 1])
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in sorted(_imported(path) - allowed):
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from graphs.settings import Settings\n"
        "def f() -> None:\n    import baton.cli\n"
        "from . import sibling\nimport os\n"
    )
    assert _imported(module) == {"graphs", "baton"}
