"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:36:57.077028
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrate import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "residents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("died_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("nik"),
    )


def downgrade() -> None:
    op.drop_table("residents")
    drop_messaging_tables_v1()
