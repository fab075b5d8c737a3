"""crmRecords: many records at once, order kept, null for an unknown id, no call per id."""

from __future__ import annotations

from emulators import sandbox_data as demo

RECORDS = """query($id: ID!, $type: String!, $ids: [ID!]!) {
  crmRecords(integrationId: $id, objectType: $type, ids: $ids) {
    id objectType
    associations(toObjectType: "companies") { totalCount edges { node { id } } }
  }
}"""
IDS_ONLY = """query($id: ID!, $type: String!, $ids: [ID!]!) {
  crmRecords(integrationId: $id, objectType: $type, ids: $ids) { id }
}"""


async def test_hubspot_records_in_order_with_null_for_unknown_ids(api, hubspot):
    # Contacts 1-400 exist (the fixture); 1-3 have companies, 4 has none, 9001 and 9002
    # are not records: HubSpot's association read answers 4, 9001 and 9002 alike.
    for contact in ("1", "2", "3"):
        hubspot.state.associate("contacts", contact, "companies", str(1000 + int(contact)))
    integration = await api.create_integration("HUBSPOT")
    ids = ["3", "9001", "1", "4", "1", "9002", "2"]

    records = (await api.data(RECORDS, {"id": integration, "type": "contacts", "ids": ids}))[
        "crmRecords"
    ]

    assert [r and r["id"] for r in records] == ["3", None, "1", "4", "1", None, "2"]
    assert records[0]["associations"]["edges"] == [{"node": {"id": "1003"}}]
    assert records[3]["associations"] == {"totalCount": 0, "edges": []}
    # One association read for the 6 distinct ids; one objects read for the 3 it could not
    # vouch for, and no more.
    reads = [c for c in hubspot.state.calls if "/associations/" in c.path]
    assert [len(c.body["inputs"]) for c in reads] == [6]
    lookups = [
        c for c in hubspot.state.calls if c.path == "/crm/objects/2026-09/contacts/batch/read"
    ]
    assert [sorted(i["id"] for i in c.body["inputs"]) for c in lookups] == [["4", "9001", "9002"]]
    assert hubspot.state.count() == 2


async def test_1000_hubspot_records_with_associations_cost_one_batch_read(api, hubspot):
    hubspot.state.add_records("contacts", *[str(i) for i in range(1, 1001)])
    for contact in range(1, 1001):
        hubspot.state.associate("contacts", str(contact), "companies", str(1001 + contact % 400))
    integration = await api.create_integration("HUBSPOT")
    ids = [str(i) for i in range(1, 1001)]

    records = (await api.data(RECORDS, {"id": integration, "type": "contacts", "ids": ids}))[
        "crmRecords"
    ]

    assert [r["id"] for r in records] == ids
    assert all(r["associations"]["totalCount"] == 1 for r in records)
    assert [(c.path, len(c.body["inputs"])) for c in hubspot.state.calls] == [
        ("/crm/associations/2026-09/contacts/companies/batch/read", 1000)
    ]


