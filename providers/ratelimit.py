"""Client-side rate limiting: stay under each provider's limits before it has to refuse.

The providers publish their limits (../shared/specs/README.md) and report the live state of
them in reply headers; this module turns both into a wait before each call, or a local refusal.

* HubSpot (developers.hubspot.com, API usage guidelines): 100 requests / 10 s for Free and
  Starter private apps and every OAuth app, 190 / 10 s for Professional and Enterprise, and a
  daily quota (250,000 and up) that resets at midnight in the account's time zone. Headers
  ``X-HubSpot-RateLimit-Max``, ``-Remaining``, ``-Interval-Milliseconds``, ``-Daily``,
  ``-Daily-Remaining`` (the daily pair is not sent to OAuth apps).
* HighLevel (marketplace rate-limit docs): 100 requests / 10 s and 200,000 a day, per app per
  location. Headers ``X-RateLimit-Max``, ``-Remaining``, ``-Interval-Milliseconds``,
  ``X-RateLimit-Limit-Daily``, ``X-RateLimit-Daily-Remaining``.
* Salesforce: no burst limit, a daily allocation per org reported on every reply as
  ``Sforce-Limit-Info: api-usage=N/M``; once it is spent the org answers 403
  ``REQUEST_LIMIT_EXCEEDED`` with no ``Retry-After``, so the limiter refuses locally instead.

Two layers:

``Budget`` is the pure core: no I/O, no clock of its own, every method takes ``now``. It keeps
the calls that still count in the rolling window as ``Slot``s. ``reserve(now)`` counts a call
and gives it a slot time, ``slot.at - now`` being the wait: the k-th call may go once the
(k - max)-th call has left the window. Promising future slots up front is what makes it fair
(first come, first served) and lets a caller learn at once that its wait would be too long.
``observe(headers, now)`` settles a call when its reply is back, and folds in what the
provider reports: its figures win over the configured ones, and calls the provider counted
that this budget did not (another process, another app) fill the window.

``RateLimiter`` is the async registry: one ``Budget`` per ``LimitKey`` (provider, integration
and, for HighLevel, location), ``await acquire(key, max_wait=...)`` sleeping until the slot or
raising ``RateLimited``, ``observe(key, headers)`` after each reply, and ``middleware(...)`` to
plug both into an aiohttp request. Under asyncio a reservation is taken without awaiting, so
any number of coroutines acquiring at once get distinct slots and never overfill a window.

Three choices keep it on the safe side of the provider's own counting:

* The provider counts a call when it receives it, some time between the limiter letting it go
  and the reply coming back. A call therefore counts here from the moment it is sent until
  its reply is back, and then for one more window: the provider forgets it no later than this
  budget does, whatever the latency. The slot times promised up front assume calls in flight
  are answered at once; when a slot comes due, ``Budget.confirm`` checks it against the calls
  really sent and answered, and pushes it later if they are still counting.
* ``ProviderLimits.margin_seconds`` widens the window a little, against a provider that counts
  in coarser steps than this module does.
* The daily count is a rolling 24 hours (in buckets of ``DAY_BUCKET_SECONDS``). Whether the
  provider resets at midnight (HubSpot) or keeps a rolling day (Salesforce), the calls it
  counts are a subset of the last 24 hours, so the local count never runs below its own; when
  the provider reports fewer (it has reset), its figure is adopted.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from providers.domain import Connection, CrmProvider
from providers.errors import RateLimited, RateScope

if TYPE_CHECKING:
    from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse

    from providers.observability import UpstreamObserver

DAY_SECONDS = 86_400.0
DAY_BUCKET_SECONDS = 600.0  # the daily count's resolution: 144 buckets at most per budget

# HubSpot private apps: 100 / 10 s on Free and Starter (and every OAuth app), 190 / 10 s on
# Professional and Enterprise, 250 / 10 s with the limit-increase pack.
HUBSPOT_BURST_STANDARD = 100
HUBSPOT_BURST_PROFESSIONAL = 190
HUBSPOT_DAILY = 250_000  # the lowest tier's quota: the safe default
LEADCONNECTOR_BURST = 100
LEADCONNECTOR_DAILY = 200_000


@dataclass(frozen=True)
class ProviderLimits:
    """The limits a budget starts from, until the provider's headers say otherwise.

    ``burst`` calls per ``interval_seconds`` (``None``: no burst limit), ``daily`` calls per
    day (``None``: unknown until a reply reports it). ``margin_seconds`` widens the window.
    Latency is covered already (a call counts until its reply is back); the margin hedges
    against what the providers leave undocumented: how their rolling windows treat a call at
    the boundary, and how finely they count.
    Override per provider (``RateLimiter(limits=...)``) or per integration
    (``RateLimiter.configure``), e.g. ``replace(DEFAULT_LIMITS["hubspot"], burst=190)`` for a
    HubSpot Professional account.
    """

    burst: int | None = None
    interval_seconds: float = 10.0
    daily: int | None = None
    margin_seconds: float = 0.25

    def __post_init__(self) -> None:
        if self.burst is not None and self.burst < 1:
            raise ValueError("burst must be at least 1 (or None for no burst limit)")
        if self.interval_seconds <= 0:
            raise ValueError("interval_seconds must be positive")
        if self.daily is not None and self.daily < 0:
            raise ValueError("daily must not be negative")
        if self.margin_seconds < 0:
            raise ValueError("margin_seconds must not be negative")


DEFAULT_LIMITS: Mapping[str, ProviderLimits] = {
    CrmProvider.HUBSPOT.value: ProviderLimits(burst=HUBSPOT_BURST_STANDARD, daily=HUBSPOT_DAILY),
    CrmProvider.LEADCONNECTOR.value: ProviderLimits(
        burst=LEADCONNECTOR_BURST, daily=LEADCONNECTOR_DAILY
    ),
    # Salesforce: no burst limit; the daily allocation depends on the org's edition and
    # licences, so it is learnt from the first Sforce-Limit-Info header.
    CrmProvider.SALESFORCE.value: ProviderLimits(),
}


class LimitKey(NamedTuple):
    """What one budget covers: a provider account, and for HighLevel one of its locations."""

    provider: str
    integration_id: str
    location: str | None = None


def limit_key(
    connection: Connection,
    *,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
) -> LimitKey:
    """The budget a call draws on.

    HighLevel limits each location separately, and bills a call to the ``locationId`` of its
    query or JSON body (as its emulator does); a call naming none falls back on the
    integration's own budget. HubSpot and Salesforce limit the whole account.
    """
    location: Any = None
    if connection.provider is CrmProvider.LEADCONNECTOR:
        location = (params or {}).get("locationId")
        if location is None and isinstance(json_body, Mapping):
            location = json_body.get("locationId")
    return LimitKey(
        connection.provider.value,
        connection.integration_id,
        location if isinstance(location, str) and location else None,
    )


# -- reading the providers' headers -----------------------------------------------------------
@dataclass(frozen=True)
class LimitHeaders:
    """What one reply says about the limits; ``None`` where it says nothing."""

    burst_max: int | None = None
    burst_remaining: int | None = None
    interval_seconds: float | None = None
    daily_max: int | None = None
    daily_remaining: int | None = None
    retry_after: float | None = None


# (HubSpot name, HighLevel name), lower-cased.
_BURST_MAX = ("x-hubspot-ratelimit-max", "x-ratelimit-max")
_BURST_REMAINING = ("x-hubspot-ratelimit-remaining", "x-ratelimit-remaining")
_INTERVAL_MS = ("x-hubspot-ratelimit-interval-milliseconds", "x-ratelimit-interval-milliseconds")
_DAILY_MAX = ("x-hubspot-ratelimit-daily", "x-ratelimit-limit-daily")
_DAILY_REMAINING = ("x-hubspot-ratelimit-daily-remaining", "x-ratelimit-daily-remaining")
# "api-usage=25/15000", possibly followed by "; per-app-api-usage=..." (not the org's figure).
_API_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")


def _count(lowered: Mapping[str, str], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = lowered.get(name, "").strip()
        if value.isdigit():
            return int(value)
    return None


def read_limit_headers(headers: Mapping[str, str]) -> LimitHeaders:
    """Parse HubSpot, HighLevel and Salesforce rate-limit headers (any case, any provider).

    ``Retry-After`` is read in its seconds form only; unlike ``errors.retry_after_seconds`` it
    does not fall back on the interval header, which every reply carries.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    interval_ms = _count(lowered, _INTERVAL_MS)
    daily_max = _count(lowered, _DAILY_MAX)
    daily_remaining = _count(lowered, _DAILY_REMAINING)
    usage = _API_USAGE.search(lowered.get("sforce-limit-info", ""))
    if usage is not None:
        used, daily_max = int(usage.group(1)), int(usage.group(2))
        daily_remaining = max(daily_max - used, 0)
    return LimitHeaders(
        burst_max=_count(lowered, _BURST_MAX),
        burst_remaining=_count(lowered, _BURST_REMAINING),
        interval_seconds=interval_ms / 1000 if interval_ms else None,
        daily_max=daily_max,
        daily_remaining=daily_remaining,
        retry_after=_seconds(lowered.get("retry-after")),
    )


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else math.nan
    except ValueError:
        return None  # the HTTP-date form: not worth a clock of its own here
    return max(seconds, 0.0) if math.isfinite(seconds) else None


