"""Association imports: one row per job (status, counters, the checkpoint) and one per input.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "association_imports",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tenant", sa.String(200), nullable=False),
        sa.Column("integration_id", sa.String(36), nullable=False),
        sa.Column("from_type", sa.String(64), nullable=False),
        sa.Column("to_type", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("next_position", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("runner_id", sa.String(36), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_message", sa.String(1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_association_imports_tenant", "association_imports", ["tenant"])
    op.create_index("ix_association_imports_status", "association_imports", ["status"])
    op.create_table(
        "association_import_items",
        sa.Column("job_id", sa.String(36), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("from_id", sa.String(200), nullable=False),
        sa.Column("to_id", sa.String(200), nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("message", sa.String(1000), nullable=True),
    )
    op.create_index(
        "ix_association_import_items_state",
        "association_import_items",
        ["job_id", "state", "position"],
    )


def downgrade() -> None:
    op.drop_index("ix_association_import_items_state", "association_import_items")
    op.drop_table("association_import_items")
    op.drop_index("ix_association_imports_status", "association_imports")
    op.drop_index("ix_association_imports_tenant", "association_imports")
    op.drop_table("association_imports")