async def test_without_associations_existence_is_one_lookup_per_100_ids(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    ids = [str(i) for i in range(351, 451)] + ["1"]  # 351-400 exist, 401-450 do not

    records = (await api.data(IDS_ONLY, {"id": integration, "type": "contacts", "ids": ids}))[
        "crmRecords"
    ]

    assert [r and r["id"] for r in records] == [
        str(i) if i <= 400 else None for i in range(351, 451)
    ] + ["1"]
    assert [len(c.body["inputs"]) for c in hubspot.state.calls] == [100, 1]
    assert all(c.path == "/crm/objects/2026-09/contacts/batch/read" for c in hubspot.state.calls)


async def test_a_malformed_id_fails_its_item_only(api, hubspot):
    integration = await api.create_integration("HUBSPOT")

    body = await api.post(IDS_ONLY, {"id": integration, "type": "contacts", "ids": ["1", "x!"]})

    assert body["data"]["crmRecords"] == [{"id": "1"}, None]
    [error] = body["errors"]
    assert error["path"] == ["crmRecords", 1]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # The well-formed id was looked up; the malformed one never left crmgraph.
    assert [c.body["inputs"] for c in hubspot.state.calls] == [[{"id": "1"}]]


async def test_bad_integration_or_object_type_refuses_the_field_without_a_call(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    unknown = "00000000-0000-0000-0000-000000000000"

    missing = await api.error(IDS_ONLY, {"id": unknown, "type": "contacts", "ids": ["1"]})
    bad_type = await api.error(IDS_ONLY, {"id": integration, "type": "no such", "ids": ["1"]})
    too_many = await api.error(
        IDS_ONLY, {"id": integration, "type": "contacts", "ids": ["1"] * 10_001}
    )

    assert missing["extensions"]["code"] == "NOT_FOUND"
    assert bad_type["extensions"]["code"] == "BAD_USER_INPUT"
    assert too_many["extensions"]["code"] == "BAD_USER_INPUT"
    assert hubspot.state.count() == 0
    empty = await api.data(IDS_ONLY, {"id": integration, "type": "contacts", "ids": []})
    assert empty == {"crmRecords": []}


async def test_salesforce_unknown_ids_are_null(api, sf):
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    acme, globex = demo.SF_ACCOUNT_IDS
    unknown = "001000000000099AAA"

    records = (
        await api.data(
            """query($id: ID!, $ids: [ID!]!) { crmRecords(integrationId: $id,
                 objectType: "accounts", ids: $ids) {
                   id associations(toObjectType: "contacts") { totalCount } } }""",
            {"id": integration, "ids": [acme, unknown, globex]},
        )
    )["crmRecords"]

    assert [r and r["id"] for r in records] == [acme, None, globex]
    queries = [c.query.get("q", "") for c in sf.state.calls if "/query" in c.path]
    # The association query vouches for the accounts with contacts; one Id query checks
    # the rest.
    assert len(queries) == 2, queries
    assert queries[1].startswith("SELECT Id FROM Account WHERE Id IN"), queries
    assert acme not in queries[1]


async def test_highlevel_answers_every_well_formed_id_with_no_lookup(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR")
    await api.data(
        """mutation($id: ID!) { updateCrmIntegration(id: $id,
        input: {locationId: "demo-location"}) { locationId } }""",
        {"id": integration},
    )
    ghl.state.reset_calls()

    records = (
        await api.data(
            """query($id: ID!, $ids: [ID!]!) { crmRecords(integrationId: $id,
                 objectType: "contact", ids: $ids) {
                   id associations(toObjectType: "custom_objects.children") { totalCount } } }""",
            {"id": integration, "ids": ["demo-contact-1", "no-such-contact"]},
        )
    )["crmRecords"]

    # HighLevel answers an unknown record as one with no relations: no lookup can tell.
    assert records == [
        {"id": "demo-contact-1", "associations": {"totalCount": 1}},
        {"id": "no-such-contact", "associations": {"totalCount": 0}},
    ]
    assert [c.path for c in ghl.state.calls] == [
        "/associations/relations/demo-contact-1",
        "/associations/relations/no-such-contact",
    ]


async def test_a_bad_to_object_type_fails_the_associations_field_not_the_records(api, hubspot):
    integration = await api.create_integration("HUBSPOT")

    body = await api.post(
        """query($id: ID!) { crmRecords(integrationId: $id, objectType: "contacts",
             ids: ["1", "9001"]) { id associations(toObjectType: "no such!") { totalCount } } }""",
        {"id": integration},
    )

    # Contact 1 is nulled by its failed (non-null) associations field; 9001 is unknown.
    assert body["data"]["crmRecords"] == [None, None]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    assert [e["path"] for e in body["errors"]] == [["crmRecords", 0, "associations"]]
    # No association read with the bad type; one lookup settled which ids exist.
    assert [c.path for c in hubspot.state.calls] == ["/crm/objects/2026-09/contacts/batch/read"]
