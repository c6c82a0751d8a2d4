"""Refusals of the queue service: tickets, counters, bookings, ratings."""

from contracts.refusals.mark import N_

STAFF_ONLY = N_("staff only")

REFUSALS = {
    # tickets
    "priority_at_the_desk": N_("priority is marked at the desk"),
    "no_service": N_("no service %(service)s"),
    "walk_in_quota_reached": N_("today's %(quota)s walk-in tickets are all taken"),
    "no_ticket": N_("no ticket %(ticket)s"),
    "cancel_code_mismatch": N_("the cancel code does not match this ticket"),
    "ticket_not_waiting": N_("only a waiting ticket can be given up"),
    "ticket_just_called": N_("the ticket was just called; go to the counter"),
    "holder_deceased": N_(
        "this person is recorded as deceased: nothing is booked or issued in her name"
    ),
    # counters
    "no_counter": N_("no counter %(counter)s"),
    "counter_not_yours": N_("counter %(counter)s belongs to %(agency)s"),
    "counter_not_open": N_("counter %(counter)s is not open"),
    "counter_not_held": N_("counter %(counter)s is not open under this officer"),
    "counter_held_by_another": N_("counter %(counter)s is open under another officer"),
    "officer_holds_counter": N_("you have counter %(counter)s open: close it first"),
    "officer_holds_another_counter": N_("you have another counter open: close it first"),
    "ticket_at_counter": N_("finish, transfer or mark no-show the current ticket first"),
    "nobody_waiting": N_("nobody is waiting for this counter's services"),
    "ticket_taken_meanwhile": N_("the ticket was taken by another counter; call again"),
    "counter_idle": N_("counter %(counter)s has no current ticket"),
    # the current ticket is called or serving (domain.ACTIVE): each says what it waits for
    "current_ticket_called": N_("the current ticket %(ticket)s is called"),
    "current_ticket_serving": N_("the current ticket %(ticket)s is serving"),
    "transfer_needs_one_target": N_("give to_service or to_counter"),
    "no_transfer_counter": N_("no such counter"),
    "no_transfer_service": N_("no such service"),
    # bookings
    "booking_exists": N_("you already have a booking for this service that day"),
    "reschedule_same_day": N_("reschedule within the same day, or cancel and book again"),
    "no_booking_with_code": N_("no booking with this code"),
    "no_booking": N_("no booking %(booking)s"),
    "no_counter_action": N_("no action %(action)s at a counter"),
    # a booking no longer booked, by its status
    "booking_cancelled": N_("the booking is cancelled"),
    "booking_checked_in": N_("the booking is checked_in"),
    "booking_missed": N_("the booking is no_show"),
    "check_in_too_early": N_("check-in opens %(minutes)s minutes before the slot"),
    "check_in_too_late": N_("the slot and its grace period have passed"),
    "slot_in_the_past": N_("the slot is in the past"),
    "mall_closed_on_holiday": N_("the mall is closed on %(day)s (%(holiday)s)"),
    "mall_closed_on_weekday": N_(
        "the mall is closed on %(day)s: it does not open that day of the week"
    ),
    "outside_opening_hours": N_("outside opening hours (%(opens)s-%(closes)s)"),
    "slot_misaligned": N_("slots start every %(minutes)s minutes from %(opens)s"),
    "slot_full": N_("slot full: choose another time"),
    # ratings and statistics
    "service_not_finished": N_("only a finished service is rated"),
    "already_rated": N_("this service is already rated"),
    "unknown_scope": N_("unknown scope"),
    "staff_only": STAFF_ONLY,
}
# field reasons
SLOT_FULL = N_("slot full")
QUOTA_REACHED = N_("quota reached")
CANCEL_CODE = N_("give the code printed on the ticket")
DECEASED = N_("deceased")
ONE_COUNTER = N_("one open counter per officer")
ONE_TARGET = N_("give exactly one of to_service, to_counter")
ONE_BOOKING = N_("one booking per service per day")
BOOKING_DAY = N_("must be on the booking's day")
SCOPES = N_("service, counter or agency")
REASONS = {
    "slot_full": SLOT_FULL,
    "staff_only": STAFF_ONLY,
    "quota_reached": QUOTA_REACHED,
    "cancel_code": CANCEL_CODE,
    "deceased": DECEASED,
    "one_counter": ONE_COUNTER,
    "one_target": ONE_TARGET,
    "one_booking": ONE_BOOKING,
    "booking_day": BOOKING_DAY,
    "scope": SCOPES,
}
