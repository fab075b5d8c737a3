"""Single-flight refresh: at most one token refresh at a time per integration.

A rotating refresh token (HighLevel, Salesforce) is spent by its first use, so two refreshes
with it at once lose the integration; even where it does not rotate, one refresh serves every
waiting call. The refresher takes ``hold(integration_id)`` around "re-read the stored
credentials, refresh if still needed, store the new ones". ``MemoryRefreshLock`` serves one
process; replicas share a Redis one (``CRMGRAPH_REDIS_URL``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Protocol


class RefreshLock(Protocol):
    def hold(self, integration_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Held by one holder at a time per ``integration_id``; others wait their turn."""
        ...


class MemoryRefreshLock:
    """One ``asyncio.Lock`` per integration, dropped when no one holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, integration_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(integration_id, asyncio.Lock())
        self._users[integration_id] = self._users.get(integration_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[integration_id] -= 1
            if not self._users[integration_id]:
                del self._users[integration_id], self._locks[integration_id]


__all__ = ["MemoryRefreshLock", "RefreshLock"]
