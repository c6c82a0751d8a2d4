"""Alembic environment of the catalog service."""

from chassis.migrate import run_migrations
from services.catalog.models import Base

run_migrations(Base.metadata)
