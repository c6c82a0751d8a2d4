"""Refusals of the queue service: tickets, counters, bookings, ratings."""

from contracts.refusals.mark import N_

REFUSALS: dict[str, str] = {}
# field reasons
REASONS = {
    "slot_full": N_("slot full"),
}
