"""initial schema: applications, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:31:18.276322
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
        "applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service", sa.String(length=30), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("routed_to", sa.String(length=60), nullable=True),
        sa.Column("created_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("due_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_applications_applicant_id"), "applications", ["applicant_id"], unique=False
    )
    op.create_index(op.f("ix_applications_service"), "applications", ["service"], unique=False)
    op.create_index(op.f("ix_applications_status"), "applications", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_applications_status"), table_name="applications")
    op.drop_index(op.f("ix_applications_service"), table_name="applications")
    op.drop_index(op.f("ix_applications_applicant_id"), table_name="applications")
    op.drop_table("applications")
    drop_messaging_tables_v1()
