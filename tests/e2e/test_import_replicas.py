"""Two ``crmgraph serve`` replicas on one PostgreSQL database: the replica that runs an import
is killed with SIGKILL mid-window; once the job's heartbeat is older than the lease, saq's sweep
queues it again and the other replica takes it up from the checkpoint, with nothing lost."""

from __future__ import annotations

import aiohttp

from gql.settings import Settings
from tests.e2e.test_import_queue import saq_job
from tests.harness import Api
from tests.imports import (
    SMALL_BATCHES,
    SMALL_WINDOW,
    finished,
    import_until_held,
    sent_pairs,
)
from tests.serve import Server, server_env


async def test_a_dead_replicas_import_is_taken_over(postgres_url, hubspot):
    state = hubspot.state
    pairs = [(str(c), str(co)) for c in range(1, 51) for co in range(1001, 1101)]
    env = server_env(postgres_url, hubspot.url, CRMGRAPH_IMPORT_LEASE_SECONDS="2", **SMALL_BATCHES)
    doomed = await Server.start(env)
    async with doomed, aiohttp.ClientSession(base_url=doomed.url) as session:
        # Calls of 100 forced, so that there are 50 of them. The 20th batch create is written,
        # then its reply held while its replica dies.
        job_id = await import_until_held(Api(session), state, pairs, 20)  # type: ignore[arg-type]
        # Started while the first runs the job (and touches its heartbeat): it must not take it.
        survivor = await Server.start(env)
        await doomed.kill()
    state.release_held()
    async with survivor, aiohttp.ClientSession(base_url=survivor.url) as session:
        done = await finished(Api(session), job_id)  # type: ignore[arg-type]
    assert done["status"] == "COMPLETE"
    assert (done["total"], done["succeeded"], done["failed"]) == (5000, 5000, 0)
    stored = {(r.from_id, r.to_id) for r in state.associations if r.from_type == "contacts"}
    assert stored == set(pairs)
    sent = sent_pairs(state)
    # Only the dead replica's window in flight went out twice.
    assert 0 < len(sent) - len(pairs) <= SMALL_WINDOW
    record = await saq_job(Settings(database_url=postgres_url), job_id)
    assert (record.status, record.attempts) == ("complete", 2)  # swept once, run again
