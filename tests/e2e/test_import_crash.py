"""A real ``crmgraph serve`` killed with SIGKILL mid-import, restarted on the same SQLite file:
the job resumes from its checkpoint, nothing is lost, and only the window in flight is sent
again (HubSpot's batch create is idempotent: the pairs it holds stay one each)."""

from __future__ import annotations

from collections import Counter

import aiohttp

from tests.harness import Api
from tests.imports import (
    SMALL_BATCHES,
    SMALL_WINDOW,
    finished,
    import_until_held,
    sent_pairs,
)
from tests.serve import Server, server_env


async def test_a_killed_server_resumes_its_import_with_nothing_lost(tmp_path, hubspot):
    state = hubspot.state
    pairs = [(str(c), str(co)) for c in range(1, 101) for co in range(1001, 1101)]
    env = server_env(tmp_path / "crmgraph.db", hubspot.url, **SMALL_BATCHES)

    first = await Server.start(env)
    async with first, aiohttp.ClientSession(base_url=first.url) as session:
        # Calls of 100 forced, so that there are 100 of them. The server dies with the 60th
        # written and its reply held: that window sent and not recorded.
        job_id = await import_until_held(Api(session), state, pairs, 60)  # type: ignore[arg-type]
        await first.kill()
    state.release_held()
    before = len(sent_pairs(state))
    assert 0 < before < len(pairs)

    second = await Server.start(env)
    async with second, aiohttp.ClientSession(base_url=second.url) as session:
        done = await finished(Api(session), job_id)  # type: ignore[arg-type]
    assert done["status"] == "COMPLETE"
    assert (done["total"], done["succeeded"], done["failed"]) == (10_000, 10_000, 0)
    stored = {(r.from_id, r.to_id) for r in state.associations if r.from_type == "contacts"}
    assert stored == set(pairs)
    sent = Counter(sent_pairs(state))
    assert set(sent) == set(pairs)
    again = sorted(pairs.index(p) for p, n in sent.items() if n > 1)
    assert all(n <= 2 for n in sent.values())
    # Only the window in flight (batch_concurrency calls of 100) went out twice: one run.
    assert 0 < len(again) <= SMALL_WINDOW
    assert again == list(range(again[0], again[0] + len(again)))
