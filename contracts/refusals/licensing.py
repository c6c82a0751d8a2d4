"""Refusals of the licensing service: permits, fees, documents, verification."""

REFUSALS: dict[str, str] = {}
# field reasons
REASONS: dict[str, str] = {}
