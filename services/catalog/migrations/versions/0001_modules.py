"""modules announced by agency modules

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:30:42.204673
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "modules",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("first_seen", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("last_seen", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_index(op.f("ix_modules_agency"), "modules", ["agency"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_modules_agency"), table_name="modules")
    op.drop_table("modules")
