"""contracts.events: the envelope every event travels in."""

import uuid
from datetime import date, datetime

import pytest

from chassis.errors import InvalidInput, load
from contracts.events import EVENT_SCHEMAS, EventEnvelope, envelope


def test_envelope_wraps_valid_data_with_id_type_source_and_correlation():
    message = envelope("queue", "ticket_cancelled", {"ticket_id": "t-1", "reason": "no-show"}, "c1")
    assert uuid.UUID(message["event_id"])
    assert message["event_type"] == "ticket_cancelled"
    assert message["source"] == "queue"
    assert message["correlation_id"] == "c1"
    assert message["data"] == {"ticket_id": "t-1", "reason": "no-show"}


def test_envelope_occurred_at_is_an_aware_iso_timestamp():
    message = envelope("queue", "ticket_cancelled", {"ticket_id": "t", "reason": "r"}, None)
    assert datetime.fromisoformat(message["occurred_at"]).utcoffset() is not None


def test_envelope_passes_its_own_schema():
    message = envelope(
        "licensing", "application_created", {"application_id": "a", "permit_type": "SIUP"}, None
    )
    assert load(EventEnvelope(), message) == message


def test_envelope_serialises_dates_to_iso_strings():
    message = envelope(
        "civil_registry", "person_died", {"person_id": "p-1", "died_on": date(2026, 1, 31)}, None
    )
    assert message["data"] == {"person_id": "p-1", "died_on": "2026-01-31"}


def test_envelope_accepts_iso_date_strings_and_keeps_them_iso():
    message = envelope(
        "civil_registry", "person_died", {"person_id": "p", "died_on": "2026-01-31"}, None
    )
    assert message["data"]["died_on"] == "2026-01-31"


def test_envelope_rejects_data_missing_a_required_field():
    with pytest.raises(InvalidInput) as caught:
        envelope("civil_registry", "person_died", {"person_id": "p-1"}, None)
    assert set(caught.value.fields) == {"died_on"}


def test_envelope_rejects_data_with_an_unknown_field():
    data = {"person_id": "p-1", "secret": "x"}
    with pytest.raises(InvalidInput) as caught:
        envelope("civil_registry", "resident_registered", data, None)
    assert "secret" in caught.value.fields


def test_envelope_rejects_a_malformed_date():
    with pytest.raises(InvalidInput) as caught:
        envelope("civil_registry", "person_died", {"person_id": "p", "died_on": "31/01/2026"}, None)
    assert "died_on" in caught.value.fields


def test_envelope_raises_lookup_error_for_an_unknown_event_type():
    with pytest.raises(LookupError, match="no schema for event queue.ticket_lost"):
        envelope("queue", "ticket_lost", {}, None)


def test_each_event_gets_a_fresh_event_id():
    data = {"ticket_id": "t", "reason": "r"}
    first = envelope("queue", "ticket_cancelled", data, None)
    second = envelope("queue", "ticket_cancelled", data, None)
    assert first["event_id"] != second["event_id"]


@pytest.mark.parametrize(
    "source, event_type",
    [
        ("civil_registry", "resident_registered"),
        ("civil_registry", "person_died"),
        ("licensing", "application_created"),
        ("licensing", "application_status_changed"),
        ("queue", "ticket_issued"),
        ("queue", "ticket_cancelled"),
    ],
)
def test_every_published_event_has_a_registered_schema(source, event_type):
    with pytest.raises(InvalidInput):  # not LookupError: the schema exists, {} breaks it
        envelope(source, event_type, {}, None)
    assert (source, event_type) in EVENT_SCHEMAS
