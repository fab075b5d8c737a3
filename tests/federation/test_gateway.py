"""crmgraph composed into a supergraph (Apollo gateway) and stitched (GraphQL Tools).

gateway.mjs composes crmgraph's ``_service`` SDL with a small "teams" subgraph whose
``Team.integration`` is a ``CrmIntegration`` reference; the gateway resolves it through
crmgraph's ``_entities``. stitch.mjs merges crmgraph's introspected schema with a local
one and delegates ``Team.integration`` to ``crmIntegration(id:)``.
"""

from __future__ import annotations

import json
from typing import Any

from tests.federation.conftest import AUTH, OTHER_AUTH, Crmgraph, NodeRunner

TEAMS_QUERY = "{ teams { id name integration { id name provider isEnabled } } }"
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


async def start_gateway(node: NodeRunner, crmgraph: Crmgraph, teams: list[dict[str, Any]]) -> str:
    gateway = await node.start(
        "gateway.mjs",
        crmgraph.url,
        env={
            "CRMGRAPH_AUTHORIZATION": AUTH["Authorization"],
            "TEAMS_JSON": json.dumps(teams),
        },
    )
    ready = await gateway.read_json_line()
    url: str = ready["gateway"]
    return url


async def through_gateway(crmgraph: Crmgraph, url: str, query: str) -> dict[str, Any]:
    # No Authorization: the gateway adds crmgraph's itself, as a real one would.
    async with crmgraph.session.post(url, json={"query": query}) as resp:
        body: dict[str, Any] = await resp.json(content_type=None)
        assert resp.status == 200, body
        return body


async def test_gateway_joins_teams_to_crmgraph_integrations(
    node: NodeRunner, crmgraph: Crmgraph
) -> None:
    sales = await crmgraph.create("Sales HubSpot")
    support = await crmgraph.create("Support HubSpot")
    url = await start_gateway(
        node,
        crmgraph,
        [
            {"id": "1", "name": "Sales", "integrationId": sales},
            {"id": "2", "name": "Support", "integrationId": support},
            {"id": "3", "name": "Nobody", "integrationId": None},
        ],
    )

    result = await through_gateway(crmgraph, url, TEAMS_QUERY)

    assert "errors" not in result, result
    assert result["data"]["teams"] == [
        {
            "id": "1",
            "name": "Sales",
            "integration": {
                "id": sales,
                "name": "Sales HubSpot",
                "provider": "HUBSPOT",
                "isEnabled": True,
            },
        },
        {
            "id": "2",
            "name": "Support",
            "integration": {
                "id": support,
                "name": "Support HubSpot",
                "provider": "HUBSPOT",
                "isEnabled": True,
            },
        },
        {"id": "3", "name": "Nobody", "integration": None},
    ]


async def test_gateway_serves_crmgraph_root_fields(node: NodeRunner, crmgraph: Crmgraph) -> None:
    created = await crmgraph.create("Root HubSpot")
    url = await start_gateway(node, crmgraph, [])

    result = await through_gateway(
        crmgraph, url, f'{{ crmIntegration(id: "{created}") {{ id name }} teams {{ id }} }}'
    )

    assert result == {
        "data": {"crmIntegration": {"id": created, "name": "Root HubSpot"}, "teams": []}
    }


async def test_gateway_unknown_and_foreign_integrations_resolve_to_null(
    node: NodeRunner, crmgraph: Crmgraph
) -> None:
    mine = await crmgraph.create("Mine")
    # Another tenant's integration: crmgraph must not resolve it for tenant "t".
    foreign = await crmgraph.create("Theirs", headers=OTHER_AUTH)
    url = await start_gateway(
        node,
        crmgraph,
        [
            {"id": "1", "name": "Unknown", "integrationId": UNKNOWN_ID},
            {"id": "2", "name": "Foreign", "integrationId": foreign},
            {"id": "3", "name": "Mine", "integrationId": mine},
        ],
    )

    result = await through_gateway(crmgraph, url, TEAMS_QUERY)

    assert "errors" not in result, result
    teams = result["data"]["teams"]
    assert [t["integration"] for t in teams[:2]] == [None, None], result
    # The gateway nulls an entity crmgraph did not find: CrmIntegration.name is non-null.
    nulled = [e["path"] for e in result["extensions"]["valueCompletion"]]
    assert sorted(p[:3] for p in nulled) == [
        ["teams", 0, "integration"],
        ["teams", 1, "integration"],
    ]
    assert teams[2]["integration"]["name"] == "Mine", result
    assert "Theirs" not in json.dumps(result)


async def test_stitched_schema_delegates_to_crmgraph(node: NodeRunner, crmgraph: Crmgraph) -> None:
    sales = await crmgraph.create("Stitched Sales")
    foreign = await crmgraph.create("Stitched Theirs", headers=OTHER_AUTH)
    stitch = await node.start(
        "stitch.mjs",
        crmgraph.url,
        env={
            "CRMGRAPH_AUTHORIZATION": AUTH["Authorization"],
            "TEAMS_JSON": json.dumps(
                [
                    {"id": "1", "name": "Sales", "integrationId": sales},
                    {"id": "2", "name": "Foreign", "integrationId": foreign},
                    {"id": "3", "name": "Nobody", "integrationId": None},
                ]
            ),
        },
    )

    code, stdout, stderr = await stitch.finish()

    assert code == 0, stdout + stderr
    result = json.loads(stdout)
    assert "errors" not in result, result
    assert result["data"]["teams"] == [
        {
            "id": "1",
            "name": "Sales",
            "integration": {
                "id": sales,
                "name": "Stitched Sales",
                "provider": "HUBSPOT",
                "isEnabled": True,
            },
        },
        {"id": "2", "name": "Foreign", "integration": None},
        {"id": "3", "name": "Nobody", "integration": None},
    ]
    # The remote root fields are stitched in as they are.
    assert [i["id"] for i in result["data"]["crmIntegrations"]] == [sales]


async def test_stitch_fails_loudly_without_the_key(node: NodeRunner, crmgraph: Crmgraph) -> None:
    stitch = await node.start(
        "stitch.mjs", crmgraph.url, env={"CRMGRAPH_AUTHORIZATION": "Bearer wrong"}
    )

    code, _, stderr = await stitch.finish()

    assert code != 0
    assert "401" in stderr or "not valid" in stderr, stderr


async def test_gateway_fails_loudly_when_composition_fails(
    node: NodeRunner, crmgraph: Crmgraph
) -> None:
    # The same root field, not @shareable and of another type, in both subgraphs.
    gateway = await node.start(
        "gateway.mjs",
        crmgraph.url,
        env={
            "CRMGRAPH_AUTHORIZATION": AUTH["Authorization"],
            "TEAMS_EXTRA_SDL": "extend type Query { crmIntegrations: [Team!]! }",
        },
    )

    code, stdout, stderr = await gateway.finish()

    assert code == 1
    assert stdout == ""
    assert "composition failed" in stderr, stderr
    assert "crmIntegrations" in stderr, stderr


async def test_gateway_refuses_without_the_key(node: NodeRunner, crmgraph: Crmgraph) -> None:
    gateway = await node.start(
        "gateway.mjs", crmgraph.url, env={"CRMGRAPH_AUTHORIZATION": "Bearer wrong"}
    )

    code, _, stderr = await gateway.finish()

    assert code == 1
    assert "401" in stderr, stderr
