"""The aiohttp application: where a request enters."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from gql import auth, cors, graphiql, graphql_over_http, http_guard
from gql.coalescing import Coalescer
from gql.context import Context
from gql.errors import ApiError, coded
from gql.imports.queue import job_queue
from gql.imports.runner import ImportRunner
from gql.loaders import Loaders
from gql.observability import Observability
from gql.persisted_queries import PersistedQueries, PersistedQueryStore, load_manifest
from gql.schema import build_schema
from gql.settings import Settings
from gql.shared_state import SharedState
from gql.store.crypto import CredentialCipher, fernet_from_secret, key_file_secret
from gql.store.db import open_database, sqlite_path
from gql.store.idempotency import IdempotencyStore
from gql.store.imports import ImportStore
from gql.store.integrations import IntegrationStore
from providers.base import HttpTransport
from providers.oauth.refresh import TokenRefresher
from providers.registry import TOKEN_ENDPOINTS
from providers.retry import deadline_in

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", IntegrationStore)
IDEMPOTENCY = web.AppKey("idempotency", IdempotencyStore)
TRANSPORT = web.AppKey("transport", HttpTransport)
OBSERVABILITY = web.AppKey("observability", Observability)
COALESCER = web.AppKey("coalescer", Coalescer)
IMPORTS = web.AppKey("imports", ImportStore)
RUNNER = web.AppKey("runner", ImportRunner)
SHARED = web.AppKey("shared", SharedState)


def _media_type(request: web.Request) -> str:
    return graphql_over_http.media_type(request.headers.get("Accept"))


class CrmGraphView(GraphQLView[Context, None]):
    def __init__(
        self,
        app: web.Application,
        keys: dict[str, str],
        *,
        persisted_queries: PersistedQueries,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.persisted_queries = persisted_queries
        self._app = app
        self._keys = keys

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET with only `extensions` is a persisted query, not a visit to the explorer.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def execute_single(
        self,
        request: web.Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: web.Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Each operation of a batch passes here: a refused hash fails its own operation only.
        try:
            query = await self.persisted_queries.document(
                request_data.query, request_data.extensions
            )
        except ApiError as refusal:
            return PreExecutionError(
                data=None, errors=[GraphQLError(refusal.message, original_error=refusal)]
            )
        result = await super().execute_single(
            request=request,
            request_adapter=request_adapter,
            sub_response=sub_response,
            context=context,
            root_value=root_value,
            request_data=dataclasses.replace(request_data, query=query),
        )
        if query is not None and not isinstance(result, PreExecutionError):
            await self.persisted_queries.remember(query, request_data.extensions)
        return result

    async def process_result(
        self, request: web.Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # Every result passes here, whichever step failed (parse, validation, execution).
        if result.errors:
            result.errors = [coded(e) for e in result.errors]
        answer = await super().process_result(request, result)
        if _media_type(request) == graphql_over_http.GRAPHQL_RESPONSE and (
            graphql_over_http.is_request_error(result.data, result.errors)
        ):
            del answer["data"]  # the spec's mark of a request error: nothing ran
        return answer

    async def get_sub_response(self, request: web.Request) -> web.Response:
        response = web.Response(headers={"Vary": "Accept"})  # the media type follows it
        response.content_type = _media_type(request)
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: web.Response,
    ) -> web.Response:
        sub_response.text = self.encode_json_string(response_data)
        if isinstance(response_data, dict):
            if sub_response.content_type == graphql_over_http.GRAPHQL_RESPONSE:
                sub_response.set_status(graphql_over_http.status(response_data))
            if graphql_over_http.is_persisted_query_retry(response_data):
                # The client is about to send the document: no cache may keep this answer.
                sub_response.headers["Cache-Control"] = "private, no-cache, must-revalidate"
        return sub_response

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
            loaders=_loaders(app, tenant),
            idempotency=app[IDEMPOTENCY],
            imports=app[IMPORTS],
            runner=app[RUNNER],
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        # A WebSocket carries its key in connection_init's payload (browsers cannot set
        # headers on one); until this accepts it, Strawberry runs no operation (4401).
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        tenant = auth.tenant_for(header if isinstance(header, str) else None, self._keys)
        if tenant is None:
            raise ConnectionRejectionError()
        app = self._app
        context.tenant = tenant
        context.loaders = _loaders(app, tenant)
        ack: UnsetType = UNSET  # connection_ack with no payload
        return ack


def _loaders(app: web.Application, tenant: str) -> Loaders:
    return Loaders(
        tenant,
        app[STORE],
        app[TRANSPORT],
        app.get(COALESCER),
        observe_batch=app[OBSERVABILITY].loader_batch(),
    )


def _secret(settings: Settings) -> str:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    db = sqlite_path(settings.database_url)
    if db is None:
        raise RuntimeError("set CRMGRAPH_SECRET_KEY: it encrypts stored credentials")
    return key_file_secret(db.with_name(db.name + ".key"))


def _import_transport(app: web.Application) -> HttpTransport:
    """The request transport with a longer patience: a job in the background waits for its
    integration's rate budget instead of failing items (same session, same budgets)."""
    transport = app[TRANSPORT]
    patience = app[SETTINGS].import_max_wait_seconds
    settings = dataclasses.replace(transport.settings, max_retry_wait_seconds=patience)
    return dataclasses.replace(transport, settings=settings)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine, sessions = await open_database(settings.database_url)
    store = IntegrationStore(
        sessions,
        CredentialCipher(fernet_from_secret(_secret(settings))),
        cache_seconds=settings.integration_cache_seconds,
    )
    app[STORE] = store
    app[IDEMPOTENCY] = idempotency = IdempotencyStore(
        sessions,
        timedelta(seconds=settings.idempotency_ttl_seconds),
        lease=timedelta(seconds=settings.idempotency_lease_seconds),
        wait=timedelta(seconds=settings.idempotency_wait_seconds),
    )
    app[IMPORTS] = ImportStore(sessions)
    obs = app[OBSERVABILITY]
    purge = asyncio.create_task(_purge_forever(idempotency, settings))
    # One session for the app's lifetime: connection pooling across every provider call.
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=100),
        trust_env=False,
        trace_configs=obs.trace_configs(),
    ) as session:
        shared = app[SHARED]
        refresher = TokenRefresher(
            store,
            TOKEN_ENDPOINTS,
            shared.refresh_lock(engine),
            margin_seconds=settings.token_refresh_margin_seconds,
        )
        app[TRANSPORT] = HttpTransport(
            session,
            settings.client_settings(),
            limiter=shared.rate_limiter(),
            refresher=refresher,
            observer=obs.metrics,
        )
        # Jobs left unfinished by a stop or a crash go on from their checkpoints.
        app[RUNNER] = ImportRunner(
            app[IMPORTS],
            app[STORE],
            _import_transport(app),
            job_queue(settings),
            recheck_seconds=settings.import_lease_seconds,
            count=app[OBSERVABILITY].count_import_items,  # crmgraph_import_items_total
        )
        await app[RUNNER].resume()
        yield
        await app[RUNNER].close()
        await shared.close()
    purge.cancel()
    await asyncio.gather(purge, return_exceptions=True)
    await engine.dispose()


