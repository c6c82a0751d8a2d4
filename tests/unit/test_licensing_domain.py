"""One-door licensing's rules: the life of an application, working-day deadlines on the
Asia/Jakarta holiday calendar, permit numbers and validity periods."""

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from chassis.clock import MALL_TIME
from contracts.calendar_2026_2027 import DAYS
from desk import deadlines
from services.licensing.domain import (
    APPLICANT,
    CASHIER,
    FINAL_STATES,
    OFFICER,
    TRANSITIONS,
    IllegalTransition,
    Validity,
    allowed_actions,
    is_open,
    missing_documents,
    next_state,
    party_of,
    permit_number,
    validity,
)

# the mall's calendar as shipped (the service passes its replica's days in)
HOLIDAYS = frozenset(date.fromisoformat(day) for day, *_ in DAYS)


def is_working_day(day, holidays=HOLIDAYS):
    return deadlines.is_working_day(day, holidays)


def add_working_days(start, days, holidays=HOLIDAYS):
    return deadlines.add_working_days(start, days, holidays)


def working_days_left(now, deadline, holidays=HOLIDAYS):
    return deadlines.working_days_left(now, deadline, holidays)


ALL_ACTIONS = list(TRANSITIONS)
ALL_STATES = sorted(
    {target for _, target, _ in TRANSITIONS.values()}.union(
        *(sources for sources, _, _ in TRANSITIONS.values())
    )
)
OPEN_STATES = [state for state in ALL_STATES if state not in FINAL_STATES]
ILLEGAL_PAIRS = [
    (state, action)
    for state, action in itertools.product(ALL_STATES, ALL_ACTIONS)
    if state not in TRANSITIONS[action][0]
]


def wib(year, month, day, hour=10, minute=0):
    """A moment in the mall's time (WIB, UTC+7)."""
    return datetime(year, month, day, hour, minute, tzinfo=MALL_TIME)


def end_of(year, month, day):
    """The last second of a day in the mall: when a deadline on that day falls due."""
    return datetime(year, month, day, 23, 59, 59, tzinfo=MALL_TIME)


def run(state, *actions):
    for action in actions:
        state = next_state(state, action)
    return state


# --- the life of an application ------------------------------------------------------------


def test_the_table_knows_exactly_the_nine_states_of_an_application():
    assert set(ALL_STATES) == {
        "draft",
        "submitted",
        "in_verification",
        "revision_requested",
        "resubmitted",
        "approved",
        "issued",
        "rejected",
        "withdrawn",
    }
    assert FINAL_STATES == {"issued", "rejected", "withdrawn"}


def test_an_application_goes_from_draft_to_issued_one_step_at_a_time():
    steps = [
        ("draft", "submit", "submitted"),
        ("submitted", "start_verification", "in_verification"),
        ("in_verification", "approve", "approved"),
        ("approved", "issue", "issued"),
    ]
    for state, action, expected in steps:
        assert next_state(state, action) == expected
    assert run("draft", "submit", "start_verification", "approve", "issue") == "issued"


def test_a_revision_request_loops_back_into_verification():
    state = run("draft", "submit", "start_verification")
    assert next_state(state, "request_revision") == "revision_requested"
    assert next_state("revision_requested", "resubmit") == "resubmitted"
    assert next_state("resubmitted", "start_verification") == "in_verification"


def test_an_application_can_go_round_the_revision_loop_more_than_once_and_still_be_issued():
    revision_round = ("request_revision", "resubmit", "start_verification")
    actions = ("submit", "start_verification", *revision_round, *revision_round, "approve")
    assert run("draft", *actions, "issue") == "issued"


def test_an_officer_can_reject_an_application_under_verification():
    assert next_state("in_verification", "reject") == "rejected"


@pytest.mark.parametrize("state", ["submitted", "resubmitted", "revision_requested", "approved"])
def test_only_an_application_under_verification_can_be_rejected(state):
    with pytest.raises(IllegalTransition):
        next_state(state, "reject")


