"""Alembic environment of the gateway's identity database."""

from chassis.migrate import run_migrations
from gateway.identity.models import Base

run_migrations(Base.metadata)
