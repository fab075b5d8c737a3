"""The rate limiter: budget math on a driven clock, header adjustment, and concurrency.

No test sleeps: ``Budget`` takes ``now`` as an argument, and ``RateLimiter`` gets a virtual clock
whose ``sleep`` parks the caller until ``VirtualTime.run`` moves time to its deadline. Whether a
schedule respects a provider's limits is judged by the emulators' own ``RateWindow``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

import pytest

from emulators.common import LimitVerdict, RateWindow
from providers.domain import Connection, Credentials, CrmProvider
from providers.errors import RateLimited
from providers.ratelimit import (
    DAY_BUCKET_SECONDS,
    DAY_SECONDS,
    DEFAULT_LIMITS,
    Budget,
    LimitHeaders,
    LimitKey,
    OverBudget,
    ProviderLimits,
    RateLimiter,
    RollingDay,
    Slot,
    limit_key,
    read_limit_headers,
)

HUBSPOT = LimitKey("hubspot", "int-1")


def budget(burst: int | None = 10, interval: float = 1.0, daily: int | None = None) -> Budget:
    return Budget.from_limits(
        ProviderLimits(burst=burst, interval_seconds=interval, daily=daily, margin_seconds=0.0)
    )


def wait(b: Budget, now: float, max_wait: float = math.inf) -> float:
    """Reserve one call at ``now``; the seconds until its slot."""
    return b.reserve(now, max_wait=max_wait).at - now


def send(b: Budget, now: float, reply_after: float = 0.0) -> float:
    """One call through its whole life: reserved, sent when confirmed, answered; its send time."""
    slot = b.reserve(now)
    at = slot.at
    while (more := b.confirm(slot, at)) > 0:
        at += more
    b.observe(None, at + reply_after, slot)
    return at


def assert_within(sends: list[float], burst: int, interval: float) -> None:
    """No window of ``interval`` holds more than ``burst`` sends.

    The rule of the emulators' ``RateWindow`` (a call leaves the window ``interval`` after it
    was counted), with a nanosecond's tolerance for float rounding at the boundary.
    """
    ordered = sorted(sends)
    for first, last in zip(ordered, ordered[burst:], strict=False):
        assert last - first >= interval - 1e-9, f"over {burst} per {interval}s at t={last}"


class VirtualTime:
    """A fake clock: ``sleep`` parks the caller until ``run`` advances time to its deadline."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + delay, next(self._order), future))
        await future

    async def run(self, *coroutines: Awaitable[Any]) -> list[Any]:
        """Run the coroutines to completion, moving time only when all of them are parked."""
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while True:
            for _ in range(5):  # let every woken task run up to its next sleep or its end
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                return await asyncio.gather(*tasks, return_exceptions=True)
            assert self._timers, "tasks are waiting on something other than this clock"
            at, _, future = heapq.heappop(self._timers)
            self.now = max(self.now, at)
            if not future.done():
                future.set_result(None)


# -- the burst window -------------------------------------------------------------------------
def test_a_burst_goes_at_once_and_the_next_calls_one_interval_later():
    b = budget(burst=3, interval=10.0)
    assert [wait(b, 0.0) for _ in range(7)] == [0, 0, 0, 10, 10, 10, 20]


def test_slots_free_as_the_window_rolls():
    b = budget(burst=2, interval=1.0)
    assert [send(b, 0.0), send(b, 0.5)] == [0.0, 0.5]
    assert wait(b, 0.9) == pytest.approx(0.1)  # the call answered at 0 leaves at 1.0
    assert wait(b, 1.6) == 0  # the one answered at 0.5 left at 1.5


def test_the_margin_widens_the_window():
    b = Budget.from_limits(ProviderLimits(burst=1, interval_seconds=10.0, margin_seconds=0.5))
    assert [wait(b, 0.0), wait(b, 0.0)] == [0, 10.5]


def test_first_come_first_served_and_never_more_than_the_burst():
    b = budget(burst=10, interval=1.0)
    slots = [b.reserve(0.0) for _ in range(100)]
    sends = [slot.at for slot in slots]
    assert sends == sorted(sends)
    assert_within(sends, burst=10, interval=1.0)
    assert sends[-1] == 9.0  # and no slower than the limit: 10 windows of 10


