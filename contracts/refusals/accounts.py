"""Refusals of the gateway's accounts: signing in, staff accounts."""

from contracts.refusals.mark import N_

REFUSALS = {
    "no_staff_account": N_("no staff account %(account)s"),
    "own_account": N_("you cannot disable your own account"),
    "not_your_staff": N_("you may not manage a %(role)s of %(agency)s"),
    "unknown_agency": N_("no agency %(agency)s in the mall"),
    "login_taken": N_("this username is taken"),
    "nik_has_account": N_("an account already exists for this NIK; sign in instead"),
    "wrong_credentials": N_("wrong NIK/username or password"),
    "account_holder_deceased": N_(
        "this account is closed: the civil registry has recorded its holder's death"
    ),
}
# field reasons
IDENTITY_MISMATCH = N_("NIK, full name and birth date do not match the civil registry")
REASONS = {"identity_mismatch": IDENTITY_MISMATCH}