@pytest.mark.parametrize(
    "state", ["draft", "submitted", "in_verification", "revision_requested", "resubmitted"]
)
def test_the_applicant_can_withdraw_an_application_that_is_still_being_decided(state):
    assert next_state(state, "withdraw") == "withdrawn"
    assert "withdraw" in allowed_actions(state, APPLICANT)


def test_an_approved_application_waiting_for_its_fee_can_still_be_withdrawn():
    assert set(OPEN_STATES) <= TRANSITIONS["withdraw"][0]
    assert is_open("approved")
    assert allowed_actions("approved") == ["issue", "withdraw"]
    assert next_state("approved", "withdraw") == "withdrawn"


@pytest.mark.parametrize(("state", "action"), ILLEGAL_PAIRS, ids="-".join)
def test_an_action_the_table_does_not_allow_from_a_state_is_an_illegal_transition(state, action):
    with pytest.raises(IllegalTransition) as raised:
        next_state(state, action)
    error = raised.value
    assert (error.state, error.action) == (state, action)
    assert error.allowed == allowed_actions(state)
    message = str(error)
    assert message.startswith(f"cannot {action} an application that is {state}; allowed: ")
    if error.allowed:
        assert message.endswith("allowed: " + ", ".join(error.allowed))
    else:
        assert message.endswith("allowed: nothing, it is closed")


def test_the_illegal_pairs_cover_every_pair_the_table_does_not_list():
    legal = {(s, a) for a, (sources, _, _) in TRANSITIONS.items() for s in sources}
    assert len(legal) == 14
    assert len(ILLEGAL_PAIRS) == len(ALL_STATES) * len(ALL_ACTIONS) - len(legal)
    assert not legal & set(ILLEGAL_PAIRS)


def test_every_pair_the_table_lists_leads_to_its_target():
    for action, (sources, target, _) in TRANSITIONS.items():
        for state in sources:
            assert next_state(state, action) == target


def test_an_illegal_transition_message_names_the_state_and_what_is_allowed_instead():
    with pytest.raises(IllegalTransition) as raised:
        next_state("submitted", "approve")
    assert str(raised.value) == (
        "cannot approve an application that is submitted; allowed: start_verification, withdraw"
    )


@pytest.mark.parametrize("state", sorted(FINAL_STATES))
def test_a_closed_application_allows_nothing_and_says_it_is_closed(state):
    assert allowed_actions(state) == []
    for party in (APPLICANT, OFFICER, CASHIER):
        assert allowed_actions(state, party) == []
    for action in ALL_ACTIONS:
        with pytest.raises(IllegalTransition, match="allowed: nothing, it is closed$"):
            next_state(state, action)


@pytest.mark.parametrize("action", ["fly", "", "Submit", "approved"])
def test_an_unknown_action_is_an_illegal_transition_naming_the_allowed_ones(action):
    with pytest.raises(IllegalTransition) as raised:
        next_state("draft", action)
    assert raised.value.allowed == ["submit", "withdraw"]
    assert str(raised.value) == (
        f"cannot {action} an application that is draft; allowed: submit, withdraw"
    )


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("draft", ["submit", "withdraw"]),
        ("submitted", ["start_verification", "withdraw"]),
        ("in_verification", ["request_revision", "approve", "reject", "withdraw"]),
        ("revision_requested", ["resubmit", "withdraw"]),
        ("resubmitted", ["start_verification", "withdraw"]),
        ("approved", ["issue", "withdraw"]),
        ("issued", []),
        ("rejected", []),
        ("withdrawn", []),
    ],
)
def test_the_allowed_actions_of_each_state_come_in_the_tables_order(state, expected):
    assert allowed_actions(state) == expected


@pytest.mark.parametrize(
    ("state", "applicant", "officer"),
    [
        ("draft", ["submit", "withdraw"], []),
        ("submitted", ["withdraw"], ["start_verification"]),
        ("in_verification", ["withdraw"], ["request_revision", "approve", "reject"]),
        ("revision_requested", ["resubmit", "withdraw"], []),
        ("resubmitted", ["withdraw"], ["start_verification"]),
        ("approved", ["withdraw"], ["issue"]),
    ],
)
def test_the_allowed_actions_for_a_party_are_only_those_that_party_takes(state, applicant, officer):
    assert allowed_actions(state, APPLICANT) == applicant
    assert allowed_actions(state, OFFICER) == officer
    assert allowed_actions(state, CASHIER) == []
    assert sorted(applicant + officer) == sorted(allowed_actions(state))


