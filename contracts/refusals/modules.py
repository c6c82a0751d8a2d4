"""Refusals of the agency modules of this repository (a module's own, beyond the desk's)."""

from contracts.refusals.mark import N_

REFUSALS = {
    # social_aid: who may apply at all
    "aid_applicant_unregistered": N_("the applicant is not in the civil registry"),
    "aid_applicant_deceased": N_(
        "the applicant is registered as deceased in the civil registry: "
        "social aid is paid to living residents"
    ),
    "aid_applicant_died_on": N_(
        "the applicant is registered as deceased on %(died_on)s in the civil registry: "
        "social aid is paid to living residents"
    ),
    "aid_no_family_card": N_(
        "the applicant is on no family card in the civil registry: "
        "the household is read from it, so register one at the civil registry first"
    ),
    "aid_outside_regency": N_(
        "the applicant's family card is registered in %(where)s, outside this mall's "
        "regency %(regency)s: apply at the social affairs office there"
    ),
}
