"""Alembic environment of the regional tax module."""

from chassis.migrate import run_migrations
from services.regional_tax.models import Base

run_migrations(Base.metadata)
