"""The one door for provider I/O: auth headers, timeouts, retries, token refresh, errors.

Every client sends through ``ProviderClient._request``; nothing else in ``providers/`` touches
the network. One loop per call (``_retrying``) makes every attempt, and the pure
``providers.retry.next_wait`` decides after each failure whether to try again and how long to
wait: at most ``retry_attempts`` sends (one more after a refreshed token), and never past the
request's deadline. Whether a call may be repeated after a 5xx or a lost reply is a property of
the endpoint, passed as ``safe``: HubSpot's batch create is idempotent (an existing association
is not an error), a HighLevel relation create is not (a repeat answers 400 duplicate). A 429 is
always waited out and retried (the provider did nothing).

Each attempt first takes a place in its integration's rate budget (``providers/ratelimit.py``),
waiting for it as long as the deadline allows: a burst limit makes calls wait, not fail.

With a refresh token and client credentials stored, an access token is refreshed before it
expires and once after a 401 (``providers/oauth/``), and the call goes on with the new one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

import aiohttp
from aiohttp import ClientMiddlewareType

from providers.batch_size import BatchSizes
from providers.domain import Connection
from providers.errors import (
    AlreadyExists,
    AuthFailed,
    ProviderError,
    RateLimited,
    Unavailable,
    WireFormatError,
    error_from_response,
    parse_json,
    request_id_of,
)
from providers.hubspot.paths import DEFAULT_API_VERSION, ApiVersion
from providers.oauth.refresh import TokenRefresher, can_refresh
from providers.oauth.tokens import TokenGrant
from providers.observability import Routes, UpstreamObserver, attempt_middleware, batch_size_of
from providers.ratelimit import RateLimiter, limit_key
from providers.retry import RetryRules, deadline, next_wait

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class ClientSettings:
    """Provider-side settings (built from ``CRMGRAPH_*`` variables by the app)."""

    hubspot_base_url: str = "https://api.hubapi.com"
    leadconnector_base_url: str = "https://services.leadconnectorhq.com"
    salesforce_api_version: str = "v62.0"
    allow_insecure_upstreams: bool = False
    hubspot_token_url: str = "https://api.hubapi.com/oauth/v1/token"
    leadconnector_token_url: str = "https://services.leadconnectorhq.com/oauth/token"
    salesforce_login_url: str = "https://login.salesforce.com"
    timeout_seconds: float = 30.0  # one attempt
    request_deadline_seconds: float = 60.0  # every attempt and wait of a request
    retry_attempts: int = 5
    retry_backoff_seconds: float = 0.2
    max_retry_wait_seconds: float = 60.0  # one wait; a longer Retry-After is cut to it
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
    # An earlier attempt of this call may have acted (a 5xx, a lost or garbled reply): a
    # refusal in this reply may be about work that attempt did.
    after_ambiguous: bool = False


@dataclass
class HttpTransport:
    """App-wide plumbing shared by every client: one session, the rate budgets, and the token
    refresher (``None``: tokens are used as stored until a provider refuses them)."""

    session: aiohttp.ClientSession
    settings: ClientSettings = field(default_factory=ClientSettings)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    batch_sizes: BatchSizes = field(default_factory=BatchSizes)
    refresher: TokenRefresher | None = None
    observer: UpstreamObserver | None = None  # hears of every attempt (metrics)

    def __post_init__(self) -> None:
        if self.observer is not None:
            self.limiter.observer = self.observer  # the budget's waits and refusals
        self.retry_rules = RetryRules(
            attempts=self.settings.retry_attempts,
            backoff_seconds=self.settings.retry_backoff_seconds,
            max_wait_seconds=self.settings.max_retry_wait_seconds,
        )


class ProviderClient:
    """Base of every provider client; subclasses add endpoints and wire decoding."""

    provider: str = "provider"
    routes: ClassVar[Routes] = Routes()  # the route templates that name calls in metrics and logs

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
        reconcile: Callable[[], Awaitable[Reply | None]] | None = None,
        burst_exempt: bool = False,
    ) -> Reply:
        """Send one call; return a 2xx reply or raise from the error tree.

        ``reconcile`` makes a create that is not safe to repeat safe after a lost reply: see
        ``_retrying``. ``burst_exempt``: the endpoint is exempt from the provider's ten-second
        limit (it takes no place in that window, only in the daily quota).
        """

        observed = self._observed(json_body)

        async def once(remaining: float) -> Reply:
            return await self._send(
                method, path, json_body, params, remaining, observed, burst_exempt
            )

        return await self._call(once, safe=safe, reconcile=reconcile)

    async def _call(
        self,
        once: Callable[[float], Awaitable[T]],
        *,
        safe: bool,
        reconcile: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """``once`` through the retry loop, with a token that is fresh (or refreshed on 401)."""
        await self._refresh_if_due()
        return await self._retrying(
            once, safe=safe, reauthorize=self._reauthorize, reconcile=reconcile
        )

    async def _retrying(
        self,
        once: Callable[[float], Awaitable[T]],
        *,
        safe: bool,
        reauthorize: Callable[[AuthFailed], Awaitable[bool]] | None = None,
        reconcile: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """The one retry loop: ``once(seconds left)`` per attempt, ``next_wait`` between.

        A 401 is answered by ``reauthorize`` (a token refresh) once; the call is then sent
        again with the new token, outside the attempt count: the provider did nothing.

        A lost reply is reconciled, not guessed: after a failure that may have acted (a 5xx,
        a timeout, a dropped connection, a garbled reply), ``reconcile`` reads back what the
        call would have made. Made: its answer is the call's. Not made: the call is safe to
        send again. A duplicate refusal of a retry that followed such a failure is read back
        the same way (the earlier attempt made it).
        """
        ends = deadline(self.settings.request_deadline_seconds)
        attempt, reauthorized, ambiguous = 0, False, False
        while True:
            attempt += 1
            try:
                result = await once(ends - time.monotonic())
                if ambiguous and isinstance(result, Reply):
                    return replace(result, after_ambiguous=True)
                return result
            except AuthFailed as exc:
                if reauthorized or reauthorize is None or not await reauthorize(exc):
                    raise
                reauthorized, attempt = True, attempt - 1
            except ProviderError as exc:
                acted = _may_have_acted(exc)
                if reconcile is not None and (
                    acted or (ambiguous and isinstance(exc, AlreadyExists))
                ):
                    try:
                        made = await reconcile()
                    except ProviderError:
                        raise exc from None  # cannot tell whether it was made: say what failed
                    if made is not None:
                        log.info(
                            "%s: the lost reply's work was made; not sent again", self.provider
                        )
                        return made
                    if not acted:
                        raise
                wait = next_wait(
                    exc,
                    attempt=attempt,
                    safe=safe or (reconcile is not None and acted),
                    remaining=ends - time.monotonic(),
                    rules=self.transport.retry_rules,
                    jitter=random.random(),
                )
                if wait is None:
                    raise
                ambiguous = ambiguous or acted
                log.info(
                    "%s %s (attempt %d): trying again in %.2f s",
                    self.provider,
                    type(exc).__name__,
                    attempt,
                    wait,
                )
                await asyncio.sleep(wait)

    async def _send(
        self,
        method: str,
        path: str,
        json_body: Any,
        params: Mapping[str, str] | None,
        remaining: float,
        observed: ClientMiddlewareType | None = None,
        burst_exempt: bool = False,
    ) -> Reply:
        """One attempt: a place in the rate budget (waited for within ``remaining``), then
        the request. A refusal by the budget is a ``RateLimited`` with nothing sent."""
        url = self._base_url().rstrip("/") + path
        headers = self._headers()
        data: bytes | None = None
        if json_body is not None:
            data = json.dumps(json_body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        limiter = self.transport.limiter
        key = limit_key(self.connection, json_body=json_body, params=params)
        asked = time.monotonic()
        slot = await limiter.acquire(key, max_wait=max(remaining, 0.0), burst_exempt=burst_exempt)
        remaining -= time.monotonic() - asked
        reply_headers: Mapping[str, str] | None = None
        try:
            async with self.transport.session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                allow_redirects=False,
                timeout=self._timeout(remaining),
                # Timed, counted and logged per attempt (one middleware per call counts them).
                middlewares=(observed or self._observed(json_body),),
            ) as response:
                reply_headers = response.headers
                raw = await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _unreachable(self.provider, exc) from exc
        finally:
            limiter.observe(
                key, reply_headers, slot=slot, retry_after_cap=self.settings.max_retry_wait_seconds
            )
        return self._decode(status, reply_headers, raw)

    def _observed(self, json_body: Any) -> ClientMiddlewareType:
        """The attempts of one call, reported: build it once per call, pass it to each attempt."""
        return attempt_middleware(
            self.provider, self.routes, self.transport.observer, batch_size=batch_size_of(json_body)
        )

    def _timeout(self, remaining: float) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=max(min(self.settings.timeout_seconds, remaining), 0.01))

    # -- OAuth refresh ----------------------------------------------------------------------
    async def _refresh_if_due(self) -> None:
        refresher = self.transport.refresher
        if refresher is None or not refresher.due(self.connection.credentials):
            return
        try:
            self.connection = await refresher.refresh(self.connection, self._obtain_token)
        except (Unavailable, RateLimited, WireFormatError) as exc:
            # The token in hand works until it expires: a transient failure can wait.
            if refresher.expired(self.connection.credentials):
                raise
            log.warning(
                "%s token refresh failed (%s): using the current token",
                self.provider,
                type(exc).__name__,
            )

    async def _reauthorize(self, exc: AuthFailed) -> bool:
        refresher = self.transport.refresher
        if refresher is None or exc.status != 401 or not can_refresh(self.connection.credentials):
            return False
        rejected = self.connection.credentials.access_token
        self.connection = await refresher.refresh(
            self.connection, self._obtain_token, rejected=rejected
        )
        return True

    async def _obtain_token(self, connection: Connection) -> TokenGrant:
        """Post the provider's token request; a rotating refresh token is never sent twice
        unless the first request surely never left (a refused connection)."""
        assert self.transport.refresher is not None
        endpoint = self.transport.refresher.endpoints[connection.provider]
        request = endpoint.request(self.settings, connection)

        async def once(remaining: float) -> TokenGrant:
            try:
                async with self.transport.session.post(
                    request.url,
                    data=dict(request.form),
                    headers={"Accept": "application/json"},
                    allow_redirects=False,
                    timeout=self._timeout(remaining),
                ) as response:
                    raw, status, headers = await response.read(), response.status, response.headers
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise _unreachable(self.provider, exc, what="token endpoint") from exc
            try:
                body = parse_json(raw)
            except ValueError:
                body = None
            return endpoint.grant(self.settings, status, headers, body)

        return await self._retrying(once, safe=not endpoint.rotates)

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


def _may_have_acted(exc: ProviderError) -> bool:
    return (isinstance(exc, Unavailable) and exc.ambiguous) or isinstance(exc, WireFormatError)


def _unreachable(provider: str, exc: BaseException, what: str = "") -> Unavailable:
    # A refused connection never reached the provider; anything later may have.
    where = f"{provider} {what}".strip()
    return Unavailable(
        f"{where} could not be reached: {type(exc).__name__}",
        provider=provider,
        ambiguous=not isinstance(exc, aiohttp.ClientConnectorError),
    )


__all__ = [
    "ClientSettings",
    "HttpTransport",
    "ProviderClient",
    "ProviderError",
    "RateLimited",
    "Reply",
]
