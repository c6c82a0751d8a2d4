"""one open counter per officer, counter releases, ticket cancel codes, deceased persons

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a counter open under an officer who also has a lower-numbered one open (allowed
    # before this rule) is closed, its ticket put back in line at its place
    duplicate = (
        "SELECT id FROM counters WHERE status = 'open' AND EXISTS (SELECT 1 FROM counters"
        " AS other WHERE other.status = 'open' AND other.officer_id = counters.officer_id"
        " AND other.number < counters.number)"
    )
    op.execute(
        "UPDATE tickets SET status = 'waiting', counter_id = NULL, called_at = NULL,"
        " serving_started_at = NULL WHERE status IN ('called', 'serving')"
        f" AND counter_id IN ({duplicate})"
    )
    op.execute(
        "UPDATE counters SET status = 'closed', officer_id = NULL, priority_streak = 0"
        f" WHERE id IN (SELECT id FROM ({duplicate}) AS duplicates)"
    )
    op.create_index(
        "one_open_counter_per_officer",
        "counters",
        ["officer_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )

    op.create_table(
        "counter_releases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("counter_id", sa.String(length=40), nullable=False),
        sa.Column("officer_id", sa.String(length=100), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=False),
        sa.Column("released_by_role", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("ticket_ids", sa.JSON(), nullable=False),
        sa.Column("released_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["counter_id"], ["counters.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_counter_releases_counter_id"), "counter_releases", ["counter_id"], unique=False
    )
    op.add_column("tickets", sa.Column("cancel_code_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "deceased_persons",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("died_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("deceased_persons")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("cancel_code_hash")
    op.drop_index(op.f("ix_counter_releases_counter_id"), table_name="counter_releases")
    op.drop_table("counter_releases")
    op.drop_index(
        "one_open_counter_per_officer",
        table_name="counters",
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
