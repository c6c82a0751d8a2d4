"""The mall's calendar in the running mall: a mall administrator closes a day over HTTP, the
catalog's outbox relay carries the change, and the queue then refuses bookings that day."""

import requests

from tests.e2e.conftest import bearer_headers, wait_until_healthy
from tests.integration.test_bookings import next_working_day_at
from tests.polling import eventually

SRAGEN_DAY = {
    "kind": "regional_holiday",
    "name_id": "Hari Jadi Kabupaten Sragen",
    "name_en": "Sragen Regency Day",
    "region": "3314",
}


def test_a_day_closed_by_the_mall_admin_reaches_the_queue_through_the_relay(mall):
    base, _, _ = mall
    wait_until_healthy(base, timeout=120)  # ten processes start on a shared machine
    slot = next_working_day_at(9)
    day = slot.date().isoformat()
    christmas = requests.get(f"{base}/api/v1/calendar?year=2026", timeout=10).json()["items"]
    assert "2026-12-25" in {d["day"] for d in christmas}  # shipped

    admin = bearer_headers(base, "mall_admin")
    changed = requests.put(f"{base}/api/v1/calendar/{day}", json=SRAGEN_DAY, headers=admin)
    assert changed.status_code == 200, changed.text
    citizen = bearer_headers(base, "citizen")

    def refused():
        booking = {"service_code": "population", "starts_at": slot.isoformat()}
        answer = requests.post(f"{base}/api/v1/bookings", json=booking, headers=citizen)
        assert answer.status_code in (201, 422), answer.text
        if answer.status_code == 201:  # not yet replicated: give the seat back, try again
            booking_id = answer.json()["id"]
            requests.post(f"{base}/api/v1/bookings/{booking_id}/cancellation", headers=citizen)
            return None
        return answer.json()

    body = eventually(refused, timeout=30, interval=0.5)
    assert "Sragen Regency Day" in body["error"]["fields"]["starts_at"][0]
