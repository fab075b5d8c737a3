"""Rate budgets every replica shares, kept in Redis (``CRMGRAPH_REDIS_URL``).

The same ``RateLimiter`` interface the one I/O door uses (``acquire`` before each attempt,
``observe`` after it), with the state in Redis instead of this process:

* the burst window is the ``limits`` package's moving window (``limits.aio.storage``'s
  ``acquire_entry``: one Lua script checks and counts a call atomically, a list of call
  times per key). Its window is whole seconds, so it is the provider's interval plus the
  budget's margin, rounded up: HubSpot's 100 / 10 s is kept as 100 / 11 s;
* the daily quota is ``limits``' sliding-window counter (two counters per key, not 250,000
  timestamps);
* a ``Retry-After`` blocks the key for every replica until then.

The providers' headers still adjust the budget: their maximum, interval and daily quota
replace the configured ones (kept in Redis, so a replica that has not had a reply yet uses
them too), and calls they counted that this window did not (another app, a replica's
reply not seen yet) are added to it. ``observe`` is called synchronously by the door, so the
adjustments are written in a background task; ``close`` waits for them.

A call counts from the moment it is admitted (not, as in the in-process ``Budget``, until its
reply is back); the margin covers the latency between admission and the provider receiving
it. The replicas' clocks must agree (NTP): the moving window compares their ``time.time()``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
from limits.aio.storage import RedisStorage
from redis.exceptions import RedisError

from providers.errors import RateScope, Unavailable
from providers.ratelimit import (
    DAY_SECONDS,
    LimitKey,
    OverBudget,
    ProviderLimits,
    RateLimiter,
    Sleep,
    Slot,
    read_limit_headers,
)

log = logging.getLogger(__name__)

PREFIX = "crmgraph:rate"
_JITTER_SECONDS = 0.01  # spreads replicas that wake for the same freed place
# Raise a key's "blocked until" time, never lower it (two replicas may see two Retry-Afters).
_BLOCK = """
local blocked_until = tonumber(ARGV[1])
local current = tonumber(redis.call('get', KEYS[1]) or '0')
if blocked_until > current then
    redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
"""


@dataclass(frozen=True)
class _Learnt:
    """What the provider's headers reported for a key (every replica reads it from Redis)."""

    burst: int | None = None
    interval: float | None = None
    daily: int | None = None


@dataclass(frozen=True)
class _Window:
    burst: int | None
    seconds: int  # whole seconds: the moving window's expiry is an integer
    daily: int | None


def _name(key: LimitKey) -> str:
    return f"{key.provider}/{key.integration_id}/{key.location or '-'}"


