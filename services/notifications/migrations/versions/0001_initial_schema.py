"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-12-04 19:39:09.421644
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
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("processed_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    op.create_index(op.f("ix_inbox_processed_at"), "inbox", ["processed_at"], unique=False)
    op.create_table(
        "known_applications",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("service", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("source", "application_id"),
    )
    op.create_table(
        "known_bills",
        sa.Column("bill_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("tax_kind", sa.String(length=20), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paid_at", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("bill_id"),
    )
    op.create_index(op.f("ix_known_bills_person_id"), "known_bills", ["person_id"], unique=False)
    op.create_table(
        "known_bookings",
        sa.Column("booking_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("starts_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("booking_id"),
    )
    op.create_index(
        op.f("ix_known_bookings_person_id"), "known_bookings", ["person_id"], unique=False
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("recipient_kind", sa.String(length=10), nullable=False),
        sa.Column("recipient_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("essential", sa.Boolean(), nullable=False),
        sa.Column("created_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "event_id", "kind", "recipient_kind", "recipient_id", name="one_notification_per_event"
        ),
    )
    op.create_index(
        "ix_notifications_inbox",
        "notifications",
        ["recipient_kind", "recipient_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "recipients",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("quiet_hours", sa.Boolean(), nullable=False),
        sa.Column("essential_only", sa.Boolean(), nullable=False),
        sa.Column("updated_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "recorded_replies",
        sa.Column("call_key", sa.String(length=200), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.Column("recorded_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_key"),
    )
    op.create_index(
        op.f("ix_recorded_replies_recorded_at"), "recorded_replies", ["recorded_at"], unique=False
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("next_attempt_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("claimed_until", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt_at"], unique=False)
    op.create_index(
        op.f("ix_deliveries_notification_id"), "deliveries", ["notification_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_notification_id"), table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_recorded_replies_recorded_at"), table_name="recorded_replies")
    op.drop_table("recorded_replies")
    op.drop_table("recipients")
    op.drop_index("ix_notifications_inbox", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_known_bookings_person_id"), table_name="known_bookings")
    op.drop_table("known_bookings")
    op.drop_index(op.f("ix_known_bills_person_id"), table_name="known_bills")
    op.drop_table("known_bills")
    op.drop_table("known_applications")
    op.drop_index(op.f("ix_inbox_processed_at"), table_name="inbox")
    op.drop_table("inbox")
