"""CORS for browser callers on other origins (aiohttp-cors), from ``CRMGRAPH_CORS_ORIGINS``.

Preflights (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) are answered by
aiohttp-cors before authentication (they carry no ``Authorization``; see ``gql.auth``) and run
nothing. An origin not on the list gets no ``Access-Control-Allow-Origin`` (its preflight a 403).
No credentials mode: callers send their API key as a header, never a cookie.
"""

from __future__ import annotations

from collections.abc import Iterable

import aiohttp_cors
from aiohttp import hdrs, web

# What browsers' GraphQL clients send: Apollo Client (client awareness, CSRF-prevention and
# operation-name headers), urql, and common tracing headers.
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "x-apollo-operation-id",
    "x-request-id",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
)
ALLOWED_METHODS = ("GET", "POST")


async def _vary_on_origin(request: web.Request, response: web.StreamResponse) -> None:
    # aiohttp-cors echoes the caller's Origin: a shared cache must key on it.
    if hdrs.ACCESS_CONTROL_ALLOW_ORIGIN in response.headers and "origin" not in (
        response.headers.get(hdrs.VARY, "").lower()
    ):
        response.headers.add(hdrs.VARY, "Origin")


def enable(
    app: web.Application,
    routes: Iterable[web.AbstractRoute],
    origins: list[str],
    max_age_seconds: int,
) -> None:
    """Allows ``origins`` (``"*"``: any) to call ``routes``; does nothing for an empty list."""
    if not origins:
        return
    # aiohttp-cors leaves ResourceOptions' constructor untyped.
    options = aiohttp_cors.ResourceOptions(  # type: ignore[no-untyped-call]
        allow_credentials=False,
        allow_headers=ALLOWED_HEADERS,
        allow_methods=ALLOWED_METHODS,
        max_age=max_age_seconds,
    )
    cors = aiohttp_cors.setup(app, defaults=dict.fromkeys(origins, options))
    for route in routes:
        cors.add(route)
    app.on_response_prepare.append(_vary_on_origin)
