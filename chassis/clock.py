"""The mall's time: Asia/Jakarta (WIB, UTC+7). Days of issue, series and deadlines follow it."""

from datetime import date, datetime

from contracts.times import MALL_TIME  # the one definition, beside the wire that shows it

__all__ = ["MALL_TIME", "mall_date", "today"]


def mall_date(moment: datetime) -> date:
    """The calendar day in the mall at ``moment`` (an aware datetime)."""
    return moment.astimezone(MALL_TIME).date()


def today() -> date:
    return datetime.now(MALL_TIME).date()
