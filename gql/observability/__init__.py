"""Metrics, logs and traces: what an operator sees of crmgraph.

``Observability.from_settings`` builds what the settings turn on, and the app plugs it in at
four places: its middlewares (request ids, and the server span), the schema's extensions
(operation metrics, GraphQL spans), the one ``ClientSession`` (the upstream client spans) and
the ``HttpTransport`` (upstream metrics, through ``providers/observability.py``). What is off
costs nothing on a request: no middleware, no extension, no observer.

* ``metrics.py``: Prometheus metrics in a per-app registry, served at ``/metrics``.
* ``logging.py``: request ids (``X-Request-Id``) and the text / JSON log formats.
* ``tracing.py``: OpenTelemetry spans, exported over OTLP/HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Middleware
from strawberry.extensions import SchemaExtension

from gql.observability import logging as request_logging
from gql.observability.metrics import Metrics, OperationMetrics, metrics_route

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

    from gql.observability.tracing import Tracing
    from gql.settings import Settings


@dataclass
class Observability:
    metrics: Metrics | None
    tracing: Tracing | None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, tracer_provider: TracerProvider | None = None
    ) -> Observability:
        """``tracer_provider`` turns tracing on with the caller's provider (tests give one
        with an in-memory exporter); else the OTLP endpoint setting does."""
        tracing: Tracing | None = None
        if tracer_provider is not None or settings.otel_exporter_otlp_endpoint:
            # Imported only when on: OpenTelemetry's SDK costs start-up time and memory.
            from gql.observability.tracing import Tracing, otlp_provider

            if tracer_provider is not None:
                tracing = Tracing(tracer_provider, owned=False)
            else:
                assert settings.otel_exporter_otlp_endpoint is not None
                provider = otlp_provider(
                    settings.otel_exporter_otlp_endpoint, settings.otel_service_name
                )
                tracing = Tracing(provider, owned=True)
        metrics = Metrics() if settings.metrics != "off" else None
        return cls(metrics, tracing)

    def middlewares(self) -> list[Middleware]:
        """Outermost first: the request id, then the server span."""
        found = [request_logging.middleware()]
        if self.tracing is not None:
            found.append(self.tracing.middleware())
        return found

    def schema_extensions(self) -> list[Callable[[], SchemaExtension]]:
        found: list[Callable[[], SchemaExtension]] = []
        if self.tracing is not None:
            found.append(self.tracing.schema_extension())
        if self.metrics is not None:
            metrics = self.metrics
            found.append(lambda: OperationMetrics(metrics))
        return found

    def trace_configs(self) -> list[aiohttp.TraceConfig]:
        return [self.tracing.trace_config()] if self.tracing is not None else []

    def loader_batch(self) -> Callable[[str, int], None] | None:
        return self.metrics.loader_batch if self.metrics is not None else None

    def count_import_items(self, status: str, count: int = 1) -> None:
        """For import jobs: ``status`` is ``succeeded`` or ``failed``."""
        if self.metrics is not None:
            self.metrics.count_import_items(status, count)

    def install(self, app: web.Application, settings: Settings) -> None:
        """Adds ``/metrics`` (unless off) and the tracer's shutdown."""
        if self.metrics is not None:
            keys = settings.api_key_map() if settings.metrics == "protected" else None
            app.router.add_routes([metrics_route(self.metrics, keys)])
        if self.tracing is not None:
            app.on_cleanup.append(self.tracing.close)


__all__ = ["Observability"]
