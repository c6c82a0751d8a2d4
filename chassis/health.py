"""The ``health`` report every service answers over RPC: its database, the broker, and,
for a service with an outbox, whether its events leave (a relay that has stopped shows as
events waiting longer than ``OUTBOX_LAG_SECONDS``; nothing else would show it)."""

import time
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from sqlalchemy import func, select, text

from chassis.database import Database, utcnow

OUTBOX_LAG_SECONDS = 60  # a relay polls every 0.2 s: a minute behind means it is not running


def package_version() -> str:
    try:
        return version("mpp")
    except PackageNotFoundError:
        return "unknown"


class Health(DependencyProvider):
    """Checks the service's database and broker; knows its version and uptime."""

    def setup(self):
        self.started = time.monotonic()
        lag = self.container.config.get("OUTBOX_LAG_SECONDS") or OUTBOX_LAG_SECONDS
        self.outbox_lag = timedelta(seconds=float(lag))

    def get_dependency(self, worker_ctx):
        return self.report

    def report(self) -> dict:
        checks = {"database": self._database(), "broker": self._broker()}
        if any(d.outbox is not None for d in self._databases()):
            checks["outbox"] = self._outbox()
        return {
            "service": self.container.service_name,
            "status": "ok" if all(c == "ok" for c in checks.values()) else "failing",
            "checks": checks,
            "version": package_version(),
            "uptime_seconds": round(time.monotonic() - self.started, 1),
        }

    def _databases(self) -> list[Database]:
        return [d for d in self.container.dependencies if isinstance(d, Database)]

    def _outbox(self) -> str:
        try:
            for db in self._databases():
                if db.outbox is None:
                    continue
                unpublished = db.outbox.published_at.is_(None)
                with db.engine.connect() as conn:
                    waiting, oldest = conn.execute(
                        select(func.count(), func.min(db.outbox.created_at)).where(unpublished)
                    ).one()
                if oldest is not None and utcnow() - oldest > self.outbox_lag:
                    age = round((utcnow() - oldest).total_seconds())
                    return f"behind: {waiting} events waiting, the oldest for {age} s (its relay?)"
            return "ok"
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"

    def _database(self) -> str:
        databases = self._databases()
        try:
            for db in databases:
                with db.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            return "ok"
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"

    def _broker(self) -> str:
        try:
            with Connection(self.container.config[AMQP_URI_CONFIG_KEY]) as conn:
                conn.ensure_connection(max_retries=1)
            return "ok"
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"