def test_a_call_counts_until_its_reply_is_back():
    b = budget(burst=2, interval=1.0)
    first, second = b.reserve(0.0), b.reserve(0.0)
    assert (b.confirm(first, 0.0), b.confirm(second, 0.0)) == (0, 0)
    third = b.reserve(0.0)
    assert third.at == 1.0  # promised on the hope that both are answered at once
    assert b.confirm(third, 1.0) == 1.0  # they are not: the provider may receive them still
    b.observe(None, 1.5, first)
    b.observe(None, 1.5, second)
    assert b.confirm(third, 2.0) == 0.5  # answered at 1.5, they count until 2.5
    assert b.confirm(third, 2.5) == 0
    assert third.state == "sent"


def test_a_wait_beyond_max_wait_is_refused_and_not_counted():
    b = budget(burst=2, interval=10.0)
    send(b, 0.0), send(b, 0.0)
    with pytest.raises(OverBudget) as refused:
        b.reserve(1.0, max_wait=5.0)
    assert (refused.value.scope, refused.value.retry_after) == ("burst", 9.0)
    assert b.in_flight == 0
    assert wait(b, 1.0, max_wait=9.0) == 9.0  # nothing was taken by the refusal


def test_cancel_gives_the_slot_back():
    b = budget(burst=1, interval=10.0)
    assert wait(b, 0.0) == 0
    waiting = b.reserve(0.0)
    assert waiting.at == 10.0
    b.cancel(waiting)
    assert b.in_flight == 1
    assert wait(b, 0.0) == 10.0  # the cancelled slot at 10 is free again


# -- endpoints exempt from the burst window ---------------------------------------------------
def test_an_exempt_call_takes_no_slot_in_the_window_and_waits_for_none():
    b = budget(burst=2, interval=10.0, daily=100)
    send(b, 0.0), send(b, 0.0)  # the window is full
    exempt = b.reserve(0.0, burst_exempt=True)
    assert exempt.at == 0.0
    assert b.confirm(exempt, 0.0) == 0
    b.observe(None, 0.0, exempt)
    assert b.sent_in_window(0.0) == 2  # the exempt call is not in it
    assert wait(b, 0.0) == 10.0  # and the next limited call waits as before


def test_an_exempt_call_counts_against_the_daily_quota():
    b = budget(burst=1, interval=10.0, daily=2)
    for _ in range(2):
        b.observe(None, 0.0, b.reserve(0.0, burst_exempt=True))
    assert b.day.total(0.0) == 2
    with pytest.raises(OverBudget) as refused:
        b.reserve(0.0, burst_exempt=True)
    assert refused.value.scope == "daily"
    with pytest.raises(OverBudget):
        b.reserve(0.0)


def test_a_retry_after_holds_exempt_calls_back_too():
    b = budget(burst=10, interval=10.0)
    b.observe({"Retry-After": "3"}, 0.0, b.reserve(0.0))
    exempt = b.reserve(0.0, burst_exempt=True)
    assert b.confirm(exempt, 0.0) == 3.0


async def test_exempt_calls_at_once_against_the_emulators_window():
    """100 exempt calls and 10 limited ones at once, burst 5: the limited ones keep to the
    window the emulator enforces (exempt calls there count only in the day), none waits for
    an exempt one."""
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=5, interval_seconds=1.0, margin_seconds=0))
    window = RateWindow(burst_max=5, interval_s=1.0, daily_max=1_000)
    refused: list[bool] = []

    async def call(exempt: bool) -> float:
        slot = await limiter.acquire(HUBSPOT, max_wait=math.inf, burst_exempt=exempt)
        refused.append(window.acquire(clock.now, burst_exempt=exempt) is not LimitVerdict.OK)
        limiter.observe(HUBSPOT, None, slot=slot)
        return clock.now

    calls = [call(True) for _ in range(100)] + [call(False) for _ in range(10)]
    times = await clock.run(*calls)
    assert not any(refused)
    assert max(times[:100]) == 0.0  # every exempt call went at once
    assert sorted(times[100:]) == [0.0] * 5 + [1.0] * 5
    assert window.daily_used == 110


# -- the daily quota --------------------------------------------------------------------------
def test_the_daily_quota_refuses_with_the_time_until_calls_leave_the_rolling_day():
    b = budget(burst=None, daily=3)
    for _ in range(3):
        assert wait(b, 100.0) == 0
    with pytest.raises(OverBudget) as refused:
        b.reserve(200.0)
    assert refused.value.scope == "daily"
    # Counted in the bucket [0, 600): forgotten a full day after that bucket closes.
    assert refused.value.retry_after == pytest.approx(DAY_BUCKET_SECONDS + DAY_SECONDS - 200.0)
    assert wait(b, DAY_BUCKET_SECONDS + DAY_SECONDS) == 0


