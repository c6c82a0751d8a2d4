"""reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 19:47:20.024205
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("due_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("essential", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("deferred_from", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notification_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_reminders_due", "reminders", ["status", "due_at"], unique=False)
    op.create_index(op.f("ix_reminders_person_id"), "reminders", ["person_id"], unique=False)
    op.create_index(op.f("ix_reminders_subject_key"), "reminders", ["subject_key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reminders_subject_key"), table_name="reminders")
    op.drop_index(op.f("ix_reminders_person_id"), table_name="reminders")
    op.drop_index("ix_reminders_due", table_name="reminders")
    op.drop_table("reminders")
