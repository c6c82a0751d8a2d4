"""The pages' language: Indonesian first, English on request, dates as people read them."""

from datetime import UTC, date, datetime, time

import pytest
from flask import Flask
from flask_babel import gettext

from chassis.clock import MALL_TIME
from gateway.web import i18n
from services.queue.domain import slot_starts

app = Flask(__name__)
i18n.install(app)


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("", "", "id"),
        ("", "en-US,en;q=0.9", "en"),
        ("?lang=id", "en-US", "id"),
        ("?lang=en", "", "en"),
        ("?lang=fr", "fr-FR", "id"),
    ],
)
def test_the_language_is_chosen_then_asked_then_indonesian(query, header, expected):
    with app.test_request_context(f"/{query}", headers={"Accept-Language": header}):
        assert i18n.language() == expected
        assert gettext("My queue") == ("My queue" if expected == "en" else "Antrean saya")


def test_moments_are_shown_in_mall_time_with_indonesian_months():
    with app.test_request_context("/"):
        assert i18n.when(datetime(2026, 8, 16, 17, 5, tzinfo=UTC)) == "17 Agu 2026 00:05"
        assert i18n.when("2026-08-16T17:05:00") == "17 Agu 2026 00:05"  # stored naive: UTC
        assert i18n.when("2026-05-01") == "1 Mei 2026"
        assert i18n.clock("2026-11-23T01:30:00+00:00") == "08:30"
        assert i18n.status("revision_requested") == "Perlu perbaikan"
        assert i18n.reason("slot full") == "Jadwal penuh, pilih waktu lain."
    with app.test_request_context("/?lang=en"):
        assert i18n.when(date(2026, 8, 17)) == "17 Aug 2026"
        assert i18n.status("revision_requested") == "Revision requested"
        assert i18n.reason("slot full") == "slot full"


def test_slots_fill_the_opening_hours_and_none_passes_closing():
    starts = slot_starts(date(2026, 11, 23), (time(8, 0), time(11, 30)), 30)
    assert [s.strftime("%H:%M") for s in starts] == [
        "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00",
    ]  # fmt: skip
    assert all(s.tzinfo == MALL_TIME for s in starts)
    assert slot_starts(date(2026, 11, 23), (time(8, 0), time(8, 20)), 30) == []
    assert slot_starts(date(2026, 11, 22), None, 30) == []
