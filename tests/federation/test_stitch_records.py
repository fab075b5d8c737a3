"""A stitching gateway joins its deals to crmgraph's CrmRecord through crmRecords.

stitch.mjs resolves ``Deal.contact`` with ``batchDelegateToSchema``: every deal's contact in
one ``crmRecords(ids:)`` call, so joining N records is one request to crmgraph, which makes
one HubSpot batch read per 1,000 ids (the README's "Federation and stitching" figures).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from graphql import FieldNode, OperationDefinitionNode, parse
from graphql.language import Lexer, Source, TokenKind

from tests.federation.conftest import AUTH, Crmgraph, NodeRunner, serve_crmgraph
from tests.harness import TOKENS

JOIN = """{ deals { id contact { id associations(toObjectType: "companies") {
  totalCount edges { node { id } } } } } }"""


@pytest.fixture
async def crm(tmp_path: Path, hubspot: Any) -> AsyncIterator[Crmgraph]:
    async with serve_crmgraph(tmp_path, hubspot_base_url=hubspot.url) as server:
        yield server


def is_introspection(body: Any) -> bool:
    return isinstance(body, dict) and "__schema" in body.get("query", "")


async def stitched(
    node: NodeRunner, crm: Crmgraph, integration: str, deals: list[dict[str, Any]]
) -> dict[str, Any]:
    stitch = await node.start(
        "stitch.mjs",
        crm.url,
        JOIN,
        env={
            "CRMGRAPH_AUTHORIZATION": AUTH["Authorization"],
            "CRMGRAPH_INTEGRATION_ID": integration,
            "DEALS_JSON": json.dumps(deals),
        },
    )
    code, stdout, stderr = await stitch.finish()
    assert code == 0, stdout + stderr
    result: dict[str, Any] = json.loads(stdout)
    return result


@pytest.mark.parametrize("n", [100, 1000])
async def test_joining_n_records_is_one_request_and_one_batch_read_per_1000(
    node: NodeRunner, crm: Crmgraph, hubspot: Any, n: int
) -> None:
    hubspot.state.add_records("contacts", *[str(i) for i in range(1, n + 1)])
    for contact in range(1, n + 1):
        hubspot.state.associate("contacts", str(contact), "companies", str(1001 + contact % 400))
    integration = await crm.create("HubSpot", token=TOKENS["HUBSPOT"])
    hubspot.state.reset_calls()
    requests_before = len(crm.requests)
    # Deals in another order than the contacts' ids, so the join must keep order by key.
    deals = [{"id": f"d{i}", "name": f"Deal {i}", "contactId": str(n - i)} for i in range(n)]

    result = await stitched(node, crm, integration, deals)

    assert "errors" not in result, result
    joined = result["data"]["deals"]
    assert [d["contact"]["id"] for d in joined] == [d["contactId"] for d in deals]
    first = joined[0]["contact"]["associations"]
    assert first["edges"] == [{"node": {"id": str(1001 + n % 400)}}]
    # The gateway's requests to crmgraph: its introspection at start, then one for the join.
    sent = [b for b in crm.requests[requests_before:] if not is_introspection(b)]
    assert len(sent) == 1, sent
    assert "crmRecords" in json.dumps(sent[0])
    assert [(c.path, len(c.body["inputs"])) for c in hubspot.state.calls] == [
        ("/crm/associations/2026-09/contacts/companies/batch/read", n)
    ]


async def test_unknown_contacts_join_as_null(node: NodeRunner, crm: Crmgraph, hubspot: Any) -> None:
    # Contacts 1-400 exist (the fixture); 1 and 2 have a company, 3 has none, 9999 is unknown.
    for contact in ("1", "2"):
        hubspot.state.associate("contacts", contact, "companies", "1001")
    integration = await crm.create("HubSpot", token=TOKENS["HUBSPOT"])
    hubspot.state.reset_calls()
    deals = [
        {"id": "a", "name": "A", "contactId": "2"},
        {"id": "b", "name": "B", "contactId": "9999"},
        {"id": "c", "name": "C", "contactId": "3"},
        {"id": "d", "name": "D", "contactId": None},
        {"id": "e", "name": "E", "contactId": "1"},
    ]

    result = await stitched(node, crm, integration, deals)

    assert "errors" not in result, result
    contacts = [d["contact"] for d in result["data"]["deals"]]
    assert [c and c["id"] for c in contacts] == ["2", None, "3", None, "1"]
    assert contacts[2]["associations"] == {"totalCount": 0, "edges": []}
    # The association read vouches for 1 and 2; one objects read settles 3 and 9999.
    assert [c.path for c in hubspot.state.calls] == [
        "/crm/associations/2026-09/contacts/companies/batch/read",
        "/crm/objects/2026-09/contacts/batch/read",
    ]


def tokens(document: str) -> int:
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


async def test_a_gateways_batched_document_passes_the_default_limits(
    node: NodeRunner, crm: Crmgraph, hubspot: Any
) -> None:
    # 100 teams, each delegated on its own to crmIntegration(id:): the subschema's
    # batch: true merges them into one aliased document; and 100 deals batched into crmRecords.
    for contact in range(1, 101):
        hubspot.state.associate("contacts", str(contact), "companies", "1001")
    integration = await crm.create("HubSpot", token=TOKENS["HUBSPOT"])
    before = len(crm.requests)
    stitch = await node.start(
        "stitch.mjs",
        crm.url,
        "{ teams { id integration { id name } } deals { id contact { id } } }",
        env={
            "CRMGRAPH_AUTHORIZATION": AUTH["Authorization"],
            "CRMGRAPH_INTEGRATION_ID": integration,
            "TEAMS_JSON": json.dumps(
                [{"id": str(i), "name": "t", "integrationId": integration} for i in range(100)]
            ),
            "DEALS_JSON": json.dumps(
                [{"id": str(i), "name": "d", "contactId": str(i + 1)} for i in range(100)]
            ),
        },
    )

    code, stdout, stderr = await stitch.finish()

    assert code == 0, stdout + stderr
    result = json.loads(stdout)
    assert [t["integration"]["id"] for t in result["data"]["teams"]] == [integration] * 100
    assert [d["contact"]["id"] for d in result["data"]["deals"]] == [str(i) for i in range(1, 101)]
    sent = [b["query"] for b in crm.requests[before:] if not is_introspection(b)]
    # The teams' 100 delegations leave in one merged document; the deals' crmRecords call,
    # resolved a tick later, in a second.
    assert len(sent) == 2, sent
    merged = next(q for q in sent if "crmIntegration" in q)
    operation = parse(merged).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    aliases = [
        f for f in operation.selection_set.selections if isinstance(f, FieldNode) and f.alias
    ]
    # Over the old defaults (30 aliases), within today's (200 aliases, 8,000 tokens).
    assert len(aliases) == 100
    assert tokens(merged) == 1_805  # 18 a delegation: the README quotes it


def test_the_readme_shows_the_stitching_config_these_tests_run() -> None:
    root = Path(__file__).resolve().parents[2]
    script = (root / "tests/federation/stitch.mjs").read_text()
    start = script.index("\n", script.index("// -- the stitching config the README shows")) + 1
    config = textwrap.dedent(script[start : script.index("  // -- end of the README's config")])
    assert f"```js\n{config}```" in (root / "README.md").read_text(), (
        "README's stitching config differs from tests/federation/stitch.mjs"
    )
