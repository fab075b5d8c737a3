"""Persisted queries in Redis: a document stored through one replica runs on another."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import redis.asyncio as redis

from gql.persisted_queries_redis import RedisPersistedQueries


async def test_stored_on_one_replica_found_on_another(redis_url: str) -> None:
    one, two = redis.Redis.from_url(redis_url), redis.Redis.from_url(redis_url)
    try:
        query = "{ crmIntegrations { id } }"
        sha = hashlib.sha256(query.encode()).hexdigest()
        first, second = RedisPersistedQueries(one), RedisPersistedQueries(two)
        assert await second.get(sha) is None
        await first.put(sha, query)
        assert await second.get(sha) == query
        ttl = await two.ttl(f"crmgraph:pq:{sha}")
        assert timedelta(days=6) < timedelta(seconds=ttl) <= timedelta(days=7)
    finally:
        await one.aclose()
        await two.aclose()
