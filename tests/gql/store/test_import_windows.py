"""The largest window an import takes (MAX_WINDOW) goes through the store in one go on both
databases: read, marked SENT and recorded, each a single statement's worth of positions."""

from __future__ import annotations

from gql.imports.creation import MAX_WINDOW
from gql.imports.model import ImportItem, ItemState, Outcome
from gql.store.imports import ImportStore
from tests.gql.store.conftest import Database


async def test_the_largest_window_is_read_marked_and_recorded_whole(database: Database) -> None:
    _, sessions = database
    store = ImportStore(sessions)
    items = [ImportItem(n, str(1 + n), "1001", "t") for n in range(MAX_WINDOW + 1)]
    job = await store.create("acme", "00000000-0000-4000-8000-000000000001", "a", "b", items)
    assert await store.start(job.id, "run-a")
    window = await store.window(job.id, 0, MAX_WINDOW)
    assert [i.position for i in window] == list(range(MAX_WINDOW))
    await store.mark_sent(job.id, [i.position for i in window])
    sent = await store.window(job.id, 0, MAX_WINDOW + 1)
    assert {i.state for i in sent[:MAX_WINDOW]} == {ItemState.SENT}
    assert sent[-1].state is ItemState.PENDING
    outcomes = [Outcome(i.position) for i in window[1:]] + [Outcome(0, "OBJECT_NOT_FOUND", "no")]
    assert await store.record(job.id, "run-a", outcomes, MAX_WINDOW)
    moved = await store.job(job.id)
    assert (moved.processed, moved.succeeded, moved.failed, moved.next_position) == (
        MAX_WINDOW,
        MAX_WINDOW - 1,
        1,
        MAX_WINDOW,
    )
    [rest] = await store.window(job.id, moved.next_position, MAX_WINDOW)
    assert (rest.position, rest.state) == (MAX_WINDOW, ItemState.PENDING)
