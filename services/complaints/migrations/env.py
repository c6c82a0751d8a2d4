"""Alembic environment of the complaint desk."""

from chassis.migrate import run_migrations
from services.complaints.models import Base

run_migrations(Base.metadata)
