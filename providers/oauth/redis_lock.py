"""Single-flight token refresh across replicas: a lock in Redis (``CRMGRAPH_REDIS_URL``).

Implements ``providers.oauth.lock.RefreshLock`` (``hold(integration_id)``) with redis-py's
asyncio ``Lock``: a token per holder, released only by its holder (a Lua check-and-delete).
The lock expires after ``timeout`` seconds, so a replica that dies while refreshing frees it;
keep ``timeout`` above the longest refresh (one token-endpoint call and one database write).
A holder still waiting after ``wait`` seconds raises ``TimeoutError`` rather than hang.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import redis.asyncio as redis
from redis.exceptions import LockError

PREFIX = "crmgraph:refresh"


class RedisRefreshLock:
    def __init__(self, client: redis.Redis, *, timeout: float = 30.0, wait: float = 30.0):
        self._client = client
        self._timeout = timeout
        self._wait = wait

    @contextlib.asynccontextmanager
    async def hold(self, integration_id: str) -> AsyncIterator[None]:
        lock = self._client.lock(
            f"{PREFIX}:{integration_id}",
            timeout=self._timeout,
            blocking_timeout=self._wait,
            sleep=0.02,  # how often a waiter looks again: a refresh takes one HTTP call
        )
        if not await lock.acquire():
            raise TimeoutError(f"token refresh lock for {integration_id} not free in {self._wait}s")
        try:
            yield
        finally:
            # Expired meanwhile (the refresh outlived ``timeout``): nothing left to release.
            with contextlib.suppress(LockError):
                await lock.release()