def test_the_rolling_day_never_counts_less_than_a_provider_day_that_resets_at_midnight():
    day = RollingDay()
    midnight = 3 * DAY_SECONDS
    for at in range(0, int(2 * DAY_SECONDS), 3_600):  # a call every hour
        day.add(midnight - DAY_SECONDS + at)
        now = midnight - DAY_SECONDS + at
        since_midnight = sum(1 for t in range(0, at + 1, 3_600) if t >= DAY_SECONDS)
        last_24h = sum(1 for t in range(0, at + 1, 3_600) if t > at - DAY_SECONDS)
        assert day.total(now) >= max(since_midnight, last_24h)


# -- headers ----------------------------------------------------------------------------------
HUBSPOT_HEADERS = {
    "X-HubSpot-RateLimit-Max": "190",
    "X-HubSpot-RateLimit-Remaining": "185",
    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    "X-HubSpot-RateLimit-Daily": "625000",
    "X-HubSpot-RateLimit-Daily-Remaining": "624000",
}
HIGHLEVEL_HEADERS = {
    "X-RateLimit-Max": "190",
    "X-RateLimit-Remaining": "185",
    "X-RateLimit-Interval-Milliseconds": "10000",
    "X-RateLimit-Limit-Daily": "625000",
    "X-RateLimit-Daily-Remaining": "624000",
}


@pytest.mark.parametrize("headers", [HUBSPOT_HEADERS, HIGHLEVEL_HEADERS])
def test_hubspot_and_highlevel_headers_read_alike(headers):
    lowered = {k.lower(): v for k, v in headers.items()}
    expected = LimitHeaders(190, 185, 10.0, 625_000, 624_000, None)
    assert read_limit_headers(headers) == expected
    assert read_limit_headers(lowered) == expected


@pytest.mark.parametrize(
    ("value", "max_", "remaining"),
    [
        ("api-usage=25/15000", 15_000, 14_975),
        ("api-usage=15000/15000; per-app-api-usage=17/250(appName=sample-app)", 15_000, 0),
        ("per-app-api-usage=17/250(appName=sample-app)", None, None),  # not the org's figure
        ("api-usage=oops", None, None),
    ],
)
def test_salesforce_api_usage_is_the_daily_allocation(value, max_, remaining):
    seen = read_limit_headers({"Sforce-Limit-Info": value})
    assert (seen.daily_max, seen.daily_remaining) == (max_, remaining)
    assert seen.burst_max is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("2", 2.0), ("0.5", 0.5), ("-3", 0.0), ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("inf", None)],
)
def test_retry_after_is_read_in_seconds(value, seconds):
    assert read_limit_headers({"Retry-After": value}).retry_after == seconds


def test_no_retry_after_from_the_interval_header_alone():
    assert read_limit_headers(HUBSPOT_HEADERS).retry_after is None


def test_the_providers_maximum_lowers_the_budget():
    b = Budget.from_limits(replace(DEFAULT_LIMITS["hubspot"], margin_seconds=0.0))
    b.confirm(slot := b.reserve(0.0), 0.0)
    b.observe(
        {
            "X-HubSpot-RateLimit-Max": "10",
            "X-HubSpot-RateLimit-Remaining": "9",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "200",
        },
        0.01,
        slot,
    )
    assert (b.burst, b.interval_seconds) == (10, 0.2)
    sends = [0.0] + [b.reserve(0.01).at for _ in range(49)]
    assert_within(sends, burst=10, interval=0.2)
    assert max(sends) == pytest.approx(0.81)  # 5 windows, from the first reply at 0.01


def test_the_providers_maximum_raises_the_budget():
    b = Budget.from_limits(replace(DEFAULT_LIMITS["hubspot"], margin_seconds=0.0))
    assert b.burst == 100  # the safe default until the account says otherwise
    b.confirm(slot := b.reserve(0.0), 0.0)
    b.observe(HUBSPOT_HEADERS, 0.1, slot)  # a Professional account: 190 / 10 s, 5 used
    assert b.burst == 190
    assert b.daily == 625_000
    assert [wait(b, 0.1) for _ in range(185)] == [0] * 185
    assert wait(b, 0.1) == 10.0


