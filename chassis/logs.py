"""Structured (JSON) logs carrying a correlation id across gateway, RPC calls and events.

The gateway puts ``correlation_id`` in the nameko context data of every call; nameko copies
context data into the headers of the RPC calls and events a worker sends, so one id follows
a request through every service. The outbox relay stores and re-sends it with each event.
"""

import json
import logging
import os
import threading
import uuid
from datetime import UTC, datetime

CONTEXT_KEY = "correlation_id"
HEADER = f"nameko.{CONTEXT_KEY}"
_local = threading.local()  # per thread; per green thread under eventlet's monkey patching
PROCESS = os.environ.get("MPP_PROCESS")  # the process's name, set by scripts.supervise


def current_correlation_id() -> str | None:
    return getattr(_local, "correlation_id", None)


def set_correlation_id(correlation_id: str | None) -> None:
    _local.correlation_id = correlation_id


def new_correlation_id() -> str:
    return uuid.uuid4().hex


class CorrelationFilter(logging.Filter):
    """Adds ``correlation_id`` to every log record."""

    def filter(self, record):
        if not hasattr(record, "correlation_id"):
            record.correlation_id = current_correlation_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, process, level, logger, message, correlation id."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "process": PROCESS,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str = "INFO") -> None:
    """Structured logging for processes that are not started by ``nameko run``."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