@pytest.mark.parametrize(
    ("action", "party"),
    [
        ("submit", APPLICANT),
        ("start_verification", OFFICER),
        ("request_revision", OFFICER),
        ("resubmit", APPLICANT),
        ("approve", OFFICER),
        ("reject", OFFICER),
        ("issue", OFFICER),
        ("withdraw", APPLICANT),
    ],
)
def test_each_action_belongs_to_the_applicant_or_to_the_officer(action, party):
    assert party_of(action) == party


def test_every_action_of_the_table_has_a_party():
    assert {action: party_of(action) for action in ALL_ACTIONS}.keys() == TRANSITIONS.keys()


@pytest.mark.parametrize(
    ("state", "open_"),
    [
        ("draft", True),
        ("submitted", True),
        ("in_verification", True),
        ("revision_requested", True),
        ("resubmitted", True),
        ("approved", True),
        ("issued", False),
        ("rejected", False),
        ("withdrawn", False),
    ],
)
def test_an_application_is_open_until_it_is_issued_rejected_or_withdrawn(state, open_):
    assert is_open(state) is open_


def test_missing_documents_follow_the_checklists_order_not_the_order_of_attaching():
    required = ["ktp", "npwp", "akta_pendirian", "surat_domisili"]
    attached = ["surat_domisili", "ktp"]
    assert missing_documents(required, attached) == ["npwp", "akta_pendirian"]


def test_missing_documents_ignore_attachments_the_checklist_does_not_ask_for():
    required = ["ktp", "npwp"]
    assert missing_documents(required, ["foto", "ktp", "sertifikat_lain"]) == ["npwp"]


def test_nothing_is_missing_when_every_required_document_is_attached():
    assert missing_documents(["ktp", "npwp"], ["npwp", "ktp", "foto"]) == []
    assert missing_documents([], ["ktp"]) == []


def test_everything_is_missing_when_nothing_is_attached():
    assert missing_documents(["ktp", "npwp", "foto"], []) == ["ktp", "npwp", "foto"]


# --- working days -------------------------------------------------------------------------


def test_the_holiday_table_is_read_as_dates():
    assert date(2026, 8, 17) in HOLIDAYS  # Independence Day
    assert not is_working_day(date(2026, 8, 17))
    assert is_working_day(date(2026, 8, 18))
    assert not is_working_day(date(2026, 11, 21))  # a Saturday
    assert not is_working_day(date(2026, 11, 22))  # a Sunday


def test_the_day_of_submission_does_not_count():
    # Monday 23 November 2026 + 1 working day = Tuesday.
    assert add_working_days(wib(2026, 11, 23), 1) == end_of(2026, 11, 24)


def test_a_deadline_falls_due_at_23_59_59_mall_time_on_the_due_day():
    deadline = add_working_days(wib(2026, 11, 23, 8, 30), 3)
    assert deadline == end_of(2026, 11, 26)
    assert deadline.tzinfo is MALL_TIME
    assert deadline.timetz() == time(23, 59, 59, tzinfo=MALL_TIME)
    assert deadline.utcoffset() == timedelta(hours=7)
    assert deadline.astimezone(UTC) == datetime(2026, 11, 26, 16, 59, 59, tzinfo=UTC)


def test_one_working_day_from_a_friday_falls_due_on_monday():
    assert add_working_days(wib(2026, 11, 20), 1) == end_of(2026, 11, 23)


def test_five_working_days_skip_the_weekend_in_between():
    # Wednesday 18 November 2026: Thu, Fri, Mon, Tue, Wed.
    assert add_working_days(wib(2026, 11, 18), 5) == end_of(2026, 11, 25)


