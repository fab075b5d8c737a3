"""The integration registry on SQLite and PostgreSQL: the same answers from both."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import text

from gql.store.crypto import CredentialCipher
from gql.store.heron_config import CrmConfig
from gql.store.integrations import IntegrationChanges, IntegrationStore
from providers.domain import Credentials, CrmProvider, RateLimits
from tests.gql.store.conftest import Database


async def test_create_read_update_delete(database: Database) -> None:
    engine, sessions = database
    store = IntegrationStore(sessions, CredentialCipher(Fernet(Fernet.generate_key())))
    created = await store.create(
        "acme",
        IntegrationChanges(
            provider=CrmProvider.HUBSPOT,
            name="hs",
            credentials=Credentials("secret-token", refresh_token="secret-refresh"),
            rate_limits=RateLimits(burst=190),
            config=CrmConfig.model_validate({"value_mappings": [{"name": "m", "mapping": {}}]}),
        ),
    )
    assert await store.get("acme", created.id) == created
    assert await store.get("globex", created.id) is None
    assert [i.id for i in await store.list("acme")] == [created.id]

    updated = await store.update(
        "acme", created.id, IntegrationChanges(name="renamed", credentials=Credentials("new"))
    )
    assert updated is not None
    assert updated.name == "renamed"
    assert updated.rate_limits == RateLimits(burst=190)
    assert updated.updated_at >= created.updated_at
    ((_, connection),) = (await store.connections("acme", [created.id])).values()
    assert connection.credentials.access_token == "new"
    async with engine.connect() as conn:
        stored = await conn.scalar(text("SELECT credentials FROM crm_integrations"))
    assert b"new" not in stored  # encrypted at rest
    assert b"secret" not in stored

    assert await store.delete("acme", created.id)
    assert await store.get("acme", created.id) is None
    assert not await store.delete("acme", created.id)
