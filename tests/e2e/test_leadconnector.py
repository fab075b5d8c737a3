"""createRelation, end to end over HTTP against the HighLevel emulator."""

from __future__ import annotations

import pytest

from emulators import sandbox_data as demo

RELATE = """mutation($id: ID!, $input: CreateRelationInput!) {
  createRelation(integrationId: $id, input: $input) {
    id locationId associationId firstRecordId secondRecordId firstObjectKey secondObjectKey
  }
}"""


def relation(first: str = "demo-child-2", second: str = "demo-contact-2") -> dict[str, str]:
    return {
        "locationId": demo.GHL_LOCATION_ID,
        "associationId": demo.GHL_ASSOCIATION_ID,
        "firstRecordId": first,
        "secondRecordId": second,
    }


async def test_create_relation_sends_bearer_and_version(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR")
    data = await api.data(RELATE, {"id": integration, "input": relation()})
    created = data["createRelation"]
    assert created["id"]
    assert created["firstRecordId"] == "demo-child-2"
    assert created["firstObjectKey"] == "custom_objects.children"
    assert created["secondObjectKey"] == "contact"
    call = ghl.state.calls[-1]
    assert (call.method, call.path) == ("POST", "/associations/relations")
    assert call.header("Authorization") == "Bearer ghl-test-token"
    assert call.header("Version") == "2021-07-28"
    assert call.body == relation()


async def test_a_duplicate_relation_is_already_exists_and_not_retried(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR")
    # demo-child-1 -> demo-contact-1 is related in the seed data.
    error = await api.error(
        RELATE, {"id": integration, "input": relation("demo-child-1", "demo-contact-1")}
    )
    assert error["extensions"]["code"] == "ALREADY_EXISTS"
    assert error["extensions"]["providerStatus"] == 400
    assert "duplicate relation" in error["message"]
    assert ghl.state.count("POST", "/associations/relations") == 1


async def test_unknown_association_is_bad_input_from_the_provider(api, ghl):
    integration = await api.create_integration("LEADCONNECTOR")
    bad = {**relation(), "associationId": "no-such-association"}
    error = await api.error(RELATE, {"id": integration, "input": bad})
    assert error["extensions"]["code"] in {"BAD_USER_INPUT", "NOT_FOUND"}
    assert error["extensions"]["provider"] == "leadconnector"


@pytest.mark.parametrize(
    "field", ["locationId", "associationId", "firstRecordId", "secondRecordId"]
)
@pytest.mark.parametrize("value", ["", "has space", "a/b", "x" * 65])
async def test_bad_ids_are_refused_before_any_call(api, ghl, field, value):
    integration = await api.create_integration("LEADCONNECTOR")
    error = await api.error(RELATE, {"id": integration, "input": {**relation(), field: value}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert ghl.state.count() == 0
