"""Upgrading the queue's database mid-day keeps today's ticket numbering."""

from datetime import date

from alembic import command
from sqlalchemy import text

from chassis.database import make_engine
from chassis.migrate import alembic_config, upgrade
from chassis.sequences import next_value
from services.queue.models import Sequence
from tests.integration.helpers import session_for


def test_ticket_series_move_into_sequences_without_restarting(database_url_factory):
    url = database_url_factory("queue")
    command.downgrade(alembic_config("queue", url), "0001")
    engine = make_engine(url)
    with engine.begin() as conn:  # the 0001 schema, written as it was then
        conn.execute(
            text(
                "INSERT INTO service_lines (code, prefix, name_id, name_en) "
                "VALUES ('population', 'A', 'Kependudukan', 'Population')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ticket_series (service_code, day, last_number) "
                "VALUES ('population', :day, 41)"
            ),
            {"day": date(2026, 11, 23)},
        )
    engine.dispose()
    upgrade("queue", url)
    with session_for(url) as session, session.begin():
        assert next_value(session, Sequence, "ticket:population:2026-11-23") == 42