# -- the pure core ----------------------------------------------------------------------------
class OverBudget(Exception):
    """A budget's refusal: ``scope`` says which limit, ``retry_after`` when it frees up."""

    def __init__(self, scope: RateScope, retry_after: float | None) -> None:
        super().__init__(f"{scope} budget spent; retry after {retry_after} s")
        self.scope: RateScope = scope
        self.retry_after = retry_after


@dataclass(slots=True)
class _Bucket:
    start: float
    calls: int


class RollingDay:
    """Calls in the last 24 hours, kept as per-bucket counts.

    A bucket is forgotten a full day after it closes, so the count covers at least the last
    24 hours: never less than what a provider counts since its midnight or over its own
    rolling day.
    """

    def __init__(self, bucket_seconds: float = DAY_BUCKET_SECONDS) -> None:
        self.bucket_seconds = bucket_seconds
        self._buckets: deque[_Bucket] = deque()  # oldest first
        self._total = 0

    def total(self, now: float) -> int:
        self._forget(now)
        return self._total

    def add(self, at: float, calls: int = 1) -> None:
        start = self._start(at)
        if self._buckets and self._buckets[-1].start >= start:
            self._buckets[-1].calls += calls  # the clock never goes back: same bucket
        else:
            self._buckets.append(_Bucket(start, calls))
        self._total += calls

    def remove(self, at: float) -> None:
        """Uncount one call counted at ``at`` (unless its bucket is already forgotten)."""
        start = self._start(at)
        bucket = next((b for b in self._buckets if b.start == start), None)
        if bucket is not None:
            bucket.calls -= 1
            self._total -= 1
            if bucket.calls <= 0:
                self._buckets.remove(bucket)

    def forget_oldest(self, calls: int) -> None:
        """Uncount ``calls`` from the oldest buckets (the provider has reset its count)."""
        while calls > 0 and self._buckets:
            oldest = self._buckets[0]
            taken = min(calls, oldest.calls)
            oldest.calls -= taken
            self._total -= taken
            calls -= taken
            if oldest.calls <= 0:
                self._buckets.popleft()

    def frees_in(self, now: float) -> float:
        """Seconds until the oldest counted call leaves the rolling day."""
        self._forget(now)
        if not self._buckets:
            return 0.0
        return max(self._expiry(self._buckets[0]) - now, 0.0)

    def _start(self, at: float) -> float:
        return math.floor(at / self.bucket_seconds) * self.bucket_seconds

    def _expiry(self, bucket: _Bucket) -> float:
        return bucket.start + self.bucket_seconds + DAY_SECONDS

    def _forget(self, now: float) -> None:
        while self._buckets and self._expiry(self._buckets[0]) <= now:
            self._total -= self._buckets.popleft().calls


