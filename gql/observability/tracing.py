"""OpenTelemetry traces, off unless ``CRMGRAPH_OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

With tracing on, a request makes a tree of spans: the server span of the HTTP request
(``POST /graphql``, continuing the caller's ``traceparent``), Strawberry's GraphQL operation
span and resolver spans under it (``OpenTelemetryExtension``), and one client span per upstream
attempt under those (opentelemetry-instrumentation-aiohttp-client, a ``TraceConfig`` on the
app's one ``ClientSession``). Each carries ``crmgraph.request_id``; the client span also the
provider's own ``crmgraph.provider_request_id``.

The app has its own ``TracerProvider`` (the tests build many apps in one process), exporting
over OTLP/HTTP. Nothing secret goes into a span: no headers are recorded, resolver arguments
are kept only when they are plain scalars with harmless names (input objects, where
credentials travel, are dropped), and the GraphQL document is recorded with its string
literals blanked (a document may carry a token inline).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Generator
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from graphql import GraphQLResolveInfo
from opentelemetry import propagate
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from strawberry.extensions import LifecycleStep, SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension

from gql.observability.logging import request_id
from providers.errors import request_id_of

REQUEST_ID = "crmgraph.request_id"
PROVIDER_REQUEST_ID = "crmgraph.provider_request_id"

# A block string, or a one-line string with its escapes.
_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')
_SECRET_NAME = re.compile(r"token|secret|password|key|credential|auth", re.IGNORECASE)


def redacted_document(query: str) -> str:
    """The document with every string literal replaced by ``"***"``."""
    return _STRING.sub('"***"', query)


def harmless_args(args: dict[str, Any], info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    """Resolver arguments a span may show: scalars whose names do not suggest a secret."""
    return {
        name: value
        for name, value in args.items()
        if isinstance(value, str | int | float | bool) and not _SECRET_NAME.search(name)
    }


class GraphQLSpans(OpenTelemetryExtension):
    """Strawberry's extension, with the document redacted and the request id added."""

    def on_operation(self) -> Generator[None, None, None]:
        steps = super().on_operation()
        next(steps)  # the operation span is started
        span = self._span_holder[LifecycleStep.OPERATION]
        if self.execution_context.query:
            span.set_attribute("query", redacted_document(self.execution_context.query))
        span.set_attribute(REQUEST_ID, request_id.get() or "")
        try:
            yield
        finally:
            with suppress(StopIteration):
                next(steps)  # names and ends it, whether the operation ran or was refused


def _endpoint_url(endpoint: str) -> str:
    """OTLP/HTTP wants the traces URL: a bare collector address gets ``/v1/traces``."""
    if urlsplit(endpoint).path in ("", "/"):
        return endpoint.rstrip("/") + "/v1/traces"
    return endpoint


def otlp_provider(endpoint: str, service_name: str) -> TracerProvider:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=_endpoint_url(endpoint)))
    )
    return provider


class Tracing:
    """The app's tracer provider and the three places it is plugged in."""

    def __init__(self, provider: TracerProvider, *, owned: bool) -> None:
        self.provider = provider
        self._owned = owned  # built from settings: flushed and shut down with the app
        self._tracer = provider.get_tracer("crmgraph")

    def schema_extension(self) -> Callable[[], SchemaExtension]:
        provider = self.provider
        return lambda: GraphQLSpans(arg_filter=harmless_args, tracer_provider=provider)

    def trace_config(self) -> aiohttp.TraceConfig:
        def on_request(span: Span, params: aiohttp.TraceRequestStartParams) -> None:
            span.set_attribute(REQUEST_ID, request_id.get() or "")

        def on_response(span: Span, params: Any) -> None:
            response = getattr(params, "response", None)
            found = request_id_of(response.headers) if response is not None else None
            if found:
                span.set_attribute(PROVIDER_REQUEST_ID, found)

        config: aiohttp.TraceConfig = create_trace_config(
            request_hook=on_request, response_hook=on_response, tracer_provider=self.provider
        )
        return config

    def middleware(self) -> Middleware:
        """The server span of each HTTP request (after the request id is set)."""
        tracer = self._tracer

        @web.middleware
        async def traced(request: web.Request, handler: Handler) -> web.StreamResponse:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else ""
            with tracer.start_as_current_span(
                f"{request.method} {route}".rstrip(),
                kind=SpanKind.SERVER,
                context=propagate.extract(request.headers),
                attributes={
                    "http.request.method": request.method,
                    "http.route": route,
                    "url.path": request.path,  # never the query string: a GET carries a document
                    REQUEST_ID: request_id.get() or "",
                },
            ) as span:
                response = await handler(request)
                span.set_attribute("http.response.status_code", response.status)
                if response.status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                return response

        return traced

    async def close(self, app: web.Application) -> None:
        if self._owned:  # flushes the spans still queued: off the loop, which may serve them
            await asyncio.to_thread(self.provider.shutdown)


__all__ = [
    "PROVIDER_REQUEST_ID",
    "REQUEST_ID",
    "GraphQLSpans",
    "Tracing",
    "harmless_args",
    "otlp_provider",
    "redacted_document",
]
