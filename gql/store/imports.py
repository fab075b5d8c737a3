"""Import jobs and their items in SQL: the checkpoint every resume starts from.

Each window's outcomes and the job's ``next_position`` change in one transaction, so after a
crash the database says exactly which items are decided; items marked SENT past the checkpoint
are the window that was in flight.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gql.imports.model import ImportItem, ImportJob, ImportStatus, ItemState, Outcome
from gql.store.db import ImportItemRow, ImportJobRow

_LIVE = [ImportStatus.PENDING.value, ImportStatus.PROCESSING.value]
_INSERT_ROWS = 10_000  # items per INSERT statement: SQLite's bound-parameter limit is far off
_MESSAGE = 1000


def _parse_id(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def _job(row: ImportJobRow) -> ImportJob:
    return ImportJob(
        id=row.id,
        tenant=row.tenant,
        integration_id=row.integration_id,
        from_type=row.from_type,
        to_type=row.to_type,
        status=ImportStatus(row.status),
        total=row.total,
        processed=row.processed,
        succeeded=row.succeeded,
        failed=row.failed,
        next_position=row.next_position,
        cancel_requested=row.cancel_requested,
        created_at=_utc(row.created_at) or row.created_at,
        started_at=_utc(row.started_at),
        completed_at=_utc(row.completed_at),
        error_code=row.error_code,
        error_message=row.error_message,
        run_id=row.run_id,
    )


def _item(row: ImportItemRow) -> ImportItem:
    return ImportItem(
        position=row.position,
        from_id=row.from_id,
        to_id=row.to_id,
        type=row.type,
        line=row.line,
        state=ItemState(row.state),
        code=row.code,
        message=row.message,
    )


class ImportStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self,
        tenant: str,
        integration_id: str,
        from_type: str,
        to_type: str,
        items: Sequence[ImportItem],
    ) -> ImportJob:
        """Store a job and every item (refused ones already FAILED) before anyone runs it."""
        refused = sum(1 for i in items if i.state is ItemState.FAILED)
        row = ImportJobRow(
            id=str(uuid.uuid4()),
            tenant=tenant,
            integration_id=integration_id,
            from_type=from_type,
            to_type=to_type,
            status=ImportStatus.PENDING.value,
            total=len(items),
            processed=refused,
            succeeded=0,
            failed=refused,
            next_position=0,
            cancel_requested=False,
            created_at=datetime.now(UTC),
        )
        async with self._sessions.begin() as session:
            session.add(row)
            await session.flush()
            for start in range(0, len(items), _INSERT_ROWS):
                await session.execute(
                    insert(ImportItemRow),
                    [
                        {
                            "job_id": row.id,
                            "position": i.position,
                            "line": i.line,
                            "from_id": i.from_id,
                            "to_id": i.to_id,
                            "type": i.type,
                            "state": int(i.state),
                            "code": i.code,
                            "message": i.message,
                        }
                        for i in items[start : start + _INSERT_ROWS]
                    ],
                )
        return _job(row)

    async def get(self, tenant: str, id_: str) -> ImportJob | None:
        """The tenant's job; another tenant's id is as unknown as a made-up one."""
        key = _parse_id(id_)
        if key is None:
            return None
        async with self._sessions() as session:
            row = await session.get(ImportJobRow, key)
        return _job(row) if row is not None and row.tenant == tenant else None

    async def job(self, id_: str) -> ImportJob:
        async with self._sessions() as session:
            row = await session.get(ImportJobRow, id_)
        assert row is not None, id_
        return _job(row)

    async def unfinished(self) -> list[str]:
        """Jobs not final, oldest first."""
        async with self._sessions() as session:
            ids = await session.scalars(
                select(ImportJobRow.id)
                .where(ImportJobRow.status.in_(_LIVE))
                .order_by(ImportJobRow.created_at)
            )
            return list(ids)

    async def start(self, id_: str, run: str) -> bool:
        """Hand the job to ``run`` (a later run of a job takes it from an earlier one);
        False when the job is final."""
        now = datetime.now(UTC)
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(ImportJobRow)
                .where(ImportJobRow.id == id_, ImportJobRow.status.in_(_LIVE))
                .values(
                    status=ImportStatus.PROCESSING.value,
                    started_at=func.coalesce(ImportJobRow.started_at, now),
                    run_id=run,
                )
            )
        return bool(getattr(result, "rowcount", 0))

    async def window(self, id_: str, start: int, size: int) -> list[ImportItem]:
        """The next ``size`` items from the checkpoint on, in input order."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ImportItemRow)
                .where(ImportItemRow.job_id == id_, ImportItemRow.position >= start)
                .order_by(ImportItemRow.position)
                .limit(size)
            )
            return [_item(r) for r in rows]

    async def mark_sent(self, id_: str, positions: Iterable[int]) -> None:
        """Committed before the call: after a crash these are the items that may have been
        written."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(ImportItemRow)
                .where(ImportItemRow.job_id == id_, ImportItemRow.position.in_(list(positions)))
                .values(state=int(ItemState.SENT))
            )

    async def record(
        self, id_: str, run: str, outcomes: Sequence[Outcome], next_position: int
    ) -> bool:
        """A window's outcomes, its counters and the new checkpoint, all or nothing; False
        (nothing written) when ``run`` no longer holds the job."""
        ok = [o.position for o in outcomes if o.code is None]
        failed = [o for o in outcomes if o.code is not None]
        async with self._sessions.begin() as session:
            held = await session.execute(
                update(ImportJobRow)
                .where(ImportJobRow.id == id_, ImportJobRow.run_id == run)
                .values(
                    processed=ImportJobRow.processed + len(outcomes),
                    succeeded=ImportJobRow.succeeded + len(ok),
                    failed=ImportJobRow.failed + len(failed),
                    next_position=next_position,
                )
            )
            if not getattr(held, "rowcount", 0):
                return False
            if ok:
                await session.execute(
                    update(ImportItemRow)
                    .where(ImportItemRow.job_id == id_, ImportItemRow.position.in_(ok))
                    .values(state=int(ItemState.SUCCEEDED))
                )
            if failed:
                await session.execute(
                    update(ImportItemRow),
                    [
                        {
                            "job_id": id_,
                            "position": o.position,
                            "state": int(ItemState.FAILED),
                            "code": o.code,
                            "message": (o.message or "")[:_MESSAGE],
                        }
                        for o in failed
                    ],
                )
        return True

    async def finish(
        self,
        id_: str,
        run: str,
        status: ImportStatus,
        *,
        code: str | None = None,
        message: str | None = None,
    ) -> int:
        """End a job, if ``run`` still holds it. A FAILED job reports each item it did not get
        to with the reason; the answer is how many that were."""
        async with self._sessions.begin() as session:
            holder = await session.scalar(
                select(ImportJobRow.run_id).where(ImportJobRow.id == id_).with_for_update()
            )
            if holder != run:
                return 0
            undecided = 0
            if status is ImportStatus.FAILED:
                result = await session.execute(
                    update(ImportItemRow)
                    .where(
                        ImportItemRow.job_id == id_,
                        ImportItemRow.state.in_([int(ItemState.PENDING), int(ItemState.SENT)]),
                    )
                    .values(
                        state=int(ItemState.FAILED), code=code, message=(message or "")[:_MESSAGE]
                    )
                )
                undecided = int(getattr(result, "rowcount", 0) or 0)
            await session.execute(
                update(ImportJobRow)
                .where(ImportJobRow.id == id_)
                .values(
                    status=status.value,
                    completed_at=datetime.now(UTC),
                    error_code=code,
                    error_message=message[:_MESSAGE] if message else None,
                    processed=ImportJobRow.processed + undecided,
                    failed=ImportJobRow.failed + undecided,
                )
            )
        return undecided

    async def request_cancel(self, tenant: str, id_: str) -> ImportJob | None:
        job = await self.get(tenant, id_)
        if job is None or job.status.final:
            return job
        async with self._sessions.begin() as session:
            await session.execute(
                update(ImportJobRow).where(ImportJobRow.id == job.id).values(cancel_requested=True)
            )
        return await self.job(job.id)

    async def items(
        self, id_: str, state: ItemState, after: int, first: int
    ) -> tuple[list[ImportItem], bool]:
        """A page of the items in ``state`` past position ``after``, and whether more follow."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ImportItemRow)
                .where(
                    ImportItemRow.job_id == id_,
                    ImportItemRow.state == int(state),
                    ImportItemRow.position > after,
                )
                .order_by(ImportItemRow.position)
                .limit(first + 1)
            )
            found = [_item(r) for r in rows]
        return found[:first], len(found) > first
