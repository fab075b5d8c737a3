"""Schema migrations with Alembic: ``crmgraph migrate``, and every start of the app.

The migration scripts ship inside the package (``gql/store/migrations/``), so an installed
crmgraph migrates its own database; no ``alembic.ini`` is needed. On PostgreSQL an advisory
lock makes replicas that start together migrate one after the other (SQLite serves one
process). A database made before
migrations existed (tables, no ``alembic_version``) is stamped with the first revision.

At start (``prepare``) Alembic is imported only when there is something to migrate: a
database already at ``HEAD`` is left alone, and an empty one gets the models' tables and the
``HEAD`` stamp directly (a test keeps the models equal to what the migrations make). Alembic
and its templates weigh about 12 MB that a serving process would otherwise keep for nothing.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"
HEAD = "0005"  # the newest revision in migrations/versions/ (a test keeps them equal)
_LOCK_ID = 0x63726D67  # "crmg": pg_advisory_xact_lock's key for migrations


def ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name``: the tables of our models only. saq keeps its queue tables
    (``saq_*``) in the same PostgreSQL database and migrates them itself."""
    from gql.store.db import Base

    return type_ != "table" or name in Base.metadata.tables


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    _lock(connection)
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


def _prepare(connection: Connection, models: MetaData) -> None:
    _lock(connection)
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if version == HEAD:
            return
    elif not tables:
        models.create_all(connection)
        # Alembic's own version table, as its first run would have made it.
        stamp = Table(
            "alembic_version",
            MetaData(),
            Column("version_num", String(32), nullable=False),
            PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
        )
        stamp.create(connection)
        connection.execute(stamp.insert().values(version_num=HEAD))
        return
    _upgrade(connection, "head")


async def prepare(engine: AsyncEngine, models: MetaData) -> None:
    """At start: bring the database to ``HEAD``, importing Alembic only if it must migrate."""
    lock = _running.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock, engine.begin() as conn:
        await conn.run_sync(_prepare, models)
