"""CORS: preflights from allowed origins pass without a key; other origins get no CORS headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from gql.sandbox import Sandbox
from tests.harness import make_settings, serve
from tests.http.conftest import AUTHORIZATION

APP = "https://app.example.com"
# What Apollo Client and urql ask for before a cross-origin POST.
CLIENT_HEADERS = (
    "authorization,content-type,apollographql-client-name,apollographql-client-version,"
    "apollo-require-preflight,x-apollo-operation-name"
)


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": CLIENT_HEADERS,
    }


async def query_from(client: TestClient[Any, Any], origin: str, key: bool = True) -> Any:
    headers = {"Origin": origin, **({"Authorization": AUTHORIZATION} if key else {})}
    return await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    clients: list[TestClient[Any, Any]] = []

    async def start(cors_origins: str) -> TestClient[Any, Any]:
        settings = make_settings(str(tmp_path / f"db{len(clients)}"), cors_origins=cors_origins)
        clients.append(await serve(settings))
        return clients[-1]

    yield start
    for client in clients:
        await client.close()


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_an_allowed_origin_passes_its_preflight_without_a_key(
    start: Any, method: str
) -> None:
    client = await start(f"https://other.example, {APP}/")
    response = await client.options("/graphql", headers=preflight(APP, method))
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert response.headers["Access-Control-Allow-Methods"] == method
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert allowed == set(CLIENT_HEADERS.split(","))
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]


async def test_the_actual_request_and_its_refusals_carry_the_origin(start: Any) -> None:
    client = await start(APP)
    ok = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Origin": APP, "Authorization": AUTHORIZATION},
    )
    no_key = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": APP}
    )
    assert (ok.status, no_key.status) == (200, 401)
    # A browser can read both answers, the 401 included.
    assert (
        ok.headers["Access-Control-Allow-Origin"]
        == no_key.headers["Access-Control-Allow-Origin"]
        == APP
    )


async def test_an_origin_not_on_the_list_gets_no_allow_origin(start: Any) -> None:
    client = await start(APP)
    stranger = "https://evil.example"
    refused = await client.options("/graphql", headers=preflight(stranger))
    actual = await query_from(client, stranger)
    assert refused.status == 403
    assert (await refused.json())["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert "Access-Control-Allow-Origin" not in actual.headers


async def test_a_header_no_client_sends_is_not_allowed(start: Any) -> None:
    client = await start(APP)
    headers = {**preflight(APP), "Access-Control-Request-Headers": "x-something-else"}
    response = await client.options("/graphql", headers=headers)
    assert response.status == 403


async def test_a_star_allows_any_origin(start: Any) -> None:
    client = await start("*")
    response = await client.options("/graphql", headers=preflight("http://localhost:5173"))
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


async def test_without_origins_there_are_no_cors_headers_and_options_is_405(start: Any) -> None:
    client = await start("")
    response = await client.options("/graphql", headers=preflight(APP))
    actual = await query_from(client, APP)
    assert response.status == 405
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Origin" not in actual.headers


async def test_the_sandbox_allows_any_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRMGRAPH_SANDBOX_KEY_FILE", str(tmp_path / "key"))
    stack = await Sandbox.start()
    try:
        assert stack.settings.cors_origin_list() == ["*"]
    finally:
        await stack.close()
