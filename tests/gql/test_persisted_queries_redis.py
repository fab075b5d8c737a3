"""Persisted queries in Redis: a document stored through one replica runs on another."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import redis.asyncio as redis

from gql.persisted_queries import sha256_hex
from gql.persisted_queries_redis import RedisPersistedQueries
from tests.harness import KEYS, make_settings, serve


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


async def test_a_replica_runs_a_hash_another_replica_was_taught(
    tmp_path: Path, redis_url: str
) -> None:
    query = "query Integrations { crmIntegrations { id } }"
    hashed = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}
    headers = {"Authorization": f"Bearer {KEYS['acme']}"}
    replicas = [
        await serve(make_settings(str(tmp_path / f"db{i}.sqlite"), redis_url=redis_url))
        for i in range(2)
    ]
    try:
        taught = await replicas[0].post(
            "/graphql", json={"query": query, "extensions": hashed}, headers=headers
        )
        assert (await taught.json()) == {"data": {"crmIntegrations": []}}
        by_hash = await replicas[1].post("/graphql", json={"extensions": hashed}, headers=headers)
        assert (await by_hash.json()) == {"data": {"crmIntegrations": []}}
    finally:
        for replica in replicas:
            await replica.close()