class RedisRateLimiter(RateLimiter):
    """One moving window per ``LimitKey`` in Redis, shared by every replica using ``url``."""

    def __init__(
        self,
        url: str,
        limits: Mapping[str, ProviderLimits] | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        super().__init__(limits, clock=time.time, sleep=sleep)
        self._redis = redis.Redis.from_url(url)
        self._storage = RedisStorage(  # limits' scripts, on this client's connection pool
            f"async+{url}",
            implementation="redispy",
            key_prefix=f"{PREFIX}:window",
            connection_pool=self._redis.connection_pool,  # type: ignore[arg-type]
        )
        self._block = self._redis.register_script(_BLOCK)
        self._pending: set[asyncio.Task[None]] = set()

    def _window(self, key: LimitKey, learnt: _Learnt) -> _Window:
        """The limits in force: the provider's reported ones over the configured ones."""
        limits = self.limits_for(key.provider, key.integration_id)
        interval = learnt.interval or limits.interval_seconds
        return _Window(
            learnt.burst if learnt.burst is not None else limits.burst,
            max(math.ceil(interval + limits.margin_seconds), 1),
            learnt.daily if learnt.daily is not None else limits.daily,
        )

    async def _read(self, name: str) -> tuple[float, _Learnt]:
        """In one round trip: until when the key is blocked, and what the provider reported."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(f"{PREFIX}:blocked:{name}")
            pipe.hmget(f"{PREFIX}:learnt:{name}", ["burst", "interval", "daily"])
            blocked, (burst, interval, daily) = await pipe.execute()
        return float(blocked or 0.0), _Learnt(
            int(burst) if burst is not None else None,
            float(interval) if interval is not None else None,
            int(daily) if daily is not None else None,
        )

    async def _acquire(self, key: LimitKey, max_wait: float, burst_exempt: bool = False) -> Slot:
        """Wait for a place in the shared window, or raise ``RateLimited`` past ``max_wait``
        (``RateLimiter.acquire`` calls this, and tells its observer).

        A ``burst_exempt`` call (an endpoint exempt from the provider's burst window) takes no
        place in the window, only in the daily quota. Without Redis no replica can know the
        account's budget: the call is not sent, and the caller gets ``Unavailable``
        (``UPSTREAM_UNAVAILABLE``), as for a provider outage.
        """
        try:
            return await self._take(key, max_wait, burst_exempt)
        except RedisError as exc:
            raise Unavailable(
                f"the shared rate budget (Redis) is unreachable: the call was not sent ({exc})",
                provider=key.provider,
            ) from exc

    async def _take(self, key: LimitKey, max_wait: float, burst_exempt: bool) -> Slot:
        name = _name(key)
        deadline = self._clock() + max_wait
        while True:
            blocked_until, learnt = await self._read(name)
            window = self._window(key, learnt)
            now = self._clock()
            wait = blocked_until - now
            if (
                wait <= 0
                and not burst_exempt
                and window.burst is not None
                and not await self._storage.acquire_entry(name, window.burst, window.seconds)
            ):
                oldest, _ = await self._storage.get_moving_window(
                    name, window.burst, window.seconds
                )
                wait = max(oldest + window.seconds - now, 0.0)
                wait += random.uniform(0, _JITTER_SECONDS)
            if wait <= 0:
                await self._spend_day(key, name, window)
                return Slot(now, now, "sent")
            if now + wait > deadline:
                raise self._refusal(key, OverBudget("burst", wait))
            await self._sleep(wait)

    async def _spend_day(self, key: LimitKey, name: str, window: _Window) -> None:
        if window.daily is None:
            return
        day = f"{name}/day"
        if not await self._storage.acquire_sliding_window_entry(
            day, window.daily, int(DAY_SECONDS)
        ):
            _, previous_ttl, _, current_ttl = await self._storage.get_sliding_window(
                day, int(DAY_SECONDS)
            )
            scope: RateScope = "daily"
            raise self._refusal(key, OverBudget(scope, min(previous_ttl, current_ttl) or None))

    def observe(
        self,
        key: LimitKey,
        headers: Mapping[str, str] | None,
        *,
        slot: Slot | None = None,
        retry_after_cap: float = math.inf,
    ) -> None:
        """Fold a reply's headers into the shared budget (written in the background)."""
        if headers is None:
            return
        task = asyncio.get_running_loop().create_task(self._adjust(key, headers, retry_after_cap))
        self._pending.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # The next reply adjusts the budget again: a lost update costs accuracy, no call.
            log.warning("could not record rate-limit headers in Redis: %r", exc)

    async def _adjust(
        self, key: LimitKey, headers: Mapping[str, str], retry_after_cap: float
    ) -> None:
        seen = read_limit_headers(headers)
        name = _name(key)
        reported = {
            "burst": seen.burst_max or None,
            "interval": seen.interval_seconds,
            "daily": seen.daily_max,
        }
        changed: dict[Any, Any] = {  # redis-py's Mapping types are invariant
            k: repr(v) for k, v in reported.items() if v is not None
        }
        if changed:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hset(f"{PREFIX}:learnt:{name}", mapping=changed)
                pipe.expire(f"{PREFIX}:learnt:{name}", int(DAY_SECONDS))
                await pipe.execute()
        window = self._window(key, (await self._read(name))[1])
        if seen.burst_remaining is not None and window.burst is not None:
            theirs = max(window.burst - seen.burst_remaining, 0)
            _, mine = await self._storage.get_moving_window(name, window.burst, window.seconds)
            missing = min(theirs, window.burst) - mine
            if missing > 0:
                await self._storage.acquire_entry(name, window.burst, window.seconds, missing)
        if seen.daily_remaining is not None and window.daily is not None:
            day = f"{name}/day"
            previous, previous_ttl, current, _ = await self._storage.get_sliding_window(
                day, int(DAY_SECONDS)
            )
            mine = int(previous * previous_ttl / DAY_SECONDS) + current
            missing = max(window.daily - seen.daily_remaining, 0) - mine
            if missing > 0:
                await self._storage.acquire_sliding_window_entry(
                    day, window.daily, int(DAY_SECONDS), min(missing, window.daily)
                )
        if seen.retry_after is not None:
            wait = min(seen.retry_after, retry_after_cap)
            until = self._clock() + wait
            await self._block(
                keys=[f"{PREFIX}:blocked:{name}"], args=[repr(until), max(int(wait * 1000), 1)]
            )

    async def settle(self) -> None:
        """Wait until every reply observed so far is written to Redis."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def close(self) -> None:
        await self.settle()
        await self._redis.aclose()
