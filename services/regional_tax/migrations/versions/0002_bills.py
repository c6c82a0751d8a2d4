"""tax bills: one tax on one object due on one day, its payment and receipt

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:00:00
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
INDEXED = ("person_id", "nik", "district", "due_on")


def upgrade() -> None:
    op.create_table(
        "bills",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("nik", sa.String(length=16), nullable=False),
        sa.Column("tax_kind", sa.String(length=20), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=60), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("paid_at", chassis.database.UTCDateTime(), nullable=True),
        sa.Column("receipt_reference", sa.String(length=60), nullable=True),
        sa.Column("paid_by", sa.String(length=36), nullable=True),
        sa.Column("imported_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", chassis.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tax_kind", "object", "due_on", name="uq_bills_object"),
        sa.UniqueConstraint("receipt_reference"),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_bills_{column}"), "bills", [column])


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_bills_{column}"), table_name="bills")
    op.drop_table("bills")
