"""A burst of requests reads an integration once; this process's own writes apply at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from gql.store.crypto import CredentialCipher, fernet_from_secret
from gql.store.db import open_database
from gql.store.integrations import IntegrationChanges, IntegrationStore
from providers.domain import Credentials, CrmProvider


@pytest.fixture
async def parts(tmp_path: Any) -> AsyncIterator[tuple[Any, list[str]]]:
    engine, sessions = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    selects: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    yield sessions, selects
    await engine.dispose()


def _store(sessions: Any, seconds: float) -> IntegrationStore:
    cipher = CredentialCipher(fernet_from_secret("test-secret-key-for-credentials"))
    return IntegrationStore(sessions, cipher, cache_seconds=seconds)


NEW = IntegrationChanges(
    provider=CrmProvider.HUBSPOT, name="hs", credentials=Credentials(access_token="tok-1")
)


async def test_a_burst_reads_the_integration_once(parts: Any) -> None:
    sessions, selects = parts
    store = _store(sessions, 60)
    made = await store.create("acme", NEW)
    selects.clear()
    for _ in range(5):
        found = await store.connections("acme", [made.id])
        assert found[made.id][1].credentials.access_token == "tok-1"
    assert len(selects) == 1
    assert await store.connections("globex", [made.id]) == {}  # never across tenants


async def test_own_writes_apply_at_once(parts: Any) -> None:
    sessions, _ = parts
    store = _store(sessions, 60)
    made = await store.create("acme", NEW)
    await store.connections("acme", [made.id])
    await store.update(
        "acme", made.id, IntegrationChanges(is_enabled=False, credentials=Credentials("tok-2"))
    )
    integration, connection = (await store.connections("acme", [made.id]))[made.id]
    assert integration.is_enabled is False
    assert connection.credentials.access_token == "tok-2"
    assert await store.delete("acme", made.id)
    assert await store.connections("acme", [made.id]) == {}


async def test_zero_seconds_reads_every_time(parts: Any) -> None:
    sessions, selects = parts
    store = _store(sessions, 0)
    made = await store.create("acme", NEW)
    selects.clear()
    for _ in range(3):
        await store.connections("acme", [made.id])
    assert len(selects) == 3
