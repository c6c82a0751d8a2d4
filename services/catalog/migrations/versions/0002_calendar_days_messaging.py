"""the mall's calendar (seeded with 2026 and 2027), its audit trail, and the catalog's
outbox, inbox and recorded replies (its calendar changes are events)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 14:10:00
"""

import sqlalchemy as sa
from alembic import op

import chassis.database
from chassis.migrate import (
    calendar_day_columns_v1,
    create_messaging_tables_v1,
    create_recorded_replies_v1,
    drop_messaging_tables_v1,
    drop_recorded_replies_v1,
)
from contracts.calendar_2026_2027 import seed_rows

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    create_recorded_replies_v1()
    days = op.create_table("calendar_days", *calendar_day_columns_v1())
    op.bulk_insert(days, seed_rows())
    op.create_table(
        "calendar_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("at", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_calendar_changes_day"), "calendar_changes", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_changes_day"), table_name="calendar_changes")
    op.drop_table("calendar_changes")
    op.drop_table("calendar_days")
    drop_recorded_replies_v1()
    drop_messaging_tables_v1()
