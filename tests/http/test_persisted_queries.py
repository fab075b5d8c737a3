"""Automatic persisted queries: the store, the protocol over POST and GET, the modes, and the
real clients (Apollo Client's PersistedQueryLink, urql's persistedExchange)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gql.persisted_queries import MemoryPersistedQueries, sha256_hex
from tests.harness import make_settings, serve
from tests.http.conftest import AUTHORIZATION, RunNode, Serve

AUTH = {"Authorization": AUTHORIZATION}
QUERY = "query Integrations { crmIntegrations { id name } }"
CREATE = (
    'mutation { createCrmIntegration(input: {provider: HUBSPOT, name: "apq", '
    'credentials: {accessToken: "x"}}) { id } }'
)


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}


async def test_the_memory_store_keeps_the_most_recently_used_documents() -> None:
    store = MemoryPersistedQueries(max_entries=2)
    await store.put("a", "{ a }")
    await store.put("b", "{ b }")
    assert await store.get("a") == "{ a }"  # a is now the most recent
    await store.put("c", "{ c }")
    assert (await store.get("b"), await store.get("a"), await store.get("c")) == (
        None,
        "{ a }",
        "{ c }",
    )
    assert len(store) == 2


Client = Callable[..., Any]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    clients: list[TestClient[Any, Any]] = []

    async def start(**overrides: Any) -> TestClient[Any, Any]:
        settings = make_settings(str(tmp_path / f"db{len(clients)}.sqlite"), **overrides)
        clients.append(await serve(settings))
        return clients[-1]

    yield start
    for client in clients:
        await client.close()


async def post(client: TestClient[Any, Any], body: Any) -> tuple[int, Any, Any]:
    response = await client.post("/graphql", json=body, headers=AUTH)
    return response.status, response.headers, await response.json()


def code(answer: dict[str, Any]) -> str | None:
    return (answer.get("errors") or [{}])[0].get("extensions", {}).get("code")


async def test_the_protocol_over_post_asks_for_the_document_once(start: Any) -> None:
    client = await start()
    status, headers, unknown = await post(client, {"extensions": persisted(QUERY)})
    assert (status, code(unknown), unknown["errors"][0]["message"]) == (
        200,
        "PERSISTED_QUERY_NOT_FOUND",
        "PersistedQueryNotFound",
    )
    assert headers["Cache-Control"] == "private, no-cache, must-revalidate"

    _, _, with_query = await post(client, {"query": QUERY, "extensions": persisted(QUERY)})
    _, _, by_hash = await post(client, {"extensions": persisted(QUERY)})
    assert with_query == by_hash == {"data": {"crmIntegrations": []}}


async def test_get_runs_a_stored_query_by_hash_but_never_a_mutation(start: Any) -> None:
    client = await start()
    await post(client, {"query": QUERY, "extensions": persisted(QUERY)})
    got = await client.get(
        "/graphql", params={"extensions": json.dumps(persisted(QUERY))}, headers=AUTH
    )
    assert (got.status, await got.json()) == (200, {"data": {"crmIntegrations": []}})

    # A mutation stored over POST still only runs over POST.
    await post(client, {"query": CREATE, "extensions": persisted(CREATE)})
    refused = await client.get(
        "/graphql", params={"extensions": json.dumps(persisted(CREATE))}, headers=AUTH
    )
    assert refused.status == 405
    _, _, listed = await post(client, {"query": QUERY})
    assert len(listed["data"]["crmIntegrations"]) == 1  # the POST's, not a second from GET


async def test_a_hash_that_is_not_the_query_runs_nothing_and_stores_nothing(start: Any) -> None:
    client = await start()
    forged = {"query": CREATE, "extensions": persisted(QUERY)}
    status, _, answer = await post(client, forged)
    assert (status, code(answer)) == (200, "PERSISTED_QUERY_HASH_MISMATCH")
    _, _, listed = await post(client, {"query": QUERY})
    assert listed["data"]["crmIntegrations"] == []  # the mutation did not run
    _, _, by_hash = await post(client, {"extensions": persisted(QUERY)})
    assert code(by_hash) == "PERSISTED_QUERY_NOT_FOUND"  # nor was anything stored


async def test_a_bad_hash_in_a_batch_fails_that_operation_only(start: Any) -> None:
    client = await start()
    _, _, answers = await post(
        client, [{"extensions": persisted(QUERY)}, {"query": "{ __typename }"}]
    )
    assert code(answers[0]) == "PERSISTED_QUERY_NOT_FOUND"
    assert answers[1] == {"data": {"__typename": "Query"}}


async def test_stored_documents_are_bounded(start: Any) -> None:
    client = await start(persisted_queries_max_entries=2)
    documents = [f"query Q{n} {{ __typename }}" for n in range(3)]
    for document in documents:
        await post(client, {"query": document, "extensions": persisted(document)})
    answers = [(await post(client, {"extensions": persisted(d)}))[2] for d in documents]
    assert [code(a) for a in answers] == ["PERSISTED_QUERY_NOT_FOUND", None, None]


async def test_turned_off_a_hash_answers_not_supported(start: Any) -> None:
    client = await start(persisted_queries="off")
    status, _, answer = await post(client, {"query": QUERY, "extensions": persisted(QUERY)})
    assert (status, code(answer), answer["errors"][0]["message"]) == (
        200,
        "PERSISTED_QUERY_NOT_SUPPORTED",
        "PersistedQueryNotSupported",
    )
    _, _, plain = await post(client, {"query": QUERY})
    assert plain == {"data": {"crmIntegrations": []}}


@pytest.mark.parametrize("manifest_format", ["apollo", "map"])
async def test_known_only_runs_the_manifest_and_nothing_else(
    start: Any, tmp_path: Path, manifest_format: str
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {
                        "id": sha256_hex(QUERY),
                        "name": "Integrations",
                        "type": "query",
                        "body": QUERY,
                    }
                ],
            }
            if manifest_format == "apollo"
            else {sha256_hex(QUERY): QUERY}
        )
    )
    client = await start(persisted_queries="known", persisted_queries_manifest=manifest)
    _, _, by_hash = await post(client, {"extensions": persisted(QUERY)})
    _, _, by_text = await post(client, {"query": QUERY})
    assert by_hash == by_text == {"data": {"crmIntegrations": []}}

    other = "{ __typename }"
    _, _, unregistered = await post(client, {"query": other})
    _, _, offered = await post(client, {"query": other, "extensions": persisted(other)})
    _, _, again = await post(client, {"extensions": persisted(other)})
    assert [code(unregistered), code(offered), code(again)] == [
        "PERSISTED_QUERY_NOT_REGISTERED",
        "PERSISTED_QUERY_NOT_REGISTERED",
        "PERSISTED_QUERY_NOT_FOUND",
    ]


def test_a_manifest_entry_whose_hash_is_wrong_stops_start_up(tmp_path: Path) -> None:
    from gql.app import build_app

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"0" * 64: QUERY}))
    with pytest.raises(ValueError, match="not the sha256 of its document"):
        build_app(make_settings(str(tmp_path / "db"), persisted_queries_manifest=manifest))


@pytest.mark.parametrize("kind", ["apollo", "urql"])
@pytest.mark.parametrize("method", ["post", "get"])
async def test_the_real_clients_fall_back_to_the_query_then_send_only_the_hash(
    serve: Serve, run_node: RunNode, kind: str, method: str
) -> None:
    url = await serve()
    query = "query One($id: ID!) { crmIntegration(id: $id) { id } }"
    variables = json.dumps({"id": "00000000-0000-4000-8000-000000000001"})
    outcome = await run_node("apq_client.mjs", url, AUTHORIZATION, kind, method, query, variables)

    exchanges = outcome["exchanges"]
    # First run: the hash alone, "not found", then the hash with the query. Second run (a
    # fresh client that knows nothing): the hash alone, answered from the server's store.
    assert [(e["sentQuery"], e["code"]) for e in exchanges] == [
        (False, "PERSISTED_QUERY_NOT_FOUND"),
        (True, None),
        (False, None),
    ]
    hashed = [e["method"] for e in exchanges if not e["sentQuery"]]
    assert hashed == (["GET", "GET"] if method == "get" else ["POST", "POST"])
    assert {e["status"] for e in exchanges} == {200}
    assert outcome["results"] == [{"data": {"crmIntegration": None}, "error": None}] * 2


async def test_refusals_are_request_errors_for_graphql_response_json(start: Any) -> None:
    client = await start()
    headers = {**AUTH, "Accept": "application/graphql-response+json"}
    forged = {"query": CREATE, "extensions": persisted(QUERY)}
    mismatch = await client.post("/graphql", json=forged, headers=headers)
    unknown = await client.post("/graphql", json={"extensions": persisted(QUERY)}, headers=headers)
    mismatch_body = await mismatch.json(content_type=None)
    assert (mismatch.status, code(mismatch_body)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    assert "data" not in mismatch_body
    # "Not found" stays a 200: it is the clients' signal to send the document.
    assert unknown.status == 200


async def test_a_hash_over_get_needs_the_key_even_from_a_browser(start: Any) -> None:
    client = await start()
    await post(client, {"query": QUERY, "extensions": persisted(QUERY)})
    response = await client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(QUERY))},
        headers={"Accept": "text/html"},
    )
    assert response.status == 401  # not the explorer page, and nothing ran
