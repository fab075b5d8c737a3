"""What the one I/O door tells the outside about each upstream call, without knowing who listens.

``providers/`` never imports ``gql``: the app hands ``HttpTransport`` an ``UpstreamObserver``
(Prometheus metrics live in ``gql/observability/metrics.py``), and every attempt of every call
reports an ``Attempt`` to it. ``attempt_middleware`` is the aiohttp client middleware that does
so; it runs once per attempt, once the attempt has its place in the rate budget (so its latency
is the provider's, not the budget's wait: ``RateLimiter.acquire`` reports that), and also
writes the call's log line with the provider's own request id (the request's id is added to
every log record by the app's logging filter).

Labels must stay few (Prometheus keeps one series per label set), so a call is named by its
route template, ``POST /crm/v3/associations/{from}/{to}/batch/create``, never by its raw path:
each client lists its templates in ``routes`` (``Routes``), and a path none of them matches is
reduced by ``generic_template`` (every segment holding a digit, other than a version, becomes
``{id}``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from providers.errors import request_id_of

if TYPE_CHECKING:
    from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

log = logging.getLogger("providers.upstream")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt of one upstream call, as it ended."""

    provider: str
    endpoint: str  # "METHOD /route/{template}"
    attempt: int  # 1 for the first, 2 for the first retry, ...
    status: int | None  # None: no reply (see ``error``)
    error: str | None  # "timeout" or "connection" when no reply came
    seconds: float  # from sending to the reply's headers (the budget's wait excluded)
    provider_request_id: str | None
    batch_size: int | None  # items in the request body's list, for a batch call


class UpstreamObserver(Protocol):
    """What the app wants to know about upstream traffic (all calls must be cheap)."""

    def attempted(self, attempt: Attempt) -> None:
        """An attempt ended, with a reply or without one."""

    def budget_waited(self, provider: str, seconds: float) -> None:
        """A call took its place in the rate budget after waiting ``seconds`` (often 0)."""

    def budget_refused(self, provider: str, scope: str) -> None:
        """The rate budget refused a call locally (``scope``: ``burst`` or ``daily``)."""


_VERSION = re.compile(r"v\d+(\.\d+)*|\d{4}-\d{2}(-\d{2})?")


def generic_template(path: str) -> str:
    """A path with its id-like segments replaced, for routes no client listed."""
    return "/".join(
        "{id}" if any(c.isdigit() for c in seg) and not _VERSION.fullmatch(seg) else seg
        for seg in path.split("/")
    )


class Routes:
    """A client's route templates (``/crm/v4/objects/{fromType}/{fromId}/...``), matched in
    order against a request path; the first that matches names the call."""

    def __init__(self, *templates: str) -> None:
        self._patterns = [
            (re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(t))), t) for t in templates
        ]

    def template(self, path: str) -> str:
        for pattern, template in self._patterns:
            if pattern.fullmatch(path):
                return template
        return generic_template(path)


def batch_size_of(json_body: Any) -> int | None:
    """How many items a batch body carries: its own length for a JSON list, else the length
    of the first list among its fields (HubSpot ``inputs``, Salesforce ``records``)."""
    if isinstance(json_body, list):
        return len(json_body)
    if isinstance(json_body, Mapping):
        return next((len(v) for v in json_body.values() if isinstance(v, list)), None)
    return None


def attempt_middleware(
    provider: str,
    routes: Routes,
    observer: UpstreamObserver | None,
    *,
    batch_size: int | None = None,
) -> ClientMiddlewareType:
    """An aiohttp client middleware reporting each attempt of one call: build one per call and
    pass it to every attempt's request, so that it counts the attempts (``ProviderClient._observed``
    in ``providers/base.py``)."""
    attempts = 0

    async def observed(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        nonlocal attempts
        attempts += 1
        started = time.perf_counter()
        status: int | None = None
        error: str | None = "connection"
        headers: Mapping[str, str] = {}
        try:
            response = await handler(request)
            status, error, headers = response.status, None, response.headers
            return response
        except TimeoutError:
            error = "timeout"
            raise
        finally:
            if observer is not None or log.isEnabledFor(logging.INFO):
                _report(
                    observer,
                    Attempt(
                        provider,
                        f"{request.method} {routes.template(request.url.path)}",
                        attempts,
                        status,
                        error,
                        time.perf_counter() - started,
                        request_id_of(headers) if headers else None,
                        batch_size,
                    ),
                )

    return observed


def _report(observer: UpstreamObserver | None, attempt: Attempt) -> None:
    if observer is not None:
        observer.attempted(attempt)
    log.info(
        "%s %s -> %s in %.1f ms (attempt %d, provider request id %s)",
        attempt.provider,
        attempt.endpoint,
        attempt.status if attempt.status is not None else attempt.error,
        attempt.seconds * 1000,
        attempt.attempt,
        attempt.provider_request_id,
        extra={
            "provider": attempt.provider,
            "endpoint": attempt.endpoint,
            "status": attempt.status,
            "error": attempt.error,
            "duration_ms": round(attempt.seconds * 1000, 3),
            "attempt": attempt.attempt,
            "provider_request_id": attempt.provider_request_id,
        },
    )


__all__ = [
    "Attempt",
    "Routes",
    "UpstreamObserver",
    "attempt_middleware",
    "batch_size_of",
    "generic_template",
]
