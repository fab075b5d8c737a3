"""An end-to-end harness: crmgraph served over HTTP, its clients pointed at the emulators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from gql.app import build_app
from gql.settings import Settings

KEYS = {"acme": "key-acme-0123456789", "globex": "key-globex-0123456789"}
TOKENS = {
    "HUBSPOT": "hs-test-token",
    "SALESFORCE": "sf-test-token",
    "LEADCONNECTOR": "ghl-test-token",
}


def make_settings(db_path: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "api_keys": ",".join(f"{t}:{k}" for t, k in KEYS.items()),
        "database_url": f"sqlite+aiosqlite:///{db_path}",
        "secret_key": "test-secret-key-for-credentials",
        "allow_insecure_upstreams": True,
        "retry_backoff_seconds": 0.0,
        # Waits stay short in tests: a Retry-After is honoured up to 50 ms, and a request
        # gives up on a wait that would end more than 10 s after it started.
        "max_retry_wait_seconds": 0.05,
        "request_deadline_seconds": 10.0,
        "upstream_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Api:
    """A GraphQL caller with a tenant's key."""

    client: TestClient[Any, Any]
    key: str = KEYS["acme"]
    integrations: dict[str, str] = field(default_factory=dict)

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {key or self.key}"},
        )
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
        return body

    async def batch(self, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Several operations in one HTTP request (GraphQL-over-HTTP batching)."""
        response = await self.client.post(
            "/graphql", json=operations, headers={"Authorization": f"Bearer {self.key}"}
        )
        assert response.status == 200, await response.text()
        answers: list[dict[str, Any]] = await response.json()
        return answers

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = await self.post(query, variables, **kw)
        assert "errors" not in body, body
        return body["data"]

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        body = await self.post(query, variables, **kw)
        assert body.get("errors"), body
        error: dict[str, Any] = body["errors"][0]
        return error

    async def create_integration(
        self,
        provider: str,
        *,
        instance_url: str | None = None,
        token: str | None = None,
        key: str | None = None,
        enabled: bool = True,
        location_id: str | None = None,
    ) -> str:
        data = await self.data(
            """mutation($input: CreateCrmIntegrationInput!) {
                 createCrmIntegration(input: $input) { id } }""",
            {
                "input": {
                    "provider": provider,
                    "name": f"{provider.lower()} test",
                    "instanceUrl": instance_url,
                    "credentials": {"accessToken": token or TOKENS[provider]},
                    "isEnabled": enabled,
                    **({"locationId": location_id} if location_id else {}),
                }
            },
            key=key,
        )
        return str(data["createCrmIntegration"]["id"])


async def serve(settings: Settings) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = TestClient(TestServer(build_app(settings)))
    await client.start_server()
    return client
