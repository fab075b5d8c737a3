"""Schema migrations with Alembic: ``crmgraph migrate``, and every start of the app.

The migration scripts ship inside the package (``gql/store/migrations/``), so an installed
crmgraph migrates its own database; no ``alembic.ini`` is needed. On PostgreSQL an advisory
lock makes replicas that start together migrate one after the other (SQLite serves one
process). A database made before
migrations existed (tables, no ``alembic_version``) is stamped with the first revision.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"
_LOCK_ID = 0x63726D67  # "crmg": pg_advisory_xact_lock's key for migrations


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    config = alembic_config(connection)
    tables = set(inspect(connection).get_table_names())
    if "crm_integrations" in tables and "alembic_version" not in tables:
        command.stamp(config, FIRST_REVISION)
    command.upgrade(config, revision)


# Alembic keeps the running migration in module globals (``alembic.context``): two migrations
# interleaved on one event loop would trample each other, so a process runs one at a time.
_running: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default), in one transaction."""
    lock = _running.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock, engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)
