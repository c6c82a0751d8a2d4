"""Alembic migrations, one history per service under ``services/<name>/migrations``.

    python -m chassis.migrate queue [--config config/queue.yaml] [upgrade head]

Each service's ``migrations/env.py`` calls ``run_migrations(Base.metadata)``.
"""

import argparse
from pathlib import Path

from alembic import command, context
from alembic.config import Config

from chassis.config import PROJECT_ROOT, config_path, load_config
from chassis.database import make_engine


def alembic_config(service: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "services" / service / "migrations"))
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Migrate a service's database.")
    parser.add_argument("service", help="service package under services/, e.g. queue")
    parser.add_argument("revision", nargs="?", default="head")
    parser.add_argument("--config", help="YAML config (default: config/<service>.yaml)")
    args = parser.parse_args(argv)
    url = load_config(args.config or config_path(args.service))["DATABASE_URL"]
    upgrade(args.service, url, args.revision)
    print(f"{args.service}: database at {args.revision}")


if __name__ == "__main__":
    main()
