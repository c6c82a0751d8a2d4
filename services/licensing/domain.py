"""Rules of one-door licensing, free of any framework."""

OPEN_STATES = frozenset({"draft", "submitted", "in_verification", "revision_requested"})


def is_open(status: str) -> bool:
    """An application still waiting for someone to act on it."""
    return status in OPEN_STATES
