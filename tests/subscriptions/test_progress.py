"""associationImportProgress through the graphql-ws npm client (graphql-transport-ws), the key
in connection_init's payload; a socket without a valid key is closed before anything runs."""

from __future__ import annotations

from typing import Any

from tests.harness import KEYS, Api
from tests.imports import csv_of, fast_hubspot, upload
from tests.subscriptions.conftest import graphql_ws


def _ws_url(api: Api) -> str:
    return str(api.client.make_url("/graphql")).replace("http://", "ws://")


async def test_progress_streams_to_complete(api: Api, hubspot: Any):
    hubspot.state.burst_limit, hubspot.state.interval_ms = 100_000, 1000
    # The first batch create is held until the client has its first event: the rest of the
    # job happens while it listens.
    hubspot.state.faults.inject("timeout", path="/batch/create", times=1, apply_before_fault=True)
    integration = await fast_hubspot(api)
    pairs = [(str(c), str(co)) for c in range(1, 21) for co in range(1001, 1101)]
    job = (await upload(api, integration, csv_of(pairs)))["data"]["startAssociationImport"]

    events = await graphql_ws(
        _ws_url(api), KEYS["acme"], job["id"], after_first=hubspot.state.release_held
    )
    assert events[-2:] == [{"complete": True}, {"closed": 1000, "reason": ""}], events
    progress = [e["next"]["data"]["associationImportProgress"] for e in events if "next" in e]
    assert progress, events
    assert all(p["id"] == job["id"] for p in progress)
    processed = [p["processed"] for p in progress]
    assert processed == sorted(processed)
    assert len(set(processed)) >= 2  # it moved while the client listened
    assert progress[-1] == {
        "id": job["id"],
        "status": "COMPLETE",
        "total": 2000,
        "processed": 2000,
        "succeeded": 2000,
        "failed": 0,
    }


async def test_a_socket_without_a_valid_key_is_closed_before_any_operation(api: Api, hubspot: Any):
    integration = await fast_hubspot(api)
    job = (await upload(api, integration, csv_of([("1", "1001")])))["data"][
        "startAssociationImport"
    ]
    for key in ("not-a-key", ""):
        events = await graphql_ws(_ws_url(api), key, job["id"])
        assert not [e for e in events if "next" in e], events
        assert {"closed": 4403, "reason": "Forbidden"} in events, events


async def test_a_subscribe_before_connection_init_is_refused(api: Api, hubspot: Any):
    async with api.client.ws_connect("/graphql", protocols=["graphql-transport-ws"]) as ws:
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": 'subscription { associationImportProgress(id: "x") { id } }'},
            }
        )
        message = await ws.receive()
        assert message.type.name == "CLOSE"
        assert message.data == 4401
    # And a plain HTTP request without a key is still refused at the door.
    response = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status == 401
