"""a visitor's application keeps the digest of her tracking code

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 00:20:00
"""

from chassis.migrate import drop_tracking_hash_v1, tracking_hash_v1

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tracking_hash_v1()


def downgrade() -> None:
    drop_tracking_hash_v1()
