"""Alembic migrations: the tables they make are the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, bindparam, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from gql.imports.queue import engine_queue
from gql.settings import Settings
from gql.store import migrate
from gql.store.db import Base, open_database
from gql.store.migrate import alembic_config, upgrade
from tests.gql.store.conftest import Database

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_start_up_head_is_the_newest_revision() -> None:
    assert migrate.HEAD == HEAD, "set gql/store/migrate.py's HEAD to the new revision"


def _differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"include_name": migrate.ours})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_is_the_models(database_url: str) -> None:
    """The migrations, run from an empty database, make exactly the models' tables."""
    engine = create_async_engine(database_url)
    await upgrade(engine)
    async with engine.connect() as conn:
        differences = await conn.run_sync(_differences)
        version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    assert differences == [], (
        "gql/store/db.py and the migrations disagree: add a revision to "
        "gql/store/migrations/versions/ (0002_idempotency_claims.py shows the form)"
    )
    assert version == HEAD
    await engine.dispose()


async def test_a_new_database_starts_at_head_with_the_models(database: Database) -> None:
    """At start an empty database gets the models' tables and the head stamp, which the
    migrations then find up to date."""
    engine, _ = database
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD


async def test_a_database_behind_is_migrated_at_start(database_url: str) -> None:
    engine = create_async_engine(database_url)
    await upgrade(engine, "0002")
    await engine.dispose()
    engine, _ = await open_database(database_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        assert await conn.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
    await engine.dispose()


async def test_migrating_again_changes_nothing(database: Database, database_url: str) -> None:
    engine, _ = database
    await upgrade(engine)
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


async def test_replicas_starting_together_migrate_once(database_url: str) -> None:
    opened = await asyncio.gather(*(open_database(database_url) for _ in range(3)))
    engine = opened[0][0]
    async with engine.connect() as conn:
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert [v[0] for v in versions] == [HEAD]
    for e, _ in opened:
        await e.dispose()


async def test_a_database_from_before_migrations_is_adopted(database_url: str) -> None:
    """Tables made by the old create_all, with no alembic_version: stamped, then upgraded."""
    engine = create_async_engine(database_url)
    await upgrade(engine, "0001")
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE alembic_version"))
        await conn.execute(
            text(
                "INSERT INTO idempotency_records (tenant, key, fingerprint, response, expires_at)"
                " VALUES ('t', 'k', 'f', :r, :e)"
            ).bindparams(bindparam("e", type_=DateTime(timezone=True))),
            {"r": b"{}", "e": datetime(2999, 1, 1, tzinfo=UTC)},
        )
    await engine.dispose()
    engine, _ = await open_database(database_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        kept = await conn.scalar(text("SELECT count(*) FROM idempotency_records"))
        columns = await conn.run_sync(
            lambda c: {col["name"] for col in inspect(c).get_columns("idempotency_records")}
        )
    assert kept == 1
    assert "claim" in columns
    await engine.dispose()


async def test_the_import_queues_tables_are_left_to_saq(postgres_url: str) -> None:
    """saq makes its own tables beside ours; our migrations neither see nor touch them."""
    engine, _ = await open_database(postgres_url)
    queue = engine_queue(Settings(database_url=postgres_url))
    assert queue is not None
    await queue.connect()
    await queue.disconnect()
    await upgrade(engine)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert "saq_jobs" in tables
        assert await conn.run_sync(_differences) == []
    await engine.dispose()
