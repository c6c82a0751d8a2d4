"""the parents of a birth registered here, so that dates are checked against theirs

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("mother_id", "father_id"):
        op.add_column("residents", sa.Column(column, sa.String(36), nullable=True))
        op.create_index(f"ix_residents_{column}", "residents", [column])


def downgrade() -> None:
    for column in ("father_id", "mother_id"):
        op.drop_index(f"ix_residents_{column}", table_name="residents")
        op.drop_column("residents", column)
