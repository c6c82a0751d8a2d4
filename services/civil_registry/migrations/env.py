"""Alembic environment of the civil_registry service."""

from chassis.migrate import run_migrations
from services.civil_registry.models import Base

run_migrations(Base.metadata)
