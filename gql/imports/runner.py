"""Runs import jobs in this process, window by window, from their checkpoint.

At start-up every job left PENDING or PROCESSING (its process stopped or crashed) is resumed;
a new job is submitted as soon as it is stored. Between windows the runner reads the job
again: a cancel request stops it there, and a deleted or disabled integration fails it.

A runner holds each job it runs by a lease in the job's row, renewed while it lives: on
PostgreSQL several replicas share the jobs, each job is run by one of them at a time, and the
jobs of a replica that stopped renewing are taken over by another within a lease. With SQLite
(one process per file) every unfinished job at start-up is this process's to take.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import timedelta

from gql.errors import Code, provider_code
from gql.imports.creation import BatchCreation, batch_creation
from gql.imports.model import ImportItem, ImportJob, ImportStatus, ItemState, Outcome
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
        *,
        lease: timedelta = timedelta(seconds=30),
        single_process: bool = True,
        count: Callable[[str, int], None] = _uncounted,
    ) -> None:
        self.id = str(uuid.uuid4())
        self._lease = lease
        self._single_process = single_process
        self._keeper: asyncio.Task[None] | None = None
        # ``count("succeeded" | "failed", n)``: items as they get their outcome (the
        # crmgraph_import_items_total metric).
        self.count = count
        self._store = store
        self._integrations = integrations
        self._transport = transport
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Wakes this process's subscribers when a job moves (others poll the database).
        self._changed: dict[str, asyncio.Event] = {}

    async def resume(self) -> None:
        """Take up the jobs left unfinished, then keep leases renewed and look for jobs whose
        runner stopped."""
        for id_ in await self._store.unfinished(held=self._single_process):
            self.submit(id_)
        self._keeper = asyncio.create_task(self._keep(), name="import leases")

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._lease.total_seconds() / 3)
            try:
                await self._store.renew(self.id, self._lease)
                for id_ in await self._store.unfinished(held=False):
                    self.submit(id_)
            except Exception:  # the database may be away for a moment: try again next time
                log.exception("import runner %s could not renew its leases", self.id)

    def submit(self, id_: str) -> None:
        if id_ not in self._tasks:
            self._tasks[id_] = asyncio.create_task(self._run(id_), name=f"import {id_}")

    async def close(self) -> None:
        """Stop every job where it is: each resumes from its checkpoint at the next start."""
        tasks = list(self._tasks.values()) + ([self._keeper] if self._keeper else [])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await self._store.release(self.id)
        except Exception:  # the leases then run out on their own
            log.exception("import runner %s could not release its jobs", self.id)

    async def wait(self, id_: str, seconds: float) -> None:
        """Until the job moves in this process, or ``seconds``."""
        event = self._changed.setdefault(id_, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _count(self, succeeded: int, failed: int) -> None:
        for status, n in (("succeeded", succeeded), ("failed", failed)):
            if n:
                self.count(status, n)

    async def _fail(self, id_: str, code: str, message: str) -> None:
        self._count(
            0, await self._store.finish(id_, ImportStatus.FAILED, code=code, message=message)
        )

    def _notify(self, id_: str) -> None:
        event = self._changed.pop(id_, None)
        if event is not None:
            event.set()

    async def _run(self, id_: str) -> None:
        try:
            await self._process(id_)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("import %s stopped on an unexpected error", id_)
            await self._fail(
                id_, Code.INTERNAL_SERVER_ERROR.value, "the import stopped on an unexpected error"
            )
        finally:
            self._tasks.pop(id_, None)
            self._notify(id_)

    async def _process(self, id_: str) -> None:
        if not await self._store.claim(id_, self.id, self._lease, force=self._single_process):
            return  # another replica's runner holds it
        await self._store.start(id_)
        self._notify(id_)
        while True:
            job = await self._store.job(id_)
            if job.status.final:
                return
            if job.cancel_requested:
                await self._store.finish(id_, ImportStatus.CANCELED)
                return
            creation = await self._creation(job)
            if creation is None:
                return
            window = await self._store.window(id_, job.next_position, creation.window)
            if not window:
                await self._store.finish(id_, ImportStatus.COMPLETE)
                return
            try:
                outcomes = await self._send(job, creation, window)
            except ProviderError as exc:
                # Not about the items (credentials refused, the daily quota spent): every
                # item not yet decided is reported with the reason.
                await self._fail(id_, provider_code(exc).value, exc.message)
                return
            await self._store.record(id_, outcomes, window[-1].position + 1)
            failed = sum(1 for o in outcomes if o.code is not None)
            self._count(len(outcomes) - failed, failed)
            self._notify(id_)

    async def _creation(self, job: ImportJob) -> BatchCreation | None:
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
        await self._fail(job.id, failure[0].value, failure[1])
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
