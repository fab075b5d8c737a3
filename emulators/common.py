"""Shared machinery of the CRM emulators: call recording, fault injection, rate windows, serving.

Each emulator is an `aiohttp.web.Application` whose outer middleware (`recording_middleware`)
records every call (before auth, so rejected calls are counted too) and applies the state's
`FaultPlan`; the provider's own middleware then checks auth and rate limits and adds its headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from aiohttp import web

from emulators.faults import HANDLER_KINDS, FaultKind, FaultPlan, FaultRule
from emulators.oauth import OAuthApp

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RecordedCall:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any  # parsed JSON, or None when absent or not JSON
    raw_body: bytes
    at: float = field(default_factory=time.monotonic)  # when it arrived: rates are judged on it

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclass(frozen=True)
class Answer:
    """How the emulator answered one call: its route template (the router's, e.g.
    ``/crm/v3/associations/{from}/{to}/batch/create``) and status."""

    method: str
    route: str
    status: int


class LimitVerdict(StrEnum):
    OK = "ok"
    BURST = "burst"
    DAILY = "daily"


@dataclass
class RateWindow:
    """A rolling burst window plus a daily quota (a "day" is 86,400 s of the state's clock)."""

    burst_max: int | None
    interval_s: float
    daily_max: int
    daily_used: int = 0
    _hits: deque[float] = field(default_factory=deque, repr=False)
    _day_start: float | None = field(default=None, repr=False)

    def _prune(self, now: float) -> None:
        while self._hits and self._hits[0] <= now - self.interval_s:
            self._hits.popleft()
        if self._day_start is None or now - self._day_start >= 86_400:
            self._day_start, self.daily_used = now, 0

    def burst_remaining(self, now: float) -> int:
        if self.burst_max is None:
            return 0
        self._prune(now)
        return max(self.burst_max - len(self._hits), 0)

    def daily_remaining(self, now: float) -> int:
        self._prune(now)
        return max(self.daily_max - self.daily_used, 0)

    def retry_after(self, now: float) -> float:
        """Seconds until the rolling window admits one more call."""
        self._prune(now)
        if self.burst_max is None or len(self._hits) < self.burst_max:
            return 0.0
        return max(self._hits[0] + self.interval_s - now, 0.0)

    def acquire(self, now: float, *, burst_exempt: bool = False) -> LimitVerdict:
        """Count one call if the quotas allow it; refused calls are not counted.

        A ``burst_exempt`` call (an endpoint exempt from the burst window) counts against the
        daily quota only.
        """
        self._prune(now)
        if self.daily_used >= self.daily_max:
            return LimitVerdict.DAILY
        if burst_exempt:
            self.daily_used += 1
            return LimitVerdict.OK
        if self.burst_max is not None and len(self._hits) >= self.burst_max:
            return LimitVerdict.BURST
        self._hits.append(now)
        self.daily_used += 1
        return LimitVerdict.OK


@dataclass
class EmulatorState:
    """State shared by all emulators; providers subclass it (all fields have defaults)."""

    tokens: set[str] = field(default_factory=set)
    token_expiry: dict[str, float] = field(default_factory=dict)  # token -> clock time; else never
    oauth: OAuthApp = field(default_factory=OAuthApp)  # the token endpoint's registered client
    faults: FaultPlan = field(default_factory=FaultPlan)
    clock: Callable[[], float] = time.monotonic  # drives the rate windows; replace in tests
    calls: list[RecordedCall] = field(default_factory=list)
    # False keeps each call's method, path, query and headers but drops its body once answered:
    # the benchmark counts calls, and bodies it never reads would weigh on the server's RSS.
    keep_bodies: bool = True
    answered: list[Answer] = field(default_factory=list)  # one per reply sent, in order
    _release: asyncio.Event | None = field(default=None, init=False, repr=False)

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        return sum(
            1
            for call in self.calls
            if (method is None or call.method == method.upper())
            and (path_contains is None or path_contains in call.path)
        )

    def reset_calls(self) -> None:
        self.calls.clear()
        self.answered.clear()

    def accepts(self, token: str | None) -> bool:
        """A bearer token the emulator takes now: known, and not past its expiry."""
        if token is None or token not in self.tokens:
            return False
        expiry = self.token_expiry.get(token)
        return expiry is None or self.clock() < expiry

    # -- hooks the providers override ---------------------------------------------------------
    def fault_body(self, rule: FaultRule, status: int) -> Any:
        """The provider's JSON error body for an injected 429/5xx/504."""
        return {"status": status, "message": f"injected {rule.kind}"}

    def limit_headers(self, request: web.Request) -> dict[str, str]:
        """Rate-limit headers describing the current quota (read-only, consumes nothing)."""
        return {}

    def refused_headers(self, request: web.Request) -> dict[str, str]:
        """Rate-limit headers of an injected 429: the provider says its window is full."""
        return self.limit_headers(request)

    # -- held replies (TIMEOUT faults) --------------------------------------------------------
    async def hold(self, delay: float) -> None:
        """Wait `delay` seconds, or less if the emulator shuts down meanwhile."""
        if self._release is None:
            self._release = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), delay)

    def release_held(self) -> None:
        if self._release is not None:
            self._release.set()


