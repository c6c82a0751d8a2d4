"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:36:58.026912
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
        "permit_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=100), nullable=False),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("sla_working_days", sa.Integer(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("risk_level", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("permit_type", sa.String(length=40), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("closed_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["permit_type"],
            ["permit_types.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_applications_applicant_id"), "applications", ["applicant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_applications_applicant_id"), table_name="applications")
    op.drop_table("applications")
    op.drop_table("permit_types")
    drop_messaging_tables_v1()
