"""application transitions take the desk's one step shape (``chassis.steps.StepMixin``):
a step may come from no state (a module's first step); licensing's rows stay as they are

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application_transitions") as table:  # SQLite rebuilds it
        table.alter_column("from_status", existing_type=sa.String(length=30), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("application_transitions") as table:
        table.alter_column("from_status", existing_type=sa.String(length=30), nullable=False)
