"""accounts sessions throttling audit

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:34:30.466631
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
        "accounts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("login"),
        sa.UniqueConstraint("person_id"),
    )
    op.create_table(
        "audit_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("actor_agency", sa.String(length=40), nullable=True),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=True),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_actor_at", "audit_entries", ["actor_id", "at"], unique=False)
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"], unique=False)
    op.create_index("ix_audit_subject_at", "audit_entries", ["subject_id", "at"], unique=False)
    op.create_table(
        "failed_sign_ins",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("window_start", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start"),
    )
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", chassis.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", chassis.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sign_in_sessions_account_id"), "sign_in_sessions", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_sessions_account_id"), table_name="sign_in_sessions")
    op.drop_table("sign_in_sessions")
    op.drop_table("failed_sign_ins")
    op.drop_index("ix_audit_subject_at", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_at"), table_name="audit_entries")
    op.drop_index("ix_audit_actor_at", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("accounts")
