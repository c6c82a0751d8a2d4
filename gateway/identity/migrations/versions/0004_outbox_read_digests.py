"""outbox of the accounts listener; the weekly digests of record reads it has told

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 01:45:00
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("published_at", chassis.database.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(op.f("ix_outbox_published_at"), "outbox", ["published_at"], unique=False)
    op.create_table(
        "read_digests",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("told_at", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "week_start"),
    )
    op.create_index(
        op.f("ix_read_digests_week_start"), "read_digests", ["week_start"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_read_digests_week_start"), table_name="read_digests")
    op.drop_table("read_digests")
    op.drop_index(op.f("ix_outbox_published_at"), table_name="outbox")
    op.drop_table("outbox")
