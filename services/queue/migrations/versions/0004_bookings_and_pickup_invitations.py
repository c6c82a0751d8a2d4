"""bookings and pickup invitations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:02:56.961281
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
        "pickup_invitations",
        sa.Column("permit_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("permit_number", sa.String(length=40), nullable=False),
        sa.Column("invited_at", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("permit_id"),
    )
    op.create_index(
        op.f("ix_pickup_invitations_person_id"), "pickup_invitations", ["person_id"], unique=False
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["service_lines.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(op.f("ix_bookings_person_id"), "bookings", ["person_id"], unique=False)
    op.create_index(op.f("ix_bookings_starts_at"), "bookings", ["starts_at"], unique=False)
    op.create_index(
        "one_booking_per_person_service_day",
        "bookings",
        ["person_id", "service_code", "day"],
        unique=True,
        postgresql_where=sa.text("status = 'booked'"),
        sqlite_where=sa.text("status = 'booked'"),
    )
    op.create_table(
        "slot_loads",
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("starts_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["service_lines.code"],
        ),
        sa.PrimaryKeyConstraint("service_code", "starts_at"),
    )
    op.add_column(
        "service_lines",
        sa.Column("slot_minutes", sa.Integer(), server_default="30", nullable=False),
    )
    op.add_column(
        "service_lines",
        sa.Column("slot_capacity", sa.Integer(), server_default="5", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("service_lines", "slot_capacity")
    op.drop_column("service_lines", "slot_minutes")
    op.drop_table("slot_loads")
    op.drop_index(
        "one_booking_per_person_service_day",
        table_name="bookings",
        postgresql_where=sa.text("status = 'booked'"),
        sqlite_where=sa.text("status = 'booked'"),
    )
    op.drop_index(op.f("ix_bookings_starts_at"), table_name="bookings")
    op.drop_index(op.f("ix_bookings_person_id"), table_name="bookings")
    op.drop_table("bookings")
    op.drop_index(op.f("ix_pickup_invitations_person_id"), table_name="pickup_invitations")
    op.drop_table("pickup_invitations")
