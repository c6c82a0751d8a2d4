"""the queue's holidays become a replica of the mall's calendar (national and regional
holidays, collective leave), seeded with 2026 and 2027; days already recorded are kept

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:10:00
"""

import sqlalchemy as sa
from alembic import op

from contracts.calendar_2026_2027 import seed_rows

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("holidays") as batch:
        batch.alter_column("name", new_column_name="name_id", existing_type=sa.String(200))
        batch.add_column(
            sa.Column("kind", sa.String(20), nullable=False, server_default="national_holiday")
        )
        batch.add_column(sa.Column("name_en", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("region", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    holidays = sa.table(
        "holidays",
        sa.column("day", sa.Date()),
        *(sa.column(name, sa.String()) for name in ("kind", "name_id", "name_en", "region")),
        sa.column("provisional", sa.Boolean()),
        sa.column("version", sa.Integer()),
        sa.column("removed", sa.Boolean()),
    )
    known = {row[0] for row in op.get_bind().execute(sa.select(holidays.c.day))}
    op.bulk_insert(holidays, [row for row in seed_rows() if row["day"] not in known])


def downgrade() -> None:
    with op.batch_alter_table("holidays") as batch:
        for name in ("removed", "version", "provisional", "region", "name_en", "kind"):
            batch.drop_column(name)
        batch.alter_column("name_id", new_column_name="name", existing_type=sa.String(200))
