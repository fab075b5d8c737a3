"""Idempotency claims on SQLite and PostgreSQL: one call per key, however many replicas."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gql.store.idempotency import IdempotencyStore, InProgress, KeyReused
from tests.gql.store.conftest import Database

DAY = timedelta(days=1)


class Provider:
    """A call that counts itself, and can be held until the test lets it answer."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.release.set()
        self.started = asyncio.Event()

    async def __call__(self) -> dict[str, int]:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        return {"call": self.calls}


async def test_a_repeat_answers_the_first_result_without_a_call(database: Database) -> None:
    store = IdempotencyStore(database[1], DAY)
    provider = Provider()
    first = await store.run("t", "k", "print", dict[str, int], provider)
    again = await store.run("t", "k", "print", dict[str, int], provider)
    assert first == again == {"call": 1}
    assert provider.calls == 1
    other_tenant = await store.run("u", "k", "print", dict[str, int], provider)
    assert other_tenant == {"call": 2}


async def test_the_key_with_another_input_is_refused(database: Database) -> None:
    store = IdempotencyStore(database[1], DAY)
    provider = Provider()
    await store.run("t", "k", "print", dict[str, int], provider)
    with pytest.raises(KeyReused):
        await store.run("t", "k", "another", dict[str, int], provider)
    assert provider.calls == 1


async def test_replicas_racing_for_one_key_call_the_provider_once(
    database: Database, replica: Any
) -> None:
    """Three replicas (engines of their own), 12 requests at once: one call, one answer."""
    stores = [IdempotencyStore(await replica(), DAY) for _ in range(3)]
    provider = Provider()
    provider.release.clear()
    runs = [
        asyncio.create_task(stores[i % 3].run("t", "k", "p", dict[str, int], provider))
        for i in range(12)
    ]
    await provider.started.wait()
    provider.release.set()
    answers = await asyncio.gather(*runs)
    assert provider.calls == 1
    assert answers == [{"call": 1}] * 12


async def test_a_failed_call_gives_the_key_up(database: Database) -> None:
    store = IdempotencyStore(database[1], DAY)

    async def fails() -> dict[str, int]:
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError):
        await store.run("t", "k", "p", dict[str, int], fails)
    provider = Provider()
    assert await store.run("t", "k", "p", dict[str, int], provider) == {"call": 1}


async def test_a_repeat_waits_then_answers_in_progress(database: Database, replica: Any) -> None:
    holder = IdempotencyStore(database[1], DAY)
    waiter = IdempotencyStore(await replica(), DAY, wait=timedelta(seconds=0.1))
    provider = Provider()
    provider.release.clear()
    first = asyncio.create_task(holder.run("t", "k", "p", dict[str, int], provider))
    await provider.started.wait()
    with pytest.raises(InProgress) as refused:
        await waiter.run("t", "k", "p", dict[str, int], provider)
    assert refused.value.retry_after >= 1.0
    provider.release.set()
    assert await first == {"call": 1}
    assert await waiter.run("t", "k", "p", dict[str, int], provider) == {"call": 1}
    assert provider.calls == 1


async def test_a_dead_claimers_key_is_taken_over_after_its_lease(
    database: Database, replica: Any
) -> None:
    """A claimer that never answers (a crashed replica) holds the key for its lease only; if
    it answers after all, the answer of the one that took over stays."""
    crashed = IdempotencyStore(database[1], DAY, lease=timedelta(0))  # over at once
    survivor = IdempotencyStore(await replica(), DAY)
    stuck = Provider()
    stuck.release.clear()
    late = asyncio.create_task(crashed.run("t", "k", "p", dict[str, int], stuck))
    await stuck.started.wait()
    provider = Provider()
    assert await survivor.run("t", "k", "p", dict[str, int], provider) == {"call": 1}
    stuck.release.set()
    await late
    assert await survivor.run("t", "k", "p", dict[str, int], provider) == {"call": 1}
    assert provider.calls == 1


async def test_purge_deletes_expired_rows_only(database: Database) -> None:
    engine, sessions = database
    short = IdempotencyStore(sessions, timedelta(0))  # expired as soon as answered
    kept = IdempotencyStore(sessions, DAY)
    for key in ("a", "b"):
        await short.run("t", key, "p", dict[str, int], Provider())
    await kept.run("t", "c", "p", dict[str, int], Provider())
    assert await kept.purge_expired() == 2
    async with engine.connect() as conn:
        keys = (await conn.execute(text("SELECT key FROM idempotency_records"))).scalars()
        assert list(keys) == ["c"]
        if engine.dialect.name == "postgresql":
            await conn.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(
                (
                    await conn.execute(
                        text("EXPLAIN DELETE FROM idempotency_records WHERE expires_at <= now()")
                    )
                ).scalars()
            )
            assert "ix_idempotency_records_expires_at" in plan
