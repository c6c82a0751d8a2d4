"""an application's steps are rows of application_steps (the desk's one step shape, as
licensing's), copied in order from the JSON history they leave

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 23:40:00
"""

from chassis.migrate import application_steps_v1, drop_application_steps_v1

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    application_steps_v1()


def downgrade() -> None:
    drop_application_steps_v1()
