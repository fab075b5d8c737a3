"""The README's matrix, ``crmgraph capabilities`` and ``crmCapabilities`` are one source."""

from __future__ import annotations

import re
from pathlib import Path

from gql.cli import main
from gql.resolvers.capabilities import markdown
from providers import registry
from providers.domain import CrmProvider

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- crm-capabilities:start -->\n(.*?)<!-- crm-capabilities:end -->", re.S)


def test_the_readme_matrix_is_what_the_registry_prints(capsys):
    found = BLOCK.search((ROOT / "README.md").read_text())
    assert found, "README has no crm-capabilities block"
    assert main(["capabilities", "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert printed == markdown()
    assert found.group(1) == printed, "run: crmgraph capabilities --markdown into README.md"


async def test_crm_capabilities_answers_the_registry_rows_over_http(api):
    query = """query($p: CrmProvider!) { crmCapabilities(provider: $p) {
        operation fromObjectType toObjectType how } }"""
    for provider in CrmProvider:
        rows = (await api.data(query, {"p": provider.name}))["crmCapabilities"]
        assert rows == [
            {
                "operation": r.operation,
                "fromObjectType": r.from_object,
                "toObjectType": r.to_object,
                "how": r.how,
            }
            for r in registry.support(provider)
        ]
        assert rows, provider