SlotState = Literal["waiting", "sent", "done"]


@dataclass(eq=False)
class Slot:
    """One call a budget admitted.

    ``at`` is when the call may go while ``waiting``, when it went once ``sent``, and when its
    reply came back once ``done``. A done call counts in the window until ``at + window``; a
    sent one counts for as long as it has no reply, since the provider may receive it at any
    moment until then.
    """

    at: float
    reserved_at: float
    state: SlotState = "waiting"
    turn: int = 0  # its place in line: slots are reserved in this order
    burst_exempt: bool = False  # counted in the daily quota only, never in the window


@dataclass
class Budget:
    """One account's burst window and daily quota (pure: every method is handed ``now``).

    A call goes through ``reserve`` (counted, given a slot time), ``confirm`` at that time
    (checked against what was really sent meanwhile; it may push the slot later), and
    ``observe`` when its reply is back (``headers=None`` when none came). ``cancel`` undoes a
    reservation whose call was never sent.

    Counting a sent call until its reply is back, and only then for one more window, makes the
    schedule safe whatever the latency: the provider received the call before it replied, so
    it forgets it no later than this budget does. The slot times ``reserve`` promises assume
    calls in flight are answered at once; ``confirm`` corrects them when they are not.
    """

    burst: int | None
    interval_seconds: float
    daily: int | None
    margin_seconds: float
    in_flight: int = 0  # reserved and not yet observed or cancelled
    day: RollingDay = field(default_factory=RollingDay)
    _slots: list[Slot] = field(default_factory=list, repr=False)  # those still counting
    _blocked_until: float = field(default=-math.inf, repr=False)
    _turns: int = field(default=0, repr=False)

    @classmethod
    def from_limits(cls, limits: ProviderLimits) -> Budget:
        budget = cls(None, limits.interval_seconds, None, limits.margin_seconds)
        budget.configure(limits)
        return budget

    def configure(self, limits: ProviderLimits) -> None:
        """Adopt configured limits (the provider's next headers may still adjust them)."""
        self.burst = limits.burst
        self.interval_seconds = limits.interval_seconds
        self.daily = limits.daily
        self.margin_seconds = limits.margin_seconds

    @property
    def window(self) -> float:
        """The rolling window as the limiter keeps it: the provider's, plus the margin."""
        return self.interval_seconds + self.margin_seconds

    def reserve(
        self, now: float, *, max_wait: float = math.inf, burst_exempt: bool = False
    ) -> Slot:
        """Count one call and give it a slot; ``slot.at - now`` is the wait before it goes.

        First come, first served: the k-th call waiting gets the time when the (k - burst)-th
        call before it leaves the window. Raises ``OverBudget`` without counting anything when
        the daily quota is spent (``scope="daily"``) or when the wait would exceed
        ``max_wait`` (``scope="burst"``). A ``burst_exempt`` call (an endpoint the provider
        exempts from its burst window) counts against the daily quota only: it takes no place
        in the window and waits for none (a ``Retry-After`` still holds it).
        """
        if self.daily is not None and self.day.total(now) >= self.daily:
            raise OverBudget("daily", self.day.frees_in(now))
        at = max(now, self._blocked_until)
        burst = None if burst_exempt else self.burst
        if burst is not None:
            self._forget(now)
            # A call in flight (or late to wake) counts from now on; a done one from its reply.
            starts = sorted(s.at if s.state == "done" else max(s.at, now) for s in self._slots)
            if len(starts) >= burst:
                at = max(at, starts[-burst] + self.window)
        if at - now > max_wait:
            raise OverBudget("burst", at - now)
        self._turns += 1
        slot = Slot(at, now, turn=self._turns, burst_exempt=burst_exempt)
        if burst is not None:
            self._slots.append(slot)
        self.day.add(now)
        self.in_flight += 1
        return slot

    def confirm(self, slot: Slot, now: float) -> float:
        """Seconds ``slot`` must still wait; 0 means it goes now (and is counted as sent).

        Whether it may go counts only the calls really sent or answered: the other slots
        still waiting confirm themselves when their time comes. When it may not, it takes its
        turn again behind the slots reserved before it, as ``reserve`` would place it.
        """
        due = max(slot.at, self._blocked_until)
        if now < due:
            return due - now
        if self.burst is not None and not slot.burst_exempt:
            self._forget(now)
            # Since when each call counts: a call in flight may reach the provider any moment.
            counted = [
                now if s.state == "sent" else s.at
                for s in self._slots
                if s is not slot and s.state != "waiting"
            ]
            if len(counted) >= self.burst:
                ahead = [
                    max(s.at, now)
                    for s in self._slots
                    if s.state == "waiting" and s.turn < slot.turn
                ]
                # Strictly after now: the burst-th latest start is no earlier than a counted
                # call's, and a counted call leaves after now (in flight: now + window; done
                # and not forgotten: at + window > now).
                slot.at = sorted(counted + ahead)[-self.burst] + self.window
                return slot.at - now
        slot.at, slot.state = now, "sent"
        return 0.0

    def cancel(self, slot: Slot) -> None:
        """Undo the reservation of a call that was never sent."""
        if slot in self._slots:
            self._slots.remove(slot)
        self.day.remove(slot.reserved_at)
        self.in_flight = max(self.in_flight - 1, 0)

    def observe(
        self,
        headers: Mapping[str, str] | None,
        now: float,
        slot: Slot | None = None,
        *,
        retry_after_cap: float = math.inf,
    ) -> None:
        """Settle one call (``slot``, else the oldest in flight), and adjust to its reply.

        A ``Retry-After`` blocks the budget for that long, at most ``retry_after_cap``
        (``CRMGRAPH_MAX_RETRY_WAIT_SECONDS``, the same cap the retry loop applies).

        The provider's maximum and interval replace the configured ones (they may raise the
        budget as well as lower it). When it counts more calls in its window, or in its day,
        than this budget does, the difference is counted here too, as made ``now``. When it
        counts fewer for the day than this budget minus the calls still in flight, it has
        reset its day: its figure is adopted.
        """
        self._settle(slot, now)
        if headers is None:
            return
        seen = read_limit_headers(headers)
        if seen.interval_seconds is not None:
            self.interval_seconds = seen.interval_seconds
        if seen.burst_max is not None and seen.burst_max > 0:
            self.burst = seen.burst_max
        if seen.burst_remaining is not None and self.burst is not None:
            theirs = max(self.burst - seen.burst_remaining, 0)
            for _ in range(theirs - self.sent_in_window(now)):
                self._slots.append(Slot(now, now, "done"))
        if seen.daily_max is not None:
            self.daily = seen.daily_max
        if seen.daily_remaining is not None and self.daily is not None:
            theirs = max(self.daily - seen.daily_remaining, 0)
            mine = self.day.total(now)
            if theirs > mine:
                self.day.add(now, theirs - mine)
            elif mine - theirs > self.in_flight:
                self.day.forget_oldest(mine - theirs - self.in_flight)
        if seen.retry_after is not None:
            wait = min(seen.retry_after, retry_after_cap)
            self._blocked_until = max(self._blocked_until, now + wait)

    def sent_in_window(self, now: float) -> int:
        """Calls counting in the window at ``now``: in flight, or answered within it."""
        self._forget(now)
        return sum(s.state != "waiting" and s.at <= now for s in self._slots)

    def _settle(self, slot: Slot | None, now: float) -> None:
        if slot is None:  # the caller did not keep its slot: settle the oldest in flight
            sent = [s for s in self._slots if s.state == "sent"]
            slot = min(sent, key=lambda s: s.at, default=None)
        if slot is not None and slot.state != "done":
            slot.at, slot.state = now, "done"
        self.in_flight = max(self.in_flight - 1, 0)

    def _forget(self, now: float) -> None:
        """Drop answered calls that have left the window for good.

        The test is ``at + window <= now``, the very sum ``confirm`` and ``reserve`` compare
        with ``now``: written as ``at <= now - window`` it could round the other way.
        """
        self._slots = [s for s in self._slots if s.state != "done" or s.at + self.window > now]


