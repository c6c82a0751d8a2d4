"""The moment a worker acts at, as a dependency, so that a test can set the day.

Entrypoints ask ``self.clock()`` instead of reading the system clock; the time is UTC
(aware), as ``chassis.database.utcnow`` gives it. ``CLOCK_STARTS_AT`` in the container's
config (an ISO moment with its offset) starts the service's clock there when the container
starts; it then runs on at the real pace, so arrival order and durations stay true. A test
can also put its own callable in place of the dependency::

    class QueueService(MallService):
        clock = Clock()

    replace_dependencies(container, clock=lambda: datetime(2027, 1, 4, 2, tzinfo=UTC))

In production (``ENVIRONMENT: production``, from ``MPP_ENV``) a set ``CLOCK_STARTS_AT``
stops the service from starting: slots, deadlines and check-ins run on the real day there.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from nameko.extensions import DependencyProvider

CONFIG_KEY = "CLOCK_STARTS_AT"


class ClockInProduction(RuntimeError):
    """A production service was told to run on a clock other than the system's."""


def starting_at(moment: datetime | str | None) -> Callable[[], datetime]:
    """A clock that reads ``moment`` now and runs on from it; the system's when None."""
    if moment is None:
        return lambda: datetime.now(UTC)
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError(f"{CONFIG_KEY} needs an offset (as in 2027-01-04T08:00:00+07:00)")
    offset: timedelta = moment - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


class Clock(DependencyProvider):
    """Gives each worker ``now()``: the current moment in UTC, on the service's clock."""

    def setup(self):
        config = self.container.config
        production = str(config.get("ENVIRONMENT") or "").casefold() == "production"
        if production and config.get(CONFIG_KEY):
            raise ClockInProduction(
                f"{CONFIG_KEY} is for tests and demonstrations: unset it, MPP_ENV=production "
                "runs on the system clock"
            )
        self.now = starting_at(config.get(CONFIG_KEY))

    def get_dependency(self, worker_ctx) -> Callable[[], datetime]:
        return self.now
