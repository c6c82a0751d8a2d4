"""Refusals of the application desk: licensing's and every agency module's."""

from contracts.refusals.mark import N_

REFUSALS = {
    "no_application": N_("no application %(application)s"),
    "illegal_transition": N_(
        "cannot %(action)s an application that is %(state)s; allowed: %(allowed)s"
    ),
    "application_closed": N_(
        "cannot %(action)s an application that is %(state)s; allowed: nothing, it is closed"
    ),
    "note_required": N_("a note is required to %(action)s"),
    "citizens_apply_for_themselves": N_("citizens apply for themselves"),
    "only_the_applicant": N_("only the applicant may do this"),
    "action_takes_no_form": N_("%(action)s takes no values: send only its note"),
    "unknown_action": N_("%(action)s is not an action of these applications"),
    "not_your_agency": N_("only officers of %(agency)s decide"),
    "applicant_deceased": N_("applicant is registered as deceased"),
    "applicant_unknown": N_("applicant not found in the civil registry"),
    "service_not_offered": N_("%(module)s offers no %(service)s"),
}
