"""A lost reply is reconciled, not guessed: a create that is not safe to repeat (a HighLevel
relation, a Salesforce contact role) is read back after a 5xx, a timeout or a dropped
connection. Made: success, not sent again. Not made: sent again, and made once."""

from __future__ import annotations

from typing import Any

import pytest

from emulators import sandbox_data as demo
from emulators.faults import FaultKind, FaultRule
from providers.base import ClientSettings, HttpTransport, Reply
from providers.domain import Connection, Credentials, CrmProvider, RelationRequest
from providers.errors import AlreadyExists, Unavailable
from providers.leadconnector.client import LeadConnectorClient
from tests.e2e.test_leadconnector import RELATE, relation
from tests.e2e.test_salesforce import ASSOCIATE
from tests.harness import Api, make_settings, serve

RELATIONS = "/associations/relations"
AFTER_THE_WRITE = [
    FaultRule(FaultKind.SERVER_ERROR, status=500, times=1, apply_before_fault=True),
    FaultRule(FaultKind.DROP, times=1, apply_before_fault=True),
    FaultRule(FaultKind.TIMEOUT, delay=2.0, times=1, apply_before_fault=True),
    FaultRule(FaultKind.MALFORMED_JSON, times=1, apply_before_fault=True),
]
BEFORE_THE_WRITE = [
    FaultRule(FaultKind.SERVER_ERROR, status=502, times=1),
    FaultRule(FaultKind.DROP, times=1),
]


@pytest.fixture
async def api(tmp_path: Any, ghl: Any) -> Any:
    # A short upstream timeout, so that a held reply times out quickly.
    settings = make_settings(
        str(tmp_path / "db.sqlite"), leadconnector_base_url=ghl.url, upstream_timeout_seconds=0.5
    )
    client = await serve(settings)
    yield Api(client)
    await client.close()


def made_relations(ghl: Any) -> list[dict[str, Any]]:
    location = ghl.state.locations[demo.GHL_LOCATION_ID]
    return [r for r in location.relations.values() if r["firstRecordId"] == "demo-child-2"]


@pytest.mark.parametrize("fault", AFTER_THE_WRITE, ids=lambda f: f.kind.value)
async def test_a_relation_made_before_its_reply_was_lost_is_confirmed(api, ghl, fault):
    fault.path = RELATIONS + "$"
    fault.method = "POST"
    ghl.state.faults.rules.append(fault)
    integration = await api.create_integration("LEADCONNECTOR")

    created = (await api.data(RELATE, {"id": integration, "input": relation()}))["createRelation"]

    [stored] = made_relations(ghl)
    assert created["id"] == stored["id"]
    assert ghl.state.count("POST", RELATIONS) == 1  # read back, not sent again
    assert ghl.state.count("GET", RELATIONS + "/demo-child-2") == 1


@pytest.mark.parametrize("fault", BEFORE_THE_WRITE, ids=lambda f: f.kind.value)
async def test_a_relation_not_made_is_sent_again_and_made_once(api, ghl, fault):
    fault.path, fault.method = RELATIONS + "$", "POST"
    ghl.state.faults.rules.append(fault)
    integration = await api.create_integration("LEADCONNECTOR")

    created = (await api.data(RELATE, {"id": integration, "input": relation()}))["createRelation"]

    [stored] = made_relations(ghl)
    assert created["id"] == stored["id"]
    assert ghl.state.count("POST", RELATIONS) == 2


async def test_an_unreadable_read_back_answers_the_original_failure(api, ghl):
    ghl.state.faults.rules += [
        FaultRule(FaultKind.SERVER_ERROR, method="POST", status=503, times=1),
        FaultRule(FaultKind.SERVER_ERROR, method="GET", status=503),  # every read fails
    ]
    integration = await api.create_integration("LEADCONNECTOR")
    error = await api.error(RELATE, {"id": integration, "input": relation()})
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert ghl.state.count("POST", RELATIONS) == 1  # cannot tell: never sent blindly again


class _Canned(LeadConnectorClient):
    """The test seam under the I/O door: canned replies, and what was sent, in order."""

    def __init__(self, replies: list[Reply | Exception]) -> None:
        settings = ClientSettings(retry_backoff_seconds=0)
        super().__init__(
            HttpTransport(None, settings),  # type: ignore[arg-type]
            Connection("i", CrmProvider.LEADCONNECTOR, Credentials("t"), location_id="loc"),
        )
        self.replies, self.sent = replies, []

    async def _send(
        self, method, path, json_body, params, remaining, observed=None, burst_exempt=False
    ):  # type: ignore[override]
        self.sent.append(method)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


