"""The test services themselves: a real PostgreSQL and a real Redis, each test's own."""

from __future__ import annotations

import asyncpg
import redis.asyncio as redis
from sqlalchemy.engine import make_url


async def test_postgres_url_is_a_fresh_database(postgres_url: str) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "127.0.0.1"
    assert url.port != 5432
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string())
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        assert tables == 0
        assert await conn.fetchval("SELECT current_database()") == url.database
    finally:
        await conn.close()


async def test_redis_url_is_an_empty_database(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        assert await client.dbsize() == 0
        await client.set("k", "v")
        assert await client.get("k") == b"v"
        config = await client.config_get("save")
        assert config["save"] == ""
    finally:
        await client.aclose()
