"""Where import jobs wait to be run, and who runs them.

The job's row in the database is the truth (its items, its checkpoint); a queue only decides
which process runs it and when. Two kinds:

* ``LocalQueue``: the embedded SQLite default serves one process, so its jobs run in that
  process as asyncio tasks, and resume from their checkpoints at its next start.
* ``EngineQueue``: with PostgreSQL (or, on SQLite, Redis) configured, jobs go on a saq queue
  there, and whichever replica's worker dequeues one runs it. A running job's heartbeat is
  touched every third of ``import_lease_seconds``; when a replica dies its job stops being
  touched, saq's sweep (one replica at a time) finds it stuck and queues it again, and another
  replica takes it up from its checkpoint. A replica that stops cleanly hands its jobs back at
  once. The queue is kept on PostgreSQL when there is one, even beside Redis: beside the jobs'
  own rows, as durable as their checkpoints.

Why saq: one well-kept asyncio queue with both a PostgreSQL and a Redis backend (procrastinate
is PostgreSQL only, taskiq needs a broker package per backend); job keys make a second enqueue
of a job already waiting or running a no-op; stuck jobs are swept by heartbeat; it creates and
migrates its own tables (``saq_*``) under an advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import make_url

from gql.settings import Settings

if TYPE_CHECKING:
    import saq
    from saq.types import Context, PartialTimersDict

log = logging.getLogger(__name__)

Run = Callable[[str], Awaitable[None]]

QUEUE_NAME = "crmgraph-imports"
_FUNCTION = "run_import"
# A job is queued again after each crash of the replica running it, up to this many times; a
# job past it is queued again by the next check for unfinished jobs (ImportRunner.resume).
_ATTEMPTS = 100


class JobQueue(Protocol):
    async def start(self, run: Run) -> None:
        """Begin taking jobs; ``run(job_id)`` runs one from its checkpoint to its end."""

    async def submit(self, job_id: str) -> None:
        """Queue a job; a job already waiting or running stays as it is."""

    async def close(self) -> None:
        """Stop taking jobs; those running stop where they are and resume later."""


class LocalQueue:
    """Jobs as tasks of this process, at most ``concurrency`` running at once."""

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._run: Run | None = None

    async def start(self, run: Run) -> None:
        self._run = run

    async def submit(self, job_id: str) -> None:
        # Refused, not dropped, before start(): the runner logs it and its recheck resubmits.
        if self._run is None:
            raise RuntimeError("the local import queue is not started")
        if job_id not in self._tasks:
            self._tasks[job_id] = asyncio.create_task(self._one(job_id), name=f"import {job_id}")

    async def _one(self, job_id: str) -> None:
        assert self._run is not None
        try:
            async with self._slots:
                await self._run(job_id)
        finally:
            self._tasks.pop(job_id, None)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _StopIsNoNews(logging.Filter):
    """saq warns at every stop that its tasks outlived a grace period; with none (jobs are
    handed back at once, on purpose) that is the normal way to stop, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "shutdown grace period" not in record.getMessage()


_STOP_IS_NO_NEWS = _StopIsNoNews()


def _worker_class() -> type[saq.Worker[Context]]:
    import saq

    class Worker(saq.Worker["Context"]):
        # aiohttp's server owns SIGINT and SIGTERM: it stops the app, which stops the worker.
        SIGNALS: list[Any] = []

    return Worker


class EngineQueue:
    """Jobs on a saq queue that every replica's worker takes from (``concurrency`` 0: this
    replica only queues, others run)."""

    def __init__(self, queue: saq.Queue, *, concurrency: int, lease_seconds: float) -> None:
        self._queue = queue
        self._concurrency = concurrency
        # saq counts whole seconds.
        self._heartbeat = max(1, round(lease_seconds))
        self._touch_every = lease_seconds / 3
        self._worker: saq.Worker[Context] | None = None
        self._worker_task: asyncio.Task[None] | None = None

    async def start(self, run: Run) -> None:
        await self._queue.connect()
        if not self._concurrency:
            return

        async def run_import(ctx: Context, *, job_id: str) -> None:
            job = ctx["job"]
            touching = asyncio.create_task(self._touch(job), name=f"import {job_id} heartbeat")
            try:
                await run(job_id)
            finally:
                touching.cancel()
                await asyncio.gather(touching, return_exceptions=True)

        timers: PartialTimersDict = {
            "sweep": max(1, self._heartbeat // 3),  # stuck jobs are found within a third
            "abort": 5,  # imports are stopped by cancelAssociationImport, not saq's abort
            "schedule": 1,
            "worker_info": 10,
        }
        logging.getLogger("saq").addFilter(_STOP_IS_NO_NEWS)
        self._worker = _worker_class()(
            self._queue,
            functions=[(_FUNCTION, run_import)],
            concurrency=self._concurrency,
            timers=timers,
            # A stopping replica's jobs are queued again at once (saq retries a job its
            # worker cancelled), not after a heartbeat's wait.
            shutdown_grace_period_s=0,
        )
        self._worker_task = asyncio.create_task(self._worker.start(), name="import worker")

    async def _touch(self, job: saq.Job) -> None:
        while True:
            await asyncio.sleep(self._touch_every)
            try:
                await job.update()
            except Exception:  # the queue's database may be away for a moment
                log.warning("import %s: its heartbeat could not be written", job.key)

    async def submit(self, job_id: str) -> None:
        await self._queue.enqueue(
            _FUNCTION,
            key=job_id,
            job_id=job_id,
            timeout=0,  # an import runs as long as it needs; the heartbeat tells it is alive
            heartbeat=self._heartbeat,
            retries=_ATTEMPTS,
            ttl=3600,  # a finished saq job is kept an hour, then swept
        )

    async def close(self) -> None:
        if self._worker is not None:
            await self._worker.stop()
        if self._worker_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker_task
        await self._queue.disconnect()


def _psycopg_url(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://``) as libpq takes it."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


def engine_queue(settings: Settings) -> saq.Queue | None:
    """The saq queue on the settings' PostgreSQL, else their Redis; None when neither."""
    if settings.shared_database:
        from saq.queue.postgres import PostgresQueue

        return PostgresQueue(
            url=_psycopg_url(settings.database_url), name=QUEUE_NAME, min_size=1, max_size=4
        )
    if settings.redis_url is not None:
        from saq.queue.redis import RedisQueue

        return RedisQueue.from_url(settings.redis_url.get_secret_value(), name=QUEUE_NAME)
    return None


def job_queue(settings: Settings) -> JobQueue:
    """The queue the settings call for (see the module's docstring)."""
    concurrency = settings.import_jobs_per_replica
    if not concurrency and not settings.shared_database:
        raise ValueError("import_jobs_per_replica=0 needs PostgreSQL: no other process can run")
    queue = engine_queue(settings)
    if queue is None:
        return LocalQueue(concurrency)
    return EngineQueue(queue, concurrency=concurrency, lease_seconds=settings.import_lease_seconds)
