"""Runs an import job window by window, from its checkpoint to its end.

Which process runs a job is the queue's choice (gql/imports/queue.py): this process's tasks on
SQLite, a saq queue shared by every replica on PostgreSQL or Redis. At start-up, and every
``import_lease_seconds`` after, every job left PENDING or PROCESSING is submitted again (a no-op
for a job already queued or running), so a job whose queue entry was lost is still run.
Between windows the runner reads the job again: a cancel request stops it there, and a deleted
or disabled integration fails it.

Each run of a job writes its own token in the job's row first, and a window's outcomes are
recorded only while the row still holds that token: if a job were ever run twice at once (a
replica the queue took for dead), the older run stops at its next window and records nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence

from gql.errors import Code, provider_code
from gql.imports.creation import BatchCreation, batch_creation
from gql.imports.model import ImportItem, ImportJob, ImportStatus, ItemState, Outcome
from gql.imports.queue import JobQueue
from gql.store.imports import ImportStore
from gql.store.integrations import IntegrationStore
from providers.base import HttpTransport
from providers.domain import BatchError, Pair, TypedPair
from providers.errors import ProviderError, UnsupportedProvider

log = logging.getLogger(__name__)

MISSING = "MISSING_FROM_REPLY"
UNKNOWN = "OUTCOME_UNKNOWN"
UNKNOWN_MESSAGE = (
    "in flight when the process running the import stopped; this CRM's create is not "
    "idempotent and whether it was written could not be read back, so it was not sent again"
)


def _typed(item: ImportItem) -> TypedPair:
    return TypedPair(item.from_id, item.to_id, item.type)


def outcomes_of(
    items: Sequence[ImportItem], done: set[Pair], errors: Sequence[BatchError]
) -> list[Outcome]:
    """Each sent item's outcome: a result, else the first error naming its pair."""
    reasons: dict[Pair, BatchError] = {}
    for error in errors:
        for pair in error.items:
            reasons.setdefault(pair, error)
    outcomes = []
    for item in items:
        pair = Pair(item.from_id, item.to_id)
        if pair in done:
            outcomes.append(Outcome(item.position))
        elif pair in reasons:
            error = reasons[pair]
            outcomes.append(
                Outcome(item.position, error.category or "UPSTREAM_ERROR", error.message)
            )
        else:  # the batch merge accounts for every input; kept so no item is ever dropped
            outcomes.append(Outcome(item.position, MISSING, "the provider did not answer it"))
    return outcomes


def _uncounted(status: str, count: int) -> None:
    return None


