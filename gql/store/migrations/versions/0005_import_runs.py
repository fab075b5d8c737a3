"""Import jobs leave their leases to the queue engine: ``runner_id`` becomes ``run_id`` (the
token of the run that holds the job) and ``lease_until`` goes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("association_imports") as batch:
        batch.alter_column("runner_id", new_column_name="run_id")
        batch.drop_column("lease_until")


def downgrade() -> None:
    with op.batch_alter_table("association_imports") as batch:
        batch.alter_column("run_id", new_column_name="runner_id")
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
