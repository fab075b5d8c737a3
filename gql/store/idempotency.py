"""Idempotency keys: a repeated mutation with the same key and input answers the first result
without calling the provider again; the same key with another input is refused.

The key is claimed with a row in the database (insert-or-conflict on ``(tenant, key)``), so
however many replicas share the database, one of them calls the provider for a key:

* the claimer calls, then stores the answer in its row (kept ``ttl``); if the call fails the
  claim is given up, so a retry runs again;
* another request with the key waits for that answer (polling the row) for up to ``wait``,
  then gets ``InProgress`` (``IDEMPOTENCY_KEY_IN_PROGRESS``, with ``retryAfter``);
* a claimer that died (a replica crash) holds its key for ``lease`` at most: after that the
  next request takes the key over and calls the provider itself.

Expired rows are deleted by ``purge_expired`` (an indexed range delete, run periodically by
the app), and a request meeting one expired row simply replaces it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gql.store.db import IdempotencyRow

T = TypeVar("T")

_POLL_FIRST_SECONDS = 0.02
_POLL_MAX_SECONDS = 0.5


class KeyReused(Exception):
    """The key was used before with a different operation or input."""


class InProgress(Exception):
    """Another request holds the key and has not answered within the wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"in progress; retry after {retry_after:.1f} s")
        self.retry_after = retry_after


def fingerprint(operation: str, request: Any) -> str:
    def plain(value: Any) -> Any:
        if is_dataclass(value) and not isinstance(value, type):
            return asdict(value)
        if isinstance(value, Enum):
            return value.value
        return str(value)

    text = json.dumps([operation, request], default=plain, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Seen:
    """The row another request holds."""

    fingerprint: str
    response: bytes | None
    expires_at: datetime


class IdempotencyStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ttl: timedelta,
        *,
        lease: timedelta = timedelta(minutes=2),
        wait: timedelta = timedelta(seconds=10),
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._lease = lease
        self._wait = wait.total_seconds()

    async def run(
        self,
        tenant: str,
        key: str,
        print_: str,
        result_type: type[T] | Any,
        call: Callable[[], Awaitable[T]],
    ) -> T:
        codec: TypeAdapter[T] = TypeAdapter(result_type)
        claim = uuid.uuid4().hex
        give_up = time.monotonic() + self._wait
        poll = _POLL_FIRST_SECONDS
        while (seen := await self._claim(tenant, key, print_, claim)) is not None:
            if seen.fingerprint != print_:
                raise KeyReused(key)
            if seen.response is not None:
                return codec.validate_json(seen.response)
            if time.monotonic() >= give_up:
                lease_left = (seen.expires_at - datetime.now(UTC)).total_seconds()
                raise InProgress(max(min(lease_left, self._wait), 1.0))
            await asyncio.sleep(poll)  # the holder's answer is a row away: look again
            poll = min(poll * 2, _POLL_MAX_SECONDS)
        try:
            result = await call()
        except BaseException:
            # Failures are not stored: the claim goes, and a retry runs again.
            await asyncio.shield(self._release(tenant, key, claim))
            raise
        async with self._sessions.begin() as session:
            await session.execute(
                update(IdempotencyRow)
                .where(
                    IdempotencyRow.tenant == tenant,
                    IdempotencyRow.key == key,
                    IdempotencyRow.claim == claim,
                )
                .values(response=codec.dump_json(result), expires_at=self._now() + self._ttl)
            )
        return result

    async def _claim(self, tenant: str, key: str, print_: str, claim: str) -> _Seen | None:
        """Claim the key (``None``), or what holds it now."""
        now = self._now()
        async with self._sessions.begin() as session:
            # An expired answer, or the claim of a holder that died: replaced.
            await session.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.tenant == tenant,
                    IdempotencyRow.key == key,
                    IdempotencyRow.expires_at <= now,
                )
            )
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            inserted = await session.execute(
                dialect.insert(IdempotencyRow)
                .values(
                    tenant=tenant,
                    key=key,
                    fingerprint=print_,
                    claim=claim,
                    response=None,
                    expires_at=now + self._lease,
                )
                .on_conflict_do_nothing(index_elements=["tenant", "key"])
                .returning(IdempotencyRow.claim)
            )
            if inserted.scalar() is not None:
                return None
            row = (
                await session.execute(
                    select(
                        IdempotencyRow.fingerprint,
                        IdempotencyRow.response,
                        IdempotencyRow.expires_at,
                    ).where(IdempotencyRow.tenant == tenant, IdempotencyRow.key == key)
                )
            ).one_or_none()
        if row is None:  # given up between our insert and our read: try again
            return _Seen(print_, None, now)
        return _Seen(row.fingerprint, row.response, _utc(row.expires_at))

    async def _release(self, tenant: str, key: str, claim: str) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.tenant == tenant,
                    IdempotencyRow.key == key,
                    IdempotencyRow.claim == claim,
                    IdempotencyRow.response.is_(None),
                )
            )

    async def purge_expired(self) -> int:
        """Delete every expired row (one range delete on the ``expires_at`` index)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(IdempotencyRow).where(IdempotencyRow.expires_at <= self._now())
            )
        return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC)
