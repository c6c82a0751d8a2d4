"""counters, priorities, opening hours, ratings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 11:55:05.374154
"""

import sqlalchemy as sa
from alembic import op

import chassis.database

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name_id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "holidays",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "opening_hours",
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.PrimaryKeyConstraint("weekday"),
    )
    op.create_table(
        "counters",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.String(length=100), nullable=True),
        sa.Column("priority_streak", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency"],
            ["agencies.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "ratings",
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("counter_id", sa.String(length=40), nullable=True),
        sa.Column("agency", sa.String(length=40), nullable=True),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("index_value", sa.Float(), nullable=False),
        sa.Column("rated_at", chassis.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index(op.f("ix_ratings_agency"), "ratings", ["agency"], unique=False)
    op.create_index(op.f("ix_ratings_counter_id"), "ratings", ["counter_id"], unique=False)
    op.create_index(op.f("ix_ratings_service_code"), "ratings", ["service_code"], unique=False)
    with op.batch_alter_table("service_lines") as batch:  # SQLite: rebuilds the table
        batch.add_column(sa.Column("agency", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("walk_in_quota", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_service_lines_agency", "agencies", ["agency"], ["code"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("priority", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("arrived_at", chassis.database.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("reserved_counter_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("counter_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("called_at", chassis.database.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("calls", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("serving_started_at", chassis.database.UTCDateTime(), nullable=True)
        )
        batch.add_column(sa.Column("finished_at", chassis.database.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("transferred_from", sa.String(length=36), nullable=True))
        batch.create_foreign_key("fk_tickets_counter", "counters", ["counter_id"], ["id"])
    op.execute("UPDATE tickets SET arrived_at = issued_at")  # walk-ins arrive when issued
    with op.batch_alter_table("tickets") as batch:
        batch.alter_column(
            "arrived_at", existing_type=chassis.database.UTCDateTime(), nullable=False
        )
    op.create_index(
        "ix_tickets_waiting", "tickets", ["status", "service_code", "day", "arrived_at"]
    )
    op.create_index(
        "one_active_ticket_per_counter",
        "tickets",
        ["counter_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('called', 'serving')"),
        sqlite_where=sa.text("status IN ('called', 'serving')"),
    )


def downgrade() -> None:
    op.drop_index("one_active_ticket_per_counter", table_name="tickets")
    op.drop_index("ix_tickets_waiting", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("fk_tickets_counter", type_="foreignkey")
        for column in (
            "transferred_from",
            "outcome",
            "finished_at",
            "serving_started_at",
            "calls",
            "called_at",
            "counter_id",
            "reserved_counter_id",
            "arrived_at",
            "priority",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("service_lines") as batch:
        batch.drop_constraint("fk_service_lines_agency", type_="foreignkey")
        batch.drop_column("walk_in_quota")
        batch.drop_column("agency")
    op.drop_index(op.f("ix_ratings_service_code"), table_name="ratings")
    op.drop_index(op.f("ix_ratings_counter_id"), table_name="ratings")
    op.drop_index(op.f("ix_ratings_agency"), table_name="ratings")
    op.drop_table("ratings")
    op.drop_table("counters")
    op.drop_table("opening_hours")
    op.drop_table("holidays")
    op.drop_table("agencies")
