"""initial schema: complaints, their supporters, outbox, inbox, recorded replies and the
module's replica of the mall's calendar (seeded with 2026 and 2027)

Revision ID: 0001
Revises:
Create Date: 2026-12-07 02:20:00
"""

import sqlalchemy as sa
from alembic import op

import chassis.database
from chassis.migrate import (
    application_columns_v2,
    calendar_day_columns_v1,
    create_messaging_tables_v1,
    create_recorded_replies_v1,
    drop_messaging_tables_v1,
    drop_recorded_replies_v1,
)
from contracts.calendar_2026_2027 import seed_rows

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    create_recorded_replies_v1()
    op.create_table(
        "applications",
        *application_columns_v2(),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("object_kind", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=60), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.Column("answered_at", chassis.database.UTCDateTime(), nullable=True),
        sa.Column("answered_within_level", sa.Boolean(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
    )
    op.create_index(
        op.f("ix_applications_applicant_id"), "applications", ["applicant_id"], unique=False
    )
    op.create_index(op.f("ix_applications_service"), "applications", ["service"], unique=False)
    op.create_index(op.f("ix_applications_status"), "applications", ["status"], unique=False)
    op.create_index(op.f("ix_applications_category"), "applications", ["category"], unique=False)
    op.create_table(
        "supporters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("added_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "person_id"),
    )
    op.create_index(
        op.f("ix_supporters_application_id"), "supporters", ["application_id"], unique=False
    )
    days = op.create_table("calendar_days", *calendar_day_columns_v1())
    op.bulk_insert(days, seed_rows())


def downgrade() -> None:
    op.drop_table("calendar_days")
    op.drop_index(op.f("ix_supporters_application_id"), table_name="supporters")
    op.drop_table("supporters")
    op.drop_index(op.f("ix_applications_category"), table_name="applications")
    op.drop_index(op.f("ix_applications_status"), table_name="applications")
    op.drop_index(op.f("ix_applications_service"), table_name="applications")
    op.drop_index(op.f("ix_applications_applicant_id"), table_name="applications")
    op.drop_table("applications")
    drop_recorded_replies_v1()
    drop_messaging_tables_v1()
