"""Why a field was refused: the reasons in ``error.fields``, as text.

Field reasons stay text (the API has always answered them so); the pages translate each
through the catalog, which holds the mall's own reasons below and the marshmallow defaults
its forms meet. A reason with values filled in (a length, a choice) is shown as it is.
"""

from contracts.refusals.mark import N_

# the text rule of every payload (contracts.validation)
NO_NUL = N_("must not contain a NUL character")
NOT_UNICODE = N_("must be Unicode text (a lone UTF-16 surrogate is not)")
NO_CONTROL = N_("must not contain control characters (only tab, line feed and carriage return)")
TOO_DEEP = N_("must not be nested more than 20 levels deep")  # MAX_NESTING

NOTE_REASON = N_("required: the applicant reads it")  # a note to reject or to ask a revision
FORM_NOT_TAKEN = N_("this step takes no values")  # a form sent with an action that has none
REASONS = {
    "note": NOTE_REASON,
    "form_not_taken": FORM_NOT_TAKEN,
    "taken": N_("taken"),
    "unknown": N_("unknown"),
    "agency_needed": N_("an agency role needs its agency"),
}

# a citizen's notification settings (contracts.notifications, services.notifications.domain)
NOTIFICATION_SETTINGS = (
    N_("8-15 digits, + before them"),
    N_("a channel is named twice"),
    N_("email needs the email set"),
    N_("sms needs the phone set"),
)

# marshmallow's own messages, as the mall's schemas give them
MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid email address."),
    N_("Not a valid list."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid value."),
)
