"""HubSpot emulator: endpoints, status codes, batch errors, limits, rate limits and faults."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from emulators import FaultKind
from emulators.hubspot import AssociationRow, HubSpotState

from .conftest import FakeClock

Client = TestClient[Any, Any]
V3_CREATE = "/crm/v3/associations/contacts/companies/batch/create"
V4_DEFAULT = "/crm/v4/associations/contacts/companies/batch/associate/default"
V4_READ = "/crm/v4/associations/{}/{}/batch/read"
LABELS = "/crm/v4/associations/{}/{}/labels"


def v3_inputs(*pairs: tuple[str, str], kind: str = "contact_to_company") -> dict[str, Any]:
    return {"inputs": [{"from": {"id": f}, "to": {"id": t}, "type": kind} for f, t in pairs]}


def v4_inputs(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"inputs": [{"from": {"id": f}, "to": {"id": t}} for f, t in pairs]}


def linked(state: HubSpotState, contact: str, company: str) -> bool:
    return AssociationRow("contacts", contact, "companies", company, "HUBSPOT_DEFINED", 279) in (
        state.associations
    )


# -- auth and headers -------------------------------------------------------------------------
async def test_missing_or_unknown_token_is_401(hs: Client, hs_state: HubSpotState) -> None:
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer nope"}):
        reply = await hs.get(LABELS.format("contacts", "companies"), headers=headers)
        assert reply.status == 401
        body = await reply.json()
        assert body["status"] == "error"
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["message"].startswith("Authentication credentials not found")
        assert body["correlationId"]
    assert hs_state.count() == 2


async def test_every_reply_carries_rate_limit_headers(hs: Client) -> None:
    first = await hs.get(LABELS.format("contacts", "companies"))
    second = await hs.get(LABELS.format("contacts", "companies"))
    assert first.headers["X-HubSpot-RateLimit-Max"] == "190"
    assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert first.headers["X-HubSpot-RateLimit-Remaining"] == "189"
    assert second.headers["X-HubSpot-RateLimit-Remaining"] == "188"
    assert second.headers["X-HubSpot-RateLimit-Daily"] == "625000"
    assert second.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624998"


# -- v3 batch create --------------------------------------------------------------------------
async def test_v3_batch_create_all_ok_is_201(hs: Client, hs_state: HubSpotState) -> None:
    reply = await hs.post(V3_CREATE, json=v3_inputs(("101", "201"), ("102", "201")))
    assert reply.status == 201
    body = await reply.json()
    assert body["status"] == "COMPLETE"
    assert body["results"] == [
        {"from": {"id": "101"}, "to": {"id": "201"}, "type": "contact_to_company"},
        {"from": {"id": "102"}, "to": {"id": "201"}, "type": "contact_to_company"},
    ]
    assert body["startedAt"].endswith("Z")
    assert body["completedAt"].endswith("Z")
    assert "errors" not in body
    assert "numErrors" not in body
    assert linked(hs_state, "101", "201")
    assert linked(hs_state, "102", "201")
    reverse = AssociationRow("companies", "201", "contacts", "101", "HUBSPOT_DEFINED", 280)
    assert reverse in hs_state.associations


async def test_v3_batch_create_is_idempotent(hs: Client, hs_state: HubSpotState) -> None:
    for _ in range(2):
        reply = await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))
        assert reply.status == 201
    assert len(hs_state.associations) == 2  # one association, both directions


async def test_v3_batch_create_unknown_ids_are_207(hs: Client, hs_state: HubSpotState) -> None:
    payload = v3_inputs(("101", "201"), ("999", "201"), ("102", "888"))
    reply = await hs.post(V3_CREATE, json=payload)
    assert reply.status == 207
    body = await reply.json()
    assert body["numErrors"] == 2
    assert body["results"] == [
        {"from": {"id": "101"}, "to": {"id": "201"}, "type": "contact_to_company"}
    ]
    first, second = body["errors"]
    assert first["status"] == "error"
    assert first["category"] == "OBJECT_NOT_FOUND"
    assert first["context"] == {"fromObjectId": ["999"]}
    assert second["context"] == {"toObjectId": ["888"]}
    assert linked(hs_state, "101", "201")
    assert not linked(hs_state, "102", "888")


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"inputs": []}, "between 1 and 100"),
        (v3_inputs(*[("101", "201")] * 101), "between 1 and 100"),
        ({"nope": 1}, "'inputs' is required"),
        (v3_inputs(("101", "201"), kind="deal_to_contact"), "not a valid association type"),
        (v3_inputs(("101", "201"), kind="bogus"), "not a valid association type"),
        ({"inputs": [{"from": {}, "to": {"id": "1"}, "type": "contact_to_company"}]}, "from.id"),
    ],
)
async def test_v3_batch_create_validation_errors(
    hs: Client, hs_state: HubSpotState, payload: dict[str, Any], fragment: str
) -> None:
    reply = await hs.post(V3_CREATE, json=payload)
    assert reply.status == 400
    body = await reply.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert fragment in body["message"]
    assert not hs_state.associations


async def test_v3_batch_limit_is_a_setting(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.v3_batch_limit = 2
    assert (await hs.post(V3_CREATE, json=v3_inputs(*[("101", "201")] * 3))).status == 400
    assert (await hs.post(V3_CREATE, json=v3_inputs(*[("101", "201")] * 2))).status == 201


# -- 2026-09 ----------------------------------------------------------------------------------
DATED_CREATE = "/crm/associations/2026-09/contacts/companies/batch/create"
UNLABELED = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
PRIMARY = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}


def dated_inputs(*pairs: tuple[str, str], types: list[Any] | None = None) -> dict[str, Any]:
    kinds = types if types is not None else [UNLABELED]
    return {"inputs": [{"from": {"id": f}, "to": {"id": t}, "types": kinds} for f, t in pairs]}


async def test_dated_batch_create_takes_types_and_answers_labels(
    hs: Client, hs_state: HubSpotState
) -> None:
    reply = await hs.post(DATED_CREATE, json=dated_inputs(("101", "201")))
    assert reply.status == 200
    body = await reply.json()
    assert body["results"] == [
        {
            "fromObjectTypeId": "0-1",
            "fromObjectId": "101",
            "toObjectTypeId": "0-2",
            "toObjectId": "201",
            "labels": [],
        }
    ]
    assert linked(hs_state, "101", "201")
    both = await hs.post(DATED_CREATE, json=dated_inputs(("102", "201"), types=[PRIMARY]))
    assert (await both.json())["results"][0]["labels"] == ["Primary"]
    assert hs_state.associated("contacts", "102", "companies") == {"201": [1, 279]}
    partial = await hs.post(DATED_CREATE, json=dated_inputs(("103", "201"), ("103", "999")))
    assert partial.status == 207
    assert (await partial.json())["errors"][0]["context"] == {"toObjectId": ["999"]}


@pytest.mark.parametrize(
    "payload",
    [
        v3_inputs(("101", "201")),  # a v3 type name: refused by 2026-09
        dated_inputs(("101", "201"), types=["contact_to_company"]),
        dated_inputs(("101", "201"), types=[]),
        dated_inputs(("101", "201"), types=[{**UNLABELED, "associationCategory": "USER_DEFINED"}]),
        dated_inputs(("101", "201"), types=[{**UNLABELED, "associationTypeId": 3}]),
    ],
)
async def test_dated_batch_create_refuses_v3_names_and_unknown_types(
    hs: Client, hs_state: HubSpotState, payload: dict[str, Any]
) -> None:
    reply = await hs.post(DATED_CREATE, json=payload)
    assert reply.status == 400
    assert (await reply.json())["category"] == "VALIDATION_ERROR"
    assert not hs_state.associations


async def test_batch_limits_are_settings_refused_as_hubspot_does(
    hs: Client, hs_state: HubSpotState
) -> None:
    hs_state.dated_create_batch_limit = 2
    reply = await hs.post(DATED_CREATE, json=dated_inputs(*[("101", "201")] * 3))
    assert reply.status == 400
    body = await reply.json()
    assert (body["category"], body["message"]) == (
        "VALIDATION_ERROR",
        "Batch input size must be between 1 and 2, got 3",
    )
    assert (await hs.post(DATED_CREATE, json=dated_inputs(*[("101", "201")] * 2))).status == 200


@pytest.mark.parametrize("objects", ["/crm/v4/objects", "/crm/objects/2026-09"])
async def test_labelled_put_on_both_versions(
    hs: Client, hs_state: HubSpotState, objects: str
) -> None:
    path = f"{objects}/contacts/101/associations/companies/201"
    reply = await hs.put(path, json=[PRIMARY])
    assert reply.status == 201
    assert (await reply.json())["labels"] == ["Primary"]
    assert hs_state.associated("contacts", "101", "companies") == {"201": [1, 279]}
    missing = await hs.put(f"{objects}/contacts/101/associations/companies/999", json=[PRIMARY])
    assert missing.status == 404
    assert (await hs.put(path, json=["contact_to_company"])).status == 400


async def test_exempt_endpoints_count_only_against_the_daily_quota(
    hs: Client, hs_state: HubSpotState
) -> None:
    """The specs tag batch endpoints (and the 2026-09 labels) exempt from the ten-second limit;
    the single-record PUTs and the v4 labels are not."""
    hs_state.burst_limit = 1
    exempt = [
        (V3_CREATE, v3_inputs(("101", "201"))),
        (DATED_CREATE, dated_inputs(("101", "201"))),
        (V4_DEFAULT, v4_inputs(("101", "201"))),
        ("/crm/associations/2026-09/contacts/companies/batch/read", {"inputs": [{"id": "101"}]}),
    ]
    for path, body in exempt * 2:
        assert (await hs.post(path, json=body)).status in (200, 201), path
    assert (await hs.get("/crm/associations/2026-09/contacts/companies/labels")).status == 200
    assert (await hs.get(LABELS.format("contacts", "companies"))).status == 200
    assert (await hs.get(LABELS.format("contacts", "companies"))).status == 429
    put = "/crm/objects/2026-09/contacts/101/associations/default/companies/201"
    assert (await hs.put(put)).status == 429
    assert hs_state.window.daily_used == 10


async def test_object_types_by_name_singular_or_id(hs: Client) -> None:
    for path in (
        "/crm/v3/associations/contact/company/batch/create",
        "/crm/v3/associations/0-1/0-2/batch/create",
    ):
        assert (await hs.post(path, json=v3_inputs(("101", "201")))).status == 201
    unknown = await hs.post("/crm/v3/associations/robots/companies/batch/create", json={})
    assert unknown.status == 400


async def test_invalid_json_body_is_400(hs: Client) -> None:
    reply = await hs.post(
        V3_CREATE, data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400
    assert (await reply.json())["category"] == "VALIDATION_ERROR"


# -- v4 PUT default ---------------------------------------------------------------------------
async def test_v4_put_default_returns_both_directions(hs: Client, hs_state: HubSpotState) -> None:
    reply = await hs.put("/crm/v4/objects/deals/301/associations/default/contacts/101")
    assert reply.status == 200
    body = await reply.json()
    assert body["status"] == "COMPLETE"
    assert body["results"] == [
        {
            "from": {"id": "301"},
            "to": {"id": "101"},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3},
        },
        {
            "from": {"id": "101"},
            "to": {"id": "301"},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4},
        },
    ]
    assert AssociationRow("deals", "301", "contacts", "101", "HUBSPOT_DEFINED", 3) in (
        hs_state.associations
    )


async def test_v4_put_default_errors(hs: Client) -> None:
    missing = await hs.put("/crm/v4/objects/contacts/999/associations/default/companies/201")
    assert missing.status == 404
    body = await missing.json()
    assert body["category"] == "OBJECT_NOT_FOUND"
    assert body["context"] == {"fromObjectId": ["999"]}
    unknown_type = await hs.put("/crm/v4/objects/robots/1/associations/default/companies/201")
    assert unknown_type.status == 400
    no_default = await hs.put("/crm/v4/objects/contacts/101/associations/default/contacts/102")
    assert no_default.status == 400
    assert (await no_default.json())["category"] == "VALIDATION_ERROR"


# -- v4 batch associate default ---------------------------------------------------------------
async def test_v4_associate_default_ok_and_partial(hs: Client, hs_state: HubSpotState) -> None:
    ok = await hs.post(V4_DEFAULT, json=v4_inputs(("101", "201")))
    assert ok.status == 200
    body = await ok.json()
    assert [r["associationSpec"]["associationTypeId"] for r in body["results"]] == [279, 280]
    partial = await hs.post(V4_DEFAULT, json=v4_inputs(("102", "202"), ("102", "999")))
    assert partial.status == 207
    body = await partial.json()
    assert body["numErrors"] == 1
    assert body["errors"][0]["context"] == {"toObjectId": ["999"]}
    assert body["results"][0]["from"] == {"id": "102"}
    assert linked(hs_state, "102", "202")


async def test_v4_associate_default_limit(hs: Client, hs_state: HubSpotState) -> None:
    too_many = v4_inputs(*[("101", "201")] * 2001)
    assert (await hs.post(V4_DEFAULT, json=too_many)).status == 400
    assert not hs_state.associations


# -- v4 batch read ----------------------------------------------------------------------------
async def test_v4_batch_read_results_and_no_associations(
    hs: Client, hs_state: HubSpotState
) -> None:
    hs_state.associate("contacts", "101", "companies", "201", type_id=1)
    hs_state.associate("contacts", "101", "companies", "202")
    reply = await hs.post(
        V4_READ.format("contacts", "companies"), json={"inputs": [{"id": "101"}, {"id": "102"}]}
    )
    assert reply.status == 207
    body = await reply.json()
    assert body["results"] == [
        {
            "from": {"id": "101"},
            "to": [
                {
                    "toObjectId": 201,  # a JSON number, as HubSpot sends it
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
                    ],
                },
                {
                    "toObjectId": 202,
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}
                    ],
                },
            ],
        }
    ]
    assert body["numErrors"] == 1
    assert body["errors"][0] == {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": "No company is associated with contact 102.",
        "context": {
            "fromObjectId": ["102"],
            "fromObjectType": ["contact"],
            "toObjectType": ["company"],
        },
        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
    }
    reverse = await hs.post(
        V4_READ.format("companies", "contacts"), json={"inputs": [{"id": "201"}]}
    )
    assert reverse.status == 200
    assert (await reverse.json())["results"][0]["to"][0]["toObjectId"] == 101


async def test_v4_batch_read_pages_with_after(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.read_page_size = 2
    hs_state.add_records("companies", *(str(i) for i in range(1000, 1005)))
    for company in range(1000, 1005):
        hs_state.associate("contacts", "101", "companies", str(company))
    seen: list[int] = []
    request: dict[str, Any] = {"id": "101"}
    for _ in range(5):
        reply = await hs.post(V4_READ.format("contacts", "companies"), json={"inputs": [request]})
        assert reply.status == 200
        result = (await reply.json())["results"][0]
        seen += [to["toObjectId"] for to in result["to"]]
        if "paging" not in result:
            break
        request = {"id": "101", "after": result["paging"]["next"]["after"]}
    assert seen == [1000, 1001, 1002, 1003, 1004]


async def test_v4_batch_read_limits(hs: Client) -> None:
    path = V4_READ.format("contacts", "companies")
    assert (await hs.post(path, json={"inputs": [{"id": "1"}] * 1001})).status == 400
    assert (await hs.post(path, json={"inputs": [{"id": "1"}] * 1000})).status == 207
    bad_cursor = await hs.post(path, json={"inputs": [{"id": "101", "after": "%%%"}]})
    assert bad_cursor.status == 400


# -- labels -----------------------------------------------------------------------------------
async def test_labels(hs: Client, hs_state: HubSpotState) -> None:
    custom = hs_state.add_label("contacts", "companies", "Billing contact", "Billed company")
    reply = await hs.get(LABELS.format("contact", "company"))
    assert reply.status == 200
    assert (await reply.json())["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None},
        {"category": "USER_DEFINED", "typeId": custom.type_id, "label": "Billing contact"},
    ]
    backward = await (await hs.get(LABELS.format("companies", "contacts"))).json()
    assert backward["results"][-1] == {
        "category": "USER_DEFINED",
        "typeId": custom.reverse_id,
        "label": "Billed company",
    }
    deals = await (await hs.get(LABELS.format("deals", "contacts"))).json()
    assert deals["results"] == [{"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}]
    assert (await hs.get(LABELS.format("robots", "contacts"))).status == 400


# -- rate limits ------------------------------------------------------------------------------
async def test_burst_limit_429_and_recovery(
    hs: Client, hs_state: HubSpotState, clock: FakeClock
) -> None:
    hs_state.burst_limit = 2
    path = LABELS.format("contacts", "companies")
    assert [(await hs.get(path)).status for _ in range(2)] == [200, 200]
    limited = await hs.get(path)
    assert limited.status == 429
    body = await limited.json()
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert (body["errorType"], body["policyName"]) == ("RATE_LIMIT", "TEN_SECONDLY_ROLLING")
    assert body["correlationId"]
    assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert "Retry-After" not in limited.headers
    clock.advance(10)
    assert (await hs.get(path)).status == 200


async def test_retry_after_on_burst_when_enabled(
    hs: Client, hs_state: HubSpotState, clock: FakeClock
) -> None:
    hs_state.burst_limit, hs_state.send_retry_after = 1, True
    await hs.get(LABELS.format("contacts", "companies"))
    clock.advance(2.5)
    limited = await hs.get(LABELS.format("contacts", "companies"))
    assert (limited.status, limited.headers["Retry-After"]) == (429, "8")


async def test_daily_limit_429(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.daily_limit = 1
    assert (await hs.get(LABELS.format("contacts", "companies"))).status == 200
    limited = await hs.get(LABELS.format("contacts", "companies"))
    assert limited.status == 429
    body = await limited.json()
    assert (body["policyName"], body["message"]) == ("DAILY", "You have reached your daily limit.")
    assert limited.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


async def test_rate_limiter_can_be_disabled(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.burst_limit, hs_state.rate_limit_enabled = 1, False
    statuses = [(await hs.get(LABELS.format("contacts", "companies"))).status for _ in range(3)]
    assert statuses == [200, 200, 200]


# -- faults -----------------------------------------------------------------------------------
async def test_fault_429_with_and_without_retry_after(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.faults.inject(FaultKind.RATE_LIMIT, retry_after=0, times=1)
    hs_state.faults.inject(FaultKind.RATE_LIMIT_NO_RETRY_AFTER, times=1)
    first = await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))
    assert (first.status, first.headers["Retry-After"]) == (429, "0")
    assert (await first.json())["policyName"] == "TEN_SECONDLY_ROLLING"
    assert "X-HubSpot-RateLimit-Max" in first.headers
    second = await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))
    assert second.status == 429
    assert "Retry-After" not in second.headers
    assert not hs_state.associations  # faulted calls have no side effect
    assert (await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))).status == 201


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_fault_server_errors(hs: Client, hs_state: HubSpotState, status: int) -> None:
    hs_state.faults.inject(FaultKind.SERVER_ERROR, status=status, every=2)
    assert (await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))).status == 201
    failed = await hs.post(V3_CREATE, json=v3_inputs(("102", "201")))
    assert failed.status == status
    assert (await failed.json())["status"] == "error"
    assert not linked(hs_state, "102", "201")


async def test_fault_raw_body(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.faults.inject(FaultKind.SERVER_ERROR, status=502, raw_body="<html>Bad Gateway</html>")
    reply = await hs.get(LABELS.format("contacts", "companies"))
    assert (reply.status, reply.content_type) == (502, "text/html")
    assert await reply.text() == "<html>Bad Gateway</html>"


@pytest.mark.parametrize("applied", [False, True])
async def test_fault_timeout(hs: Client, hs_state: HubSpotState, applied: bool) -> None:
    hs_state.faults.inject(FaultKind.TIMEOUT, delay=30, apply_before_fault=applied, times=1)
    held = asyncio.Event()
    hold = hs_state.hold

    async def hold_and_tell(delay: float) -> None:
        held.set()
        await hold(delay)

    hs_state.hold = hold_and_tell  # type: ignore[method-assign]
    client_call = asyncio.ensure_future(
        hs.post(V3_CREATE, json=v3_inputs(("101", "201")), timeout=aiohttp.ClientTimeout(5))
    )
    await asyncio.wait_for(held.wait(), timeout=5)  # the reply is being held
    assert linked(hs_state, "101", "201") is applied
    client_call.cancel()  # the client gives up, as on its own timeout
    with pytest.raises(asyncio.CancelledError):
        await client_call
    assert linked(hs_state, "101", "201") is applied


async def test_fault_timeout_reply_after_short_delay(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.faults.inject(FaultKind.TIMEOUT, delay=0.01, times=1)
    reply = await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))
    assert reply.status == 504
    assert not hs_state.associations


@pytest.mark.parametrize("applied", [False, True])
async def test_fault_dropped_connection(hs: Client, hs_state: HubSpotState, applied: bool) -> None:
    hs_state.faults.inject(FaultKind.DROP, apply_before_fault=applied, times=1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))
    assert linked(hs_state, "101", "201") is applied


@pytest.mark.parametrize(("applied", "status"), [(False, 200), (True, 201)])
async def test_fault_malformed_json(
    hs: Client, hs_state: HubSpotState, applied: bool, status: int
) -> None:
    hs_state.faults.inject(FaultKind.MALFORMED_JSON, apply_before_fault=applied)
    reply = await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))
    assert (reply.status, reply.content_type) == (status, "application/json")
    with pytest.raises(ValueError, match=r"Expecting|Unterminated|delimiter"):
        await reply.json()
    assert linked(hs_state, "101", "201") is applied


async def test_fault_partial_batch_applies_the_others(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.faults.inject(FaultKind.PARTIAL_BATCH, path="/batch/create$", fail_indexes=(1,))
    reply = await hs.post(V3_CREATE, json=v3_inputs(("101", "201"), ("102", "201"), ("103", "202")))
    assert reply.status == 207
    body = await reply.json()
    assert body["numErrors"] == 1
    assert body["errors"][0]["category"] == "INTERNAL_ERROR"
    assert body["errors"][0]["context"] == {"fromObjectId": ["102"], "toObjectId": ["201"]}
    assert [r["from"]["id"] for r in body["results"]] == ["101", "103"]
    assert linked(hs_state, "101", "201")
    assert not linked(hs_state, "102", "201")


async def test_fault_partial_batch_on_default_and_read(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.faults.inject(FaultKind.PARTIAL_BATCH, path="/batch/", category="OBJECT_NOT_FOUND")
    created = await hs.post(V4_DEFAULT, json=v4_inputs(("101", "201"), ("102", "201")))
    assert created.status == 207
    assert (await created.json())["errors"][0]["context"]["fromObjectId"] == ["102"]
    read = await hs.post(
        V4_READ.format("contacts", "companies"), json={"inputs": [{"id": "101"}, {"id": "102"}]}
    )
    body = await read.json()
    assert read.status == 207
    assert [e["context"]["fromObjectId"] for e in body["errors"]] == [["102"]]


async def test_fault_batch_conflict_fails_the_whole_batch(
    hs: Client, hs_state: HubSpotState
) -> None:
    hs_state.faults.inject(FaultKind.BATCH_CONFLICT, method="POST", times=1)
    reply = await hs.post(V3_CREATE, json=v3_inputs(("101", "201"), ("102", "201")))
    assert reply.status == 409
    body = await reply.json()
    assert body["category"] == "CONFLICT"
    assert body["context"] == {"fromObjectId": ["101"], "toObjectId": ["201"]}
    assert not hs_state.associations


async def test_conflicting_pairs(hs: Client, hs_state: HubSpotState) -> None:
    hs_state.conflicting_pairs.add(("201", "102"))  # either direction matches
    clash = await hs.post(V3_CREATE, json=v3_inputs(("101", "201"), ("102", "201")))
    assert clash.status == 409
    assert (await clash.json())["context"] == {"fromObjectId": ["102"], "toObjectId": ["201"]}
    assert not hs_state.associations
    assert (await hs.post(V4_DEFAULT, json=v4_inputs(("102", "201")))).status == 409
    put = await hs.put("/crm/v4/objects/contacts/102/associations/default/companies/201")
    assert put.status == 409
    assert (await hs.post(V3_CREATE, json=v3_inputs(("101", "201")))).status == 201
