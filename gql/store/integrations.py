"""The integration registry: a tenant's CRM connections (Heron's crm_integrations)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from cachetools import TTLCache
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gql.store.crypto import CredentialCipher
from gql.store.db import IntegrationRow
from gql.store.heron_config import CrmConfig
from providers.domain import AuthStatus, Connection, Credentials, CrmProvider, RateLimits
from providers.oauth.tokens import StoredAuth


@dataclass(frozen=True)
class Integration:
    """An integration as the API shows it: no credentials here, by construction."""

    id: str
    tenant: str
    provider: CrmProvider
    name: str
    instance_url: str | None
    location_id: str | None
    rate_limits: RateLimits | None
    is_enabled: bool
    is_live: bool
    config: CrmConfig | None
    created_at: datetime
    updated_at: datetime
    auth_status: AuthStatus = AuthStatus.OK


@dataclass(frozen=True)
class IntegrationChanges:
    """A create or a patch; ``None`` leaves a field as it was."""

    provider: CrmProvider | None = None
    name: str | None = None
    instance_url: str | None = None
    location_id: str | None = None
    rate_limits: RateLimits | None = None
    credentials: Credentials | None = field(default=None, repr=False)
    config: CrmConfig | None = None
    is_enabled: bool | None = None
    is_live: bool | None = None


def _parse_id(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _to_domain(row: IntegrationRow) -> Integration:
    return Integration(
        id=row.id,
        tenant=row.tenant,
        provider=CrmProvider(row.provider),
        name=row.name,
        instance_url=row.instance_url,
        location_id=row.location_id,
        rate_limits=RateLimits(**row.rate_limits) if row.rate_limits else None,
        is_enabled=row.is_enabled,
        is_live=row.is_live,
        config=CrmConfig.model_validate(row.config) if row.config is not None else None,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        auth_status=AuthStatus(row.auth_status or AuthStatus.OK.value),
    )


class IntegrationStore:
    """Integrations of every tenant; also the ``TokenStore`` the OAuth refresher writes to."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: CredentialCipher,
        *,
        cache_seconds: float = 0.0,
        cache_size: int = 10_000,
    ):
        self._sessions = sessions
        self._cipher = cipher
        # Integrations with their decrypted credentials, read again after ``cache_seconds``:
        # a burst of requests for one integration reads and decrypts it once. This process's
        # own writes drop their entry; another replica's are seen within ``cache_seconds``.
        self._recent: TTLCache[tuple[str, str], tuple[Integration, Connection]] | None = (
            TTLCache(cache_size, cache_seconds) if cache_seconds > 0 else None
        )

    def _forget(self, tenant: str, id_: str) -> None:
        if self._recent is not None and (key := _parse_id(id_)) is not None:
            self._recent.pop((tenant, key), None)

    async def create(
        self, tenant: str, new: IntegrationChanges, *, id_: str | None = None
    ) -> Integration:
        if new.provider is None or new.name is None or new.credentials is None:
            raise ValueError("a new integration needs a provider, a name and credentials")
        now = datetime.now(UTC)
        row = IntegrationRow(
            id=id_ or str(uuid.uuid4()),
            tenant=tenant,
            provider=new.provider.value,
            name=new.name,
            instance_url=new.instance_url,
            location_id=new.location_id,
            rate_limits=asdict(new.rate_limits) if new.rate_limits else None,
            credentials=self._cipher.encrypt(new.credentials),
            auth_status=AuthStatus.OK.value,
            config=new.config.to_json() if new.config else None,
            is_enabled=True if new.is_enabled is None else new.is_enabled,
            is_live=True if new.is_live is None else new.is_live,
            created_at=now,
            updated_at=now,
        )
        async with self._sessions.begin() as session:
            session.add(row)
        return _to_domain(row)

    async def _row(self, session: AsyncSession, tenant: str, id_: str) -> IntegrationRow | None:
        key = _parse_id(id_)
        if key is None:
            return None
        row = await session.get(IntegrationRow, key)
        # Another tenant's integration is indistinguishable from a missing one.
        return row if row is not None and row.tenant == tenant else None

    async def get(self, tenant: str, id_: str) -> Integration | None:
        async with self._sessions() as session:
            row = await self._row(session, tenant, id_)
            return _to_domain(row) if row else None

    async def list(self, tenant: str) -> list[Integration]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(IntegrationRow)
                .where(IntegrationRow.tenant == tenant)
                .order_by(IntegrationRow.created_at, IntegrationRow.id)
            )
            return [_to_domain(r) for r in rows]

    async def update(
        self, tenant: str, id_: str, changes: IntegrationChanges
    ) -> Integration | None:
        self._forget(tenant, id_)
        async with self._sessions.begin() as session:
            row = await self._row(session, tenant, id_)
            if row is None:
                return None
            values: dict[str, Any] = {
                "name": changes.name,
                "instance_url": changes.instance_url,
                "location_id": changes.location_id,
                "is_enabled": changes.is_enabled,
                "is_live": changes.is_live,
            }
            for key, value in values.items():
                if value is not None:
                    setattr(row, key, value)
            if changes.config is not None:
                row.config = changes.config.to_json()
            if changes.rate_limits is not None:
                row.rate_limits = asdict(changes.rate_limits)
            if changes.credentials is not None:
                row.credentials = self._cipher.encrypt(changes.credentials)
                row.auth_status = AuthStatus.OK.value  # new credentials: worth trying again
            row.updated_at = datetime.now(UTC)
        return _to_domain(row)

    async def delete(self, tenant: str, id_: str) -> bool:
        self._forget(tenant, id_)
        async with self._sessions.begin() as session:
            row = await self._row(session, tenant, id_)
            if row is None:
                return False
            await session.delete(row)
            return True

    async def connections(
        self, tenant: str, ids: Sequence[str]
    ) -> dict[str, tuple[Integration, Connection]]:
        """Several integrations with their credentials in one query (the loaders' batch)."""
        keys = {k for k in (_parse_id(i) for i in ids) if k is not None}
        recent = self._recent
        found = {} if recent is None else {k: v for k in keys if (v := recent.get((tenant, k)))}
        missing = keys - found.keys()
        if missing:
            async with self._sessions() as session:
                rows = await session.scalars(
                    select(IntegrationRow).where(
                        IntegrationRow.id.in_(missing), IntegrationRow.tenant == tenant
                    )
                )
                for row in rows:
                    found[row.id] = self._with_connection(row)
                    if recent is not None:
                        recent[(tenant, row.id)] = found[row.id]
        return {i: found[k] for i in ids if (k := _parse_id(i)) in found}

    def _with_connection(self, row: IntegrationRow) -> tuple[Integration, Connection]:
        integration = _to_domain(row)
        return integration, Connection(
            integration_id=row.id,
            provider=integration.provider,
            credentials=self._cipher.decrypt(row.credentials),
            instance_url=row.instance_url,
            rate_limits=integration.rate_limits,
            location_id=row.location_id,
        )

    # -- the OAuth refresher's TokenStore (providers/oauth/tokens.py) -------------------------
    async def current(self, integration_id: str) -> StoredAuth | None:
        async with self._sessions() as session:
            row = await session.get(IntegrationRow, integration_id)
            if row is None:
                return None
            return StoredAuth(
                self._cipher.decrypt(row.credentials),
                row.instance_url,
                row.auth_status == AuthStatus.REAUTHORIZATION_REQUIRED.value,
            )

    async def replace(
        self,
        integration_id: str,
        previous: Credentials,
        new: Credentials,
        instance_url: str | None,
    ) -> bool:
        return await self._if_unchanged(
            integration_id,
            previous,
            credentials=self._cipher.encrypt(new),
            instance_url=instance_url,
            auth_status=AuthStatus.OK.value,
            updated_at=datetime.now(UTC),
        )

    async def refused(self, integration_id: str, previous: Credentials) -> None:
        await self._if_unchanged(
            integration_id,
            previous,
            auth_status=AuthStatus.REAUTHORIZATION_REQUIRED.value,
            updated_at=datetime.now(UTC),
        )

    async def _if_unchanged(
        self, integration_id: str, previous: Credentials, **values: Any
    ) -> bool:
        """Write ``values`` only if the stored credentials are still ``previous``.

        Fernet tokens differ at every encryption, so the ciphertext read is the version: the
        conditional UPDATE is a compare-and-set, atomic on SQLite and PostgreSQL alike.
        """
        async with self._sessions.begin() as session:
            row = await session.get(IntegrationRow, integration_id)
            if row is None or self._cipher.decrypt(row.credentials) != previous:
                return False
            self._forget(row.tenant, integration_id)  # this process's own write
            written = await session.execute(
                update(IntegrationRow)
                .where(
                    IntegrationRow.id == integration_id,
                    IntegrationRow.credentials == row.credentials,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return bool(getattr(written, "rowcount", 0))
