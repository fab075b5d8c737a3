"""API keys: ``Authorization: Bearer <key>`` names the caller's tenant."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from aiohttp.typedefs import Middleware

TENANT = web.RequestKey("tenant", str)


def tenant_for(header: str | None, keys: Mapping[str, str]) -> str | None:
    """The tenant whose key the header carries; every key is compared, in constant time."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    found: str | None = None
    for key, tenant in keys.items():
        if hmac.compare_digest(key.encode(), token.strip().encode()):
            found = tenant
    return found


def _unauthorized(message: str) -> web.Response:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return web.Response(
        status=401,
        text=json.dumps(body),
        content_type="application/json",
        headers={"WWW-Authenticate": 'Bearer realm="crmgraph"'},
    )


def middleware(keys: Mapping[str, str], *, ide_enabled: bool) -> Middleware:
    @web.middleware
    async def authenticate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        # A CORS preflight carries no key; it runs nothing (gql.cors answers it, or the router
        # refuses OPTIONS with a 405).
        if request.path != "/graphql" or request.method == "OPTIONS":
            return await handler(request)
        # The explorer page itself is public; every operation it sends carries the key.
        wants_page = request.method == "GET" and "text/html" in request.headers.get("Accept", "")
        is_operation = "query" in request.query or "extensions" in request.query
        if wants_page and ide_enabled and not is_operation:
            return await handler(request)
        if "Authorization" not in request.headers:
            return _unauthorized("Authorization: Bearer <api key> is required")
        tenant = tenant_for(request.headers["Authorization"], keys)
        if tenant is None:
            return _unauthorized("the API key is not valid")
        request[TENANT] = tenant
        return await handler(request)

    return authenticate