async def _purge_forever(idempotency: IdempotencyStore, settings: Settings) -> None:
    """Expired idempotency rows go in one indexed delete per interval, not on every write."""
    while True:
        try:
            await idempotency.purge_expired()
        except Exception:  # a database hiccup must not end the loop
            log.exception("purging expired idempotency records failed")
        await asyncio.sleep(settings.idempotency_purge_interval_seconds)


GC_YOUNG_THRESHOLD = 50_000


@web.middleware
async def _deadline(request: web.Request, handler: Any) -> web.StreamResponse:
    # Every provider call this request makes, in any task it starts, shares this deadline.
    with deadline_in(request.app[SETTINGS].request_deadline_seconds):
        response: web.StreamResponse = await handler(request)
        return response


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


def _register_manifest(
    store: PersistedQueryStore, documents: dict[str, str]
) -> Callable[[web.Application], Awaitable[None]]:
    async def register(app: web.Application) -> None:
        for sha, query in documents.items():
            await store.put(sha, query)

    return register


def build_app(
    settings: Settings | None = None,
    persisted_queries: PersistedQueryStore | None = None,
    *,
    tracer_provider: TracerProvider | None = None,
) -> web.Application:
    """The application; ``persisted_queries`` is where persisted documents live (by default in
    Redis when ``CRMGRAPH_REDIS_URL`` is set, else an in-process LRU of
    ``CRMGRAPH_PERSISTED_QUERIES_MAX_ENTRIES``); ``tracer_provider`` traces with that provider
    (else as the settings say)."""
    settings = settings or Settings()
    obs = Observability.from_settings(settings, tracer_provider=tracer_provider)
    keys = settings.api_key_map()
    if not keys:
        log.warning("CRMGRAPH_API_KEYS is empty: every GraphQL request will be refused")
    shared = SharedState(settings)
    store = persisted_queries or shared.persisted_queries(settings.persisted_queries_max_entries)
    manifest = (
        load_manifest(settings.persisted_queries_manifest)
        if settings.persisted_queries_manifest
        else {}
    )
    if len(manifest) > settings.persisted_queries_max_entries:
        raise ValueError(
            f"the manifest has {len(manifest)} documents, over "
            f"CRMGRAPH_PERSISTED_QUERIES_MAX_ENTRIES={settings.persisted_queries_max_entries}"
        )
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        # The guard is outermost: whatever goes wrong inside answers JSON with a code.
        middlewares=[
            *obs.middlewares(),
            http_guard.guard(settings),
            auth.middleware(keys, ide_enabled=settings.graphiql),
            http_guard.request_shape(settings),
            _deadline,
        ],
    )
    app[SETTINGS] = settings
    app[SHARED] = shared
    app[OBSERVABILITY] = obs
    if settings.coalesce_window_ms > 0:
        app[COALESCER] = Coalescer(settings.coalesce_window_ms / 1000)
    app.cleanup_ctx.append(_resources)
    if manifest:
        app.on_startup.append(_register_manifest(store, manifest))
    app.on_startup.append(_freeze_startup_objects)
    view = CrmGraphView(
        app,
        keys,
        schema=build_schema(settings, extensions=obs.schema_extensions()),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=True,
        persisted_queries=PersistedQueries(store, settings.persisted_queries),
        # CSV imports (the GraphQL multipart request spec). Every request must carry an
        # Authorization header, which is not CORS-safelisted: a browser preflights a
        # cross-site multipart POST (only CRMGRAPH_CORS_ORIGINS pass), so it cannot be forged
        # the way a cookie-authenticated form post can (and crmgraph sets no cookies).
        multipart_uploads_enabled=True,
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        connection_init_wait_timeout=timedelta(seconds=10),
    )
    # GET and POST, not "*": aiohttp-cors adds its preflight OPTIONS route beside them.
    routes = [app.router.add_route(m, "/graphql", view) for m in cors.ALLOWED_METHODS]
    cors.enable(app, routes, settings.cors_origin_list(), settings.cors_max_age_seconds)
    app.router.add_get("/healthz", _healthz)
    obs.install(app, settings)
    if settings.graphiql:
        graphiql.add_routes(app)
    return app
