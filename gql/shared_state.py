"""State every replica must share: rate budgets, token-refresh locks, persisted queries.

Each has an in-process implementation (one replica: the default) and a shared one, in Redis when
``CRMGRAPH_REDIS_URL`` is set; without Redis, a PostgreSQL database still gives the refresh lock
to every replica (an advisory lock). The Redis modules are imported only when Redis is
configured: redis-py brings OpenTelemetry's SDK along, about 15 MB a single replica never uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from gql.persisted_queries import MemoryPersistedQueries, PersistedQueryStore
from gql.settings import Settings
from gql.store.refresh_lock import PostgresRefreshLock
from providers.oauth.lock import MemoryRefreshLock, RefreshLock
from providers.ratelimit import RateLimiter

if TYPE_CHECKING:
    import redis.asyncio as redis


class SharedState:
    """Builds each piece of shared state for one app, and closes what it opened."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.redis_url.get_secret_value() if settings.redis_url else None
        self._client: redis.Redis | None = None
        self._closers: list[Callable[[], Awaitable[Any]]] = []

    def _redis(self) -> redis.Redis:
        # One client (and its pool) for the persisted queries and the refresh lock.
        if self._client is None:
            import redis.asyncio as redis

            assert self._url is not None
            self._client = redis.Redis.from_url(self._url)
            self._closers.append(self._client.aclose)
        return self._client

    def persisted_queries(self, max_entries: int) -> PersistedQueryStore:
        if self._url is None:
            return MemoryPersistedQueries(max_entries)
        from gql.persisted_queries_redis import RedisPersistedQueries

        return RedisPersistedQueries(self._redis())

    def rate_limiter(self) -> RateLimiter:
        if self._url is None:
            return RateLimiter()
        from providers.ratelimit_redis import RedisRateLimiter

        limiter = RedisRateLimiter(self._url)
        self._closers.append(limiter.close)
        return limiter

    def refresh_lock(self, engine: AsyncEngine) -> RefreshLock:
        """Single-flight token refresh: in Redis, under a PostgreSQL advisory lock, or (SQLite,
        one process) within this process."""
        if self._url is not None:
            from providers.oauth.redis_lock import RedisRefreshLock

            return RedisRefreshLock(self._redis())
        if engine.dialect.name == "postgresql":
            return PostgresRefreshLock(engine)
        return MemoryRefreshLock()

    async def close(self) -> None:
        while self._closers:
            await self._closers.pop()()
        self._client = None
