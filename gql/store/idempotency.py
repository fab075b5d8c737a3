"""Idempotency keys: a repeated mutation with the same key and input answers the first result
without calling the provider again; the same key with another input is refused."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gql.store.db import IdempotencyRow

T = TypeVar("T")


class KeyReused(Exception):
    """The key was used before with a different operation or input."""


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


class IdempotencyStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: timedelta) -> None:
        self._sessions = sessions
        self._ttl = ttl
        # One run at a time per key in this process: a concurrent repeat waits for the first.
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def run(
        self,
        tenant: str,
        key: str,
        print_: str,
        result_type: type[T] | Any,
        call: Callable[[], Awaitable[T]],
    ) -> T:
        codec: TypeAdapter[T] = TypeAdapter(result_type)
        lock = self._locks.setdefault((tenant, key), asyncio.Lock())
        try:
            async with lock:
                now = datetime.now(UTC)
                async with self._sessions() as session:
                    row = await session.get(IdempotencyRow, (tenant, key))
                if row is not None and _utc(row.expires_at) > now:
                    if row.fingerprint != print_:
                        raise KeyReused(key)
                    return codec.validate_json(row.response)
                result = await call()  # failures are not stored: a retry runs again
                async with self._sessions.begin() as session:
                    await session.merge(
                        IdempotencyRow(
                            tenant=tenant,
                            key=key,
                            fingerprint=print_,
                            response=codec.dump_json(result),
                            expires_at=now + self._ttl,
                        )
                    )
                    await session.execute(
                        delete(IdempotencyRow).where(IdempotencyRow.expires_at < now)
                    )
                return result
        finally:
            if not lock.locked():
                self._locks.pop((tenant, key), None)
