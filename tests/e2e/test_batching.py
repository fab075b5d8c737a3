"""Operations sent together share DataLoaders: as few provider calls as the limits allow.

The HubSpot tests run on both API versions; batch sizes start at HubSpot's documented
maximum for each endpoint and version, and halve when HubSpot refuses one as too large.
"""

from __future__ import annotations

import pytest

from emulators import sandbox_data as demo
from providers.hubspot.paths import API_VERSIONS, DEFAULT_API_VERSION
from tests.e2e.test_hubspot import BATCH, DEFAULT
from tests.e2e.test_salesforce import ASSOCIATE
from tests.harness import Api, make_settings, serve

DATED = "2026-09"


@pytest.fixture(params=API_VERSIONS)
def hubspot_api_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def test_n_default_associations_in_one_request_are_one_batch_call(
    api, hubspot, hubspot_api_version
):
    integration = await api.create_integration("HUBSPOT")
    operations = [
        {"query": DEFAULT, "variables": {"id": integration, "from": str(i), "to": str(1000 + i)}}
        for i in range(1, 41)
    ]
    answers = await api.batch(operations)
    assert len(answers) == 40
    for i, answer in enumerate(answers, start=1):
        results = answer["data"]["createDefaultAssociation"]["results"]
        assert {"from": {"id": str(i)}, "to": {"id": str(1000 + i)}} in [
            {"from": r["from"], "to": r["to"]} for r in results
        ]
        assert answer["data"]["createDefaultAssociation"]["numErrors"] == 0
    assert hubspot.state.count() == 1
    [call] = hubspot.state.calls
    associations = (
        "/crm/associations/2026-09" if hubspot_api_version == DATED else "/crm/v4/associations"
    )
    assert call.path == f"{associations}/contacts/companies/batch/associate/default"
    assert len(call.body["inputs"]) == 40


async def test_each_batched_operation_gets_its_own_errors(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    operations = [
        {"query": DEFAULT, "variables": {"id": integration, "from": "1", "to": "1001"}},
        {"query": DEFAULT, "variables": {"id": integration, "from": "999999", "to": "1002"}},
        {"query": DEFAULT, "variables": {"id": "not-mine", "from": "2", "to": "1002"}},
    ]
    ok, missing, unknown = await api.batch(operations)
    assert ok["data"]["createDefaultAssociation"]["numErrors"] == 0
    bad = missing["data"]["createDefaultAssociation"]
    assert bad["numErrors"] == 1
    assert bad["results"] == []
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert hubspot.state.count() == 1


async def test_a_forced_v4_limit_splits_defaults_into_minimum_calls(
    tmp_path, hubspot, hubspot_api_version
):
    settings = make_settings(
        str(tmp_path / "db.sqlite"),
        hubspot_base_url=hubspot.url,
        hubspot_v4_batch_limit=20,
        hubspot_api_version=hubspot_api_version,
    )
    client = await serve(settings)
    try:
        api = Api(client)
        integration = await api.create_integration("HUBSPOT")
        operations = [
            {
                "query": DEFAULT,
                "variables": {"id": integration, "from": str(i), "to": str(1000 + i)},
            }
            for i in range(1, 51)
        ]
        answers = await api.batch(operations)
        assert all(a["data"]["createDefaultAssociation"]["numErrors"] == 0 for a in answers)
        assert [len(c.body["inputs"]) for c in hubspot.state.calls] == [20, 20, 10]
    finally:
        await client.close()


async def test_a_batch_array_over_the_cap_is_refused(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    operations = [
        {"query": DEFAULT, "variables": {"id": integration, "from": "1", "to": "1001"}}
    ] * 51
    response = await api.client.post(
        "/graphql", json=operations, headers={"Authorization": f"Bearer {api.key}"}
    )
    assert response.status == 400
    assert hubspot.state.count() == 0


def ten_thousand(hubspot) -> list[dict[str, object]]:
    hubspot.state.add_records("contacts", *[str(i) for i in range(1, 10_001)])
    hubspot.state.add_records("companies", *[str(i) for i in range(20_001, 30_001)])
    return [
        {"from": {"id": str(i)}, "to": {"id": str(20_000 + i)}, "type": "contact_to_company"}
        for i in range(1, 10_001)
    ]


async def test_ten_thousand_inputs_make_exactly_the_minimum_calls(
    api, hubspot, hubspot_api_version
):
    inputs = ten_thousand(hubspot)
    integration = await api.create_integration("HUBSPOT")
    batch = (await api.data(BATCH, {"id": integration, "inputs": inputs}))[
        "batchCreateAssociations"
    ]
    # The documented maxima: 2,000 a call on 2026-09, 100 on the v3 create.
    size = 2_000 if hubspot_api_version == DATED else 100
    sizes = [len(c.body["inputs"]) for c in hubspot.state.calls]
    assert sizes == [size] * (10_000 // size)
    assert batch["numErrors"] == 0
    assert [r["from"]["id"] for r in batch["results"]] == [str(i) for i in range(1, 10_001)]


async def test_a_batch_refused_as_too_large_is_halved_and_the_size_remembered(tmp_path, hubspot):
    """An account whose real limit (700) is below the documented 2,000: two refusals
    (2,000, then 1,000), then calls of 500; the next batch starts at 500."""
    hubspot.state.dated_create_batch_limit = 700
    inputs = ten_thousand(hubspot)
    settings = make_settings(
        str(tmp_path / "db.sqlite"), hubspot_base_url=hubspot.url, batch_concurrency=1
    )
    client = await serve(settings)
    try:
        api = Api(client)
        integration = await api.create_integration("HUBSPOT")
        batch = (await api.data(BATCH, {"id": integration, "inputs": inputs}))[
            "batchCreateAssociations"
        ]
        assert batch["numErrors"] == 0
        assert [r["from"]["id"] for r in batch["results"]] == [str(i) for i in range(1, 10_001)]
        sizes = [len(c.body["inputs"]) for c in hubspot.state.calls]
        assert sizes == [2_000, 1_000] + [500] * 20
        assert len(hubspot.state.associations) == 2 * 10_000  # both directions, each once

        hubspot.state.calls.clear()
        again = await api.data(BATCH, {"id": integration, "inputs": inputs[:1_000]})
        assert again["batchCreateAssociations"]["numErrors"] == 0
        assert [len(c.body["inputs"]) for c in hubspot.state.calls] == [500, 500]
    finally:
        await client.close()


@pytest.mark.parametrize("hubspot_api_version", [DEFAULT_API_VERSION])
async def test_salesforce_operations_in_one_request_share_collections_calls(api, sf):
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    contacts = [sf.state.add_record("Contact", None, LastName=f"C{i}") for i in range(300)]
    acme, globex = demo.SF_ACCOUNT_IDS
    operations = [
        {
            "query": ASSOCIATE,
            "variables": {
                "id": integration,
                "input": {
                    "entityId": acme if n % 2 else globex,
                    "entity": "ACCOUNTS",
                    "associations": {
                        "contacts": [{"id": c} for c in contacts[n * 30 : n * 30 + 30]]
                    },
                },
            },
        }
        for n in range(10)
    ]
    answers = await api.batch(operations)
    for n, answer in enumerate(answers):
        got = answer["data"]["createAssociation"]["associations"]["contacts"]
        assert [c["id"] for c in got] == contacts[n * 30 : n * 30 + 30]
    # 300 records in one request: ceil(300 / 200) calls, not one per operation.
    assert [len(c.body["records"]) for c in sf.state.calls] == [200, 100]
    assert sf.state.records["Contact"][contacts[0]]["AccountId"] == globex
