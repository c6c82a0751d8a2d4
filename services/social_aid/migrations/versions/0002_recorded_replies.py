"""recorded replies of state-changing calls; inbox pruned by age

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 07:00:00
"""

from chassis.migrate import create_recorded_replies_v1, drop_recorded_replies_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_recorded_replies_v1()


def downgrade() -> None:
    drop_recorded_replies_v1()
