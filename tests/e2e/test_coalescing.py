"""Cross-request coalescing: concurrent requests share upstream calls, never their answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from emulators.faults import FaultKind, FaultRule
from gql.settings import Settings
from tests.e2e.test_hubspot import BATCH, DEFAULT
from tests.harness import KEYS, Api, make_settings, serve

# A generous window: the tests assert call counts, and a loaded CI machine must not split a
# burst of requests into more windows than the logic allows.
WINDOW_MS = 250


@pytest.fixture
async def coalescing(tmp_path: Any, hubspot: Any) -> AsyncIterator[Api]:
    settings = make_settings(
        str(tmp_path / "db.sqlite"), hubspot_base_url=hubspot.url, coalesce_window_ms=WINDOW_MS
    )
    client = await serve(settings)
    yield Api(client)
    await client.close()


def _default(integration: str, i: int) -> dict[str, Any]:
    return {"id": integration, "from": str(i), "to": str(1000 + i)}


async def test_200_concurrent_single_requests_make_at_most_2_calls(coalescing, hubspot):
    integration = await coalescing.create_integration("HUBSPOT")
    answers = await asyncio.gather(
        *(coalescing.post(DEFAULT, _default(integration, i)) for i in range(1, 201))
    )
    for i, answer in enumerate(answers, start=1):
        batch = answer["data"]["createDefaultAssociation"]
        assert batch["numErrors"] == 0
        pairs = {(r["from"]["id"], r["to"]["id"]) for r in batch["results"]}
        assert (str(i), str(1000 + i)) in pairs  # its own pair ...
        assert pairs <= {(str(i), str(1000 + i)), (str(1000 + i), str(i))}  # ... and only it
    assert 1 <= hubspot.state.count() <= 2
    sent = [p["from"]["id"] for c in hubspot.state.calls for p in c.body["inputs"]]
    assert sorted(sent, key=int) == [str(i) for i in range(1, 201)]  # each pair sent once
    assert hubspot.state.associated("contacts", "200", "companies") == {"1200": [279]}


async def test_never_across_tenants_or_integrations(coalescing, hubspot):
    hubspot.state.tokens.update({"hs-acme-2", "hs-globex"})
    acme_1 = await coalescing.create_integration("HUBSPOT")
    acme_2 = await coalescing.create_integration("HUBSPOT", token="hs-acme-2")
    globex = await coalescing.create_integration("HUBSPOT", token="hs-globex", key=KEYS["globex"])
    sent = {acme_1: range(1, 21), acme_2: range(21, 41), globex: range(41, 61)}
    keys = {acme_1: KEYS["acme"], acme_2: KEYS["acme"], globex: KEYS["globex"]}
    answers = await asyncio.gather(
        *(
            coalescing.post(DEFAULT, _default(integration, i), key=keys[integration])
            for integration, ids in sent.items()
            for i in ids
        )
    )
    assert [a for a in answers if a.get("errors")] == []
    assert all(a["data"]["createDefaultAssociation"]["numErrors"] == 0 for a in answers)
    by_token: dict[str, set[int]] = {}
    for call in hubspot.state.calls:
        token = call.header("Authorization").removeprefix("Bearer ")
        by_token.setdefault(token, set()).update(int(p["from"]["id"]) for p in call.body["inputs"])
    assert by_token == {
        "hs-test-token": set(range(1, 21)),
        "hs-acme-2": set(range(21, 41)),
        "hs-globex": set(range(41, 61)),
    }
    assert hubspot.state.count() == 3  # one shared call per integration


async def test_each_request_gets_its_own_results_and_errors_in_its_order(coalescing, hubspot):
    integration = await coalescing.create_integration("HUBSPOT")

    def inputs(request: int) -> list[dict[str, Any]]:
        # Each request: 30 pairs in descending order, the fifth naming a missing contact.
        ids = [request * 30 + n for n in range(30, 0, -1)]
        return [
            {
                "from": {"id": str(999_990 + request) if n == 4 else str(i)},
                "to": {"id": str(1000 + i)},
                "type": "contact_to_company",
            }
            for n, i in enumerate(ids)
        ]

    sent = {r: inputs(r) for r in range(5)}
    answers = await asyncio.gather(
        *(coalescing.post(BATCH, {"id": integration, "inputs": sent[r]}) for r in range(5))
    )
    for r, answer in enumerate(answers):
        batch = answer["data"]["batchCreateAssociations"]
        missing = str(999_990 + r)
        good = [(i["from"]["id"], i["to"]["id"]) for i in sent[r] if i["from"]["id"] != missing]
        assert [(x["from"]["id"], x["to"]["id"]) for x in batch["results"]] == good
        assert batch["numErrors"] == 1
        [error] = batch["errors"]
        assert [(i["from"]["id"], i["to"]["id"]) for i in error["items"]] == [
            (missing, sent[r][4]["to"]["id"])
        ]
    assert hubspot.state.count() == 1  # 150 inputs: one call (HubSpot takes 2,000 a call)


async def test_a_failed_shared_call_fails_the_requests_in_it_and_no_other(coalescing, hubspot):
    integration = await coalescing.create_integration("HUBSPOT")
    # Every attempt of the first shared call fails (retries included); later calls succeed.
    attempts = Settings.model_fields["retry_attempts"].default
    hubspot.state.faults.rules.append(
        FaultRule(
            FaultKind.SERVER_ERROR, path="/batch/associate/default", status=503, times=attempts
        )
    )
    first = await asyncio.gather(
        *(coalescing.post(DEFAULT, _default(integration, i)) for i in range(1, 11))
    )
    # Nothing is lost: each request reports its own pair as failed, with the reason.
    for answer in first:
        batch = answer["data"]["createDefaultAssociation"]
        assert (batch["numErrors"], batch["results"]) == (1, [])
        assert batch["errors"][0]["category"]  # HubSpot's reason, as its 503 body gave it
    assert hubspot.state.count() == attempts  # one shared call, tried CRMGRAPH_RETRY_ATTEMPTS times
    later = await asyncio.gather(
        *(coalescing.post(DEFAULT, _default(integration, i)) for i in range(11, 21))
    )
    assert all(a["data"]["createDefaultAssociation"]["numErrors"] == 0 for a in later)
    assert hubspot.state.associated("contacts", "1", "companies") == {}
    assert hubspot.state.associated("contacts", "11", "companies") == {"1011": [279]}


async def test_reads_of_concurrent_requests_share_a_batch_read(coalescing, hubspot):
    integration = await coalescing.create_integration("HUBSPOT")
    await coalescing.post(DEFAULT, _default(integration, 1))
    hubspot.state.calls.clear()
    read = """query($id: ID!, $r: ID!) { crmRecord(integrationId: $id, objectType: "contacts",
      id: $r) { associations(toObjectType: "companies") { edges { node { id } } } } }"""
    answers = await asyncio.gather(
        *(coalescing.post(read, {"id": integration, "r": str(i)}) for i in range(1, 31))
    )
    edges = [a["data"]["crmRecord"]["associations"]["edges"] for a in answers]
    assert edges[0] == [{"node": {"id": "1001"}}]
    assert all(e == [] for e in edges[1:])
    assert hubspot.state.count() == 1
    assert len(hubspot.state.calls[0].body["inputs"]) == 30
