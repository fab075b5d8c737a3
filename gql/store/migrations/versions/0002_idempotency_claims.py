"""Idempotency keys become claim rows: a claim token, a NULL answer while in progress, and an
index on ``expires_at`` for the purge.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before claims existed are answers: their claim is empty.
    with op.batch_alter_table("idempotency_records") as batch:
        batch.add_column(sa.Column("claim", sa.String(32), nullable=False, server_default=""))
        batch.alter_column("response", existing_type=sa.LargeBinary(), nullable=True)
    with op.batch_alter_table("idempotency_records") as batch:
        batch.alter_column("claim", existing_type=sa.String(32), server_default=None)
    op.create_index("ix_idempotency_records_expires_at", "idempotency_records", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_records_expires_at", "idempotency_records")
    op.execute("DELETE FROM idempotency_records WHERE response IS NULL")
    with op.batch_alter_table("idempotency_records") as batch:
        batch.alter_column("response", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("claim")
