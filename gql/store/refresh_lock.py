"""Single-flight token refresh across replicas that share one PostgreSQL database.

``providers/oauth/lock.py`` defines ``RefreshLock``; this one holds a PostgreSQL session
advisory lock (``pg_advisory_lock``) per integration for as long as a refresh runs, on a
connection of its own, so the replica that waits re-reads the credentials only after the
holder stored the new ones. An in-process lock is taken first: one process keeps at most one
connection waiting per integration, and the holder's own store reads still find one free.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from providers.oauth.lock import MemoryRefreshLock


def advisory_key(integration_id: str) -> int:
    """A stable signed 64-bit key per integration (advisory locks take a bigint)."""
    digest = hashlib.sha256(f"crmgraph token refresh {integration_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresRefreshLock:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._local = MemoryRefreshLock()

    @contextlib.asynccontextmanager
    async def hold(self, integration_id: str) -> AsyncIterator[None]:
        key = {"key": advisory_key(integration_id)}
        async with self._local.hold(integration_id), self._engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:key)"), key)
            try:
                yield
            finally:
                # Also released if the connection dies: a crashed holder blocks no one.
                await conn.execute(text("SELECT pg_advisory_unlock(:key)"), key)


__all__ = ["PostgresRefreshLock", "advisory_key"]
