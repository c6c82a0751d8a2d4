"""The module's first tables: outbox, inbox, applications and the calendar replica.

Revision ID: 0001
Revises:
Create Date: 2026-01-01 00:00:00
"""

from alembic import op

from chassis.migrate import (
    application_columns_v2,
    calendar_day_columns_v1,
    create_messaging_tables_v1,
    create_recorded_replies_v1,
    drop_messaging_tables_v1,
    drop_recorded_replies_v1,
)
from contracts.calendar_2026_2027 import seed_rows

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables_v1()
    create_recorded_replies_v1()
    op.create_table("applications", *application_columns_v2())
    for column in ("service", "applicant_id", "status"):
        op.create_index(op.f(f"ix_applications_{column}"), "applications", [column])
    days = op.create_table("calendar_days", *calendar_day_columns_v1())
    op.bulk_insert(days, seed_rows())


def downgrade() -> None:
    op.drop_table("calendar_days")
    for column in ("service", "applicant_id", "status"):
        op.drop_index(op.f(f"ix_applications_{column}"), table_name="applications")
    op.drop_table("applications")
    drop_recorded_replies_v1()
    drop_messaging_tables_v1()
