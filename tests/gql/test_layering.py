"""gql/ asks for capabilities: it never imports a provider's client module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT_MODULES = {
    f"providers.{crm}.{module}"
    for crm in ("hubspot", "salesforce", "leadconnector")
    for module in ("client", "wire")
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_gql_imports_no_provider_client() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & CLIENT_MODULES)
        for path in (ROOT / "gql").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_providers_import_neither_strawberry_nor_gql() -> None:
    for path in (ROOT / "providers").rglob("*.py"):
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & {"strawberry", "gql"}, path
