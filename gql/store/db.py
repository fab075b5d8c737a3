"""SQLAlchemy tables and engine: SQLite (aiosqlite) by default, or PostgreSQL (asyncpg).

One code path for both, chosen by the URL (``CRMGRAPH_DATABASE_URL``). The tables change only
through the Alembic migrations in ``migrations/``, which ``open_database`` applies.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, LargeBinary, String
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gql.store.migrate import prepare


class Base(DeclarativeBase):
    pass


class IntegrationRow(Base):
    __tablename__ = "crm_integrations"
    __table_args__ = (Index("ix_crm_integrations_tenant", "tenant"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    instance_url: Mapped[str | None] = mapped_column(String(2048))
    location_id: Mapped[str | None] = mapped_column(String(64))  # HighLevel sub-account
    rate_limits: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    credentials: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token, never plaintext
    # OK, or REAUTHORIZATION_REQUIRED once the provider refused the refresh token.
    auth_status: Mapped[str] = mapped_column(String(32), default="OK", server_default="OK")
    config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_enabled: Mapped[bool]
    is_live: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyRow(Base):
    """A claim on an idempotency key, then the first answer to it, until it expires.

    ``response`` is NULL while the claimer calls the provider; ``expires_at`` is then the end
    of its lease (a claimer that died is taken over after it), and once answered the end of
    the key's life. ``claim`` tells one claimer from the one that may take over from it.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_records_expires_at", "expires_at"),)

    tenant: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of operation and input
    claim: Mapped[str] = mapped_column(String(32))
    response: Mapped[bytes | None] = mapped_column(LargeBinary)  # the domain result, as JSON
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportJobRow(Base):
    """An association import: its counters and ``next_position``, the checkpoint (every item
    before it has its outcome recorded)."""

    __tablename__ = "association_imports"
    __table_args__ = (
        Index("ix_association_imports_tenant", "tenant"),
        Index("ix_association_imports_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(200))
    integration_id: Mapped[str] = mapped_column(String(36))
    from_type: Mapped[str] = mapped_column(String(64))
    to_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    next_position: Mapped[int] = mapped_column(Integer)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    # The token of the run that holds the job (which process runs it is the queue's choice,
    # gql/imports/queue.py): a run records its windows only while this is still its own.
    run_id: Mapped[str | None] = mapped_column(String(36))
    error_code: Mapped[str | None] = mapped_column(String(64))  # why a FAILED job stopped
    error_message: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportItemRow(Base):
    """One input of an import and its outcome (``state``: see gql/imports/model.py)."""

    __tablename__ = "association_import_items"
    __table_args__ = (Index("ix_association_import_items_state", "job_id", "state", "position"),)

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-based input index
    line: Mapped[int | None] = mapped_column(Integer)  # the CSV line, header = line 1
    from_id: Mapped[str] = mapped_column(String(200))
    to_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(200))
    state: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(String(1000))


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).resolve()
    return None


async def open_database(url: str) -> tuple[AsyncEngine, async_sessionmaker[Any]]:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, pool_pre_ping=True)
    await prepare(engine, Base.metadata)
    return engine, async_sessionmaker(engine, expire_on_commit=False)