# -- the async registry -----------------------------------------------------------------------
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]


class RateLimiter:
    """One budget per ``LimitKey``, shared by every client of the app.

    ``clock`` and ``sleep`` belong together: in production ``time.monotonic`` and
    ``asyncio.sleep`` (the event loop's own clock); in tests, a fake clock whose sleep advances
    it. ``limits`` overrides ``DEFAULT_LIMITS`` per provider; ``configure`` per integration.
    """

    def __init__(
        self,
        limits: Mapping[str, ProviderLimits] | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._defaults: dict[str, ProviderLimits] = {**DEFAULT_LIMITS, **(limits or {})}
        self._overrides: dict[tuple[str, str], ProviderLimits] = {}
        self._budgets: dict[LimitKey, Budget] = {}
        self._clock = clock
        self._sleep = sleep
        # Hears of every wait and every local refusal (metrics); set by the app's transport.
        self.observer: UpstreamObserver | None = None

    def limits_for(self, provider: str, integration_id: str) -> ProviderLimits:
        override = self._overrides.get((provider, integration_id))
        if override is not None:
            return override
        return self._defaults.get(provider, ProviderLimits())

    def configure(self, provider: str, integration_id: str, limits: ProviderLimits) -> None:
        """Per-integration limits (e.g. a HubSpot Professional account: burst 190)."""
        self._overrides[(provider, integration_id)] = limits
        for key, budget in self._budgets.items():
            if (key.provider, key.integration_id) == (provider, integration_id):
                budget.configure(limits)

    def use_integration_limits(self, connection: Connection) -> None:
        """Apply an integration's own ``RateLimits`` over its provider's defaults (once)."""
        if connection.rate_limits is None:
            return
        provider, given = connection.provider.value, connection.rate_limits
        base = self._defaults.get(provider, ProviderLimits())
        wanted = replace(
            base,
            burst=given.burst if given.burst is not None else base.burst,
            interval_seconds=given.interval_seconds or base.interval_seconds,
            daily=given.daily if given.daily is not None else base.daily,
        )
        if self.limits_for(provider, connection.integration_id) != wanted:
            self.configure(provider, connection.integration_id, wanted)

    def budget(self, key: LimitKey) -> Budget:
        budget = self._budgets.get(key)
        if budget is None:
            budget = Budget.from_limits(self.limits_for(key.provider, key.integration_id))
            self._budgets[key] = budget
        return budget

    async def acquire(self, key: LimitKey, *, max_wait: float, burst_exempt: bool = False) -> Slot:
        """Wait for the key's next slot, or raise ``RateLimited`` if it is beyond ``max_wait``.

        Every successful ``acquire`` must be followed by one ``observe``, ideally given the
        returned slot. A caller cancelled while waiting gives its slot back. The ``observer``
        hears how long it waited, or that it was refused. ``burst_exempt``: an endpoint the
        provider exempts from its burst window (the daily quota only).
        """
        observer = self.observer
        if observer is None:
            return await self._acquire(key, max_wait, burst_exempt)
        started = self._clock()
        try:
            slot = await self._acquire(key, max_wait, burst_exempt)
        except RateLimited as exc:
            observer.budget_refused(key.provider, exc.scope)
            raise
        observer.budget_waited(key.provider, self._clock() - started)
        return slot

    async def _acquire(self, key: LimitKey, max_wait: float, burst_exempt: bool = False) -> Slot:
        budget = self.budget(key)
        now = self._clock()
        deadline = now + max_wait
        try:
            slot = budget.reserve(now, max_wait=max_wait, burst_exempt=burst_exempt)
        except OverBudget as exc:
            raise self._refusal(key, exc) from None
        try:
            while (wait := budget.confirm(slot, now)) > 0:
                if now + wait > deadline:  # calls in flight took longer than promised
                    raise self._refusal(key, OverBudget("burst", wait))
                await self._sleep(wait)
                now = self._clock()
        except BaseException:
            budget.cancel(slot)
            raise
        return slot

    def observe(
        self,
        key: LimitKey,
        headers: Mapping[str, str] | None,
        *,
        slot: Slot | None = None,
        retry_after_cap: float = math.inf,
    ) -> None:
        """Settle one acquired call with its reply's headers (``None``: no reply came)."""
        self.budget(key).observe(headers, self._clock(), slot, retry_after_cap=retry_after_cap)

    def middleware(
        self, key: LimitKey, *, max_wait: float, burst_exempt: bool = False
    ) -> ClientMiddlewareType:
        """An aiohttp client middleware (aiohttp >= 3.12) spending ``key``'s budget.

        Passed per request (``session.request(..., middlewares=(...,))``), it runs once per
        attempt when every attempt is a request of its own. ``burst_exempt`` for an endpoint
        the provider exempts from its burst window.
        """

        async def limited(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
            slot = await self.acquire(key, max_wait=max_wait, burst_exempt=burst_exempt)
            headers: Mapping[str, str] | None = None
            try:
                response = await handler(request)
                headers = response.headers
                return response
            finally:
                self.observe(key, headers, slot=slot)

        return limited

    @staticmethod
    def _refusal(key: LimitKey, exc: OverBudget) -> RateLimited:
        what = "daily quota" if exc.scope == "daily" else "rate limit"
        return RateLimited(
            f"{key.provider} {what} reached: the call was not sent",
            provider=key.provider,
            retry_after=exc.retry_after,
            scope=exc.scope,
        )


__all__ = [
    "DEFAULT_LIMITS",
    "Budget",
    "LimitHeaders",
    "LimitKey",
    "OverBudget",
    "ProviderLimits",
    "RateLimiter",
    "RollingDay",
    "Slot",
    "limit_key",
    "read_limit_headers",
]
