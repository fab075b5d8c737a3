"""createDefaultAssociation and batchCreateAssociations, end to end over HTTP.

Every test here runs on both HubSpot API versions (2026-09 and legacy).
"""

from __future__ import annotations

import pytest

from providers.hubspot.paths import API_VERSIONS

DATED = "2026-09"


@pytest.fixture(params=API_VERSIONS)
def hubspot_api_version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


DEFAULT = """mutation($id: ID!, $from: ID!, $to: ID!) {
  createDefaultAssociation(integrationId: $id, fromObjectType: "contacts", fromObjectId: $from,
                           toObjectType: "companies", toObjectId: $to) {
    status numErrors startedAt completedAt
    results { from { id } to { id } associationSpec { associationCategory associationTypeId } }
    errors { message category }
  }
}"""

BATCH = """mutation($id: ID!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: "contacts",
                          toObjectType: "companies", inputs: $inputs) {
    status numErrors
    results { from { id } to { id } type }
    errors { message category context items { from { id } to { id } } }
  }
}"""


def pairs(n: int, start: int = 1) -> list[dict[str, object]]:
    return [
        {"from": {"id": str(start + i)}, "to": {"id": str(1001 + i)}, "type": "contact_to_company"}
        for i in range(n)
    ]


async def test_default_association_is_hubspots_batch_response_typed(
    api, hubspot, hubspot_api_version
):
    integration = await api.create_integration("HUBSPOT")
    data = await api.data(DEFAULT, {"id": integration, "from": "1", "to": "1001"})
    batch = data["createDefaultAssociation"]
    assert batch["status"] == "COMPLETE"
    assert batch["numErrors"] == 0
    forward = {
        "from": {"id": "1"},
        "to": {"id": "1001"},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
    }
    assert forward in batch["results"]
    call = hubspot.state.calls[-1]
    objects = "/crm/objects/2026-09" if hubspot_api_version == DATED else "/crm/v4/objects"
    assert (call.method, call.path) == (
        "PUT",
        f"{objects}/contacts/1/associations/default/companies/1001",
    )
    assert call.header("Authorization") == "Bearer hs-test-token"
    assert hubspot.state.associated("contacts", "1", "companies") == {"1001": [279]}


