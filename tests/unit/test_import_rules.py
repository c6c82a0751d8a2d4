"""The import rule import-linter cannot say (it forbids, it does not allow): contracts, imported
by every side, import marshmallow and the standard library only. The rest of the import
graph is checked by ``lint-imports`` (pyproject.toml)."""

import ast
import sys

import pytest

from tests.conftest import ROOT

ALLOWED = {"marshmallow", "contracts"}


def imported(path) -> set[str]:
    """The top-level packages a module imports (relative imports stay in contracts)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "contracts").rglob("*.py")), ids=lambda p: p.name)
def test_contracts_import_only_marshmallow_and_the_standard_library(path):
    foreign = imported(path) - ALLOWED - set(sys.stdlib_module_names)
    assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_the_rule_sees_an_import_of_the_chassis(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from chassis.errors import load\nimport nameko.events\n")
    assert imported(module) - ALLOWED - set(sys.stdlib_module_names) == {"chassis", "nameko"}
