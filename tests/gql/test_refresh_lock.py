"""The PostgreSQL advisory refresh lock: one holder per integration, across replicas."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gql.store.refresh_lock import PostgresRefreshLock, advisory_key

TRY = text("SELECT pg_try_advisory_lock(:key)")
UNLOCK = text("SELECT pg_advisory_unlock(:key)")
WAITING = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    try:  # tests/services.py's PostgreSQL, where the test set-up provides it
        url: str = request.getfixturevalue("postgres_url")
    except pytest.FixtureLookupError:
        pytest.skip("no postgres_url fixture (tests/services.py)")
    return url


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[list[AsyncEngine]]:
    engines = [create_async_engine(pg_url) for _ in range(2)]
    yield engines
    for engine in engines:
        await engine.dispose()


async def test_another_replica_cannot_take_an_integration_held(replicas):
    first, other = replicas
    async with PostgresRefreshLock(first).hold("int-a"), other.connect() as conn:
        assert await conn.scalar(TRY, {"key": advisory_key("int-a")}) is False
        # Another integration is not held up.
        assert await conn.scalar(TRY, {"key": advisory_key("int-b")}) is True
        await conn.execute(UNLOCK, {"key": advisory_key("int-b")})
    async with other.connect() as conn:  # released on the way out
        assert await conn.scalar(TRY, {"key": advisory_key("int-a")}) is True
        await conn.execute(UNLOCK, {"key": advisory_key("int-a")})


async def test_a_waiting_replica_goes_once_the_holder_is_done(replicas):
    first, second = (PostgresRefreshLock(e) for e in replicas)
    order: list[str] = []

    async def after() -> None:
        async with second.hold("int-a"):
            order.append("second")

    async with first.hold("int-a"):
        waiter = asyncio.create_task(after())
        async with replicas[0].connect() as conn:
            # Readiness, not timing: until the second replica's lock request is queued. The
            # state is in PostgreSQL (pg_locks), so there is no Event to await instead.
            while not await conn.scalar(WAITING):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        order.append("first")
    await waiter
    assert order == ["first", "second"]
