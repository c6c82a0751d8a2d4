"""Rules of the counter queue, free of any framework."""

from datetime import date, datetime

from chassis.clock import mall_date


def service_day(now: datetime) -> date:
    """Ticket series reset at midnight mall time (WIB), not UTC."""
    return mall_date(now)


def ticket_label(prefix: str, number: int) -> str:
    """What the display board calls: A-001."""
    return f"{prefix}-{number:03d}"
