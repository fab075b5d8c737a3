"""GraphQL over HTTP: graphql-http's server audits, and the statuses each media type gets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gql.graphql_over_http import GRAPHQL_RESPONSE, media_type
from tests.harness import make_settings, serve
from tests.http.conftest import AUTHORIZATION, RunNode, Serve

AUTH = {"Authorization": AUTHORIZATION}
AS_SPEC = {**AUTH, "Accept": GRAPHQL_RESPONSE}
AS_JSON = {**AUTH, "Accept": "application/json"}


async def test_graphql_http_audits_pass_every_must_and_should(
    serve: Serve, run_node: RunNode
) -> None:
    url = await serve()
    results: list[dict[str, Any]] = await run_node("audit.mjs", url, AUTHORIZATION)

    by_level: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_level.setdefault(result["name"].split(" ", 1)[0], []).append(result)
    failing = {r["id"]: (r["name"], r["reason"]) for r in results if r["status"] != "ok"}
    must, should = by_level["MUST"], by_level["SHOULD"]
    assert (len(must), len(should)) == (13, 23)
    assert [r for r in must + should if r["status"] != "ok"] == [], failing


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("text/html", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json;q=0.5", "application/json"),
        ("application/graphql-response+json;q=0", "application/json"),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
    ],
)
def test_the_media_type_follows_accept_and_its_weights(accept: str | None, expected: str) -> None:
    assert media_type(accept) == expected


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    client = await serve(make_settings(str(tmp_path / "db.sqlite")))
    yield client
    await client.close()


PARSE = {"query": "{ crmIntegrations { id "}
INVALID = {"query": "{ noSuchField }"}
COERCION = {"query": "query Q($id: ID!) { crmIntegration(id: $id) { id } }", "variables": {}}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (PARSE, "GRAPHQL_PARSE_FAILED"),
        (INVALID, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION, "BAD_USER_INPUT"),
    ],
)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    client: TestClient[Any, Any], body: dict[str, Any], code: str
) -> None:
    spec = await client.post("/graphql", json=body, headers=AS_SPEC)
    answer = await spec.json(content_type=GRAPHQL_RESPONSE)
    assert spec.status == 400
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == code

    legacy = await client.post("/graphql", json=body, headers=AS_JSON)
    assert legacy.status == 200
    assert legacy.content_type == "application/json"
    assert (await legacy.json())["data"] is None


async def test_a_field_error_keeps_200_and_its_data_entry(client: TestClient[Any, Any]) -> None:
    query = '{ crmIntegration(id: "00000000-0000-4000-8000-00000000dead") { id } }'
    response = await client.post("/graphql", json={"query": query}, headers=AS_SPEC)
    answer = await response.json(content_type=GRAPHQL_RESPONSE)
    assert response.status == 200
    assert "data" in answer
    assert "Accept" in response.headers.getall("Vary")  # caches key on the media type


async def test_a_refusal_before_graphql_answers_in_the_accepted_media_type(
    client: TestClient[Any, Any],
) -> None:
    response = await client.post(
        "/graphql", data=b"{not json", headers={**AS_SPEC, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert response.content_type == GRAPHQL_RESPONSE
    assert (await response.json(content_type=None))["errors"][0]["extensions"]["code"] == (
        "BAD_REQUEST"
    )


async def test_a_batch_keeps_200_and_each_answer(client: TestClient[Any, Any]) -> None:
    response = await client.post(
        "/graphql", json=[{"query": "{ __typename }"}, INVALID], headers=AS_SPEC
    )
    answers = await response.json(content_type=GRAPHQL_RESPONSE)
    assert response.status == 200
    assert answers[0] == {"data": {"__typename": "Query"}}
    assert "data" not in answers[1]
