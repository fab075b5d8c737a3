"""Every cell of the matrix, end to end over HTTP against the emulators: each of the four
association mutations on each CRM, through that CRM's own endpoints. The hubspot and ghl
fixtures validate every request they received against the official specs at teardown."""

from __future__ import annotations

import pytest

from emulators import sandbox_data as demo
from tests.e2e.test_salesforce import ASSOCIATE, contact_roles

DEFAULT = """mutation($id: ID!, $from: String!, $fromId: ID!, $to: String!, $toId: ID!) {
  createDefaultAssociation(integrationId: $id, fromObjectType: $from, fromObjectId: $fromId,
    toObjectType: $to, toObjectId: $toId) {
    status numErrors
    results { from { id } to { id } associationSpec { associationCategory associationTypeId } }
    errors { category message items { from { id } to { id } } }
  }
}"""
BATCH = """mutation($id: ID!, $from: String!, $to: String!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: $from, toObjectType: $to,
    inputs: $inputs) {
    numErrors results { from { id } to { id } type }
    errors { category message items { from { id } to { id } } }
  }
}"""
RELATE = """mutation($id: ID!, $input: CreateRelationInput!) {
  createRelation(integrationId: $id, input: $input) {
    id associationId firstRecordId secondRecordId firstObjectKey secondObjectKey
  }
}"""
LABELS = """query($id: ID!, $from: String!, $to: String!) {
  associationLabels(integrationId: $id, fromObjectType: $from, toObjectType: $to) {
    id category typeId label
  }
}"""


def inputs(*pairs: tuple[str, str, str]) -> list[dict[str, object]]:
    return [{"from": {"id": f}, "to": {"id": t}, "type": k} for f, t, k in pairs]


def ids(refs: list[dict[str, str]] | None) -> list[str]:
    return [r["id"] for r in refs or []]


# --- HubSpot ---------------------------------------------------------------------------------


async def test_hubspot_create_association_is_default_associations_per_object_pair(api, hubspot):
    hubspot.state.add_records("leads", "7001")
    integration = await api.create_integration("HUBSPOT")
    answers = await api.batch(
        [
            {
                "query": ASSOCIATE,
                "variables": {
                    "id": integration,
                    "input": {
                        "entityId": "1001",
                        "entity": "ACCOUNTS",
                        "associations": {
                            "contacts": [{"id": "1"}, {"id": "2"}, {"id": "999"}],
                            "opportunities": [{"id": "5001"}],
                        },
                    },
                },
            },
            {
                "query": ASSOCIATE,
                "variables": {
                    "id": integration,
                    "input": {
                        "entityId": "1002",
                        "entity": "ACCOUNTS",
                        "associations": {"contacts": [{"id": "3"}]},
                    },
                },
            },
            {
                "query": ASSOCIATE,
                "variables": {
                    "id": integration,
                    "input": {
                        "entityId": "7001",
                        "entity": "LEADS",
                        "associations": {"contacts": [{"id": "4"}]},
                    },
                },
            },
        ]
    )
    first, second, lead = (a["data"]["createAssociation"] for a in answers)
    assert ids(first["associations"]["contacts"]) == ["1", "2"]
    assert ids(first["associations"]["opportunities"]) == ["5001"]
    assert [(e["entity"], e["id"], e["code"]) for e in first["errors"]] == [
        ("CONTACTS", "999", "OBJECT_NOT_FOUND")
    ]
    assert ids(second["associations"]["contacts"]) == ["3"]
    assert ids(lead["associations"]["contacts"]) == ["4"]
    # Two operations on companies -> contacts share one batch call.
    assert hubspot.state.count("POST", "/companies/contacts/batch/associate/default") == 1
    assert hubspot.state.count("POST", "/companies/deals/batch/associate/default") == 1
    assert hubspot.state.associated("companies", "1001", "contacts").keys() == {"1", "2"}
    assert hubspot.state.associated("leads", "7001", "contacts") == {"4": [608]}


async def test_hubspot_create_relation_takes_the_ids_association_labels_gives(api, hubspot):
    label = hubspot.state.add_label("contacts", "companies", "Billing contact")
    integration = await api.create_integration("HUBSPOT")
    labels = (await api.data(LABELS, {"id": integration, "from": "contacts", "to": "companies"}))[
        "associationLabels"
    ]
    billing = next(x for x in labels if x["label"] == "Billing contact")
    assert billing["id"] == f"contacts/companies/USER_DEFINED/{label.type_id}"
    relation = {"associationId": billing["id"], "firstRecordId": "5", "secondRecordId": "1005"}
    created = (await api.data(RELATE, {"id": integration, "input": relation}))["createRelation"]
    assert created["firstObjectKey"] == "contacts"
    assert created["secondObjectKey"] == "companies"
    assert label.type_id in hubspot.state.associated("contacts", "5", "companies")["1005"]
    call = hubspot.state.calls[-1]
    assert call.method == "PUT"
    assert call.body == [
        {"associationCategory": "USER_DEFINED", "associationTypeId": label.type_id}
    ]


