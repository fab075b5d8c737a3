"""createAssociation (Truto's unified shape) on Salesforce, end to end over HTTP."""

from __future__ import annotations

import pytest

from emulators import sandbox_data as demo

ACME, GLOBEX = demo.SF_ACCOUNT_IDS
ADA, GRACE, LINUS = demo.SF_CONTACT_IDS
OPP = demo.SF_OPPORTUNITY_ID

ASSOCIATE = """mutation($id: ID!, $input: UnifiedAssociationInput!, $options: UnifiedRequestOptions) {
  createAssociation(integrationId: $id, input: $input, options: $options) {
    entityId entity
    associations { accounts { id } contacts { id } leads { id } opportunities { id } }
    errors { entity id code message fields }
    remoteData
  }
}"""


@pytest.fixture
async def integration(api, sf):
    return await api.create_integration("SALESFORCE", instance_url=sf.url)


def contact_roles(sf, opportunity: str) -> list[str]:
    rows = sf.state.records["OpportunityContactRole"].values()
    return sorted(r["ContactId"] for r in rows if r["OpportunityId"] == opportunity)


async def test_account_contacts_set_account_id_in_one_collections_call(api, sf, integration):
    data = await api.data(
        ASSOCIATE,
        {
            "id": integration,
            "input": {
                "entityId": GLOBEX,
                "entity": "ACCOUNTS",
                "associations": {"contacts": [{"id": GRACE}, {"id": LINUS}]},
            },
        },
    )
    result = data["createAssociation"]
    assert result["associations"]["contacts"] == [{"id": GRACE}, {"id": LINUS}]
    assert result["errors"] == []
    assert sf.state.records["Contact"][GRACE]["AccountId"] == GLOBEX
    assert sf.state.records["Contact"][LINUS]["AccountId"] == GLOBEX
    [call] = sf.state.calls
    assert (call.method, call.path) == ("PATCH", "/services/data/v62.0/composite/sobjects")
    assert call.body == {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": "Contact"}, "id": GRACE, "AccountId": GLOBEX},
            {"attributes": {"type": "Contact"}, "id": LINUS, "AccountId": GLOBEX},
        ],
    }
    assert call.header("Authorization") == "Bearer sf-test-token"


async def test_more_than_200_records_take_several_calls(api, sf, integration):
    contacts = [sf.state.add_record("Contact", None, LastName=f"C{i}") for i in range(450)]
    data = await api.data(
        ASSOCIATE,
        {
            "id": integration,
            "input": {
                "entityId": ACME,
                "entity": "ACCOUNTS",
                "associations": {"contacts": [{"id": c} for c in contacts]},
            },
        },
    )
    assert len(data["createAssociation"]["associations"]["contacts"]) == 450
    assert [len(c.body["records"]) for c in sf.state.calls] == [200, 200, 50]


async def test_opportunity_contacts_never_duplicate_a_contact_role(api, sf, integration):
    assert contact_roles(sf, OPP) == [ADA]  # seeded
    variables = {
        "id": integration,
        "input": {
            "entityId": OPP,
            "entity": "OPPORTUNITIES",
            "associations": {"contacts": [{"id": ADA}, {"id": GRACE}]},
        },
    }
    first = (await api.data(ASSOCIATE, variables))["createAssociation"]
    assert first["associations"]["contacts"] == [{"id": ADA}, {"id": GRACE}]
    again = (await api.data(ASSOCIATE, variables))["createAssociation"]
    assert again["associations"]["contacts"] == [{"id": ADA}, {"id": GRACE}]
    assert contact_roles(sf, OPP) == sorted([ADA, GRACE])
    assert sf.state.count("POST", "/composite/sobjects") == 1  # the repeat created nothing


async def test_opportunity_account_sets_the_lookup(api, sf, integration):
    data = await api.data(
        ASSOCIATE,
        {
            "id": integration,
            "input": {
                "entityId": OPP,
                "entity": "OPPORTUNITIES",
                "associations": {"accounts": [{"id": GLOBEX}]},
            },
        },
    )
    assert data["createAssociation"]["associations"]["accounts"] == [{"id": GLOBEX}]
    assert sf.state.records["Opportunity"][OPP]["AccountId"] == GLOBEX


