"""The weekly digest of who read a citizen's record: the week it covers (Monday to Monday,
WIB) and its readers grouped by role and agency."""

from datetime import UTC, date, datetime

from contracts.events import EVENT_SCHEMAS, load
from contracts.gateway_accounts import RecordReadsDigest
from contracts.times import MALL_TIME
from gateway.identity.digest import Week, digest, last_full_week, readers


def test_on_a_tuesday_the_last_full_week_is_the_one_before_this_monday():
    week = last_full_week(datetime(2027, 1, 12, 9, tzinfo=MALL_TIME))
    assert (week.start, week.end) == (date(2027, 1, 4), date(2027, 1, 11))
    assert week.start.weekday() == 0


def test_weeks_turn_at_monday_midnight_in_the_mall_not_in_utc():
    # Sunday 23:59 WIB: the week of 4 January is still running, the last full one is before
    assert last_full_week(datetime(2027, 1, 10, 23, 59, tzinfo=MALL_TIME)).start == date(
        2026, 12, 28
    )
    # Monday 00:00 WIB is Sunday 17:00 UTC: the week of 4 January is over
    assert last_full_week(datetime(2027, 1, 10, 17, tzinfo=UTC)).start == date(2027, 1, 4)
    assert last_full_week(datetime(2027, 1, 10, 16, 59, tzinfo=UTC)).start == date(2026, 12, 28)


def test_a_week_is_bounded_by_monday_midnights_in_wib():
    week = Week(date(2027, 1, 4))
    assert week.begins == datetime(2027, 1, 3, 17, tzinfo=UTC)
    assert week.ends == datetime(2027, 1, 10, 17, tzinfo=UTC)


def test_reads_are_grouped_by_role_and_agency_most_reads_first():
    reads = [
        ("registrar", "disdukcapil"),
        ("verifier", "dpmptsp"),
        ("verifier", "dpmptsp"),
        ("verifier", "dinkes"),
        ("verifier", "dpmptsp"),
        ("citizen", None),
    ]
    assert readers(reads) == [
        {"actor_role": "verifier", "actor_agency": "dpmptsp", "reads": 3},
        {"actor_role": "citizen", "actor_agency": None, "reads": 1},
        {"actor_role": "registrar", "actor_agency": "disdukcapil", "reads": 1},
        {"actor_role": "verifier", "actor_agency": "dinkes", "reads": 1},
    ]


def test_the_digest_counts_every_read_and_fits_its_contract():
    data = digest("person-siti", Week(date(2027, 1, 4)), [("verifier", "dpmptsp")] * 2)
    assert data == {
        "person_id": "person-siti",
        "week_start": "2027-01-04",
        "week_end": "2027-01-11",
        "total": 2,
        "readers": [{"actor_role": "verifier", "actor_agency": "dpmptsp", "reads": 2}],
    }
    schema = EVENT_SCHEMAS[("gateway_accounts", "record_reads_digest")]
    assert isinstance(schema, RecordReadsDigest)
    assert schema.dump(load(schema, data)) == data