STATE_KEY = web.AppKey("emulator_state", EmulatorState)
CALL_KEY = web.RequestKey("emulator_call", RecordedCall)
FAULT_KEY = web.RequestKey("emulator_fault", FaultRule)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(),
        status=status,
        headers=headers,
        content_type="application/json",
    )


def read_json(call: RecordedCall) -> Any:
    """The call's JSON body; raises ValueError when the body is empty or not JSON."""
    if not call.raw_body:
        raise ValueError("empty body")
    return json.loads(call.raw_body)


def handler_fault(request: web.Request, kind: FaultKind) -> FaultRule | None:
    """The handler-level fault (PARTIAL_BATCH, BATCH_CONFLICT) picked for this call, if any."""
    rule = request.get(FAULT_KEY)
    return rule if rule is not None and rule.kind is kind else None


async def _record(request: web.Request) -> RecordedCall:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return RecordedCall(
        method=request.method,
        path=request.path,
        query=dict(request.query.items()),
        headers=dict(request.headers.items()),
        body=body,
        raw_body=raw,
    )


def _fault_reply(
    state: EmulatorState, rule: FaultRule, request: web.Request, status: int
) -> web.Response:
    headers = state.refused_headers(request) if status == 429 else state.limit_headers(request)
    if rule.kind is FaultKind.RATE_LIMIT:
        headers["Retry-After"] = str(rule.retry_after)
    if rule.raw_body is not None:
        return web.Response(
            text=rule.raw_body, status=status, headers=headers, content_type="text/html"
        )
    return json_response(state.fault_body(rule, status), status, headers)


def _truncated(body: bytes) -> bytes:
    return body[: max(len(body) // 2, 1)]


async def _apply_fault(
    state: EmulatorState, rule: FaultRule, request: web.Request, handler: Handler
) -> web.StreamResponse:
    kind = rule.kind
    if kind in (FaultKind.RATE_LIMIT, FaultKind.RATE_LIMIT_NO_RETRY_AFTER):
        return _fault_reply(state, rule, request, 429)
    done = await handler(request) if rule.apply_before_fault else None
    if kind is FaultKind.SERVER_ERROR:  # after the work when applied: a 5xx after the write
        return _fault_reply(state, rule, request, rule.status or 500)
    if kind is FaultKind.TIMEOUT:
        await state.hold(rule.delay)
        return done if done is not None else _fault_reply(state, rule, request, 504)
    if kind is FaultKind.DROP:
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=204)  # never reaches the client
    # MALFORMED_JSON: a 2xx whose JSON body is cut in half.
    body = b'{"status":"COMPLETE","results":[{"id":"1","success":true}]}'
    status = 200
    if isinstance(done, web.Response) and isinstance(done.body, bytes) and done.body:
        body, status = done.body, done.status
    headers = state.limit_headers(request)
    return web.Response(
        body=_truncated(body),
        status=rule.status or status,
        headers=headers,
        content_type="application/json",
    )


async def _answer(
    state: EmulatorState, request: web.Request, handler: Handler
) -> web.StreamResponse:
    rule = state.faults.pick(request.method, request.path)
    if rule is None:
        return await handler(request)
    if rule.kind in HANDLER_KINDS:
        request[FAULT_KEY] = rule
        return await handler(request)
    return await _apply_fault(state, rule, request, handler)


def recording_middleware(state: EmulatorState) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        call = await _record(request)
        position = len(state.calls)
        state.calls.append(call)
        request[CALL_KEY] = call
        response = await _answer(state, request, handler)
        recorded = state.calls[position] if position < len(state.calls) else None
        if not state.keep_bodies and recorded is call:  # (not cleared meanwhile)
            state.calls[position] = replace(call, body=None, raw_body=b"")
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else request.path
        state.answered.append(Answer(request.method, route, response.status))
        return response

    return middleware


def build_app(state: EmulatorState, provider_middleware: Any) -> web.Application:
    app = web.Application(middlewares=[recording_middleware(state), provider_middleware])
    app[STATE_KEY] = state

    async def on_startup(_: web.Application) -> None:
        state._release = None

    async def on_shutdown(_: web.Application) -> None:
        state.release_held()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    return app


S = TypeVar("S", bound=EmulatorState)


@dataclass
class RunningEmulator(Generic[S]):
    url: str  # e.g. "http://127.0.0.1:54321"
    state: S
    runner: web.AppRunner = field(repr=False)

    async def close(self) -> None:
        self.state.release_held()
        await self.runner.cleanup()

    async def __aenter__(self) -> RunningEmulator[S]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def serve_app(
    app: web.Application, state: S, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator[S]:
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    return RunningEmulator(url=f"http://{bound_host}:{bound_port}", state=state, runner=runner)


async def start(
    app: web.Application, host: str = "127.0.0.1", port: int = 0
) -> RunningEmulator[EmulatorState]:
    """Serve an emulator app on a loopback port (port=0: any free port)."""
    return await serve_app(app, app[STATE_KEY], host, port)
