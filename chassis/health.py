"""The ``health`` report every service answers over RPC."""

import time
from importlib.metadata import PackageNotFoundError, version

from kombu import Connection
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.extensions import DependencyProvider
from sqlalchemy import text

from chassis.database import Database


def package_version() -> str:
    try:
        return version("mpp")
    except PackageNotFoundError:
        return "unknown"


class Health(DependencyProvider):
    """Checks the service's database and broker; knows its version and uptime."""

    def setup(self):
        self.started = time.monotonic()

    def get_dependency(self, worker_ctx):
        return self.report

    def report(self) -> dict:
        checks = {"database": self._database(), "broker": self._broker()}
        return {
            "service": self.container.service_name,
            "status": "ok" if all(c == "ok" for c in checks.values()) else "failing",
            "checks": checks,
            "version": package_version(),
            "uptime_seconds": round(time.monotonic() - self.started, 1),
        }

    def _database(self) -> str:
        databases = [d for d in self.container.dependencies if isinstance(d, Database)]
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
