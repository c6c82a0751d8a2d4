"""Refusals of the civil registry: residents, family cards, births, deaths, marriages, moves."""

REFUSALS: dict[str, str] = {}
# field reasons
REASONS: dict[str, str] = {}
