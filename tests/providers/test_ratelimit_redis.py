"""Rate budgets shared in Redis: two replicas' limiters together stay under one limit.

Real Redis (``redis_url``) and real time: the moving window compares wall-clock times in a
Lua script, so the wait here is real (about 1 s). Whether the
combined schedule respects the limit is judged by the emulators' own ``RateWindow``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from emulators.common import LimitVerdict, RateWindow
from providers.errors import RateLimited, Unavailable
from providers.ratelimit import LimitKey, ProviderLimits
from providers.ratelimit_redis import RedisRateLimiter

KEY = LimitKey("hubspot", "int-1")
TIGHT = {"hubspot": ProviderLimits(burst=4, interval_seconds=1.0, margin_seconds=0.0)}


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[Callable[..., RedisRateLimiter]]:
    made: list[RedisRateLimiter] = []

    def make(limits: dict[str, ProviderLimits] | None = None) -> RedisRateLimiter:
        made.append(RedisRateLimiter(redis_url, limits or TIGHT))
        return made[-1]

    yield make
    for limiter in made:
        await limiter.close()


async def test_two_replicas_share_one_window(replicas: Any) -> None:
    """A window of a minute, so that no call's slot frees while the test runs: of 10 calls
    at once on two replicas, 4 fit the shared window and 6 are refused unsent."""
    slow = {"hubspot": ProviderLimits(burst=4, interval_seconds=60.0, margin_seconds=0.0)}
    a, b = replicas(slow), replicas(slow)

    async def call(limiter: RedisRateLimiter) -> str:
        try:
            await limiter.acquire(KEY, max_wait=0)
        except RateLimited as refused:
            return refused.scope
        return "granted"

    verdicts = await asyncio.gather(*(call(a if i % 2 else b) for i in range(10)))
    assert sorted(verdicts) == ["burst"] * 6 + ["granted"] * 4


async def test_a_replica_waits_for_the_slot_another_filled(replicas: Any) -> None:
    """Real time: the moving window frees a slot after its second; the wait is granted, and
    the schedule of grants keeps the provider's own window (the emulators' RateWindow)."""
    a, b = replicas(), replicas()
    granted: list[float] = []
    for _ in range(4):
        granted.append(time.time())  # no later than the grant: judged no later than it was
        await a.acquire(KEY, max_wait=0)
    await b.acquire(KEY, max_wait=10)
    granted.append(time.time())  # no earlier than the grant: the machine's load cannot fail it
    provider = RateWindow(burst_max=4, interval_s=1.0, daily_max=1_000)
    assert [provider.acquire(t) for t in granted] == [LimitVerdict.OK] * 5


async def test_a_wait_past_max_wait_is_refused_unsent(replicas: Any) -> None:
    a, b = replicas(), replicas()
    for _ in range(4):
        await a.acquire(KEY, max_wait=0)
    with pytest.raises(RateLimited) as refused:
        await b.acquire(KEY, max_wait=0.05)
    assert refused.value.scope == "burst"
    assert 0 < refused.value.retry_after < 1.1  # the window, plus a few ms of jitter


async def test_an_exempt_call_takes_no_place_in_the_shared_window(replicas: Any) -> None:
    limits = {"hubspot": ProviderLimits(burst=4, interval_seconds=1.0, daily=6, margin_seconds=0)}
    a, b = replicas(limits), replicas(limits)
    for _ in range(4):
        await a.acquire(KEY, max_wait=0)  # the window is full
    await b.acquire(KEY, max_wait=0, burst_exempt=True)
    await b.acquire(KEY, max_wait=0, burst_exempt=True)  # the daily quota is now spent
    with pytest.raises(RateLimited) as refused:
        await a.acquire(KEY, max_wait=0, burst_exempt=True)
    assert refused.value.scope == "daily"


async def test_the_providers_count_fills_every_replicas_window(replicas: Any) -> None:
    """One replica's reply says the account has 1 call left: the other replica sees it."""
    a, b = replicas(), replicas()
    await a.acquire(KEY, max_wait=0)
    a.observe(KEY, {"X-HubSpot-RateLimit-Max": "4", "X-HubSpot-RateLimit-Remaining": "1"})
    await a.settle()
    await b.acquire(KEY, max_wait=0)
    with pytest.raises(RateLimited):
        await b.acquire(KEY, max_wait=0.05)


async def test_the_providers_maximum_replaces_the_configured_one(replicas: Any) -> None:
    a = replicas()
    a.observe(KEY, {"X-HubSpot-RateLimit-Max": "2", "X-HubSpot-RateLimit-Remaining": "2"})
    await a.settle()
    await a.acquire(KEY, max_wait=0)
    await a.acquire(KEY, max_wait=0)
    with pytest.raises(RateLimited):
        await a.acquire(KEY, max_wait=0.05)


async def test_retry_after_blocks_every_replica(replicas: Any) -> None:
    a, b = replicas(), replicas()
    a.observe(KEY, {"Retry-After": "30"})
    await a.settle()
    with pytest.raises(RateLimited) as refused:
        await b.acquire(KEY, max_wait=1)
    assert 29 < refused.value.retry_after <= 30
    other = LimitKey("hubspot", "int-2")
    await b.acquire(other, max_wait=0)  # another account is not blocked


async def test_a_spent_daily_quota_is_refused_as_daily(replicas: Any) -> None:
    limits = {"salesforce": ProviderLimits(daily=3)}
    a, b = replicas(limits), replicas(limits)
    key = LimitKey("salesforce", "org-1")
    for limiter in (a, b, a):
        await limiter.acquire(key, max_wait=0)
    with pytest.raises(RateLimited) as refused:
        await b.acquire(key, max_wait=0)
    assert refused.value.scope == "daily"


async def test_without_redis_the_call_is_not_sent() -> None:
    from tests.services import free_port

    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", TIGHT)  # nothing there
    try:
        with pytest.raises(Unavailable) as refused:
            await limiter.acquire(KEY, max_wait=1)
        assert "not sent" in refused.value.message
    finally:
        await limiter.close()


async def test_a_fresh_replica_uses_the_limits_another_one_learnt(replicas: Any) -> None:
    """Before its first reply, a replica already works with what the provider reported."""
    limits = {"salesforce": ProviderLimits()}  # no daily figure until Sforce-Limit-Info says
    a, b = replicas(limits), replicas(limits)
    key = LimitKey("salesforce", "org-1")
    await a.acquire(key, max_wait=0)
    a.observe(key, {"Sforce-Limit-Info": "api-usage=1/2"})
    await a.settle()
    await b.acquire(key, max_wait=0)
    with pytest.raises(RateLimited) as refused:
        await b.acquire(key, max_wait=0)
    assert refused.value.scope == "daily"
