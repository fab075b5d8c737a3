"""The aiohttp application: where a request enters."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse
from strawberry.types.execution import ExecutionResult

from gql import auth, graphiql, http_guard
from gql.context import Context
from gql.errors import coded
from gql.loaders import Loaders
from gql.schema import build_schema
from gql.settings import Settings
from gql.store.crypto import CredentialCipher, fernet_from_secret, key_file_secret
from gql.store.db import open_database, sqlite_path
from gql.store.idempotency import IdempotencyStore
from gql.store.integrations import IntegrationStore
from providers.base import HttpTransport

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", IntegrationStore)
IDEMPOTENCY = web.AppKey("idempotency", IdempotencyStore)
TRANSPORT = web.AppKey("transport", HttpTransport)


class CrmGraphView(GraphQLView[Context, None]):
    async def process_result(
        self, request: web.Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Every result passes here, whichever step failed (parse, validation, execution).
        if result.errors:
            result.errors = [coded(e) for e in result.errors]
        return await super().process_result(request, result)

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        # Our own page with assets served by the app: Strawberry's loads them from a CDN.
        return web.Response(text=graphiql.page(request.app[SETTINGS]), content_type="text/html")

    async def get_context(self, request: web.Request, response: Any) -> Context:
        app = request.app
        # Only the explorer page reaches here without a key (see auth.middleware); it runs no
        # operation, and a tenant no key maps to owns nothing.
        tenant = request.get(auth.TENANT, "")
        # One context per HTTP request: operations batched in it share these loaders.
        return Context(
            tenant=tenant,
            settings=app[SETTINGS],
            store=app[STORE],
            transport=app[TRANSPORT],
            loaders=Loaders(tenant, app[STORE], app[TRANSPORT]),
            idempotency=app[IDEMPOTENCY],
        )


def _secret(settings: Settings) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    db = sqlite_path(settings.database_url)
    if db is None:
        raise RuntimeError("set CRMGRAPH_SECRET_KEY: it encrypts stored credentials")
    return key_file_secret(db.with_name(db.name + ".key"))


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine, sessions = await open_database(settings.database_url)
    app[STORE] = IntegrationStore(sessions, CredentialCipher(fernet_from_secret(_secret(settings))))
    app[IDEMPOTENCY] = IdempotencyStore(
        sessions, timedelta(seconds=settings.idempotency_ttl_seconds)
    )
    # One session for the app's lifetime: connection pooling across every provider call.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100), trust_env=False
    ) as session:
        app[TRANSPORT] = HttpTransport(session, settings.client_settings())
        yield
    await engine.dispose()


GC_YOUNG_THRESHOLD = 50_000


async def _freeze_startup_objects(app: web.Application) -> None:
    # The schema, modules and settings live as long as the process: moving them out of the
    # cycle collector's sight keeps full collections (large batches trigger them) cheap.
    gc.collect()
    gc.freeze()
    # A request's objects are acyclic and die with it, but at the default threshold (700
    # allocations) a 10,000-input batch ran over a thousand young collections and promoted
    # enough to trigger full ones: 18% of its CPU (bench/README.md). 50,000 keeps the
    # collector for real cycles at the cost of a few MB of young objects at most.
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)  # older generations as by default


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_app(settings: Settings | None = None) -> web.Application:
    settings = settings or Settings()
    keys = settings.api_key_map()
    if not keys:
        log.warning("CRMGRAPH_API_KEYS is empty: every GraphQL request will be refused")
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        # The guard is outermost: whatever goes wrong inside answers JSON with a code.
        middlewares=[
            http_guard.guard(settings),
            auth.middleware(keys, ide_enabled=settings.graphiql),
            http_guard.request_shape(settings),
        ],
    )
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_resources)
    app.on_startup.append(_freeze_startup_objects)
    view = CrmGraphView(
        schema=build_schema(settings),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=True,
    )
    app.router.add_route("*", "/graphql", view)
    app.router.add_get("/healthz", _healthz)
    if settings.graphiql:
        graphiql.add_routes(app)
    return app
