"""Alembic migrations, one history per service under ``services/<name>/migrations``, and
the gateway's own (accounts, sessions, audit) under ``gateway/identity/migrations``.

    python -m chassis.migrate queue [--config config/queue.yaml] [upgrade head]
    python -m chassis.migrate gateway

Each service's ``migrations/env.py`` calls ``run_migrations(Base.metadata)``.
"""

import argparse
import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config

from chassis.config import PROJECT_ROOT, config_path, load_config
from chassis.database import UTCDateTime, make_engine


def migrations_of(name: str) -> Path:
    """``gateway``, a service under ``services/``, or an agency module installed elsewhere
    (any importable package of that name with a ``migrations`` folder)."""
    if name == "gateway":
        return PROJECT_ROOT / "gateway" / "identity" / "migrations"
    if (PROJECT_ROOT / "services" / name).is_dir():
        return PROJECT_ROOT / "services" / name / "migrations"
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"no service or module named {name}")
    return Path(next(iter(spec.submodule_search_locations))) / "migrations"


def alembic_config(service: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_of(service)))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(service: str, database_url: str, revision: str = "head") -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(service, database_url), revision)


def run_migrations(metadata) -> None:
    """Body of every service's ``env.py`` (online mode only: the mall migrates live)."""
    engine = make_engine(context.config.attributes["database_url"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_messaging_tables_v1() -> None:
    """The outbox and inbox of every service, as first released. Never edit: a later shape
    of these tables gets a new function and a migration of its own."""
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=200), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(op.f("ix_outbox_published_at"), "outbox", ["published_at"], unique=False)


def drop_messaging_tables_v1() -> None:
    op.drop_index(op.f("ix_outbox_published_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")


def create_recorded_replies_v1() -> None:
    """The replies of state-changing RPC calls (``chassis.database.ReplyMixin``)."""
    op.create_table(
        "recorded_replies",
        sa.Column("call_key", sa.String(length=200), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("call_key"),
    )
    op.create_index(
        op.f("ix_recorded_replies_recorded_at"), "recorded_replies", ["recorded_at"], unique=False
    )
    op.create_index(op.f("ix_inbox_processed_at"), "inbox", ["processed_at"], unique=False)


def drop_recorded_replies_v1() -> None:
    op.drop_index(op.f("ix_inbox_processed_at"), table_name="inbox")
    op.drop_index(op.f("ix_recorded_replies_recorded_at"), table_name="recorded_replies")
    op.drop_table("recorded_replies")


def application_columns_v2() -> list[sa.Column]:
    """The columns of a module's applications (``chassis.module.ApplicationMixin``) with the
    overdue flag, for a module's first migration (a module adds its own columns after
    them). Never edit: a later change is a new version."""
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service", sa.String(length=30), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("routed_to", sa.String(length=60), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("overdue_flagged_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    ]


def add_overdue_flag_v1() -> None:
    """A module's applications remember when they were announced overdue (once each):
    ``chassis.module.ApplicationMixin.overdue_flagged_at``. A module made before it calls
    this in a migration of its own."""
    op.add_column("applications", sa.Column("overdue_flagged_at", UTCDateTime(), nullable=True))


def drop_overdue_flag_v1() -> None:
    with op.batch_alter_table("applications") as table:  # SQLite rebuilds the table
        table.drop_column("overdue_flagged_at")


def tracking_hash_v1() -> None:
    """A visitor's application keeps the digest of her tracking code
    (``chassis.module.ApplicationMixin.tracking_hash``). A module made before it calls this
    in a migration of its own."""
    op.add_column("applications", sa.Column("tracking_hash", sa.String(length=64), nullable=True))


def drop_tracking_hash_v1() -> None:
    op.drop_column("applications", "tracking_hash")  # native: the steps refer to the table


def application_steps_v1() -> None:
    """A module's application history leaves the JSON ``applications.history`` for rows of
    ``application_steps`` (``chassis.steps.StepMixin``, the shape licensing's steps have),
    copied in their order. A module made before it calls this in a migration of its own.
    Never edit: a later change is a new version."""
    applications = sa.table(
        "applications", sa.column("id", sa.String), sa.column("history", sa.JSON)
    )
    connection = op.get_bind()
    histories = connection.execute(sa.select(applications.c.id, applications.c.history)).all()
    # native DROP COLUMN (SQLite 3.35+), not a batch rebuild: a rebuild of the applications
    # fails under foreign keys once other rows refer to them (complaints' supporters)
    op.drop_column("applications", "history")
    steps = op.create_table("application_steps", *application_step_columns_v1())
    op.create_index(
        op.f("ix_application_steps_application_id"), "application_steps", ["application_id"]
    )
    rows = []
    for application_id, history in sorted(histories):
        previous = None
        for number, step in enumerate(history or []):
            at = datetime.fromisoformat(step["at"])
            rows.append(
                {
                    "application_id": application_id,
                    # the JSON kept no action: the first step submitted the application, a
                    # later one is named by the state it reached
                    "action": "submit" if number == 0 else step["status"],
                    "from_status": previous,
                    "to_status": step["status"],
                    "actor_id": step.get("actor_id"),
                    "actor_role": step.get("actor_role"),
                    "note": step.get("note"),
                    "at": at if at.tzinfo else at.replace(tzinfo=UTC),
                }
            )
            previous = step["status"]
    if rows:  # one insert in order: ids follow the steps' order
        op.bulk_insert(steps, rows)


def drop_application_steps_v1() -> None:
    """Back to the JSON history, filled from the rows (the action names are lost)."""
    steps = sa.table(
        "application_steps",
        sa.column("id", sa.BigInteger),
        sa.column("application_id", sa.String),
        sa.column("to_status", sa.String),
        sa.column("actor_id", sa.String),
        sa.column("actor_role", sa.String),
        sa.column("note", sa.String),
        sa.column("at", UTCDateTime()),
    )
    # a NOT NULL column added to rows that exist needs a default (SQLite cannot alter it later)
    op.add_column(
        "applications", sa.Column("history", sa.JSON(), nullable=False, server_default="[]")
    )
    connection = op.get_bind()
    histories: dict[str, list] = {}
    for step in connection.execute(sa.select(steps).order_by(steps.c.id)).mappings():
        histories.setdefault(step["application_id"], []).append(
            {
                "status": step["to_status"],
                "actor_id": step["actor_id"],
                "actor_role": step["actor_role"],
                "note": step["note"],
                "at": step["at"].isoformat(),
            }
        )
    applications = sa.table(
        "applications", sa.column("id", sa.String), sa.column("history", sa.JSON)
    )
    for application_id, history in histories.items():
        connection.execute(
            applications.update().where(applications.c.id == application_id).values(history=history)
        )
    op.drop_index(op.f("ix_application_steps_application_id"), table_name="application_steps")
    op.drop_table("application_steps")


def application_step_columns_v1() -> list[sa.Column]:
    """The columns of a step table (``chassis.steps.StepMixin``), as first released."""
    return [
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=True),
        sa.Column("actor_role", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("id"),
    ]


def calendar_day_columns_v1() -> list[sa.Column]:
    """The columns of a calendar table (``chassis.calendar.CalendarDayMixin``), as first
    released: the catalog's and every replica's. Never edit (see above)."""
    return [
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name_id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=20), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    ]


def config_of(name: str) -> str:
    """``config/<name>.yaml``, or the ``config.yaml`` a module made elsewhere carries."""
    path = Path(config_path(name))
    if not path.exists() and (beside := migrations_of(name).parent / "config.yaml").exists():
        return str(beside)
    return str(path)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Migrate a service's database.")
    parser.add_argument("service", help="a service under services/ (e.g. queue), or gateway")
    parser.add_argument("revision", nargs="?", default="head")
    parser.add_argument("--config", help="YAML config (default: config/<service>.yaml)")
    args = parser.parse_args(argv)
    url = load_config(args.config or config_of(args.service))["DATABASE_URL"]
    upgrade(args.service, url, args.revision)
    print(f"{args.service}: database at {args.revision}")


if __name__ == "__main__":
    main()
