"""application lifecycle, documents, payments, permits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:40:51.189718
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
        "application_transitions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=False),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=True),
        sa.Column("actor_role", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_application_transitions_application_id"),
        "application_transitions",
        ["application_id"],
        unique=False,
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "kind", "sha256"),
    )
    op.create_index(
        op.f("ix_documents_application_id"), "documents", ["application_id"], unique=False
    )
    op.create_table(
        "payments",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("receipt_reference", sa.String(length=100), nullable=False),
        sa.Column("cashier_id", sa.String(length=100), nullable=False),
        sa.Column("paid_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.PrimaryKeyConstraint("application_id"),
        sa.UniqueConstraint("receipt_reference"),
    )
    op.create_table(
        "permits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("permit_type", sa.String(length=40), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.String(length=300), nullable=True),
        sa.Column("issued_at", chassis.database.UTCDateTime(), nullable=False),
        sa.Column("reminded_at", chassis.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["permit_type"],
            ["permit_types.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_permits_holder_id"), "permits", ["holder_id"], unique=False)
    op.create_index(op.f("ix_permits_valid_until"), "permits", ["valid_until"], unique=False)
    op.add_column(
        "applications",
        sa.Column("agency", sa.String(length=100), nullable=False, server_default=""),
    )
    op.execute(
        "UPDATE applications SET agency = "
        "(SELECT agency FROM permit_types WHERE permit_types.code = applications.permit_type)"
    )
    op.add_column(
        "applications",
        sa.Column("applicant_name", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "applications", sa.Column("submitted_at", chassis.database.UTCDateTime(), nullable=True)
    )
    op.add_column(
        "applications", sa.Column("due_at", chassis.database.UTCDateTime(), nullable=True)
    )
    op.add_column(
        "applications",
        sa.Column("overdue_flagged_at", chassis.database.UTCDateTime(), nullable=True),
    )
    op.add_column("applications", sa.Column("renewal_of", sa.String(length=36), nullable=True))
    op.create_index(op.f("ix_applications_agency"), "applications", ["agency"], unique=False)
    op.create_index(op.f("ix_applications_status"), "applications", ["status"], unique=False)
    op.add_column(
        "permit_types",
        sa.Column("required_documents", sa.JSON(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    op.drop_column("permit_types", "required_documents")
    op.drop_index(op.f("ix_applications_status"), table_name="applications")
    op.drop_index(op.f("ix_applications_agency"), table_name="applications")
    op.drop_column("applications", "renewal_of")
    op.drop_column("applications", "overdue_flagged_at")
    op.drop_column("applications", "due_at")
    op.drop_column("applications", "submitted_at")
    op.drop_column("applications", "applicant_name")
    op.drop_column("applications", "agency")
    op.drop_index(op.f("ix_permits_valid_until"), table_name="permits")
    op.drop_index(op.f("ix_permits_holder_id"), table_name="permits")
    op.drop_table("permits")
    op.drop_table("payments")
    op.drop_index(op.f("ix_documents_application_id"), table_name="documents")
    op.drop_table("documents")
    op.drop_index(
        op.f("ix_application_transitions_application_id"), table_name="application_transitions"
    )
    op.drop_table("application_transitions")
    op.drop_table("sequences")
