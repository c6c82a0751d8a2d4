"""applications remember when they were announced overdue (the desk's sweep)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 02:00:00
"""

from chassis.migrate import add_overdue_flag_v1, drop_overdue_flag_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_overdue_flag_v1()


def downgrade() -> None:
    drop_overdue_flag_v1()