async def test_a_duplicate_answer_to_a_retry_of_a_lost_reply_is_success():
    made = {"id": "rel-1", "associationId": "a", "firstRecordId": "r1", "secondRecordId": "r2"}
    client = _Canned(
        [
            Unavailable("dropped", provider="leadconnector"),  # made, reply lost
            Reply(200, {}, {"relations": [], "total": 0}),  # not visible yet to the read
            AlreadyExists("duplicate relation", provider="leadconnector", status=400),
            Reply(200, {}, {"relations": [made], "total": 1}),  # read back: it is there
        ]
    )
    relation = await client.create_relation(
        RelationRequest(
            location_id="loc", association_id="a", first_record_id="r1", second_record_id="r2"
        )
    )
    assert relation.id == "rel-1"
    assert client.sent == ["POST", "GET", "POST", "GET"]


async def test_a_plain_duplicate_is_still_already_exists():
    client = _Canned([AlreadyExists("duplicate relation", provider="leadconnector", status=400)])
    with pytest.raises(AlreadyExists):
        await client.create_relation(
            RelationRequest(
                location_id="loc", association_id="a", first_record_id="r1", second_record_id="r2"
            )
        )
    assert client.sent == ["POST"]  # nothing was ambiguous: no read back


# -- Salesforce contact roles ----------------------------------------------------------------
ADA, GRACE, LINUS = demo.SF_CONTACT_IDS
OPP = demo.SF_OPPORTUNITY_ID
COLLECTIONS = "/composite/sobjects"


def roles(sf: Any) -> list[str]:
    rows = sf.state.records["OpportunityContactRole"].values()
    return sorted(r["ContactId"] for r in rows if r["OpportunityId"] == OPP)


@pytest.mark.parametrize(
    ("fault", "posts"),
    [
        (FaultRule(FaultKind.SERVER_ERROR, status=500, times=1, apply_before_fault=True), 1),
        (FaultRule(FaultKind.DROP, times=1, apply_before_fault=True), 1),
        (FaultRule(FaultKind.SERVER_ERROR, status=503, times=1), 2),
        (FaultRule(FaultKind.DROP, times=1), 2),
    ],
    ids=["500-after-write", "drop-after-write", "503-before", "drop-before"],
)
async def test_contact_roles_after_a_lost_reply_are_made_once(api, sf, fault, posts):
    fault.path, fault.method = COLLECTIONS, "POST"
    sf.state.faults.rules.append(fault)
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    variables = {
        "id": integration,
        "input": {
            "entityId": OPP,
            "entity": "OPPORTUNITIES",
            "associations": {"contacts": [{"id": ADA}, {"id": GRACE}, {"id": LINUS}]},
        },
    }

    result = (await api.data(ASSOCIATE, variables))["createAssociation"]

    assert result["errors"] == []
    assert sorted(c["id"] for c in result["associations"]["contacts"]) == [ADA, GRACE, LINUS]
    assert roles(sf) == [ADA, GRACE, LINUS]  # one row per pair: nothing written twice
    assert sf.state.count("POST", COLLECTIONS) == posts


SF_RELATE = """mutation($id: ID!, $input: CreateRelationInput!) {
  createRelation(integrationId: $id, input: $input) { id firstRecordId secondRecordId } }"""


async def test_an_account_contact_relation_made_before_its_reply_was_lost_is_confirmed(api, sf):
    # AccountContactRelation refuses a second row (DUPLICATE_VALUE): a blind repeat would answer
    # ALREADY_EXISTS for the row this very call made.
    sf.state.faults.rules.append(
        FaultRule(FaultKind.DROP, method="POST", path=COLLECTIONS, times=1, apply_before_fault=True)
    )
    integration = await api.create_integration("SALESFORCE", instance_url=sf.url)
    account = demo.SF_ACCOUNT_IDS[1]
    relation = {
        "associationId": "AccountContactRelation",
        "firstRecordId": account,
        "secondRecordId": GRACE,
    }

    created = (await api.data(SF_RELATE, {"id": integration, "input": relation}))["createRelation"]

    rows = [
        (i, r)
        for i, r in sf.state.records["AccountContactRelation"].items()
        if (r["AccountId"], r["ContactId"]) == (account, GRACE)
    ]
    assert [i for i, _ in rows] == [created["id"]]
    assert sf.state.count("POST", COLLECTIONS) == 1
