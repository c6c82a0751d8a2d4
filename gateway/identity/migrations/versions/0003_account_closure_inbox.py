"""accounts closed when their holder dies; inbox of the accounts listener

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 14:15:00
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("closed_reason", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("closed_at", chassis.database.UTCDateTime(), nullable=True))
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("processed_at", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    op.create_index(op.f("ix_inbox_processed_at"), "inbox", ["processed_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_processed_at"), table_name="inbox")
    op.drop_table("inbox")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("closed_reason")
