"""Refusals of the civil registry: residents, family cards, births, deaths, marriages, moves."""

from contracts.refusals.mark import N_

REFUSALS = {
    # residents and family cards
    "no_resident": N_("no resident %(resident)s"),
    "no_family_card": N_("no family card %(family_card)s"),
    "invalid_nik": N_("invalid NIK"),
    "nik_taken": N_("NIK already registered"),
    "nik_would_not_fit": N_("the NIK would not fit the record"),
    "nik_serials_exhausted": N_("no NIK serial left for %(prefix)s"),
    "invalid_family_card_number": N_("invalid family card number"),
    "family_card_number_taken": N_("family card number already used"),
    "already_on_family_card": N_("the resident is already on this family card"),
    "nothing_to_correct": N_("nothing to correct"),
    "resident_deceased": N_("%(name)s is registered as deceased"),
    # births
    "impossible_birth_date": N_("impossible birth date"),
    "parent_not_registered": N_("%(field)s is not a registered resident"),
    "parent_wrong_sex": N_("%(field)s has the wrong sex"),
    "birth_already_registered": N_("this birth is already registered on the family card"),
    "mother_without_family_card": N_("the mother has no family card: give family_card_id"),
    # deaths
    "death_already_registered": N_("death already registered on %(died_on)s"),
    "impossible_death_date": N_("impossible date of death"),
    # marriages
    "marrying_oneself": N_("two different people marry"),
    "impossible_marriage_date": N_("impossible marriage date"),
    "already_married": N_("%(name)s is already married"),
}

# field reasons (the common "unknown" is in fields.REASONS)
NIK_REGISTERED = N_("already registered")
CARD_NUMBER_USED = N_("already used")
GIVE_A_CHANGE = N_("give at least one field")
SECOND_SPOUSE_DIFFERS = N_("must differ from first_spouse_id")
WRONG_SEX = N_("wrong sex")
SAME_CHILD = N_("a child of this name born that day is already registered")
CARD_REQUIRED = N_("required when the mother has no family card")
SERIAL_ZERO = N_("serial (digits 13-16) must not be 0000")
REASONS = {
    "nik_registered": NIK_REGISTERED,
    "card_number_used": CARD_NUMBER_USED,
    "give_a_change": GIVE_A_CHANGE,
    "second_spouse_differs": SECOND_SPOUSE_DIFFERS,
    "wrong_sex": WRONG_SEX,
    "same_child": SAME_CHILD,
    "family_card_required": CARD_REQUIRED,
    "nik_serial_zero": SERIAL_ZERO,
}
