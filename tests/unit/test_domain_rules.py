"""Framework-free rules of the civil registry, the queue and licensing."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from services.licensing.domain import is_open
from services.queue.domain import (
    estimated_wait_minutes,
    invites_complaint,
    next_opening,
    service_day,
    ticket_label,
)

# --- queue -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, number, label",
    [("A", 1, "A-001"), ("B", 42, "B-042"), ("KTP", 999, "KTP-999"), ("A", 1000, "A-1000")],
)
def test_ticket_label_is_prefix_dash_zero_padded_number(prefix, number, label):
    assert ticket_label(prefix, number) == label


def test_service_day_late_evening_utc_is_already_tomorrow_in_jakarta():
    assert service_day(datetime(2026, 11, 23, 17, 30, tzinfo=UTC)) == date(2026, 11, 24)


def test_service_day_just_before_jakarta_midnight_is_still_today():
    assert service_day(datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC)) == date(2026, 11, 23)


def test_service_day_starts_exactly_at_jakarta_midnight():
    assert service_day(datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == date(2026, 11, 24)


def test_service_day_reads_times_given_in_other_zones():
    tokyo = timezone(timedelta(hours=9))
    # 01:30 in Tokyo on the 24th is 23:30 on the 23rd in Jakarta (UTC+7).
    assert service_day(datetime(2026, 11, 24, 1, 30, tzinfo=tokyo)) == date(2026, 11, 23)


@pytest.mark.parametrize(
    "elements",
    [
        [1, 4, 4, 4, 4, 4, 4, 4, 4],
        [4, 4, 4, 4, 4, 4, 4, 4, 1],
        [1] * 9,
        [2, 3, 1, 2, 3, 4, 2, 3, 2],
    ],
)
def test_a_rating_with_any_element_at_poor_invites_a_complaint(elements):
    assert invites_complaint(elements)


@pytest.mark.parametrize("elements", [[2] * 9, [4] * 9, [2, 3, 4, 2, 3, 4, 2, 3, 4]])
def test_a_rating_without_a_poor_element_invites_none(elements):
    assert not invites_complaint(elements)


# --- licensing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", ["draft", "submitted", "in_verification", "revision_requested", "approved"]
)
def test_applications_waiting_for_action_are_open(status):
    assert is_open(status)


@pytest.mark.parametrize("status", ["rejected", "withdrawn", "issued"])
def test_closed_applications_are_not_open(status):
    assert not is_open(status)


def test_no_wait_is_estimated_without_an_open_counter_and_the_next_opening_is_known():
    assert estimated_wait_minutes(3, [4.0], open_counters=0) is None
    assert estimated_wait_minutes(3, [4.0], open_counters=2) == 4.0
    wib = timezone(timedelta(hours=7))
    hours = {0: (time(8), time(15)), 1: (time(8), time(15))}  # Monday, Tuesday
    monday = datetime(2026, 12, 7, 7, 0, tzinfo=wib)
    assert next_opening(monday, hours, set()) == datetime(2026, 12, 7, 8, 0, tzinfo=wib)
    assert next_opening(monday.replace(hour=9), hours, set()) is None  # open now
    evening = monday.replace(hour=16)
    assert next_opening(evening, hours, set()) == datetime(2026, 12, 8, 8, 0, tzinfo=wib)
    closed = {date(2026, 12, 8)}  # a holiday: next Monday
    assert next_opening(evening, hours, closed) == datetime(2026, 12, 14, 8, 0, tzinfo=wib)
    assert next_opening(evening, {}, set()) is None
