"""The injectable clock: the system's, or one started at a configured moment."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.now import starting_at


def test_without_a_start_the_clock_is_the_systems():
    before = datetime.now(UTC)
    assert before <= starting_at(None)() <= datetime.now(UTC)


def test_a_clock_started_at_a_moment_reads_it_and_runs_on():
    now = starting_at("2030-01-07T23:59:00+07:00")
    first, second = now(), now()
    start = datetime(2030, 1, 7, 16, 59, tzinfo=UTC)
    assert start <= first <= second < start + timedelta(seconds=5)
    assert first.utcoffset() == timedelta(0)


def test_a_start_without_its_offset_is_refused():
    with pytest.raises(ValueError, match="offset"):
        starting_at("2030-01-07T08:00:00")
