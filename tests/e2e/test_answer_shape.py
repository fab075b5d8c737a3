"""One answer shape, however an operation is sent: alone, aliased, or in an HTTP batch, the
same mutation with the same input gives the same answer (README, "One answer shape")."""

from __future__ import annotations

from typing import Any

from emulators import sandbox_data as demo
from tests.e2e.test_hubspot import DEFAULT
from tests.e2e.test_salesforce import ASSOCIATE


def _shape(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer without its times, and errors by category (HubSpot words its single PUT's
    message and its batch's differently)."""
    shape = {k: v for k, v in answer.items() if k not in ("startedAt", "completedAt")}
    shape["errors"] = [e["category"] for e in answer["errors"]]
    return shape


async def _alone_and_batched(
    api: Any, query: str, field: str, failing: dict, other: dict
) -> list[Any]:
    """The failing operation alone, and in an HTTP batch beside another."""
    alone = (await api.post(query, failing))["data"][field]
    batched = await api.batch(
        [{"query": query, "variables": failing}, {"query": query, "variables": other}]
    )
    in_batch = batched[0]["data"][field]
    assert "errors" not in batched[0]
    return [alone, in_batch]


async def test_create_default_association_answers_alike_alone_and_batched(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    failing = {"id": integration, "from": "999999", "to": "1001"}
    other = {"id": integration, "from": "2", "to": "1002"}
    alone, in_batch = await _alone_and_batched(
        api, DEFAULT, "createDefaultAssociation", failing, other
    )
    assert _shape(alone) == _shape(in_batch)
    assert (alone["numErrors"], alone["results"]) == (1, [])
    assert alone["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    # The batch went out as one batch/associate/default, the lone one as HubSpot's PUT.
    assert hubspot.state.count("PUT") == 1
    assert hubspot.state.count("POST", "/batch/associate/default") == 1
    aliased = await api.post(
        """mutation($id: ID!) {
          a: createDefaultAssociation(integrationId: $id, fromObjectType: "contacts",
            fromObjectId: "999999", toObjectType: "companies", toObjectId: "1001") {
            numErrors errors { category } }
          b: createDefaultAssociation(integrationId: $id, fromObjectType: "contacts",
            fromObjectId: "3", toObjectType: "companies", toObjectId: "1003") {
            numErrors errors { category } }
        }""",
        {"id": integration},
    )
    assert "errors" not in aliased
    assert aliased["data"]["a"] == {"numErrors": 1, "errors": [{"category": "OBJECT_NOT_FOUND"}]}
    assert aliased["data"]["b"] == {"numErrors": 0, "errors": []}


async def test_create_association_answers_alike_alone_and_batched(api, hubspot, sf):
    sf_integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    acme, globex = demo.SF_ACCOUNT_IDS

    def on(integration: str, entity: str, contacts: list[str]) -> dict[str, Any]:
        return {
            "id": integration,
            "input": {
                "entityId": entity,
                "entity": "ACCOUNTS",
                "associations": {"contacts": [{"id": c} for c in contacts]},
            },
        }

    missing = "003000000000099AAA"
    ada = demo.SF_CONTACT_IDS[0]
    answers = await _alone_and_batched(
        api,
        ASSOCIATE,
        "createAssociation",
        on(sf_integration, globex, [missing]),
        on(sf_integration, acme, [ada]),
    )
    assert answers[0] == answers[1]
    assert [(e["id"], e["code"]) for e in answers[0]["errors"]] == [
        (missing, "INVALID_CROSS_REFERENCE_KEY")
    ]
    hs_integration = await api.create_integration("HUBSPOT")
    answers = await _alone_and_batched(
        api,
        ASSOCIATE,
        "createAssociation",
        on(hs_integration, "1001", ["999999"]),
        on(hs_integration, "1002", ["2"]),
    )
    assert answers[0] == answers[1]
    assert [(e["id"], e["code"]) for e in answers[0]["errors"]] == [("999999", "OBJECT_NOT_FOUND")]
