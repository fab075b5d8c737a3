"""Metrics after a known workload, the /metrics modes, and request ids end to end."""

from __future__ import annotations

import io
import json
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from emulators.faults import FaultKind, FaultRule
from gql.observability.logging import RequestIdFilter, formatter
from tests.harness import KEYS, TOKENS, Api, make_settings, serve

NAMED_BATCH = """mutation Link($id: ID!, $inputs: [AssociationInput!]!) {
  batchCreateAssociations(integrationId: $id, fromObjectType: "contacts",
                          toObjectType: "companies", inputs: $inputs) { status numErrors }
}"""
NAMED_DEFAULT = """mutation LinkOne($id: ID!, $from: ID!, $to: ID!) {
  createDefaultAssociation(integrationId: $id, fromObjectType: "contacts", fromObjectId: $from,
                           toObjectType: "companies", toObjectId: $to) {
    status numErrors errors { category requestId } }
}"""


@pytest.fixture
def hubspot_api_version() -> str:
    """The counts below are legacy's (v3 batch create, 100 inputs a call; v4 PUT)."""
    return "legacy"


def inputs(n: int) -> list[dict[str, Any]]:
    return [
        {"from": {"id": str(1 + i)}, "to": {"id": str(1001 + i)}, "type": "contact_to_company"}
        for i in range(n)
    ]


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(api: Api, *, key: str | None = KEYS["acme"]) -> Samples:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = await api.client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/plain"
    samples: Samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def by(samples: Samples, name: str, **fixed: str) -> dict[frozenset[tuple[str, str]], float]:
    """The samples of ``name`` whose labels include ``fixed``, keyed by their labels."""
    want = set(fixed.items())
    return {labels: v for (n, labels), v in samples.items() if n == name and want <= labels}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_count_what_the_emulator_answered(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    # The first batch call fails once (503, retried: the endpoint is safe to repeat).
    hubspot.state.faults.rules.append(
        FaultRule(FaultKind.SERVER_ERROR, path="/batch/create", status=503, times=1)
    )
    batch = await api.data(NAMED_BATCH, {"id": integration, "inputs": inputs(250)})
    assert batch["batchCreateAssociations"]["numErrors"] == 0
    await api.data(NAMED_DEFAULT, {"id": integration, "from": "1", "to": "1001"})
    # HubSpot refuses the pair (404): a per-item error, the operation itself answers.
    refused = await api.data(NAMED_DEFAULT, {"id": integration, "from": "999999", "to": "1001"})
    assert refused["createDefaultAssociation"]["numErrors"] == 1
    unknown = {"id": "00000000-0000-4000-8000-00000000dead", "from": "1", "to": "1001"}
    assert (await api.error(NAMED_DEFAULT, unknown))["extensions"]["code"] == "NOT_FOUND"

    samples = await scrape(api)
    create = {
        "provider": "hubspot",
        "endpoint": "POST /crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create",
    }
    put = {
        "provider": "hubspot",
        "endpoint": "PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
    }
    answered = Counter((f"{a.method} {a.route}", str(a.status)) for a in hubspot.state.answered)
    assert answered[(create["endpoint"], "503")] == 1
    assert answered[(put["endpoint"], "200")] == 1
    assert answered[(put["endpoint"], "404")] == 1
    assert sum(answered.values()) == 6  # 4 batch attempts (3 chunks + 1 retry), 2 PUTs
    counted = {
        (dict(labels)["endpoint"], dict(labels)["status"]): v
        for labels, v in by(samples, "crmgraph_upstream_requests_total").items()
    }
    assert counted == dict(answered)

    assert value(samples, "crmgraph_upstream_retries_total", **create) == 1
    assert value(samples, "crmgraph_upstream_retries_total", **put) == 0
    assert not by(samples, "crmgraph_upstream_rate_limited_total")
    latency = "crmgraph_upstream_request_duration_seconds_count"
    assert value(samples, latency, **create) == 4  # 3 chunks, one of them twice
    assert value(samples, latency, **put) == 2
    # Three chunks (100, 100, 50): the retry resends a chunk and is not a batch of its own.
    assert value(samples, "crmgraph_upstream_batch_size_count", **create) == 3
    assert value(samples, "crmgraph_upstream_batch_size_sum", **create) == 250
    # Every attempt took its place in the rate budget; none was refused.
    waits = "crmgraph_rate_budget_wait_seconds_count"
    assert value(samples, waits, provider="hubspot") == 6
    assert not by(samples, "crmgraph_rate_budget_refusals_total")
    # Each createDefaultAssociation was one DataLoader batch of one key.
    loader = {"loader": "default_associations"}
    assert value(samples, "crmgraph_dataloader_batch_size_count", **loader) == 2
    assert value(samples, "crmgraph_dataloader_batch_size_sum", **loader) == 2

    operations = {
        tuple(dict(labels)[k] for k in ("operation", "type", "outcome")): v
        for labels, v in by(samples, "crmgraph_graphql_operations_total").items()
    }
    assert operations == {
        ("anonymous", "mutation", "ok"): 1,  # createCrmIntegration
        ("Link", "mutation", "ok"): 1,
        ("LinkOne", "mutation", "ok"): 2,
        ("LinkOne", "mutation", "NOT_FOUND"): 1,
    }
    # Declared for import jobs, at zero until one runs.
    assert value(samples, "crmgraph_import_items_total", status="succeeded") == 0
    assert ("crmgraph_import_items_total", frozenset({("status", "failed")})) in samples


async def test_operation_names_are_bounded_and_odd_outcomes_are_coded(api):
    await api.post("query { crmIntegrations { id } }")
    await api.post("query Broken { crmIntegrations { nope } }")
    await api.post("query { crmIntegrations { id }")  # a syntax error
    samples = await scrape(api)
    operations = {
        tuple(dict(labels)[k] for k in ("operation", "type", "outcome")): v
        for labels, v in by(samples, "crmgraph_graphql_operations_total").items()
    }
    assert operations == {
        ("anonymous", "query", "ok"): 1,
        ("Broken", "query", "GRAPHQL_VALIDATION_FAILED"): 1,
        ("anonymous", "unknown", "GRAPHQL_PARSE_FAILED"): 1,
    }


async def test_metrics_are_protected_by_default(api):
    response = await api.client.get("/metrics")
    assert response.status == 401
    assert (await response.json())["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    wrong = await api.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    assert await scrape(api)  # with a tenant's key


@pytest.mark.parametrize(("mode", "status"), [("public", 200), ("off", 404)])
async def test_metrics_public_or_off(tmp_path, mode, status):
    client = await serve(make_settings(str(tmp_path / "db.sqlite"), metrics=mode))
    try:
        response = await client.get("/metrics")
        assert response.status == status
        if mode == "off":
            assert (await response.json())["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        else:
            assert "crmgraph_graphql_operations_total" in await response.text()
    finally:
        await client.close()


@pytest.fixture
def captured() -> Iterator[tuple[list[logging.LogRecord], io.StringIO]]:
    """Every record of the test, and the same records as JSON lines (the json format)."""
    records: list[logging.LogRecord] = []
    text = io.StringIO()

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep, lines = Keep(), logging.StreamHandler(text)
    lines.setFormatter(formatter("json"))
    root = logging.getLogger()
    level = root.level
    for handler in (keep, lines):
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield records, text
    root.setLevel(level)
    for handler in (keep, lines):
        root.removeHandler(handler)


async def test_request_id_end_to_end(api, hubspot, captured):
    records, text = captured
    integration = await api.create_integration("HUBSPOT")
    first = len(records)
    response = await api.client.post(
        "/graphql",
        json={
            "query": NAMED_DEFAULT,
            "variables": {"id": integration, "from": "999999", "to": "1"},
        },
        headers={"Authorization": f"Bearer {api.key}", "X-Request-Id": "req-e2e-42"},
    )
    assert response.headers["X-Request-Id"] == "req-e2e-42"
    [error] = (await response.json())["data"]["createDefaultAssociation"]["errors"]
    provider_id = error["requestId"]  # HubSpot's X-HubSpot-Correlation-Id
    assert provider_id

    ours = [r for r in records[first:] if r.name.startswith(("gql", "providers"))]
    assert len(ours) >= 2  # the upstream call's line and the provider error's
    assert {r.request_id for r in ours} == {"req-e2e-42"}  # type: ignore[attr-defined]
    upstream = [r for r in ours if r.name == "providers.upstream"]
    assert len(upstream) == 1
    assert upstream[0].provider_request_id == provider_id  # type: ignore[attr-defined]
    assert upstream[0].status == 404  # type: ignore[attr-defined]

    lines = [json.loads(line) for line in text.getvalue().splitlines()]
    line = next(x for x in lines if x["logger"] == "providers.upstream" and x["status"] == 404)
    assert line["request_id"] == "req-e2e-42"
    assert line["provider_request_id"] == provider_id
    assert line["endpoint"].startswith("PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/")
    assert {"time", "level", "message"} <= line.keys()

    # Secrets never reach a log line: not the stored token, not the API key.
    everything = text.getvalue()
    assert TOKENS["HUBSPOT"] not in everything
    assert all(key not in everything for key in KEYS.values())
    assert "Bearer" not in everything


async def test_request_ids_are_made_when_missing_or_unsafe(api):
    made = await api.client.get("/healthz")
    assert len(made.headers["X-Request-Id"]) == 32
    odd = await api.client.get("/healthz", headers={"X-Request-Id": "a b\tforged"})
    assert odd.headers["X-Request-Id"] not in ("a b\tforged", made.headers["X-Request-Id"])
    refused = await api.client.post("/graphql", json={}, headers={"X-Request-Id": "r-1"})
    assert refused.status == 401
    assert refused.headers["X-Request-Id"] == "r-1"  # refusals carry it too


async def test_lost_replies_and_429s_are_counted(api, hubspot):
    integration = await api.create_integration("HUBSPOT")
    hubspot.state.faults.rules.append(
        FaultRule(FaultKind.DROP, path="/batch/create", times=1, apply_before_fault=True)
    )
    batch = await api.data(NAMED_BATCH, {"id": integration, "inputs": inputs(5)})
    assert batch["batchCreateAssociations"]["numErrors"] == 0
    samples = await scrape(api)
    create = {
        "provider": "hubspot",
        "endpoint": "POST /crm/v3/associations/{fromObjectType}/{toObjectType}/batch/create",
    }
    requests = "crmgraph_upstream_requests_total"
    assert value(samples, requests, **create, status="connection") == 1
    assert value(samples, requests, **create, status="201") == 1
    assert value(samples, "crmgraph_upstream_retries_total", **create) == 1
    # A 429 is counted whatever comes of the call (waited out and retried, or refused).
    hubspot.state.faults.rules.append(
        FaultRule(FaultKind.RATE_LIMIT, method="PUT", times=1, retry_after=0)
    )
    await api.post(NAMED_DEFAULT, {"id": integration, "from": "1", "to": "1001"})
    samples = await scrape(api)
    put = {
        "provider": "hubspot",
        "endpoint": "PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
    }
    assert value(samples, requests, **put, status="429") == 1
    assert value(samples, "crmgraph_upstream_rate_limited_total", **put) == 1