def test_calls_the_provider_counted_elsewhere_fill_the_window():
    b = budget(burst=10, interval=1.0)
    b.confirm(slot := b.reserve(0.0), 0.0)
    # Another process sent 7 more: the provider has 2 left where this budget thought 9.
    b.observe({"X-RateLimit-Max": "10", "X-RateLimit-Remaining": "2"}, 0.1, slot)
    assert b.sent_in_window(0.1) == 8
    assert [wait(b, 0.1) for _ in range(3)] == [0, 0, 1.0]


def test_calls_still_in_flight_are_not_forgotten_when_the_provider_has_not_seen_them():
    b = budget(burst=10, interval=1.0)
    slots = [b.reserve(0.0) for _ in range(10)]
    for slot in slots:
        b.confirm(slot, 0.0)
    # The first reply left before the other nine arrived: the provider still has 9 left.
    b.observe({"X-RateLimit-Max": "10", "X-RateLimit-Remaining": "9"}, 0.05, slots[0])
    assert b.sent_in_window(0.05) == 10
    assert wait(b, 0.05) == 1.0


def test_retry_after_holds_every_call_back():
    b = budget(burst=100, interval=10.0)
    b.confirm(slot := b.reserve(0.0), 0.0)
    b.observe({"Retry-After": "3"}, 1.0, slot)
    assert wait(b, 1.0) == 3.0


def test_the_providers_daily_count_is_adopted_when_higher():
    b = budget(burst=None, daily=250_000)
    b.reserve(0.0)
    b.observe(
        {"X-HubSpot-RateLimit-Daily": "1000", "X-HubSpot-RateLimit-Daily-Remaining": "1"}, 1.0
    )
    assert b.day.total(1.0) == 999
    assert wait(b, 1.0) == 0
    with pytest.raises(OverBudget) as refused:
        b.reserve(1.0)
    assert refused.value.scope == "daily"


def test_the_providers_daily_reset_is_adopted_but_calls_in_flight_stay_counted():
    b = budget(burst=None, daily=1_000)
    for _ in range(900):
        b.reserve(0.0)
    for _ in range(890):
        b.observe(None, 1.0)
    # Ten calls are still in flight; the provider reset its day and has counted one since.
    b.observe({"X-RateLimit-Limit-Daily": "1000", "X-RateLimit-Daily-Remaining": "999"}, 2.0)
    assert b.in_flight == 9
    assert b.day.total(2.0) == 1 + 9


def test_salesforce_refuses_locally_once_the_allocation_is_spent():
    b = Budget.from_limits(DEFAULT_LIMITS["salesforce"])
    assert [wait(b, 0.0) for _ in range(1_000)] == [0] * 1_000  # no burst limit, no quota yet
    b.observe({"Sforce-Limit-Info": "api-usage=14999/15000"}, 1.0)
    assert b.daily == 15_000
    assert wait(b, 1.0) == 0
    b.observe({"Sforce-Limit-Info": "api-usage=15000/15000"}, 2.0)
    with pytest.raises(OverBudget) as refused:
        b.reserve(2.0)
    assert refused.value.scope == "daily"


# -- limits and keys --------------------------------------------------------------------------
def test_provider_defaults():
    assert DEFAULT_LIMITS["hubspot"].burst == 100
    assert DEFAULT_LIMITS["hubspot"].interval_seconds == 10.0
    assert DEFAULT_LIMITS["hubspot"].daily == 250_000
    assert DEFAULT_LIMITS["leadconnector"].burst == 100
    assert DEFAULT_LIMITS["leadconnector"].daily == 200_000
    assert DEFAULT_LIMITS["salesforce"].burst is None
    assert DEFAULT_LIMITS["salesforce"].daily is None


@pytest.mark.parametrize(
    "kwargs",
    [{"burst": 0}, {"interval_seconds": 0}, {"daily": -1}, {"margin_seconds": -0.1}],
)
def test_nonsense_limits_are_refused(kwargs):
    with pytest.raises(ValueError, match="must"):
        ProviderLimits(**kwargs)


def connection(provider: CrmProvider) -> Connection:
    return Connection("int-1", provider, Credentials("token"))


def test_highlevel_budgets_are_per_location():
    ghl = connection(CrmProvider.LEADCONNECTOR)
    assert limit_key(ghl, params={"locationId": "loc-a"}) == LimitKey(
        "leadconnector", "int-1", "loc-a"
    )
    assert limit_key(ghl, json_body={"locationId": "loc-b"}).location == "loc-b"
    assert limit_key(ghl, json_body=[1, 2]).location is None  # per integration
    hubspot = connection(CrmProvider.HUBSPOT)
    assert limit_key(hubspot, params={"locationId": "x"}) == HUBSPOT