def test_listed_holidays_are_skipped_like_weekends():
    # Thursday 24 and Friday 25 December 2026 are holidays, then a weekend.
    assert add_working_days(wib(2026, 12, 23), 1) == end_of(2026, 12, 28)
    assert add_working_days(wib(2026, 12, 23), 1, holidays=frozenset()) == end_of(2026, 12, 24)


def test_a_submission_on_a_saturday_counts_from_the_next_working_day():
    assert add_working_days(wib(2026, 11, 21), 1) == end_of(2026, 11, 23)
    assert add_working_days(wib(2026, 11, 22), 2) == end_of(2026, 11, 24)


def test_zero_working_days_fall_due_at_the_end_of_the_day_of_submission():
    assert add_working_days(wib(2026, 11, 23, 9), 0) == end_of(2026, 11, 23)


def test_a_late_utc_evening_is_already_the_next_day_in_jakarta():
    # 18:00 UTC on Friday 20 November 2026 is 01:00 on Saturday 21 November in Jakarta.
    start = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    assert add_working_days(start, 0) == end_of(2026, 11, 21)
    assert add_working_days(start, 1) == end_of(2026, 11, 23)
    assert add_working_days(start, 2) == end_of(2026, 11, 24)


def test_a_thursday_evening_in_utc_is_a_friday_submission_in_jakarta():
    # 18:00 UTC on Thursday 19 November 2026 is 01:00 on Friday in Jakarta: due Monday,
    # not Friday, which the UTC date would give.
    start = datetime(2026, 11, 19, 18, 0, tzinfo=UTC)
    assert add_working_days(start, 1) == end_of(2026, 11, 23)


def test_a_utc_moment_still_on_the_same_day_in_jakarta_keeps_its_day():
    # 16:59 UTC is 23:59 in Jakarta, the same Friday.
    start = datetime(2026, 11, 20, 16, 59, tzinfo=UTC)
    assert add_working_days(start, 0) == end_of(2026, 11, 20)
    assert add_working_days(start, 1) == end_of(2026, 11, 23)


def test_the_2026_lebaran_collective_leave_week_delays_a_deadline():
    # 18 (Nyepi leave), 19 (Nyepi), 20, 23 and 24 March 2026 (Eid holidays and collective
    # leave) are closed; 21-22 are Eid and a weekend.
    for day in (18, 19, 20, 21, 22, 23, 24):
        assert date(2026, 3, day) in HOLIDAYS
    assert add_working_days(wib(2026, 3, 18), 1) == end_of(2026, 3, 25)
    # Monday 16 March + 5: Tue 17, then Wed 25, Thu 26, Fri 27, Mon 30.
    assert add_working_days(wib(2026, 3, 16), 5) == end_of(2026, 3, 30)
    assert add_working_days(wib(2026, 3, 16), 5, holidays=frozenset()) == end_of(2026, 3, 23)


def test_a_custom_holiday_calendar_replaces_the_national_one():
    agency_day_off = frozenset({date(2026, 11, 24)})
    assert add_working_days(wib(2026, 11, 23), 1, holidays=agency_day_off) == end_of(2026, 11, 25)
    # ... and the national holidays no longer apply under it.
    assert add_working_days(wib(2026, 8, 14), 1, holidays=agency_day_off) == end_of(2026, 8, 17)
    assert add_working_days(wib(2026, 8, 14), 1) == end_of(2026, 8, 18)


def test_working_days_left_before_the_deadline_are_positive():
    now = wib(2026, 11, 23, 9)
    assert working_days_left(now, end_of(2026, 11, 24)) == 1
    assert working_days_left(now, end_of(2026, 11, 30)) == 5


def test_working_days_left_over_a_weekend_count_only_working_days():
    friday = wib(2026, 11, 20, 15)
    assert working_days_left(friday, end_of(2026, 11, 23)) == 1
    assert working_days_left(friday, end_of(2026, 11, 24)) == 2


def test_working_days_left_skip_holidays():
    # From Wednesday 23 December 2026 to Monday 28: the 24th and 25th are holidays.
    assert working_days_left(wib(2026, 12, 23), end_of(2026, 12, 28)) == 1
    assert working_days_left(wib(2026, 12, 23), end_of(2026, 12, 28), frozenset()) == 3