# --- Salesforce -------------------------------------------------------------------------------

ACME, GLOBEX = demo.SF_ACCOUNT_IDS
ADA, GRACE, LINUS = demo.SF_CONTACT_IDS
OPP = demo.SF_OPPORTUNITY_ID


@pytest.fixture
async def sf_integration(api, sf):
    return await api.create_integration("SALESFORCE", instance_url=sf.url)


async def test_salesforce_default_association_is_the_lookup_or_a_new_contact_role(
    api, sf, sf_integration
):
    lookup = {"id": sf_integration, "from": "contacts", "fromId": GRACE}
    data = await api.data(DEFAULT, {**lookup, "to": "accounts", "toId": GLOBEX})
    batch = data["createDefaultAssociation"]
    assert batch["numErrors"] == 0
    assert batch["results"][0]["associationSpec"]["associationCategory"] == "Contact.AccountId"
    assert sf.state.find(GRACE)[1]["AccountId"] == GLOBEX
    role = {"id": sf_integration, "from": "opportunities", "fromId": OPP, "to": "contacts"}
    for _ in range(2):  # the second finds the row and creates none
        data = await api.data(DEFAULT, {**role, "toId": LINUS})
        assert data["createDefaultAssociation"]["numErrors"] == 0
    assert contact_roles(sf, OPP) == sorted([ADA, LINUS])
    missing = await api.data(DEFAULT, {**lookup, "to": "accounts", "toId": "001000000000099AAA"})
    errors = missing["createDefaultAssociation"]["errors"]
    assert [e["category"] for e in errors] == ["INVALID_CROSS_REFERENCE_KEY"]


async def test_salesforce_batch_create_default_links_and_junction_rows(api, sf, sf_integration):
    data = await api.data(
        BATCH,
        {
            "id": sf_integration,
            "from": "contacts",
            "to": "accounts",
            "inputs": inputs(
                (GRACE, ACME, "default"),
                (LINUS, ACME, "default"),
                (ADA, GLOBEX, "AccountContactRelation"),
                (ADA, ACME, "AccountContactRelation"),  # exists: a result, as HubSpot has it
                ("003000000000099AAA", ACME, "default"),
            ),
        },
    )
    batch = data["batchCreateAssociations"]
    assert [(r["from"]["id"], r["type"]) for r in batch["results"]] == [
        (GRACE, "default"),
        (LINUS, "default"),
        (ADA, "AccountContactRelation"),
        (ADA, "AccountContactRelation"),
    ]
    assert [ids([i["from"] for i in e["items"]]) for e in batch["errors"]] == [
        ["003000000000099AAA"]
    ]
    relations = sf.state.records["AccountContactRelation"].values()
    assert sorted((r["AccountId"], r["ContactId"]) for r in relations) == sorted(
        [(ACME, ADA), (GLOBEX, ADA)]
    )
    assert sf.state.find(LINUS)[1]["AccountId"] == ACME


async def test_salesforce_create_relation_is_a_junction_row_with_a_role(api, sf, sf_integration):
    labels = (
        await api.data(LABELS, {"id": sf_integration, "from": "opportunities", "to": "contacts"})
    )["associationLabels"]
    assert [x["id"] for x in labels] == ["OpportunityContactRole"]
    relation = {
        "associationId": "OpportunityContactRole",
        "firstRecordId": OPP,
        "secondRecordId": GRACE,
        "role": "Influencer",
    }
    created = (await api.data(RELATE, {"id": sf_integration, "input": relation}))["createRelation"]
    row = sf.state.find(created["id"])[1]
    assert (row["OpportunityId"], row["ContactId"], row["Role"]) == (OPP, GRACE, "Influencer")
    again = await api.error(RELATE, {"id": sf_integration, "input": relation})
    assert again["extensions"]["code"] == "ALREADY_EXISTS"
    account = {"associationId": "AccountContactRelation", "firstRecordId": GLOBEX}
    await api.data(RELATE, {"id": sf_integration, "input": {**account, "secondRecordId": GRACE}})
    duplicate = await api.error(
        RELATE, {"id": sf_integration, "input": {**account, "secondRecordId": GRACE}}
    )
    assert duplicate["extensions"]["code"] == "ALREADY_EXISTS"  # Salesforce's DUPLICATE_VALUE
    wrong = await api.error(
        RELATE, {"id": sf_integration, "input": {**account, "secondRecordId": OPP}}
    )
    assert wrong["extensions"]["code"] == "BAD_USER_INPUT"


