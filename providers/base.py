"""The one door for provider I/O: auth headers, timeouts, retries, error mapping.

Every client sends through ``ProviderClient._request``; nothing else in ``providers/`` touches
the network. Whether a call may be repeated is a property of the endpoint, passed as ``safe``:
HubSpot's batch create is idempotent (an existing association is not an error), a HighLevel
relation create is not (a repeat answers 400 duplicate), so only the former is retried after a
5xx or a lost reply. A 429 is always retried (the provider did nothing), within a bounded wait.

Each attempt first takes a place in its integration's rate budget (``providers/ratelimit.py``),
so that the provider rarely has to refuse: a call that would wait longer than
``max_retry_wait_seconds`` for one is refused locally (``RateLimited``) without being sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp_retry import RetryClient, RetryOptionsBase

from providers.batch_size import BatchSizes
from providers.domain import Connection
from providers.errors import (
    ProviderError,
    RateLimited,
    Unavailable,
    WireFormatError,
    error_from_response,
    parse_json,
    request_id_of,
    retry_after_seconds,
)
from providers.hubspot.paths import DEFAULT_API_VERSION, ApiVersion
from providers.ratelimit import RateLimiter, limit_key

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Errors after which the request may have reached the provider: retried only when safe.
_AMBIGUOUS_ERRORS: tuple[type[Exception], ...] = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
    aiohttp.ClientPayloadError,
    asyncio.TimeoutError,
)


@dataclass(frozen=True)
class ClientSettings:
    """Provider-side settings (built from ``CRMGRAPH_*`` variables by the app)."""

    hubspot_base_url: str = "https://api.hubapi.com"
    leadconnector_base_url: str = "https://services.leadconnectorhq.com"
    salesforce_api_version: str = "v62.0"
    allow_insecure_upstreams: bool = False
    timeout_seconds: float = 30.0
    retry_attempts: int = 4
    retry_backoff_seconds: float = 0.2
    max_retry_wait_seconds: float = 10.0
    hubspot_api_version: ApiVersion = DEFAULT_API_VERSION
    # A forced batch size (v3 create; v4 and 2026-09 create and associate default). None: the
    # documented maximum, halved and remembered when HubSpot refuses (providers/batch_size.py).
    hubspot_v3_batch_limit: int | None = None
    hubspot_v4_batch_limit: int | None = None
    hubspot_read_batch_limit: int = 1000
    salesforce_collection_limit: int = 200
    batch_concurrency: int = 4


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any
    request_id: str | None = None


class _RetryPolicy(RetryOptionsBase):
    """aiohttp-retry options for one call: which replies to retry, and how long to wait."""

    def __init__(self, settings: ClientSettings, *, safe: bool) -> None:
        exceptions: set[type[Exception]] = {aiohttp.ClientConnectorError}
        if safe:
            exceptions.update(_AMBIGUOUS_ERRORS)
        super().__init__(
            attempts=settings.retry_attempts,
            exceptions=exceptions,
            retry_all_server_errors=False,
            evaluate_response_callback=self._is_final,
        )
        self._settings = settings
        self._safe = safe

    async def _is_final(self, response: aiohttp.ClientResponse) -> bool:
        retry = (response.status == 429 and self._rate_wait(response) is not None) or (
            self._safe and response.status in _RETRY_STATUSES
        )
        if retry:
            response.release()
        return not retry

    def _rate_wait(self, response: aiohttp.ClientResponse) -> float | None:
        wait = retry_after_seconds(response.headers)
        wait = self._settings.retry_backoff_seconds if wait is None else wait
        return wait if wait <= self._settings.max_retry_wait_seconds else None

    def get_timeout(self, attempt: int, response: aiohttp.ClientResponse | None = None) -> float:
        if response is not None and response.status == 429:
            return self._rate_wait(response) or 0.0
        backoff = self._settings.retry_backoff_seconds * (2 ** (attempt - 1))
        return float(min(backoff, self._settings.max_retry_wait_seconds))


@dataclass
class HttpTransport:
    """App-wide HTTP plumbing shared by every client: one session, one retry wrapper."""

    session: aiohttp.ClientSession
    settings: ClientSettings = field(default_factory=ClientSettings)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    batch_sizes: BatchSizes = field(default_factory=BatchSizes)

    def __post_init__(self) -> None:
        self.retry_client = RetryClient(client_session=self.session, raise_for_status=False)
        # Stateless, so one of each serves every call.
        self.retry_policies = {
            safe: _RetryPolicy(self.settings, safe=safe) for safe in (True, False)
        }


class ProviderClient:
    """Base of every provider client; subclasses add endpoints and wire decoding."""

    provider: str = "provider"

    def __init__(self, transport: HttpTransport, connection: Connection) -> None:
        self.transport = transport
        self.connection = connection
        self.settings = transport.settings
        if connection.rate_limits is not None:
            transport.limiter.use_integration_limits(connection)

    def _base_url(self) -> str:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.connection.credentials.access_token}",
            "Accept": "application/json",
        }

    async def _request(
        self,
        method: str,
        path: str,
        *,
        safe: bool,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        burst_exempt: bool = False,
    ) -> Reply:
        """Send one call; return a 2xx reply or raise from the error tree.

        ``burst_exempt``: the endpoint is exempt from the provider's ten-second limit (it
        takes no place in that window, only in the daily quota).

        A garbled reply (cut-off JSON) to a call that is safe to repeat is asked for again:
        aiohttp-retry only sees statuses, and the status of a garbled reply looks fine.
        """
        for attempt in range(1, self.settings.retry_attempts + 1):
            try:
                return await self._send(method, path, safe, json_body, params, burst_exempt)
            except WireFormatError:
                if not safe or attempt == self.settings.retry_attempts:
                    raise
                log.info("%s sent an unreadable reply; asking again", self.provider)
        raise AssertionError("unreachable")

    async def _send(
        self,
        method: str,
        path: str,
        safe: bool,
        json_body: Any,
        params: Mapping[str, str] | None,
        burst_exempt: bool = False,
    ) -> Reply:
        url = self._base_url().rstrip("/") + path
        headers = self._headers()
        data: bytes | None = None
        if json_body is not None:
            data = json.dumps(json_body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        try:
            limit = limit_key(self.connection, json_body=json_body, params=params)
            max_wait = self.settings.max_retry_wait_seconds
            async with self.transport.retry_client.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout_seconds),
                retry_options=self.transport.retry_policies[safe],
                # Runs once per attempt: every retry waits for its own place in the budget.
                middlewares=(
                    self.transport.limiter.middleware(
                        limit, max_wait=max_wait, burst_exempt=burst_exempt
                    ),
                ),
            ) as response:
                raw = await response.read()
                status, reply_headers = response.status, response.headers
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise Unavailable(
                f"{self.provider} could not be reached: {type(exc).__name__}",
                provider=self.provider,
            ) from exc
        return self._decode(status, reply_headers, raw)

    def _decode(self, status: int, headers: Mapping[str, str], raw: bytes) -> Reply:
        try:
            body = parse_json(raw)
        except ValueError as exc:
            if status >= 500:
                body = raw[:200].decode(errors="replace")
            else:
                raise WireFormatError(
                    f"{self.provider} sent a reply that is not JSON (HTTP {status})",
                    provider=self.provider,
                    status=status,
                ) from exc
        if status >= 400 or (300 <= status < 400):
            error = error_from_response(self.provider, status, headers, body)
            log.info(
                "%s %s: HTTP %s (%s) request id %s",
                self.provider,
                type(error).__name__,
                status,
                error.message[:200],
                error.request_id,
            )
            raise error
        return Reply(status, headers, body, request_id=request_id_of(headers, body))


__all__ = [
    "ClientSettings",
    "HttpTransport",
    "ProviderClient",
    "ProviderError",
    "RateLimited",
    "Reply",
]
