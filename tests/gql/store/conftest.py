"""Every store test runs on both databases crmgraph supports: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gql.store.db import open_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


Database = tuple[AsyncEngine, async_sessionmaker[AsyncSession]]


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    engine, sessions = await open_database(database_url)
    yield engine, sessions
    await engine.dispose()


@pytest.fixture
async def replica(database_url: str) -> AsyncIterator[Any]:
    """Opens more engines on the same database, as other replicas would (disposed after)."""
    engines: list[AsyncEngine] = []

    async def open_one() -> async_sessionmaker[AsyncSession]:
        engine, sessions = await open_database(database_url)
        engines.append(engine)
        return sessions

    yield open_one
    for engine in engines:
        await engine.dispose()
