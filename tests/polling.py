"""Waiting in tests: poll a condition until a deadline, never a fixed sleep."""

import time

import eventlet


def eventually(check, timeout: float = 15.0, interval: float = 0.05):
    """Return ``check()``'s first truthy value, or fail when ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        eventlet.sleep(interval)
