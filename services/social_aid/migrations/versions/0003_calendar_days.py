"""the module's replica of the mall's calendar (working-day deadlines), seeded with 2026
and 2027

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 14:20:00
"""

from alembic import op

from chassis.migrate import calendar_day_columns_v1
from contracts.calendar_2026_2027 import seed_rows

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    days = op.create_table("calendar_days", *calendar_day_columns_v1())
    op.bulk_insert(days, seed_rows())


def downgrade() -> None:
    op.drop_table("calendar_days")