async def test_default_association_on_an_unknown_record_is_an_error_on_the_pair(api, hubspot):
    # One answer shape (README, "One answer shape"): as it would be inside a batch.
    integration = await api.create_integration("HUBSPOT")
    data = await api.data(DEFAULT, {"id": integration, "from": "999999", "to": "1001"})
    batch = data["createDefaultAssociation"]
    assert (batch["numErrors"], batch["results"]) == (1, [])
    assert batch["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert "999999" in batch["errors"][0]["message"]
    assert hubspot.state.count("PUT") == 1


async def test_batch_create_reports_every_input(api, hubspot, hubspot_api_version):
    integration = await api.create_integration("HUBSPOT")
    inputs = pairs(3)
    data = await api.data(BATCH, {"id": integration, "inputs": inputs})
    batch = data["batchCreateAssociations"]
    assert batch["numErrors"] == 0
    assert [(r["from"]["id"], r["to"]["id"], r["type"]) for r in batch["results"]] == [
        ("1", "1001", "contact_to_company"),
        ("2", "1002", "contact_to_company"),
        ("3", "1003", "contact_to_company"),
    ]
    [call] = hubspot.state.calls
    if hubspot_api_version == DATED:
        # The v3 name is sent as the category and type id 2026-09 takes.
        assert call.path == "/crm/associations/2026-09/contacts/companies/batch/create"
        assert call.body["inputs"][0] == {
            "from": {"id": "1"},
            "to": {"id": "1001"},
            "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
        }
    else:
        assert call.path == "/crm/v3/associations/contacts/companies/batch/create"
        assert call.body["inputs"][0]["type"] == "contact_to_company"
    assert hubspot.state.associated("contacts", "3", "companies") == {"1003": [279]}


@pytest.mark.parametrize("hubspot_api_version", [DATED])  # legacy sends the names as given
async def test_on_2026_09_a_type_name_without_a_translation_fails_alone(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    inputs = [
        *pairs(1),
        {"from": {"id": "2"}, "to": {"id": "1002"}, "type": "contact_to_robot"},
        {"from": {"id": "3"}, "to": {"id": "1003"}, "type": "deal_to_contact"},  # wrong pair
        {"from": {"id": "4"}, "to": {"id": "1004"}, "type": "1"},  # a type id: Primary
    ]
    batch = (await api.data(BATCH, {"id": integration, "inputs": inputs}))[
        "batchCreateAssociations"
    ]
    assert [(r["from"]["id"], r["type"]) for r in batch["results"]] == [
        ("1", "contact_to_company"),
        ("4", "1"),
    ]
    refused = {e["items"][0]["from"]["id"]: e for e in batch["errors"]}
    assert sorted(refused) == ["2", "3"]
    assert {e["category"] for e in refused.values()} == {"BAD_USER_INPUT"}
    assert "contact_to_robot" in refused["2"]["message"]
    [call] = hubspot.state.calls
    assert [i["from"]["id"] for i in call.body["inputs"]] == ["1", "4"]
    assert hubspot.state.associated("contacts", "4", "companies") == {"1004": [1, 279]}


@pytest.mark.parametrize("hubspot_api_version", [DATED])  # legacy sends the names as given
async def test_on_2026_09_a_batch_of_unknown_type_names_makes_no_call(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    inputs = [{"from": {"id": "1"}, "to": {"id": "1001"}, "type": "nope"}]
    batch = (await api.data(BATCH, {"id": integration, "inputs": inputs}))[
        "batchCreateAssociations"
    ]
    assert batch["results"] == []
    assert [e["category"] for e in batch["errors"]] == ["BAD_USER_INPUT"]
    assert hubspot.state.count() == 0


async def test_207_partial_errors_come_back_per_item(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    inputs = [
        *pairs(2),
        {"from": {"id": "777777"}, "to": {"id": "1001"}, "type": "contact_to_company"},
    ]
    data = await api.data(BATCH, {"id": integration, "inputs": inputs})
    batch = data["batchCreateAssociations"]
    assert len(batch["results"]) == 2
    assert batch["numErrors"] == 1
    [error] = batch["errors"]
    assert error["items"] == [{"from": {"id": "777777"}, "to": {"id": "1001"}}]
    assert error["category"] == "OBJECT_NOT_FOUND"


async def test_inputs_beyond_the_limit_are_split_and_merged_in_order(
    api, hubspot, hubspot_api_version
):
    integration = await api.create_integration("HUBSPOT")
    inputs = pairs(250)
    data = await api.data(BATCH, {"id": integration, "inputs": inputs})
    batch = data["batchCreateAssociations"]
    # v3 takes 100 inputs a call, 2026-09 2,000.
    expected = [250] if hubspot_api_version == DATED else [100, 100, 50]
    assert sorted((len(c.body["inputs"]) for c in hubspot.state.calls), reverse=True) == expected
    assert [r["from"]["id"] for r in batch["results"]] == [str(1 + i) for i in range(250)]
    assert batch["numErrors"] == 0


async def test_duplicate_pairs_are_sent_once(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    inputs = pairs(2) + pairs(2)
    data = await api.data(BATCH, {"id": integration, "inputs": inputs})
    assert len(data["batchCreateAssociations"]["results"]) == 2
    assert len(hubspot.state.calls[-1].body["inputs"]) == 2


@pytest.mark.parametrize(
    ("variables", "needle"),
    [
        ({"inputs": []}, "empty"),
        ({"inputs": pairs(1), "fromType": "contacts!"}, "fromObjectType"),
    ],
)
async def test_bad_batches_are_refused_before_any_call(api, hubspot, variables, needle):
    integration = await api.create_integration("HUBSPOT")
    error = await api.error(BATCH_TYPED, {"id": integration, "fromType": "contacts", **variables})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert needle in error["message"]
    assert hubspot.state.count() == 0


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ({"from": {"id": "abc"}, "to": {"id": "1001"}, "type": "contact_to_company"}, "numbers"),
        ({"from": {"id": "1"}, "to": {"id": "1001"}, "type": "bad type!"}, "type"),
    ],
)
async def test_a_bad_input_fails_that_input_only(api, hubspot, bad, needle):
    integration = await api.create_integration("HUBSPOT")
    good = pairs(3)
    alone = await api.data(BATCH_INDEXED, {"id": integration, "inputs": [bad]})
    assert hubspot.state.count() == 0  # every input refused: no call at all
    [refused] = alone["batchCreateAssociations"]["errors"]
    assert (refused["category"], refused["inputIndex"]) == ("BAD_USER_INPUT", 0)
    mixed = [good[0], bad, good[1], good[2]]
    data = await api.data(BATCH_INDEXED, {"id": integration, "inputs": mixed})
    batch = data["batchCreateAssociations"]
    assert [r["from"]["id"] for r in batch["results"]] == ["1", "2", "3"]
    [refused] = batch["errors"]
    assert (refused["category"], refused["inputIndex"]) == ("BAD_USER_INPUT", 1)
    assert needle in refused["message"]
    assert refused["items"] == [{"from": bad["from"], "to": bad["to"]}]
    assert [len(c.body["inputs"]) for c in hubspot.state.calls] == [3]


BATCH_TYPED = """mutation($id: ID!, $fromType: String!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: $fromType,
    toObjectType: "companies", inputs: $inputs) { numErrors }
}"""
BATCH_INDEXED = """mutation($id: ID!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: "contacts",
    toObjectType: "companies", inputs: $inputs) {
    results { from { id } }
    errors { category message inputIndex items { from { id } to { id } } }
  }
}"""


async def test_oversized_batch_is_refused_before_any_call(tmp_path, hubspot):
    from tests.harness import Api, make_settings, serve

    settings = make_settings(
        str(tmp_path / "x.db"), hubspot_base_url=hubspot.url, max_batch_inputs=10
    )
    client = await serve(settings)
    try:
        api = Api(client)
        integration = await api.create_integration("HUBSPOT")
        error = await api.error(BATCH, {"id": integration, "inputs": pairs(11)})
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["extensions"]["limit"] == 10
        assert hubspot.state.count() == 0
    finally:
        await client.close()


async def test_provider_auth_failure_is_unauthenticated(api, hubspot):
    integration = await api.create_integration("HUBSPOT", token="revoked-token")
    error = await api.error(DEFAULT, {"id": integration, "from": "1", "to": "1001"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "revoked-token" not in str(error)
