"""LeadConnector (HighLevel) emulator: relations, associations, headers, limits and faults."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulators import FaultKind
from emulators.leadconnector import LeadConnectorState

from .conftest import FakeClock

Client = TestClient[Any, Any]
RELATIONS = "/associations/relations"
PAGE = {"locationId": "loc1", "skip": "0", "limit": "10"}


def relation(first: str = "k1", second: str = "c1", **extra: Any) -> dict[str, Any]:
    return {
        "locationId": "loc1",
        "associationId": "assoc1",
        "firstRecordId": first,
        "secondRecordId": second,
        **extra,
    }


# -- auth and Version -------------------------------------------------------------------------
async def test_invalid_token_is_401(ghl: Client) -> None:
    reply = await ghl.post(RELATIONS, json=relation(), headers={"Authorization": "Bearer bad"})
    assert reply.status == 401
    assert await reply.json() == {
        "statusCode": 401,
        "message": "Invalid JWT",
        "error": "Unauthorized",
    }


@pytest.mark.parametrize(
    ("version", "status", "message"),
    [
        (None, 401, "version header was not found."),
        ("2020-01-01", 401, "version header is invalid"),
        ("2021-07-28", 200, None),
        ("v3", 200, None),
    ],
)
async def test_version_header(
    ghl: Client,
    ghl_state: LeadConnectorState,
    version: str | None,
    status: int,
    message: str | None,
) -> None:
    headers = {"Authorization": "Bearer ghl-test-token"}
    if version is not None:
        headers["Version"] = version
    ghl.session.headers.pop("Version")
    reply = await ghl.get("/associations/", params=PAGE, headers=headers)
    assert reply.status == status
    if message is not None:
        assert await reply.json() == {"statusCode": 401, "message": message}
    assert ghl_state.count() == 1


# -- POST /associations/relations -------------------------------------------------------------
async def test_create_relation_201(ghl: Client, ghl_state: LeadConnectorState) -> None:
    reply = await ghl.post(RELATIONS, json=relation())
    assert reply.status == 201
    body = await reply.json()
    assert len(body["id"]) == 20
    assert {k: v for k, v in body.items() if k != "id"} == {
        "associationId": "assoc1",
        "firstRecordId": "k1",
        "secondRecordId": "c1",
        "firstObjectKey": "custom_objects.children",
        "secondObjectKey": "contact",
        "locationId": "loc1",
        "key": "student",
        "firstObjectLabel": "Student",
        "secondObjectLabel": "Teacher",
        "associationType": "USER_DEFINED",
    }
    assert list(ghl_state.locations["loc1"].relations) == [body["id"]]


async def test_duplicate_relation_is_400(ghl: Client, ghl_state: LeadConnectorState) -> None:
    assert (await ghl.post(RELATIONS, json=relation())).status == 201
    duplicate = await ghl.post(RELATIONS, json=relation())
    assert duplicate.status == 400
    assert await duplicate.json() == {
        "statusCode": 400,
        "message": "Could not create relation: duplicate relation of object Ids for given "
        "association assoc1",
    }
    assert len(ghl_state.locations["loc1"].relations) == 1
    assert (await ghl.post(RELATIONS, json=relation("k2", "c1"))).status == 201


async def test_create_relation_422(ghl: Client) -> None:
    reply = await ghl.post(
        RELATIONS, json={"locationId": 7, "associationId": "", "firstRecordId": "k1", "x": 1}
    )
    assert reply.status == 422
    assert await reply.json() == {
        "statusCode": 422,
        "message": [
            "property x should not exist",
            "locationId must be a string",
            "associationId should not be empty",
            "secondRecordId should not be empty",
            "secondRecordId must be a string",
        ],
        "error": "Unprocessable Entity",
    }


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (relation(associationId="nope"), "Association not found"),
        (relation(locationId="elsewhere"), "Association not found"),
        (relation("missing", "c1"), "Record not found for id missing"),
        (relation("c1", "k1"), "Record c1 is a contact"),
    ],
)
async def test_create_relation_400(ghl: Client, body: dict[str, Any], fragment: str) -> None:
    reply = await ghl.post(RELATIONS, json=body)
    assert reply.status == 400
    payload = await reply.json()
    assert payload["statusCode"] == 400
    assert fragment in payload["message"]


# -- listings ---------------------------------------------------------------------------------
async def test_list_relations_of_a_record(ghl: Client, ghl_state: LeadConnectorState) -> None:
    ghl_state.add_association("loc1", "assoc2", "mentor", "contact", "Mentor", "contact", "Mentee")
    first = ghl_state.add_relation("loc1", "assoc1", "k1", "c1")
    second = ghl_state.add_relation("loc1", "assoc1", "k2", "c1")
    third = ghl_state.add_relation("loc1", "assoc2", "c1", "c2")
    ghl_state.add_relation("loc1", "assoc1", "k2", "c2")
    reply = await ghl.get(f"{RELATIONS}/c1", params=PAGE)
    assert reply.status == 200
    assert await reply.json() == {"relations": [first, second, third], "total": 3}
    paged = await (
        await ghl.get(f"{RELATIONS}/c1", params={**PAGE, "skip": "1", "limit": "1"})
    ).json()
    assert paged == {"relations": [second], "total": 3}
    only = await ghl.get(f"{RELATIONS}/c1", params=[*PAGE.items(), ("associationIds", "assoc2")])
    assert (await only.json())["relations"] == [third]
    empty = await (await ghl.get(f"{RELATIONS}/k9", params=PAGE)).json()
    assert empty == {"relations": [], "total": 0}


async def test_list_relations_needs_page_parameters(ghl: Client) -> None:
    reply = await ghl.get(f"{RELATIONS}/c1", params={"skip": "x"})
    assert reply.status == 422
    assert (await reply.json())["message"] == [
        "locationId should not be empty",
        "locationId must be a string",
        "skip must be a number conforming to the specified constraints",
        "limit must be a number conforming to the specified constraints",
    ]


async def test_list_associations(ghl: Client, ghl_state: LeadConnectorState) -> None:
    reply = await ghl.get("/associations/", params=PAGE)
    assert reply.status == 200
    assert await reply.json() == {
        "associations": [
            {
                "locationId": "loc1",
                "id": "assoc1",
                "key": "student",
                "firstObjectLabel": "Student",
                "firstObjectKey": "custom_objects.children",
                "secondObjectLabel": "Teacher",
                "secondObjectKey": "contact",
                "associationType": "USER_DEFINED",
            }
        ],
        "total": 1,
    }
    assert (await (await ghl.get("/associations", params=PAGE)).json())["total"] == 1


async def test_unknown_route_is_a_nest_404(ghl: Client) -> None:
    reply = await ghl.get("/associations/relations")
    assert reply.status == 404
    assert await reply.json() == {
        "statusCode": 404,
        "message": "Cannot GET /associations/relations",
        "error": "Not Found",
    }


# -- rate limits and faults -------------------------------------------------------------------
async def test_rate_limits_are_per_location(
    ghl: Client, ghl_state: LeadConnectorState, clock: FakeClock
) -> None:
    ghl_state.burst_limit = 2
    ghl_state.add_location("loc2")
    first = await ghl.get("/associations/", params=PAGE)
    assert first.headers["X-RateLimit-Max"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert first.headers["X-RateLimit-Interval-Milliseconds"] == "10000"
    assert first.headers["X-RateLimit-Limit-Daily"] == "200000"
    assert first.headers["X-RateLimit-Daily-Remaining"] == "199999"
    assert (await ghl.post(RELATIONS, json=relation())).status == 201  # body locationId counts
    limited = await ghl.get("/associations/", params=PAGE)
    assert limited.status == 429
    assert await limited.json() == {"statusCode": 429, "message": "Too Many Requests"}
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert "Retry-After" not in limited.headers
    other = await ghl.get("/associations/", params={**PAGE, "locationId": "loc2"})
    assert other.status == 200
    clock.advance(10)
    assert (await ghl.get("/associations/", params=PAGE)).status == 200


async def test_daily_limit_and_retry_after(
    ghl: Client, ghl_state: LeadConnectorState, clock: FakeClock
) -> None:
    ghl_state.burst_limit, ghl_state.send_retry_after = 1, True
    await ghl.get("/associations/", params=PAGE)
    clock.advance(4)
    limited = await ghl.get("/associations/", params=PAGE)
    assert (limited.status, limited.headers["Retry-After"]) == (429, "6")
    ghl_state.burst_limit, ghl_state.daily_limit = 100, 1
    assert (await ghl.get("/associations/", params=PAGE)).status == 429


async def test_faults_use_highlevel_bodies(ghl: Client, ghl_state: LeadConnectorState) -> None:
    ghl_state.faults.inject(FaultKind.SERVER_ERROR, method="POST", times=1)
    ghl_state.faults.inject(FaultKind.RATE_LIMIT, method="POST", retry_after=3, times=1)
    failed = await ghl.post(RELATIONS, json=relation())
    assert failed.status == 500
    assert await failed.json() == {"statusCode": 500, "message": "Internal server error"}
    assert "X-RateLimit-Max" in failed.headers
    limited = await ghl.post(RELATIONS, json=relation())
    assert (limited.status, limited.headers["Retry-After"]) == (429, "3")
    assert not ghl_state.locations["loc1"].relations
    assert (await ghl.post(RELATIONS, json=relation())).status == 201


async def test_relation_ids_are_reproducible() -> None:
    first, second = LeadConnectorState(id_seed=3), LeadConnectorState(id_seed=3)
    assert [first.new_id() for _ in range(3)] == [second.new_id() for _ in range(3)]