# --- HighLevel --------------------------------------------------------------------------------

BUSINESS = demo.GHL_BUSINESS_IDS[0]
CONTACT_1, CONTACT_2 = demo.GHL_CONTACT_IDS
CHILD_1, CHILD_2 = demo.GHL_CHILD_IDS
OPPORTUNITY = demo.GHL_OPPORTUNITY_IDS[0]


@pytest.fixture
async def ghl_integration(api, ghl):
    return await api.create_integration("LEADCONNECTOR", location_id=demo.GHL_LOCATION_ID)


def unified(integration: str, entity: str, entity_id: str, **lists: list[str]) -> dict:
    associations = {k: [{"id": i} for i in v] for k, v in lists.items()}
    return {
        "id": integration,
        "input": {"entityId": entity_id, "entity": entity, "associations": associations},
    }


async def test_highlevel_create_association_uses_business_contact_id_and_relations(
    api, ghl, ghl_integration
):
    location = ghl.state.locations[demo.GHL_LOCATION_ID]
    data = await api.data(
        ASSOCIATE, unified(ghl_integration, "ACCOUNTS", BUSINESS, contacts=[CONTACT_1, "nope"])
    )
    answer = data["createAssociation"]
    assert ids(answer["associations"]["contacts"]) == [CONTACT_1]
    assert [(e["id"], e["code"]) for e in answer["errors"]] == [("nope", "NOT_FOUND")]
    assert location.fields[CONTACT_1]["businessId"] == BUSINESS
    assert ghl.state.calls[-1].body == {
        "locationId": demo.GHL_LOCATION_ID,
        "ids": [CONTACT_1, "nope"],
        "businessId": BUSINESS,
    }
    data = await api.data(
        ASSOCIATE, unified(ghl_integration, "OPPORTUNITIES", OPPORTUNITY, contacts=[CONTACT_2])
    )
    assert ids(data["createAssociation"]["associations"]["contacts"]) == [CONTACT_2]
    assert location.fields[OPPORTUNITY]["contactId"] == CONTACT_2
    # Any other pair: through the location's definition (opportunity -> business, "Partner").
    data = await api.data(
        ASSOCIATE, unified(ghl_integration, "ACCOUNTS", BUSINESS, opportunities=[OPPORTUNITY])
    )
    assert ids(data["createAssociation"]["associations"]["opportunities"]) == [OPPORTUNITY]
    partner = [
        r
        for r in location.relations.values()
        if r["associationId"] == demo.GHL_OPPORTUNITY_BUSINESS_ASSOCIATION_ID
    ]
    assert [(r["firstRecordId"], r["secondRecordId"]) for r in partner] == [(OPPORTUNITY, BUSINESS)]
    before = ghl.state.count()
    refused = await api.error(
        ASSOCIATE, unified(ghl_integration, "LEADS", CONTACT_1, contacts=[CONTACT_2])
    )
    assert refused["extensions"]["code"] == "UNSUPPORTED_ASSOCIATION"
    assert ghl.state.count() == before


async def test_highlevel_default_association_is_the_built_in_association(api, ghl, ghl_integration):
    pair = {"id": ghl_integration, "from": "contact", "fromId": CONTACT_2}
    for _ in range(2):  # the second finds the relation there: still a result
        data = await api.data(DEFAULT, {**pair, "to": "business", "toId": BUSINESS})
        batch = data["createDefaultAssociation"]
        assert batch["numErrors"] == 0
        assert batch["results"][0]["associationSpec"]["associationCategory"] == "SYSTEM_DEFINED"
    location = ghl.state.locations[demo.GHL_LOCATION_ID]
    built_in = [
        r
        for r in location.relations.values()
        if r["associationId"] == demo.GHL_CONTACT_BUSINESS_ASSOCIATION_ID
    ]
    assert [(r["firstRecordId"], r["secondRecordId"]) for r in built_in] == [(CONTACT_2, BUSINESS)]
    none = await api.error(DEFAULT, {**pair, "to": "custom_objects.children", "toId": CHILD_1})
    assert none["extensions"]["code"] == "UNSUPPORTED_ASSOCIATION"


