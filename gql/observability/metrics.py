"""Prometheus metrics: one ``CollectorRegistry`` per app, served at ``/metrics``.

A registry per app, not prometheus-client's global one: the tests build many apps in one
process, and each must count only its own traffic. Every name starts with ``crmgraph_``, and
every label takes few values: upstream calls are named by route template (see
``providers/observability.py``), GraphQL operations by a bounded set of operation names
(``OperationNames``), outcomes by error code.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

from aiohttp import web
from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from strawberry.extensions import SchemaExtension

from gql import auth
from gql.errors import Code, code_of
from gql.http_guard import error_response
from providers.observability import Attempt

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_WAIT_BUCKETS = (0.0, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0)
_SIZE_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 200, 500, 1000, 2000)

# Statuses of import items (i10jobs counts them).
IMPORT_STATUSES = ("succeeded", "failed")


class OperationNames:
    """Operation names as label values: the first ``limit`` distinct names are kept, later
    ones count as ``other`` (callers choose names, and each would be a series)."""

    _NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")

    def __init__(self, limit: int = 200) -> None:
        self._limit = limit
        self._known: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._known:
            return name
        if len(self._known) >= self._limit or not self._NAME.fullmatch(name):
            return "other"
        self._known.add(name)
        return name


class _Children:
    """A metric's children by label values, kept: ``labels()`` validates and locks on every
    call, a dict lookup does not (the label sets are few, so this stays small)."""

    def __init__(self, metric: Counter | Histogram) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], Any] = {}

    def __call__(self, *labels: str) -> Any:
        child = self._children.get(labels)
        if child is None:
            child = self._children[labels] = self._metric.labels(*labels)
        return child


class Metrics:
    """The app's metrics; also the ``UpstreamObserver`` its ``HttpTransport`` reports to."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.upstream_requests = Counter(
            "crmgraph_upstream_requests",
            "Upstream HTTP attempts, by provider, route template and status "
            "(a number, or timeout / connection when no reply came).",
            ["provider", "endpoint", "status"],
            registry=r,
        )
        self.upstream_latency = Histogram(
            "crmgraph_upstream_request_duration_seconds",
            "Upstream HTTP attempt latency (the rate budget's wait excluded).",
            ["provider", "endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_retries = Counter(
            "crmgraph_upstream_retries",
            "Upstream attempts that repeated an earlier attempt of the same call.",
            ["provider", "endpoint"],
            registry=r,
        )
        self.upstream_throttled = Counter(
            "crmgraph_upstream_rate_limited",
            "Upstream replies 429 (the provider refused for its rate limit).",
            ["provider", "endpoint"],
            registry=r,
        )
        self.upstream_batch_size = Histogram(
            "crmgraph_upstream_batch_size",
            "Items in the body of an upstream batch call.",
            ["provider", "endpoint"],
            buckets=_SIZE_BUCKETS,
            registry=r,
        )
        self.budget_wait = Histogram(
            "crmgraph_rate_budget_wait_seconds",
            "How long a call waited for its place in the integration's rate budget.",
            ["provider"],
            buckets=_WAIT_BUCKETS,
            registry=r,
        )
        self.budget_refusals = Counter(
            "crmgraph_rate_budget_refusals",
            "Calls the rate budget refused locally, unsent (scope: burst or daily).",
            ["provider", "scope"],
            registry=r,
        )
        self.loader_batch_size = Histogram(
            "crmgraph_dataloader_batch_size",
            "Keys in one DataLoader batch.",
            ["loader"],
            buckets=_SIZE_BUCKETS,
            registry=r,
        )
        self.operations = Counter(
            "crmgraph_graphql_operations",
            "GraphQL operations, by operation name, type and outcome "
            "(ok, or the first error's extensions.code).",
            ["operation", "type", "outcome"],
            registry=r,
        )
        self.import_items = Counter(
            "crmgraph_import_items",
            "Association import items processed, by status (succeeded or failed).",
            ["status"],
            registry=r,
        )
        for status in IMPORT_STATUSES:
            self.import_items.labels(status)
        self.operation_names = OperationNames()
        self._requests = _Children(self.upstream_requests)
        self._latency = _Children(self.upstream_latency)
        self._retries = _Children(self.upstream_retries)
        self._throttled = _Children(self.upstream_throttled)
        self._batch_size = _Children(self.upstream_batch_size)
        self._budget_wait = _Children(self.budget_wait)
        self._loader_batch_size = _Children(self.loader_batch_size)
        self._operations = _Children(self.operations)

    # -- UpstreamObserver -----------------------------------------------------------------------
    def attempted(self, attempt: Attempt) -> None:
        labels = (attempt.provider, attempt.endpoint)
        status = str(attempt.status) if attempt.status is not None else (attempt.error or "")
        self._requests(*labels, status).inc()
        self._latency(*labels).observe(attempt.seconds)
        if attempt.attempt > 1:
            self._retries(*labels).inc()
        if attempt.status == 429:
            self._throttled(*labels).inc()
        if attempt.batch_size is not None and attempt.attempt == 1:
            self._batch_size(*labels).observe(attempt.batch_size)

    def budget_waited(self, provider: str, seconds: float) -> None:
        self._budget_wait(provider).observe(seconds)

    def budget_refused(self, provider: str, scope: str) -> None:
        self.budget_refusals.labels(provider, scope).inc()

    # -- the rest of the app ----------------------------------------------------------------
    def loader_batch(self, loader: str, size: int) -> None:
        self._loader_batch_size(loader).observe(size)

    def operation(self, name: str | None, kind: str, outcome: str) -> None:
        self._operations(self.operation_names.label(name), kind, outcome).inc()

    def count_import_items(self, status: str, count: int = 1) -> None:
        self.import_items.labels(status).inc(count)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class OperationMetrics(SchemaExtension):
    """Counts each GraphQL operation by name, type and outcome (a factory per app builds one
    per operation, as Strawberry wants)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics  # Strawberry sets ``execution_context`` before the hooks run

    def on_operation(self) -> Generator[None, None, None]:
        try:
            yield
        except Exception as exc:  # an extension refused the document before a result was made
            error = (
                exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            )
            self._count(code_of(error))
            raise
        ctx = self.execution_context
        errors = ctx.result.errors if ctx.result is not None else ctx.pre_execution_errors
        self._count(code_of(errors[0]) if errors else "ok")

    def _count(self, outcome: str) -> None:
        ctx = self.execution_context
        try:
            kind = ctx.operation_type.value
        except Exception:  # no operation could be picked (the document failed to parse)
            kind = "unknown"
        self._metrics.operation(ctx.operation_name, kind, outcome)


def metrics_route(metrics: Metrics, keys: dict[str, str] | None) -> web.RouteDef:
    """``GET /metrics``; with ``keys``, only for a caller with a valid API key."""

    async def serve(request: web.Request) -> web.Response:
        if keys is not None and auth.tenant_for(request.headers.get("Authorization"), keys) is None:
            return error_response(
                401,
                Code.UNAUTHENTICATED,
                "/metrics needs Authorization: Bearer <api key>",
                headers={"WWW-Authenticate": 'Bearer realm="crmgraph"'},
            )
        exposition = metrics.exposition()
        return web.Response(body=exposition, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return web.get("/metrics", serve)


__all__ = ["IMPORT_STATUSES", "Metrics", "OperationMetrics", "OperationNames", "metrics_route"]
