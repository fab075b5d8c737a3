"""Import jobs on the queue engine (saq): a job queued by one replica is run by another, a
replica that stops hands its job back at once, and on SQLite with Redis a killed process's job
is swept and run again from its checkpoint. Real ``crmgraph serve`` processes, real PostgreSQL
and Redis."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import aiohttp
from pydantic import SecretStr

from gql.imports.queue import engine_queue
from gql.settings import Settings
from tests.e2e.test_observability import scrape, value
from tests.harness import Api
from tests.imports import (
    SMALL_BATCHES,
    SMALL_WINDOW,
    csv_of,
    fast_hubspot,
    finished,
    import_until_held,
    sent_pairs,
    upload,
)
from tests.serve import Server, server_env

# Only turns a hang into a failure: every wait below ends on an event well before it.
BOUND = 120


async def saq_job(settings: Settings, job_id: str) -> Any:
    """The engine's own record of the job (status, attempts)."""
    queue = engine_queue(settings)
    assert queue is not None
    await queue.connect()
    try:
        return await queue.job(job_id)
    finally:
        await queue.disconnect()


def stored_pairs(state: Any) -> set[tuple[str, str]]:
    return {(r.from_id, r.to_id) for r in state.associations if r.from_type == "contacts"}


async def test_a_job_queued_by_one_replica_is_run_by_another(postgres_url, hubspot):
    pairs = [(str(c), str(co)) for c in range(1, 21) for co in range(1001, 1101)]
    front_env = server_env(postgres_url, hubspot.url, CRMGRAPH_IMPORT_JOBS_PER_REPLICA="0")
    front, worker = (
        await Server.start(front_env),
        await Server.start(server_env(postgres_url, hubspot.url)),
    )
    async with front, worker, aiohttp.ClientSession(base_url=front.url) as session:
        api = Api(session)  # type: ignore[arg-type]
        integration = await fast_hubspot(api)
        job = (await upload(api, integration, csv_of(pairs)))["data"]["startAssociationImport"]
        # Followed on the replica that runs nothing: its subscription reads the database.
        done = await asyncio.wait_for(finished(api, job["id"]), BOUND)
        assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 2000, 0)
        ran_here = value(await scrape(api), "crmgraph_import_items_total", status="succeeded")
        async with aiohttp.ClientSession(base_url=worker.url) as other:
            ran_there = value(
                await scrape(Api(other)),  # type: ignore[arg-type]
                "crmgraph_import_items_total",
                status="succeeded",
            )
    assert (ran_here, ran_there) == (0, 2000)
    assert stored_pairs(hubspot.state) == set(pairs)
    record = await saq_job(Settings(database_url=postgres_url), job["id"])
    assert (record.status, record.attempts) == ("complete", 1)


async def test_a_stopping_replica_hands_its_job_back_at_once(postgres_url, hubspot):
    """With a lease of ten minutes, only a hand-back lets the other replica finish in time."""
    state = hubspot.state
    pairs = [(str(c), str(co)) for c in range(1, 31) for co in range(1001, 1101)]
    env = server_env(
        postgres_url, hubspot.url, CRMGRAPH_IMPORT_LEASE_SECONDS="600", **SMALL_BATCHES
    )
    leaving = await Server.start(env)
    async with leaving, aiohttp.ClientSession(base_url=leaving.url) as session:
        job_id = await import_until_held(Api(session), state, pairs, 10)  # type: ignore[arg-type]
        staying = await Server.start(env)
        await leaving.stop()  # SIGTERM: a clean stop, its window in flight cut off
    state.release_held()
    async with staying, aiohttp.ClientSession(base_url=staying.url) as session:
        done = await asyncio.wait_for(finished(Api(session), job_id), BOUND)  # type: ignore[arg-type]
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 3000, 0)
    assert stored_pairs(state) == set(pairs)
    record = await saq_job(Settings(database_url=postgres_url), job_id)
    assert (record.status, record.attempts) == ("complete", 2)


async def test_on_sqlite_with_redis_a_killed_process_job_is_swept_and_run_again(
    tmp_path, redis_url, hubspot
):
    state = hubspot.state
    pairs = [(str(c), str(co)) for c in range(1, 31) for co in range(1001, 1101)]
    env = server_env(
        tmp_path / "crmgraph.db",
        hubspot.url,
        CRMGRAPH_REDIS_URL=redis_url,
        CRMGRAPH_IMPORT_LEASE_SECONDS="2",
        **SMALL_BATCHES,
    )
    first = await Server.start(env)
    async with first, aiohttp.ClientSession(base_url=first.url) as session:
        job_id = await import_until_held(Api(session), state, pairs, 10)  # type: ignore[arg-type]
        await first.kill()
    state.release_held()
    # Restarted: the job is still "active" in Redis; once its heartbeat is two seconds old
    # the sweep queues it again, and it goes on from its checkpoint.
    second = await Server.start(env)
    async with second, aiohttp.ClientSession(base_url=second.url) as session:
        done = await asyncio.wait_for(finished(Api(session), job_id), BOUND)  # type: ignore[arg-type]
    assert (done["status"], done["succeeded"], done["failed"]) == ("COMPLETE", 3000, 0)
    assert stored_pairs(state) == set(pairs)
    sent = Counter(sent_pairs(state))
    assert set(sent) == set(pairs)
    assert all(n <= 2 for n in sent.values())
    assert 0 < sum(1 for n in sent.values() if n == 2) <= SMALL_WINDOW  # the window in flight
    record = await saq_job(
        Settings(database_url="sqlite+aiosqlite://", redis_url=SecretStr(redis_url)), job_id
    )
    assert (record.status, record.attempts) == ("complete", 2)
