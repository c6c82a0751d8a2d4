"""The injectable clock: the system's, or one started at a configured moment."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.now import CONFIG_KEY, Clock, ClockInProduction, starting_at


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


class _Container:
    def __init__(self, config: dict):
        self.config = config


CONTAINERS = []  # a dependency holds its container weakly


def _clock_of(config: dict) -> Clock:
    CONTAINERS.append(container := _Container(config))
    clock = Clock().bind(container, "clock")
    clock.setup()
    return clock


def test_a_production_service_refuses_a_clock_set_for_a_demonstration():
    start = {CONFIG_KEY: "2027-01-04T08:00:00+07:00"}
    with pytest.raises(ClockInProduction, match="MPP_ENV=production"):
        _clock_of({**start, "ENVIRONMENT": "production"})
    assert _clock_of({**start, "ENVIRONMENT": "development"}).now().year == 2027
    assert abs(_clock_of({"ENVIRONMENT": "production"}).now() - datetime.now(UTC)) < timedelta(
        seconds=5
    )