def test_no_working_days_are_left_on_the_due_day_itself():
    deadline = end_of(2026, 11, 23)
    assert working_days_left(wib(2026, 11, 23, 0, 0), deadline) == 0
    assert working_days_left(wib(2026, 11, 23, 23, 59), deadline) == 0
    assert working_days_left(deadline, deadline) == 0


def test_working_days_left_after_the_deadline_are_negative_working_days():
    deadline = end_of(2026, 11, 20)  # a Friday
    assert working_days_left(wib(2026, 11, 23), deadline) == -1  # Monday
    assert working_days_left(wib(2026, 11, 24), deadline) == -2  # Tuesday
    assert working_days_left(wib(2026, 11, 30), deadline) == -6  # the Monday after


def test_an_application_is_overdue_the_day_after_its_deadline_even_on_a_weekend():
    friday_deadline = end_of(2026, 11, 20)
    assert working_days_left(wib(2026, 11, 21), friday_deadline) < 0  # Saturday
    # Due Wednesday 18 March 2026, then six days of Lebaran leave and weekend.
    assert working_days_left(wib(2026, 3, 23), end_of(2026, 3, 18)) < 0


def test_working_days_left_use_the_day_in_jakarta_not_in_utc():
    deadline = end_of(2026, 11, 23)  # a Monday
    # 18:00 UTC on Sunday is 01:00 on Monday in Jakarta: the due day.
    assert working_days_left(datetime(2026, 11, 22, 18, 0, tzinfo=UTC), deadline) == 0
    # 16:00 UTC on Sunday is 23:00 on Sunday in Jakarta: Monday is still to come.
    assert working_days_left(datetime(2026, 11, 22, 16, 0, tzinfo=UTC), deadline) == 1


@pytest.mark.parametrize(
    "start_hour_utc",
    [
        pytest.param(2, id="a morning in Jakarta"),
        pytest.param(16, id="a late evening in Jakarta"),
        pytest.param(18, id="a late UTC evening that is the next day in Jakarta"),
    ],
)
def test_working_days_left_from_the_start_to_its_own_deadline_are_the_days_added(start_hour_utc):
    first = datetime(2025, 12, 20, start_hour_utc, tzinfo=UTC)
    for offset in range(0, 750, 3):  # every third day into 2028, across both holiday years
        start = first + timedelta(days=offset)
        for days in (0, 1, 2, 3, 5, 7, 10, 14, 20, 30):
            deadline = add_working_days(start, days)
            assert working_days_left(start, deadline) == days, (start, days, deadline)
            assert is_working_day(deadline.date()) or days == 0, (start, days, deadline)


def test_a_deadline_always_lands_on_a_working_day_after_the_start():
    start = wib(2026, 1, 1)
    for offset in range(365):
        moment = start + timedelta(days=offset)
        deadline = add_working_days(moment, 1)
        assert deadline.date() > moment.date()
        assert is_working_day(deadline.date())
        skipped = (moment.date() + timedelta(days=n) for n in range(1, (deadline - moment).days))
        assert not any(is_working_day(day) for day in skipped), moment


# --- permits --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_code", "year", "sequence", "expected"),
    [
        ("NIB", 2026, 123, "NIB/2026/000123"),
        ("NIB", 2026, 1, "NIB/2026/000001"),
        ("PBG", 2027, 999999, "PBG/2027/999999"),
        ("SIP", 2026, 42000, "SIP/2026/042000"),
    ],
)
def test_a_permit_number_is_type_year_and_a_sequence_zero_padded_to_six_digits(
    type_code, year, sequence, expected
):
    assert permit_number(type_code, year, sequence) == expected


def test_a_sequence_beyond_six_digits_is_not_cut_short():
    assert permit_number("NIB", 2026, 1234567) == "NIB/2026/1234567"


def test_a_permit_without_a_number_of_months_is_valid_indefinitely():
    assert validity(date(2026, 11, 23), None) == Validity(date(2026, 11, 23), None)


def test_a_twelve_month_permit_runs_until_the_day_before_its_anniversary():
    assert validity(date(2026, 11, 23), 12) == Validity(date(2026, 11, 23), date(2027, 11, 22))


