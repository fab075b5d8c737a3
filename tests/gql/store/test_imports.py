"""The import store on SQLite and PostgreSQL: a job, its window, outcomes and the checkpoint."""

from __future__ import annotations

from gql.imports.model import ImportItem, ImportStatus, ItemState, Outcome
from gql.store.imports import ImportStore
from tests.gql.store.conftest import Database

ITEMS = [
    ImportItem(0, "1", "1001", "t", line=2),
    ImportItem.refused(1, "BAD_ROW", "the row has 1 cell", "x", line=3),
    ImportItem(2, "2", "1002", "t", line=4),
    ImportItem(3, "3", "1003", "t", line=5),
]


async def test_a_job_moves_window_by_window(database: Database) -> None:
    _, sessions = database
    store = ImportStore(sessions)
    job = await store.create("acme", "00000000-0000-4000-8000-000000000001", "a", "b", ITEMS)
    assert (job.status, job.total, job.processed, job.failed) == (ImportStatus.PENDING, 4, 1, 1)
    assert await store.get("globex", job.id) is None  # another tenant's id: unknown
    assert await store.get("acme", "not-a-uuid") is None
    assert await store.unfinished() == [job.id]

    assert await store.start(job.id, "run-a")
    window = await store.window(job.id, 0, 3)
    assert [(i.position, i.state) for i in window] == [
        (0, ItemState.PENDING),
        (1, ItemState.FAILED),
        (2, ItemState.PENDING),
    ]
    await store.mark_sent(job.id, [0, 2])
    sent = await store.window(job.id, 0, 3)
    assert [i.state for i in sent] == [ItemState.SENT, ItemState.FAILED, ItemState.SENT]
    assert await store.record(
        job.id, "run-a", [Outcome(0), Outcome(2, "OBJECT_NOT_FOUND", "no 2")], 3
    )
    moved = await store.job(job.id)
    assert (moved.status, moved.processed, moved.succeeded, moved.failed) == (
        ImportStatus.PROCESSING,
        3,
        1,
        2,
    )
    assert moved.next_position == 3
    assert [i.position for i in await store.window(job.id, moved.next_position, 3)] == [3]

    canceled = await store.request_cancel("acme", job.id)
    assert canceled is not None
    assert canceled.cancel_requested
    # A FAILED job reports what it did not get to: item 3.
    assert (
        await store.finish(
            job.id, "run-a", ImportStatus.FAILED, code="UNAUTHENTICATED", message="m"
        )
        == 1
    )
    done = await store.job(job.id)
    assert (done.status, done.processed, done.failed, done.error_code) == (
        ImportStatus.FAILED,
        4,
        3,
        "UNAUTHENTICATED",
    )
    assert done.completed_at is not None
    assert await store.unfinished() == []

    failed, more = await store.items(job.id, ItemState.FAILED, -1, 2)
    assert ([i.position for i in failed], more) == ([1, 2], True)
    rest, more = await store.items(job.id, ItemState.FAILED, failed[-1].position, 2)
    assert ([(i.position, i.code) for i in rest], more) == ([(3, "UNAUTHENTICATED")], False)
    ok, _ = await store.items(job.id, ItemState.SUCCEEDED, -1, 10)
    assert [(i.position, i.line) for i in ok] == [(0, 2)]
    # A final job is not started again.
    assert not await store.start(job.id, "run-b")
    assert (await store.job(job.id)).status is ImportStatus.FAILED


async def test_a_later_run_takes_the_job_and_the_earlier_one_records_nothing(
    database: Database, replica
) -> None:
    """The queue should never run a job twice at once; if it did (a replica taken for dead),
    the run that started last holds the job and the other's writes are refused."""
    _, sessions = database
    mine, theirs = ImportStore(sessions), ImportStore(await replica())
    job = await mine.create("acme", "00000000-0000-4000-8000-000000000001", "a", "b", ITEMS)
    assert await mine.start(job.id, "run-a")
    assert await theirs.start(job.id, "run-b")
    assert (await mine.job(job.id)).run_id == "run-b"
    assert not await mine.record(job.id, "run-a", [Outcome(0)], 1)
    assert await mine.finish(job.id, "run-a", ImportStatus.FAILED, code="X", message="m") == 0
    untouched = await theirs.job(job.id)
    assert (untouched.status, untouched.processed, untouched.next_position) == (
        ImportStatus.PROCESSING,
        1,  # the refused row only
        0,
    )
    assert [i.state for i in await theirs.window(job.id, 0, 1)] == [ItemState.PENDING]
    assert await theirs.record(job.id, "run-b", [Outcome(0)], 1)
    assert await theirs.finish(job.id, "run-b", ImportStatus.COMPLETE) == 0
    assert (await mine.job(job.id)).status is ImportStatus.COMPLETE
