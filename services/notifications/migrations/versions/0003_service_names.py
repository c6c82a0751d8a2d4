"""the names of booked and applied-for services, in both languages, as their events told

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("known_applications", "known_bookings")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("service_names", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:  # SQLite rebuilds the table
            batch.drop_column("service_names")
