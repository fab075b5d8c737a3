"""The tables as they were before migrations: integrations and idempotency records.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_integrations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instance_url", sa.String(2048), nullable=True),
        sa.Column("location_id", sa.String(64), nullable=True),
        sa.Column("rate_limits", sa.JSON(), nullable=True),
        sa.Column("credentials", sa.LargeBinary(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=True),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_live", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_crm_integrations_tenant", "crm_integrations", ["tenant"])
    op.create_table(
        "idempotency_records",
        sa.Column("tenant", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_records")
    op.drop_index("ix_crm_integrations_tenant", "crm_integrations")
    op.drop_table("crm_integrations")
