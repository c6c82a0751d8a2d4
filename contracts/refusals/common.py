"""Refusals every service and the gateway give."""

from contracts.refusals.mark import N_

REFUSALS = {
    "invalid_input": N_("invalid input"),
    "not_found": N_("not found"),
    "role_required": N_("requires the role %(roles)s"),
    "service_unavailable": N_("%(service)s did not answer within %(seconds)s s; try again"),
    "no_module": N_("no module %(module)s"),
    "no_view": N_("%(module)s publishes no view %(view)s"),
    "no_operation": N_("%(module)s has no operation %(operation)s"),
    "stale_form": N_("missing or stale form token: reload the page"),
    "foreign_form": N_("a form of another site: use the mall's own pages"),
    "citizens_only": N_("for citizens: staff see the audit log instead"),
    "not_a_date": N_("not a date"),
    "day_not_in_calendar": N_("%(day)s is not in the calendar"),
    "day_changed_meanwhile": N_("%(day)s was changed at the same time: reload and try again"),
}
