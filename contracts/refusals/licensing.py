"""Refusals of the licensing service: permits, fees, documents, verification."""

from contracts.refusals.mark import N_

REFUSALS = {
    # applications
    "unknown_permit_type": N_("unknown permit type"),
    "agency_role_required": N_("only a %(role)s of %(agency)s may do this"),
    # documents
    "document_kind_not_taken": N_("this permit does not take a document of that kind"),
    "documents_locked": N_("documents can't be added while the application is %(status)s"),
    "file_not_uploaded": N_("upload the file first"),
    "file_already_attached": N_("this file is already attached to this application"),
    "documents_missing": N_("required documents are missing"),
    # fees
    "no_fee": N_("this permit has no fee"),
    "fee_already_paid": N_("the fee is already paid"),
    "wrong_amount": N_("wrong amount"),
    "application_not_open": N_("the application is %(status)s"),
    "receipt_used": N_("receipt already used"),
    # permits
    "no_permit": N_("no permit %(permit)s"),
    "not_the_issuing_agency": N_("only officers of the issuing agency revoke its permits"),
    "permit_not_active": N_("the permit is already %(status)s"),
    "permit_not_renewable": N_("only an active permit with an end date is renewed"),
    "permit_expired": N_("the permit has expired: apply anew"),
}

# field reasons
NOT_A_RESIDENT = N_("does not match a registered resident")
NOT_IN_STORE = N_("not in the document store")
ALREADY_USED = N_("already used")
# the note an officer must write, said for each action that needs one (the office's form
# asks for a reason to reject and for what to revise, not for "a note")
NOTE_REASONS = {
    "reject": N_("required to reject: the applicant reads it"),
    "request_revision": N_("required to request_revision: the applicant reads it"),
}
REASONS = {
    "not_a_resident": NOT_A_RESIDENT,
    "not_in_store": NOT_IN_STORE,
    "already_used": ALREADY_USED,
    **{f"note_to_{action}": reason for action, reason in NOTE_REASONS.items()},
}
