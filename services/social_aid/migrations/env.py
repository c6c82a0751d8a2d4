"""Alembic environment of the social aid module."""

from chassis.migrate import run_migrations
from services.social_aid.models import Base

run_migrations(Base.metadata)
