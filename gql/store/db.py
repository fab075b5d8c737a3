"""SQLAlchemy tables and engine (SQLite through aiosqlite by default)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Index, LargeBinary, String
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
    """The first answer to a mutation sent with an idempotency key, until it expires."""

    __tablename__ = "idempotency_records"

    tenant: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of operation and input
    response: Mapped[bytes] = mapped_column(LargeBinary)  # the domain result, as JSON
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database).resolve()
    return None


async def open_database(url: str) -> tuple[AsyncEngine, async_sessionmaker[Any]]:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    return engine, async_sessionmaker(engine, expire_on_commit=False)
