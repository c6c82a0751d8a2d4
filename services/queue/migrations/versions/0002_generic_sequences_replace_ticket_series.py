"""generic sequences replace ticket series

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:31:34.616101
"""

import sqlalchemy as sa
from alembic import op

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
    # Today's series continue where they were: no ticket number is handed out twice.
    op.execute(
        "INSERT INTO sequences (key, last_value) "
        "SELECT 'ticket:' || service_code || ':' || CAST(day AS VARCHAR(10)), last_number "
        "FROM ticket_series"
    )
    op.drop_table("ticket_series")


def downgrade() -> None:
    # The series restart from the sequences' absence: downgrade only outside opening hours.
    op.create_table(
        "ticket_series",
        sa.Column("service_code", sa.VARCHAR(length=40), nullable=False),
        sa.Column("day", sa.DATE(), nullable=False),
        sa.Column("last_number", sa.INTEGER(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_code"],
            ["service_lines.code"],
        ),
        sa.PrimaryKeyConstraint("service_code", "day"),
    )
    op.drop_table("sequences")