@pytest.mark.parametrize(
    ("issued_on", "months", "valid_until"),
    [
        pytest.param(date(2026, 11, 23), 1, date(2026, 12, 22), id="one month"),
        pytest.param(date(2026, 11, 23), 2, date(2027, 1, 22), id="into the next year"),
        pytest.param(date(2026, 12, 15), 1, date(2027, 1, 14), id="from December"),
        pytest.param(date(2026, 11, 1), 1, date(2026, 11, 30), id="from the first of a month"),
        pytest.param(date(2026, 1, 1), 12, date(2026, 12, 31), id="a calendar year"),
        pytest.param(date(2026, 3, 10), 60, date(2031, 3, 9), id="five years"),
        pytest.param(date(2026, 1, 28), 1, date(2026, 2, 27), id="28 January for a month"),
        pytest.param(date(2028, 1, 29), 1, date(2028, 2, 28), id="29 January in a leap year"),
        pytest.param(date(2028, 2, 28), 12, date(2029, 2, 27), id="28 February of a leap year"),
        pytest.param(date(2026, 3, 1), 12, date(2027, 2, 28), id="1 March for a year"),
    ],
)
def test_a_permit_runs_until_the_day_before_the_same_day_months_later(
    issued_on, months, valid_until
):
    assert validity(issued_on, months) == Validity(issued_on, valid_until)


@pytest.mark.parametrize(
    ("issued_on", "months", "valid_until"),
    [
        pytest.param(date(2026, 1, 31), 1, date(2026, 2, 28), id="31 January plus a month"),
        pytest.param(date(2028, 2, 29), 12, date(2029, 2, 28), id="29 February plus a year"),
        pytest.param(date(2026, 12, 31), 2, date(2027, 2, 28), id="31 December plus 2 months"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31 January in a leap year"),
        pytest.param(date(2026, 5, 31), 1, date(2026, 6, 30), id="31 May plus a month"),
    ],
)
def test_a_permit_whose_anniversary_day_is_missing_runs_to_the_end_of_that_month(
    issued_on, months, valid_until
):
    assert validity(issued_on, months) == Validity(issued_on, valid_until)


def test_permits_issued_at_month_end_still_end_within_the_right_month():
    # Whatever the rule for missing anniversary days, the period ends in the month
    # ``months`` later, never in the one after.
    assert validity(date(2026, 1, 31), 1).valid_until.replace(day=1) == date(2026, 2, 1)
    assert validity(date(2028, 2, 29), 12).valid_until.replace(day=1) == date(2029, 2, 1)
    assert validity(date(2026, 12, 31), 2).valid_until.replace(day=1) == date(2027, 2, 1)


def days_of(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_a_permit_of_at_least_a_month_never_ends_before_it_begins():
    for issued_on in itertools.chain(days_of(2027), days_of(2028)):
        for months in range(1, 61):
            period = validity(issued_on, months)
            assert period.valid_from == issued_on
            assert period.valid_until >= period.valid_from, (issued_on, months)


def test_when_the_anniversary_day_exists_the_permit_ends_the_day_before_it():
    for issued_on in days_of(2028):
        if issued_on.day > 28:
            continue
        for months in range(1, 61):
            month_index = issued_on.month - 1 + months
            anniversary = issued_on.replace(
                year=issued_on.year + month_index // 12, month=month_index % 12 + 1
            )
            expected = anniversary - timedelta(days=1)
            assert validity(issued_on, months).valid_until == expected, (issued_on, months)


def test_a_permit_issued_later_never_expires_earlier():
    for months in (1, 2, 6, 12, 24, 60):
        previous = None
        for issued_on in itertools.chain(days_of(2027), days_of(2028)):
            until = validity(issued_on, months).valid_until
            if previous is not None:
                assert until >= previous, (issued_on, months)
            previous = until


def test_more_months_never_shorten_a_permit():
    for issued_on in days_of(2028):
        ends = [validity(issued_on, months).valid_until for months in range(1, 61)]
        assert ends == sorted(ends) and len(set(ends)) == len(ends), issued_on
