"""Persisted queries in Redis, shared by every replica (``CRMGRAPH_REDIS_URL``).

Implements ``gql.persisted_queries.PersistedQueryStore`` (``get``/``put`` by sha256). A
document a client registered on one replica runs by its hash on any other. Each document is
kept ``ttl`` after its last use (``GETEX`` renews it), so unused ones leave by themselves;
the hash is checked against the text before ``put`` is called, so a key names its document.
"""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as redis

PREFIX = "crmgraph:pq"
DEFAULT_TTL = timedelta(days=7)


class RedisPersistedQueries:
    def __init__(self, client: redis.Redis, *, ttl: timedelta = DEFAULT_TTL) -> None:
        self._client = client
        self._ttl = ttl

    async def get(self, sha256: str) -> str | None:
        value = await self._client.getex(f"{PREFIX}:{sha256}", ex=self._ttl)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def put(self, sha256: str, query: str) -> None:
        await self._client.set(f"{PREFIX}:{sha256}", query.encode(), ex=self._ttl)