def test_limits_per_provider_and_per_integration():
    limiter = RateLimiter({"hubspot": ProviderLimits(burst=190)})
    assert limiter.budget(HUBSPOT).burst == 190
    limiter.configure("leadconnector", "int-9", ProviderLimits(burst=5))
    loc = LimitKey("leadconnector", "int-9", "loc-a")
    assert limiter.budget(loc).burst == 5
    limiter.configure("leadconnector", "int-9", ProviderLimits(burst=7))
    assert limiter.budget(loc).burst == 7  # existing budgets follow
    assert limiter.budget(LimitKey("leadconnector", "int-2")).burst == 100


# -- the async limiter ------------------------------------------------------------------------
def limiter_on(clock: VirtualTime, limits: ProviderLimits) -> RateLimiter:
    return RateLimiter({"hubspot": limits}, clock=clock, sleep=clock.sleep)


async def test_acquire_sleeps_the_budgets_wait():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=1, interval_seconds=2.0, margin_seconds=0))
    sent: list[float] = []

    async def call() -> None:
        await limiter.acquire(HUBSPOT, max_wait=10)
        sent.append(clock.now)
        limiter.observe(HUBSPOT, None)

    await clock.run(call(), call(), call())
    assert sent == [0.0, 2.0, 4.0]


async def test_acquire_beyond_max_wait_raises_rate_limited():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=1, interval_seconds=2.0, margin_seconds=0))
    await limiter.acquire(HUBSPOT, max_wait=1)
    with pytest.raises(RateLimited) as refused:
        await limiter.acquire(HUBSPOT, max_wait=1)
    assert (refused.value.scope, refused.value.retry_after) == ("burst", 2.0)
    assert refused.value.provider == "hubspot"
    assert refused.value.status is None  # nothing was sent


async def test_salesforce_acquire_is_refused_locally_once_the_allocation_is_spent():
    limiter = RateLimiter()
    key = LimitKey("salesforce", "int-1")
    await limiter.acquire(key, max_wait=0)
    limiter.observe(key, {"Sforce-Limit-Info": "api-usage=100000/100000"})
    with pytest.raises(RateLimited) as refused:
        await limiter.acquire(key, max_wait=10)
    assert refused.value.scope == "daily"
    assert (refused.value.retry_after or 0) > 0  # until the spent calls leave the day


async def test_a_caller_cancelled_while_waiting_gives_its_slot_back():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=1, interval_seconds=5.0, margin_seconds=0))
    await limiter.acquire(HUBSPOT, max_wait=10)
    waiting = asyncio.ensure_future(limiter.acquire(HUBSPOT, max_wait=10))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    budget = limiter.budget(HUBSPOT)
    assert budget.in_flight == 1
    assert budget.day.total(clock.now) == 1
    assert wait(budget, clock.now) == 5.0  # the slot at 5 is free again


async def test_max_wait_holds_when_calls_in_flight_push_a_slot_later():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=1, interval_seconds=1.0, margin_seconds=0))
    await limiter.acquire(HUBSPOT, max_wait=0)  # sent, and never answered

    async def late() -> None:
        await limiter.acquire(HUBSPOT, max_wait=1.5)

    [refusal] = await clock.run(late())
    assert isinstance(refusal, RateLimited)
    assert (refusal.scope, refusal.retry_after) == ("burst", 1.0)
    assert clock.now == 1.0  # it waited for its slot, found the call still out, gave up
    assert limiter.budget(HUBSPOT).in_flight == 1


class FakeResponse:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


async def test_the_middleware_settles_each_attempt_with_its_headers():
    limiter = RateLimiter({"hubspot": ProviderLimits(burst=100, margin_seconds=0)})
    middleware = limiter.middleware(HUBSPOT, max_wait=1)

    async def replies(request: Any) -> Any:
        return FakeResponse({"X-HubSpot-RateLimit-Max": "10"})

    async def drops(request: Any) -> Any:
        raise ConnectionResetError

    await middleware(object(), replies)  # type: ignore[arg-type]
    assert limiter.budget(HUBSPOT).burst == 10
    with pytest.raises(ConnectionResetError):
        await middleware(object(), drops)  # type: ignore[arg-type]
    assert limiter.budget(HUBSPOT).in_flight == 0


