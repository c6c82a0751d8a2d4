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
    # complaints: the complaint desk of the mall
    "complaint_agency_code": N_("%(agency)s is not an agency code (a-z, 0-9, - and _)"),
    "complaint_same_agency": N_("the complaint is already with %(agency)s"),
    "complaint_voice_citizens": N_("only signed-in citizens add their voice to a complaint"),
    "complaint_voice_ended": N_("the complaint is %(status)s: no more voices are added"),
    "complaint_voice_own": N_("this is your own complaint"),
    "complaint_voice_added": N_("you have already added your voice to this complaint"),
    "complaint_object_id_needed": N_(
        "a complaint about your ticket, booking or application names it by its id"
    ),
    "complaint_object_not_hers": N_(
        "%(object_id)s is not a ticket, booking or application of yours: a complaint names your own"
    ),
    # regional_tax: the tax robot of bapenda
    "tax_staff_only": N_("only the %(roles)s of %(agency)s do this"),
    "tax_file_refused": N_(
        "%(count)s rows of the file have problems, listed by line: nothing was imported; "
        "correct them and import the whole file again"
    ),
    "tax_import_clash": N_(
        "the same bills were imported at the same moment by someone else: import the file "
        "again (bills already there are not made twice)"
    ),
    "no_tax_bill": N_("no tax bill %(bill)s"),
    "tax_bill_paid": N_("the bill was already paid on %(paid_on)s (receipt %(receipt)s)"),
    "tax_amount_mismatch": N_("the bill is Rp %(amount)s: record the exact amount"),
    "tax_receipt_used": N_("receipt %(receipt)s is already recorded for another payment"),
}

# why a row of the tax office's file was refused (``error.fields``)
TOO_MANY_CELLS = N_("more cells than the header has columns")
NIK_UNKNOWN = N_("not in the civil registry")
TAXPAYER_DECEASED = N_("registered as deceased in the civil registry: bill the heir")
BILL_DIFFERS = N_("a bill for this object and due day was imported before with other values")
NO_BILLS = N_("the file has a header and no bills")
RECEIPT_USED = N_("already recorded for another payment")
# a complaint about her own ticket, booking or application (services.complaints)
OBJECT_ID_NEEDED = N_("required for a ticket, booking or application")
OBJECT_NOT_HERS = N_("not one of yours, or no such one")
REASONS = {
    "no_bills": NO_BILLS,
    "receipt_used": RECEIPT_USED,
    "too_many_cells": TOO_MANY_CELLS,
    "nik_unknown": NIK_UNKNOWN,
    "taxpayer_deceased": TAXPAYER_DECEASED,
    "bill_differs": BILL_DIFFERS,
    "object_id_needed": OBJECT_ID_NEEDED,
    "object_not_hers": OBJECT_NOT_HERS,
}
