"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:36:58.853361
"""

import sqlalchemy as sa
from alembic import op

import chassis.database
from chassis.migrate import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    op.create_table(
        "service_lines",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=3), nullable=False),
        sa.Column("name_id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("prefix"),
    )
    op.create_table(
        "ticket_series",
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["service_lines.code"],
        ),
        sa.PrimaryKeyConstraint("service_code", "day"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("issued_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["service_lines.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_code", "day", "number"),
    )
    op.create_index(op.f("ix_tickets_person_id"), "tickets", ["person_id"], unique=False)
    op.create_index(op.f("ix_tickets_status"), "tickets", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tickets_status"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_person_id"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_table("ticket_series")
    op.drop_table("service_lines")
    drop_messaging_tables_v1()