# -- concurrency ------------------------------------------------------------------------------
async def test_500_coroutines_acquiring_at_once_never_exceed_the_budget():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=10, interval_seconds=1.0, margin_seconds=0))
    provider = RateWindow(burst_max=10, interval_s=1.0, daily_max=10**9)
    verdicts: list[LimitVerdict] = []

    async def call() -> None:
        slot = await limiter.acquire(HUBSPOT, max_wait=math.inf)
        verdicts.append(provider.acquire(clock.now))
        limiter.observe(
            HUBSPOT,
            {
                "X-HubSpot-RateLimit-Max": "10",
                "X-HubSpot-RateLimit-Remaining": str(provider.burst_remaining(clock.now)),
            },
            slot=slot,
        )

    results = await clock.run(*(call() for _ in range(500)))
    assert results == [None] * 500
    assert verdicts == [LimitVerdict.OK] * 500
    assert clock.now == 49.0  # and not slower than the limit: 50 windows of 10
    assert limiter.budget(HUBSPOT).in_flight == 0


async def test_500_coroutines_with_a_short_max_wait_are_admitted_or_refused_at_once():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=10, interval_seconds=1.0, margin_seconds=0))
    sent: list[float] = []

    async def call() -> None:
        slot = await limiter.acquire(HUBSPOT, max_wait=4.5)
        sent.append(clock.now)
        limiter.observe(HUBSPOT, None, slot=slot)

    results = await clock.run(*(call() for _ in range(500)))
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert len(sent) == 50  # waits 0, 1, 2, 3 and 4
    assert_within(sent, burst=10, interval=1.0)
    assert len(refused) == 450
    assert {(r.scope, r.retry_after) for r in refused} == {("burst", 5.0)}


async def test_staggered_arrivals_and_cancellations_never_exceed_the_budget():
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=7, interval_seconds=1.0, margin_seconds=0))
    rng = random.Random(11)
    sent: list[float] = []

    async def call(arrival: float) -> None:
        await clock.sleep(arrival)
        slot = await limiter.acquire(HUBSPOT, max_wait=math.inf)
        sent.append(clock.now)
        limiter.observe(HUBSPOT, None, slot=slot)

    tasks = [asyncio.ensure_future(call(rng.uniform(0, 30))) for _ in range(500)]

    async def cancel_some() -> None:
        await clock.sleep(10.0)
        for task in rng.sample(tasks, 100):
            task.cancel()

    await clock.run(cancel_some(), *tasks)
    cancelled = sum(task.cancelled() for task in tasks)
    assert cancelled > 0
    assert len(sent) == 500 - cancelled
    assert_within(sent, burst=7, interval=1.0)
    budget = limiter.budget(HUBSPOT)
    assert budget.in_flight == 0
    assert budget.day.total(clock.now) == len(sent)


@pytest.mark.parametrize("seed", [5, 6, 7])
async def test_whatever_the_latency_the_provider_never_counts_more_than_the_burst(seed):
    # Each call reaches the provider at some moment before its reply comes back, here up to
    # two intervals after it was sent: the provider's window must still never overflow.
    clock = VirtualTime()
    limiter = limiter_on(clock, ProviderLimits(burst=10, interval_seconds=1.0, margin_seconds=0))
    rng = random.Random(seed)
    received: list[float] = []
    confirms = 0
    budget = limiter.budget(HUBSPOT)
    confirm = budget.confirm

    def counting(slot: Slot, now: float) -> float:
        nonlocal confirms
        confirms += 1
        return confirm(slot, now)

    budget.confirm = counting  # type: ignore[method-assign]

    async def call(arrival: float) -> None:
        await clock.sleep(arrival)
        slot = await limiter.acquire(HUBSPOT, max_wait=math.inf)
        latency = rng.uniform(0.0, 2.0)
        received.append(clock.now + rng.uniform(0.0, latency))
        await clock.sleep(latency)
        limiter.observe(HUBSPOT, None, slot=slot)

    await clock.run(*(call(rng.uniform(0, 20)) for _ in range(500)))
    assert len(received) == 500
    assert_within(received, burst=10, interval=1.0)
    # A late reply pushes a waiting slot once, behind the slots ahead of it in line: about a
    # dozen confirms a call at two intervals of latency, however long the queue (a herd of
    # waiters all re-checking at every reply made it ten times that).
    assert confirms < 500 * 20