async def test_highlevel_batch_create_is_one_relation_per_input(api, ghl, ghl_integration):
    data = await api.data(
        BATCH,
        {
            "id": ghl_integration,
            "from": "custom_objects.children",
            "to": "contact",
            "inputs": inputs(
                (CHILD_2, CONTACT_2, demo.GHL_ASSOCIATION_ID),
                (CHILD_1, CONTACT_1, demo.GHL_ASSOCIATION_ID),  # exists: a result
                (CHILD_2, "nope", demo.GHL_ASSOCIATION_ID),
            ),
        },
    )
    batch = data["batchCreateAssociations"]
    assert [(r["from"]["id"], r["to"]["id"]) for r in batch["results"]] == [
        (CHILD_2, CONTACT_2),
        (CHILD_1, CONTACT_1),
    ]
    assert [ids([i["to"] for i in e["items"]]) for e in batch["errors"]] == [["nope"]]
    assert ghl.state.count("POST", "/associations/relations") == 3


async def test_highlevel_create_relation_uses_the_integration_location(api, ghl, ghl_integration):
    relation = {
        "associationId": demo.GHL_ASSOCIATION_ID,
        "firstRecordId": CHILD_2,
        "secondRecordId": CONTACT_1,
    }
    created = (await api.data(RELATE, {"id": ghl_integration, "input": relation}))["createRelation"]
    assert created["firstObjectKey"] == "custom_objects.children"
    assert ghl.state.calls[-1].body["locationId"] == demo.GHL_LOCATION_ID
    bare = await api.create_integration("LEADCONNECTOR")
    before = ghl.state.count()
    error = await api.error(RELATE, {"id": bare, "input": relation})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "locationId"
    assert ghl.state.count() == before


async def test_salesforce_batch_create_sends_200_records_a_call(api, sf, sf_integration):
    contacts = [sf.state.add_record("Contact", None, LastName=f"C{i}") for i in range(250)]
    data = await api.data(
        BATCH,
        {
            "id": sf_integration,
            "from": "contacts",
            "to": "accounts",
            "inputs": inputs(*((c, GLOBEX, "default") for c in contacts)),
        },
    )
    batch = data["batchCreateAssociations"]
    assert [r["from"]["id"] for r in batch["results"]] == contacts
    assert batch["numErrors"] == 0
    patches = [c for c in sf.state.calls if c.method == "PATCH"]
    assert [len(c.body["records"]) for c in patches] == [200, 50]
    assert all(sf.state.find(c)[1]["AccountId"] == GLOBEX for c in contacts)


@pytest.mark.parametrize("provider", ["HUBSPOT", "SALESFORCE", "LEADCONNECTOR"])
async def test_every_label_id_is_an_association_id_create_relation_accepts(
    api, hubspot, sf, ghl, provider
):
    integration = await api.create_integration(
        provider,
        instance_url=sf.url if provider == "SALESFORCE" else None,
        location_id=demo.GHL_LOCATION_ID if provider == "LEADCONNECTOR" else None,
    )
    first, second, from_type, to_type = {
        "HUBSPOT": ("7", "1007", "contacts", "companies"),
        "SALESFORCE": (GLOBEX, LINUS, "accounts", "contacts"),
        "LEADCONNECTOR": (CHILD_2, CONTACT_2, "custom_objects.children", "contact"),
    }[provider]
    labels = (await api.data(LABELS, {"id": integration, "from": from_type, "to": to_type}))[
        "associationLabels"
    ]
    assert labels
    for label in labels:
        relation = {"associationId": label["id"], "firstRecordId": first, "secondRecordId": second}
        created = (await api.data(RELATE, {"id": integration, "input": relation}))["createRelation"]
        assert created["associationId"] == label["id"]


async def test_salesforce_default_link_keeps_a_contacts_account_and_relates_the_other(
    api, sf, sf_integration
):
    pair = {"id": sf_integration, "from": "accounts", "fromId": GLOBEX, "to": "contacts"}
    for _ in range(2):  # the second meets DUPLICATE_VALUE: an existing link, still a result
        data = await api.data(DEFAULT, {**pair, "toId": ADA})
        batch = data["createDefaultAssociation"]
        assert batch["numErrors"] == 0
        spec = batch["results"][0]["associationSpec"]
        assert spec["associationCategory"] == "AccountContactRelation"
    assert sf.state.find(ADA)[1]["AccountId"] == ACME  # Ada's account is kept
    relations = sf.state.records["AccountContactRelation"].values()
    assert sorted((r["AccountId"], r["ContactId"]) for r in relations) == sorted(
        [(ACME, ADA), (GLOBEX, ADA)]
    )
    linked = await api.data(DEFAULT, {**pair, "fromId": ACME, "toId": ADA})
    assert linked["createDefaultAssociation"]["results"][0]["associationSpec"] == {
        "associationCategory": "Contact.AccountId",
        "associationTypeId": 0,
    }
