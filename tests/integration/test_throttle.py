"""Failed sign-in windows under concurrent attempts from several gateway workers."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gateway.identity import store, throttle
from gateway.identity.models import FailedSignIns


@pytest.mark.parametrize("db_backend", ["postgresql"])  # SQLite serialises attempts
def test_a_window_opened_by_another_worker_meanwhile_still_takes_our_failure(
    db_backend, database_url_factory, monkeypatch
):
    url = database_url_factory("gateway")
    limit, now = throttle.Limit("account:siti", 10), datetime.now(UTC)
    real_increment, raced = throttle._increment, []

    def increment_then_another_worker_opens_the_window(db, limit, window):
        taken = real_increment(db, limit, window)
        if not raced:  # between our UPDATE (no row yet) and our look for the row
            raced.append(True)
            with store.transaction(url) as other:
                other.add(FailedSignIns(key=limit.key, window_start=window, failures=1))
        return taken

    monkeypatch.setattr(throttle, "_increment", increment_then_another_worker_opens_the_window)
    with store.transaction(url) as db:
        throttle.reserve(db, [limit], now, 900)  # not throttled: 1 of 10 used
    with store.transaction(url) as db:
        assert db.scalars(select(FailedSignIns.failures)).all() == [2]
    store.dispose(url)


def test_a_full_window_refuses_until_it_ends(db_backend, database_url_factory):
    url = database_url_factory("gateway")
    limit, now = throttle.Limit("address:10.0.0.1", 2), datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    for _ in range(2):
        with store.transaction(url) as db:
            throttle.reserve(db, [limit], now, 900)
    with pytest.raises(throttle.Throttled) as refusal, store.transaction(url) as db:
        throttle.reserve(db, [limit], now, 900)
    assert refusal.value.retry_after == 600  # the window ends at 09:15
    later = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)
    with store.transaction(url) as db:
        throttle.reserve(db, [limit], later, 900)
    store.dispose(url)


def test_a_key_too_long_for_its_column_is_counted_by_its_digest(db_backend, database_url_factory):
    url = database_url_factory("gateway")
    login, address = "ß" * 64, "2001:0db8:85a3:0000:0000:8a2e:0370:7334%eth0"
    limit = throttle.Limit(f"pair:{login.casefold()}@{address}", 1)
    assert len(limit.key) <= 120 and limit.key.startswith("pair:")
    now = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
    with store.transaction(url) as db:
        throttle.reserve(db, [limit], now, 900)
    with pytest.raises(throttle.Throttled), store.transaction(url) as db:
        throttle.reserve(db, [throttle.Limit(f"pair:{login.casefold()}@{address}", 1)], now, 900)
    store.dispose(url)
