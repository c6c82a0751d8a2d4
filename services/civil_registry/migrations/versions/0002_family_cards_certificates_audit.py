"""family cards, certificates, audit

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:07:44.223378
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
        "sequences",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "audit_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("resident_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=True),
        sa.Column("actor_role", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_audit_entries_resident_id"), "audit_entries", ["resident_id"], unique=False
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("check_code", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("issued_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["residents.id"],
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["residents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(
        op.f("ix_certificates_subject_id"), "certificates", ["subject_id"], unique=False
    )
    op.create_table(
        "family_cards",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("head_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["head_id"],
            ["residents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "family_memberships",
        sa.Column("resident_id", sa.String(length=36), nullable=False),
        sa.Column("family_card_id", sa.String(length=36), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_card_id"],
            ["family_cards.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
        ),
        sa.PrimaryKeyConstraint("resident_id"),
    )
    op.create_index(
        op.f("ix_family_memberships_family_card_id"),
        "family_memberships",
        ["family_card_id"],
        unique=False,
    )
    op.add_column("residents", sa.Column("birth_place", sa.String(length=100), nullable=True))
    op.add_column(
        "residents",
        sa.Column("marital_status", sa.String(length=20), nullable=False, server_default="single"),
    )
    op.create_index(op.f("ix_residents_full_name"), "residents", ["full_name"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_residents_full_name"), table_name="residents")
    op.drop_column("residents", "marital_status")
    op.drop_column("residents", "birth_place")
    op.drop_index(op.f("ix_family_memberships_family_card_id"), table_name="family_memberships")
    op.drop_table("family_memberships")
    op.drop_table("family_cards")
    op.drop_index(op.f("ix_certificates_subject_id"), table_name="certificates")
    op.drop_table("certificates")
    op.drop_index(op.f("ix_audit_entries_resident_id"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("sequences")
