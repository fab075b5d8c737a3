"""Alembic's environment: runs on the connection ``gql.store.migrate`` hands it."""

from __future__ import annotations

from alembic import context

from gql.store.db import Base
from gql.store.migrate import ours

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `crmgraph migrate` (gql/store/migrate.py)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things: Alembic's batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=ours,
)
with context.begin_transaction():
    context.run_migrations()
