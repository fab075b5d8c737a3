"""The Redis refresh lock: one holder at a time per integration, across replicas."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from providers.oauth.redis_lock import RedisRefreshLock


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[list[redis.Redis]]:
    made = [redis.Redis.from_url(redis_url) for _ in range(2)]  # two replicas' connections
    yield made
    for client in made:
        await client.aclose()


async def test_one_holder_at_a_time_per_integration(clients: list[redis.Redis]) -> None:
    locks = [RedisRefreshLock(c) for c in clients]
    holding: set[int] = set()
    overlaps: list[set[int]] = []

    async def refresh(i: int) -> None:
        async with locks[i % 2].hold("int-1"):
            holding.add(i)
            overlaps.append(set(holding))
            await asyncio.sleep(0)  # let the others try while this one holds
            holding.discard(i)

    await asyncio.gather(*(refresh(i) for i in range(10)))
    assert len(overlaps) == 10
    assert all(len(o) == 1 for o in overlaps)


async def test_other_integrations_do_not_wait(clients: list[redis.Redis]) -> None:
    a, b = RedisRefreshLock(clients[0]), RedisRefreshLock(clients[1], wait=0.1)
    async with a.hold("int-1"):
        async with b.hold("int-2"):
            pass
        with pytest.raises(TimeoutError):
            async with b.hold("int-1"):
                pass


async def test_a_dead_holders_lock_expires(clients: list[redis.Redis]) -> None:
    """A holder that never releases (a crashed replica) blocks others for ``timeout`` only."""
    crashed = clients[0].lock("crmgraph:refresh:int-1", timeout=0.2)
    assert await crashed.acquire()
    async with RedisRefreshLock(clients[1], wait=5).hold("int-1"):
        assert await clients[1].get("crmgraph:refresh:int-1") is not None
