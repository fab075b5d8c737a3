"""Integrations remember a refused refresh token: ``auth_status`` (``OK`` or
``REAUTHORIZATION_REQUIRED``), so no call or refresh is tried until new credentials come.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Integrations stored before this column existed are in use: OK.
    with op.batch_alter_table("crm_integrations") as batch:
        batch.add_column(
            sa.Column("auth_status", sa.String(32), nullable=False, server_default="OK")
        )


def downgrade() -> None:
    with op.batch_alter_table("crm_integrations") as batch:
        batch.drop_column("auth_status")