class ImportRunner:
    def __init__(
        self,
        store: ImportStore,
        integrations: IntegrationStore,
        transport: HttpTransport,
        queue: JobQueue,
        *,
        recheck_seconds: float = 30.0,
        count: Callable[[str, int], None] = _uncounted,
    ) -> None:
        self._queue = queue
        self._recheck_seconds = recheck_seconds
        self._keeper: asyncio.Task[None] | None = None
        # ``count("succeeded" | "failed", n)``: items as they get their outcome (the
        # crmgraph_import_items_total metric).
        self.count = count
        self._store = store
        self._integrations = integrations
        self._transport = transport
        # Wakes this process's subscribers when a job moves (others poll the database).
        self._changed: dict[str, asyncio.Event] = {}

    async def resume(self) -> None:
        """Start the queue, submit the jobs left unfinished, and keep doing so."""
        await self._queue.start(self._run)
        await self._submit_unfinished()
        self._keeper = asyncio.create_task(self._keep(), name="import recheck")

    async def _submit_unfinished(self) -> None:
        for id_ in await self._store.unfinished():
            await self._queue.submit(id_)

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._recheck_seconds)
            try:
                await self._submit_unfinished()
            except Exception:  # the database may be away for a moment: try again next time
                log.exception("unfinished imports could not be submitted")

    async def submit(self, id_: str) -> None:
        """Queue a stored job. Should the queue be away, the job is stored all the same and
        the next recheck (``import_lease_seconds``) submits it."""
        try:
            await self._queue.submit(id_)
        except Exception:
            log.exception("import %s could not be queued now; the next recheck will", id_)

    async def close(self) -> None:
        """Stop every job where it is: each resumes from its checkpoint."""
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        await self._queue.close()

    async def wait(self, id_: str, seconds: float) -> None:
        """Until the job moves in this process, or ``seconds``."""
        event = self._changed.setdefault(id_, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _count(self, succeeded: int, failed: int) -> None:
        for status, n in (("succeeded", succeeded), ("failed", failed)):
            if n:
                self.count(status, n)

    async def _fail(self, id_: str, run: str, code: str, message: str) -> None:
        failed = await self._store.finish(id_, run, ImportStatus.FAILED, code=code, message=message)
        self._count(0, failed)

    def _notify(self, id_: str) -> None:
        event = self._changed.pop(id_, None)
        if event is not None:
            event.set()

    async def _run(self, id_: str) -> None:
        run = str(uuid.uuid4())  # this run's token in the job's row
        try:
            await self._process(id_, run)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("import %s stopped on an unexpected error", id_)
            await self._fail(
                id_,
                run,
                Code.INTERNAL_SERVER_ERROR.value,
                "the import stopped on an unexpected error",
            )
        finally:
            self._notify(id_)

    async def _process(self, id_: str, run: str) -> None:
        if not await self._store.start(id_, run):
            return  # final already
        self._notify(id_)
        while True:
            job = await self._store.job(id_)
            if job.status.final or job.run_id != run:
                return  # done, or a later run of the job holds it
            if job.cancel_requested:
                await self._store.finish(id_, run, ImportStatus.CANCELED)
                return
            creation = await self._creation(job, run)
            if creation is None:
                return
            window = await self._store.window(id_, job.next_position, creation.window)
            if not window:
                await self._store.finish(id_, run, ImportStatus.COMPLETE)
                return
            try:
                outcomes = await self._send(job, creation, window)
            except ProviderError as exc:
                # Not about the items (credentials refused, the daily quota spent): every
                # item not yet decided is reported with the reason.
                await self._fail(id_, run, provider_code(exc).value, exc.message)
                return
            if not await self._store.record(id_, run, outcomes, window[-1].position + 1):
                return
            failed = sum(1 for o in outcomes if o.code is not None)
            self._count(len(outcomes) - failed, failed)
            self._notify(id_)

    async def _creation(self, job: ImportJob, run: str) -> BatchCreation | None:
        found = (await self._integrations.connections(job.tenant, [job.integration_id])).get(
            job.integration_id
        )
        failure: tuple[Code, str] | None = None
        if found is None:
            failure = (Code.NOT_FOUND, "the integration was deleted")
        elif not found[0].is_enabled:
            failure = (Code.INTEGRATION_DISABLED, "the integration was disabled")
        else:
            try:
                return batch_creation(self._transport, found)
            except UnsupportedProvider as exc:
                failure = (Code.UNSUPPORTED_PROVIDER, exc.message)
        await self._fail(job.id, run, failure[0].value, failure[1])
        return None

    async def _send(
        self, job: ImportJob, creation: BatchCreation, window: Sequence[ImportItem]
    ) -> list[Outcome]:
        todo = [i for i in window if i.state in (ItemState.PENDING, ItemState.SENT)]
        outcomes: list[Outcome] = []
        in_flight = [i for i in todo if i.state is ItemState.SENT]
        if in_flight and not creation.idempotent:
            # The window in flight at a crash: what the provider already holds is not sent
            # again, so a create that is not idempotent never writes an item twice.
            try:
                existing = await creation.existing(
                    job.from_type, job.to_type, [_typed(i) for i in in_flight]
                )
            except ProviderError:
                log.warning("import %s: the window in flight could not be read back", job.id)
                existing = None
            if existing is None:
                # Nothing can tell whether these were written: reported, never sent twice.
                settled = {i.position for i in in_flight}
                outcomes += [Outcome(p, UNKNOWN, UNKNOWN_MESSAGE) for p in sorted(settled)]
            else:
                settled = {i.position for i in in_flight if _typed(i) in existing}
                outcomes += [Outcome(p) for p in sorted(settled)]
            todo = [i for i in todo if i.position not in settled]
        if not todo:
            return outcomes
        if not creation.idempotent:
            # Only a create that must not be repeated needs to know, after a crash, what may
            # have gone out; an idempotent one is simply sent again (one commit saved a window).
            await self._store.mark_sent(
                job.id, [i.position for i in todo if i.state is ItemState.PENDING]
            )
        batch = await creation.create(job.from_type, job.to_type, [_typed(i) for i in todo])
        done = {Pair(r.from_id, r.to_id) for r in batch.results}
        return outcomes + outcomes_of(todo, done, batch.errors)
