"""Retries: only where the endpoint is safe to repeat, and 429s within a bounded wait."""

from __future__ import annotations

from emulators.faults import FaultKind, FaultRule
from tests.e2e.test_hubspot import BATCH, pairs
from tests.e2e.test_leadconnector import RELATE, relation


async def test_a_5xx_on_an_idempotent_batch_is_retried(api, hubspot):
    hubspot.state.faults.rules.append(
        FaultRule(FaultKind.SERVER_ERROR, path="/batch/create", status=503, times=1)
    )
    integration = await api.create_integration("HUBSPOT")
    batch = (await api.data(BATCH, {"id": integration, "inputs": pairs(2)}))[
        "batchCreateAssociations"
    ]
    assert batch["numErrors"] == 0
    assert len(batch["results"]) == 2
    assert hubspot.state.count("POST", "/batch/create") == 2


async def test_a_dropped_reply_on_an_idempotent_batch_is_retried(api, hubspot):
    hubspot.state.faults.rules.append(
        FaultRule(FaultKind.DROP, path="/batch/create", times=1, apply_before_fault=True)
    )
    integration = await api.create_integration("HUBSPOT")
    batch = (await api.data(BATCH, {"id": integration, "inputs": pairs(2)}))[
        "batchCreateAssociations"
    ]
    assert len(batch["results"]) == 2
    assert hubspot.state.count("POST", "/batch/create") == 2
    assert hubspot.state.associated("contacts", "1", "companies") == {"1001": [279]}


async def test_a_5xx_on_a_relation_create_is_read_back_before_it_is_sent_again(api, ghl):
    ghl.state.faults.rules.append(
        FaultRule(FaultKind.SERVER_ERROR, method="POST", status=502, times=1)
    )
    integration = await api.create_integration("LEADCONNECTOR")
    data = await api.data(RELATE, {"id": integration, "input": relation()})
    assert data["createRelation"]["id"]
    # Sent, refused with 502, read back (not made), sent again: made once.
    assert [c.method for c in ghl.state.calls] == ["POST", "GET", "POST"]


async def test_a_429_is_retried_after_retry_after_even_for_a_relation(api, ghl):
    ghl.state.faults.rules.append(FaultRule(FaultKind.RATE_LIMIT, retry_after=0, times=1))
    # The 429 says the window is full (X-RateLimit-Remaining: 0): a short window in tests.
    ghl.state.interval_ms = 100
    integration = await api.create_integration("LEADCONNECTOR")
    data = await api.data(RELATE, {"id": integration, "input": relation()})
    assert data["createRelation"]["id"]
    assert ghl.state.count("POST", "/associations/relations") == 2


async def test_a_429_whose_wait_is_too_long_is_rate_limited(api, hubspot):
    # A Retry-After past the request's deadline (10 s in the test settings) is not waited.
    hubspot.state.faults.rules.append(FaultRule(FaultKind.RATE_LIMIT, retry_after=30))
    integration = await api.create_integration("HUBSPOT")
    error = await api.error(
        """mutation($id: ID!) { createDefaultAssociation(integrationId: $id,
             fromObjectType: "contacts", fromObjectId: "1", toObjectType: "companies",
             toObjectId: "1001") { status } }""",
        {"id": integration},
    )
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == 30
    assert error["extensions"]["scope"] == "burst"
    assert hubspot.state.count() == 1


async def test_a_malformed_reply_is_an_upstream_error(api, ghl):
    # Every reply garbled, the read-back's too: whether it was made cannot be told.
    ghl.state.faults.rules.append(FaultRule(FaultKind.MALFORMED_JSON))
    integration = await api.create_integration("LEADCONNECTOR")
    error = await api.error(RELATE, {"id": integration, "input": relation()})
    assert error["extensions"]["code"] == "UPSTREAM_ERROR"
    assert ghl.state.count("POST", "/associations/relations") == 1