async def test_per_record_save_errors_come_back_with_their_reason(api, sf, integration):
    missing = "003000000000099AAA"
    data = await api.data(
        ASSOCIATE,
        {
            "id": integration,
            "input": {
                "entityId": ACME,
                "entity": "ACCOUNTS",
                "associations": {"contacts": [{"id": GRACE}, {"id": missing}]},
            },
        },
    )
    result = data["createAssociation"]
    assert result["associations"]["contacts"] == [{"id": GRACE}]
    [error] = result["errors"]
    assert (error["entity"], error["id"]) == ("CONTACTS", missing)
    assert error["code"]
    assert error["message"]


@pytest.mark.parametrize(
    ("entity", "entity_id", "associations", "code"),
    [
        ("LEADS", demo.SF_LEAD_ID, {"accounts": [{"id": ACME}]}, "UNSUPPORTED_ASSOCIATION"),
        ("ACCOUNTS", ACME, {"leads": [{"id": demo.SF_LEAD_ID}]}, "UNSUPPORTED_ASSOCIATION"),
        ("OPPORTUNITIES", OPP, {"opportunities": [{"id": OPP}]}, "UNSUPPORTED_ASSOCIATION"),
        ("OPPORTUNITIES", OPP, {"accounts": [{"id": ACME}, {"id": GLOBEX}]}, "BAD_USER_INPUT"),
        ("ACCOUNTS", ACME, {}, "BAD_USER_INPUT"),
        ("ACCOUNTS", "not-an-id", {"contacts": [{"id": ADA}]}, "BAD_USER_INPUT"),
        ("ACCOUNTS", ACME, {"contacts": [{"id": "x' OR Name != '"}]}, "BAD_USER_INPUT"),
    ],
)
async def test_what_salesforce_cannot_express_is_refused_before_any_call(
    api, sf, integration, entity, entity_id, associations, code
):
    error = await api.error(
        ASSOCIATE,
        {
            "id": integration,
            "input": {"entityId": entity_id, "entity": entity, "associations": associations},
        },
    )
    assert error["extensions"]["code"] == code
    assert sf.state.count() == 0


async def test_response_formats_and_options(api, sf, integration):
    base = {
        "id": integration,
        "input": {
            "entityId": ACME,
            "entity": "ACCOUNTS",
            "associations": {"contacts": [{"id": GRACE}]},
        },
    }
    raw = await api.data(ASSOCIATE, {**base, "options": {"responseFormat": "RAW"}})
    assert raw["createAssociation"]["remoteData"][0]["success"] is True
    quiet = await api.data(ASSOCIATE, {**base, "options": {"ignoreRemoteData": True}})
    assert quiet["createAssociation"]["remoteData"] is None
    normalized = await api.data(ASSOCIATE, {**base, "options": {"responseFormat": "NORMALIZED"}})
    assert normalized["createAssociation"]["remoteData"] is None
    assert normalized["createAssociation"]["associations"]["contacts"] == [{"id": GRACE}]
    excluded = await api.data(ASSOCIATE, {**base, "options": {"excludeFields": ["associations"]}})
    assert excluded["createAssociation"]["associations"] is None
    calls = len(sf.state.calls)
    error = await api.error(ASSOCIATE, {**base, "options": {"excludeFields": ["entity_id"]}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(sf.state.calls) == calls


async def test_remote_query_and_remote_data_are_passed_untouched(api, sf, integration):
    await api.data(
        ASSOCIATE,
        {
            "id": integration,
            "input": {
                "entityId": OPP,
                "entity": "OPPORTUNITIES",
                "associations": {"contacts": [{"id": LINUS}]},
                "remoteData": {"Role": "Economic Buyer"},
            },
            "options": {"remoteQuery": {"foo": "bar"}},
        },
    )
    create = next(c for c in sf.state.calls if c.method == "POST")
    assert create.query == {"foo": "bar"}
    assert create.body["records"][0]["Role"] == "Economic Buyer"
    assert create.body["records"][0]["ContactId"] == LINUS


async def test_an_expired_session_is_unauthenticated(api, sf):
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url, token="expired")
    error = await api.error(
        ASSOCIATE,
        {
            "id": integration,
            "input": {
                "entityId": ACME,
                "entity": "ACCOUNTS",
                "associations": {"contacts": [{"id": GRACE}]},
            },
        },
    )
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
