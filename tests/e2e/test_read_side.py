"""The read side: associations of records, labels, and federation entities via the loaders."""

from __future__ import annotations

import pytest

from emulators import sandbox_data as demo
from providers.hubspot.paths import API_VERSIONS

ON_BOTH_VERSIONS = pytest.mark.parametrize("hubspot_api_version", API_VERSIONS)

RECORD = """query($id: ID!, $type: String!, $rid: ID!, $to: String!, $first: Int, $after: String) {
  crmRecord(integrationId: $id, objectType: $type, id: $rid) {
    id objectType
    associations(toObjectType: $to, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id types { category typeId label } record { id objectType } } }
    }
  }
}"""

ENTITIES = """query($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on CrmRecord { id associations(toObjectType: "companies") { totalCount edges { node { id } } } }
  }
}"""


@ON_BOTH_VERSIONS
async def test_hubspot_associations_follow_paging_and_paginate(api, hubspot):
    hubspot.state.read_page_size = 3  # HubSpot pages at 500; make the emulator page early
    for company in range(1001, 1008):
        hubspot.state.associate("contacts", "1", "companies", str(company))
    integration = await api.create_integration("HUBSPOT")
    variables = {"id": integration, "type": "contacts", "rid": "1", "to": "companies", "first": 5}
    page = (await api.data(RECORD, variables))["crmRecord"]["associations"]
    assert page["totalCount"] == 7
    assert [e["node"]["id"] for e in page["edges"]] == ["1001", "1002", "1003", "1004", "1005"]
    assert page["edges"][0]["node"]["types"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await api.data(RECORD, {**variables, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["id"] for e in rest["crmRecord"]["associations"]["edges"]] == ["1006", "1007"]
    # 7 associations, 3 a page upstream: 3 batch-read calls for the first query.
    assert hubspot.state.count("POST", "/batch/read") == 6


async def test_500_entities_cost_one_batch_read(api, hubspot):
    for contact in range(1, 501):
        hubspot.state.associate(
            "contacts", str(contact), "companies", str(1000 + contact % 300 + 1)
        )
    integration = await api.create_integration("HUBSPOT")
    reps = [
        {
            "__typename": "CrmRecord",
            "integrationId": integration,
            "objectType": "contacts",
            "id": str(i),
        }
        for i in range(1, 501)
    ]
    entities = (await api.data(ENTITIES, {"reps": reps}))["_entities"]
    assert [e["id"] for e in entities] == [str(i) for i in range(1, 501)]
    assert all(e["associations"]["totalCount"] == 1 for e in entities)
    assert hubspot.state.count() == 1
    assert len(hubspot.state.calls[0].body["inputs"]) == 500


async def test_more_than_1000_records_take_one_call_per_1000(api, hubspot):
    hubspot.state.add_records("contacts", *[str(i) for i in range(1, 2501)])
    integration = await api.create_integration("HUBSPOT")
    reps = [
        {
            "__typename": "CrmRecord",
            "integrationId": integration,
            "objectType": "contacts",
            "id": str(i),
        }
        for i in range(1, 2501)
    ]
    entities = (await api.data(ENTITIES, {"reps": reps}))["_entities"]
    assert len(entities) == 2500
    assert [len(c.body["inputs"]) for c in hubspot.state.calls] == [1000, 1000, 500]


async def test_unknown_or_foreign_entities_resolve_to_null(api, hubspot):
    from tests.harness import KEYS

    theirs = await api.create_integration("HUBSPOT", key=KEYS["globex"])
    reps = [
        {"__typename": "CrmRecord", "integrationId": i, "objectType": "contacts", "id": "1"}
        for i in (theirs, "00000000-0000-0000-0000-000000000000")
    ]
    assert (await api.data(ENTITIES, {"reps": reps}))["_entities"] == [None, None]
    assert hubspot.state.count() == 0


@ON_BOTH_VERSIONS
async def test_hubspot_labels(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    labels = (
        await api.data(
            """query($id: ID!) { associationLabels(integrationId: $id,
        fromObjectType: "contacts", toObjectType: "companies") { category typeId label } }""",
            {"id": integration},
        )
    )["associationLabels"]
    assert {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None} in labels
    assert any(label["typeId"] == 1 for label in labels)  # Primary


async def test_salesforce_associations_by_soql(api, sf):
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    acme = demo.SF_ACCOUNT_IDS[0]
    data = await api.data(
        RECORD, {"id": integration, "type": "accounts", "rid": acme, "to": "contacts"}
    )
    ids = [e["node"]["id"] for e in data["crmRecord"]["associations"]["edges"]]
    assert ids == [demo.SF_CONTACT_IDS[0]]
    opp = await api.data(
        RECORD,
        {"id": integration, "type": "Opportunity", "rid": demo.SF_OPPORTUNITY_ID, "to": "contacts"},
    )
    assert [e["node"]["id"] for e in opp["crmRecord"]["associations"]["edges"]] == [
        demo.SF_CONTACT_IDS[0]
    ]
    assert all(c.method == "GET" and "/query" in c.path for c in sf.state.calls)


async def test_highlevel_relations_and_definitions(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR")
    error = await api.error(
        RECORD,
        {
            "id": integration,
            "type": "contact",
            "rid": "demo-contact-1",
            "to": "custom_objects.children",
        },
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"  # no locationId yet
    await api.data(
        """mutation($id: ID!) { updateCrmIntegration(id: $id,
        input: {locationId: "demo-location"}) { locationId } }""",
        {"id": integration},
    )
    data = await api.data(
        RECORD,
        {
            "id": integration,
            "type": "contact",
            "rid": "demo-contact-1",
            "to": "custom_objects.children",
        },
    )
    edges = data["crmRecord"]["associations"]["edges"]
    assert [e["node"]["id"] for e in edges] == ["demo-child-1"]
    labels = (
        await api.data(
            """query($id: ID!) { associationLabels(integrationId: $id,
        fromObjectType: "contact", toObjectType: "custom_objects.children") { id key category } }""",
            {"id": integration},
        )
    )["associationLabels"]
    assert labels == [{"id": demo.GHL_ASSOCIATION_ID, "key": "student", "category": "USER_DEFINED"}]


async def test_bad_reads_make_no_call(api, hubspot, sf):
    hs = await api.create_integration("HUBSPOT")
    sfi = await api.create_integration("SALESFORCE", instance_url=sf.url)
    for variables in (
        {"id": hs, "type": "contacts", "rid": "abc", "to": "companies"},
        {"id": hs, "type": "contacts", "rid": "1", "to": "companies", "first": 100000},
        {"id": hs, "type": "contacts", "rid": "1", "to": "companies", "after": "garbage"},
        {"id": sfi, "type": "widgets", "rid": demo.SF_ACCOUNT_IDS[0], "to": "contacts"},
        {"id": sfi, "type": "accounts", "rid": "001' OR '1'='1", "to": "contacts"},
    ):
        error = await api.error(RECORD, variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", variables
    assert hubspot.state.count() == 0
    assert sf.state.count() == 0
