"""The tax robot (the regional_tax module of bapenda) over the real RabbitMQ, on SQLite and
PostgreSQL, beside the real civil registry: bills loaded from the tax office's CSV file all
or none and once, seen by their taxpayer alone, paid once at a cashier, summed per
district; each new bill and each payment an event of the module's outbox."""

from datetime import timedelta

import pytest
from kombu import Connection, Queue
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select

from chassis.clock import today
from chassis.errors import Conflict, Forbidden, InvalidInput, NotFound
from contracts.refusals import modules as texts
from services.civil_registry.service import CivilRegistryService
from services.regional_tax.models import Bill, OutboxEvent
from services.regional_tax.service import RegionalTaxService
from tests.integration.helpers import rows, rpc_to
from tests.polling import eventually

OFFICE = {"id": "bapenda-verifier-1", "role": "verifier", "agency": "bapenda"}
HEAD = {"id": "bapenda-admin-1", "role": "agency_admin", "agency": "bapenda"}
CASHIER = {"id": "bapenda-kasir-1", "role": "cashier", "agency": "bapenda"}
COUNTER = {"id": "bapenda-loket-1", "role": "counter_officer", "agency": "bapenda"}
OTHER_CASHIER = {"id": "dpmptsp-kasir-1", "role": "cashier", "agency": "dpmptsp"}
DINSOS = {"id": "dinsos-verifier-1", "role": "verifier", "agency": "dinsos"}
MANAGER = {"id": "manajer-1", "role": "mall_manager", "agency": "mpp"}
SITI_NIK, BUDI_NIK, SRI_NIK = "3314015708900001", "3314010203850002", "3314014306500004"
HEADER = "nik,tax_kind,object,district,amount,due_on\n"


def person(nik: str, full_name: str, birth_date: str, sex: str) -> dict:
    return {"nik": nik, "full_name": full_name, "birth_date": birth_date, "sex": sex}


def citizen(resident: dict) -> dict:
    return {"id": f"account-{resident['id']}", "role": "citizen", "person_id": resident["id"]}


@pytest.fixture
def mall(container_factory, service_config):
    """The registry and the module; Siti and Budi alive, Sri deceased."""
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    config = service_config("regional_tax")
    container = container_factory(RegionalTaxService, config)
    container.start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(person(SITI_NIK, "Siti Rahayu", "1990-08-17", "F"))
        budi = civil.register_resident(person(BUDI_NIK, "Budi Santoso", "1985-03-02", "M"))
        sri = civil.register_resident(person(SRI_NIK, "Sri Wahyuni", "1950-06-03", "F"))
        civil.register_death({"resident_id": sri["id"], "died_on": "2025-12-01"})
    return {
        "config": config,
        "container": container,
        "siti": citizen(siti),
        "budi": citizen(budi),
    }


def later(days: int) -> str:
    return str(today() + timedelta(days=days))


def roll() -> str:
    """Three bills: two of Siti's in two districts, one of Budi's, one of them overdue."""
    return HEADER + (
        f"{SITI_NIK},pbb_p2,NOP 33.14.010.001.002-0031.0 Jl. Sukowati 17,Kalijambe,"
        f"150000,{later(30)}\n"
        f"{SITI_NIK},billboard,Reklame Jl. Raya Sukowati km 2,Sragen,1200000,{later(-3)}\n"
        f"{BUDI_NIK},pbb_p2,NOP 33.14.010.001.002-0032.0 Jl. Sukowati 19,Kalijambe,"
        f"98000,{later(10)}\n"
    )


def call(mall, actor: dict, method: str, *args):
    with rpc_to("regional_tax", mall["config"], actor=actor) as tax:
        return getattr(tax, method)(*args)


def issued(mall) -> list:
    return [
        event
        for event in rows(mall["config"]["DATABASE_URL"], select(OutboxEvent))
        if event.event_type == "bill_issued"
    ]


def bills(mall) -> list:
    return rows(mall["config"]["DATABASE_URL"], select(Bill))


def test_a_roll_is_imported_once_and_each_new_bill_is_an_event_once(mall):
    result = call(mall, OFFICE, "import_bills", roll())
    assert result == {"rows": 3, "imported": 3, "already_imported": 0}
    events = issued(mall)
    assert len(events) == 3
    first = next(e for e in events if e.payload["data"]["tax_kind"] == "billboard")
    assert first.payload["source"] == "regional_tax"
    assert first.payload["data"] == {
        "bill_id": first.payload["data"]["bill_id"],
        "person_id": mall["siti"]["person_id"],
        "tax_kind": "billboard",
        "object": "Reklame Jl. Raya Sukowati km 2",
        "district": "Sragen",
        "amount": 1_200_000,
        "due_on": later(-3),
    }

    # the same file again, by the head of the office, with a row repeated and blanks
    again = roll() + roll().splitlines()[1].replace(",", " ,  ") + "\n\n"
    assert call(mall, HEAD, "import_bills", again) == {
        "rows": 3,
        "imported": 0,
        "already_imported": 3,
    }
    assert len(bills(mall)) == 3 and len(issued(mall)) == 3


def test_a_file_with_problems_is_refused_whole_with_each_problem_by_line_and_column(mall):
    text = HEADER + (
        f"{SITI_NIK},pbb_p2,NOP 1 Jl. Melati 1,Kalijambe,150000,{later(30)}\n"  # fine
        f"3314,pbb_p2,NOP 2,Kalijambe,150000,{later(30)}\n"  # line 3: short NIK
        f"{SITI_NIK},vehicle,NOP 3,Kalijambe,-5,31-12-2026\n"  # line 4: three bad values
        f"{BUDI_NIK},pbb_p2,,Kalijambe,150000,{later(30)}\n"  # line 5: no object
        f"3314019999990009,pbb_p2,NOP 6,Kalijambe,150000,{later(30)}\n"  # line 6: unknown
        f"{SRI_NIK},pbb_p2,NOP 7,Kalijambe,150000,{later(30)}\n"  # line 7: deceased
        f"{SITI_NIK},pbb_p2,NOP 1 Jl. Melati 1,Kalijambe,175000,{later(30)}\n"  # line 8
        f"{SITI_NIK},pbb_p2,NOP 9,Kalijambe,150000,{later(30)},extra\n"  # line 9
    )
    with pytest.raises(InvalidInput) as refused:
        call(mall, OFFICE, "import_bills", text)
    assert refused.value.code == "tax_file_refused"
    lines = refused.value.fields["lines"]
    assert list(lines) == ["3", "4", "5", "6", "7", "8", "9"]
    assert lines["3"] == {"nik": ["must be 16 digits 0-9"]}
    assert set(lines["4"]) == {"tax_kind", "amount", "due_on"}
    assert set(lines["5"]) == {"object"}
    assert lines["6"] == {"nik": [texts.NIK_UNKNOWN]}
    assert lines["7"] == {"nik": [texts.TAXPAYER_DECEASED]}
    assert lines["8"] == {"object": ["repeats line 2 with other values"]}
    assert lines["9"] == {"row": [texts.TOO_MANY_CELLS]}
    assert "7 rows" in str(refused.value)
    assert bills(mall) == [] and issued(mall) == []  # nothing half-imported


def test_a_header_without_the_columns_and_a_bill_changed_since_its_import_are_refused(mall):
    with pytest.raises(InvalidInput) as header:
        call(mall, OFFICE, "import_bills", "nik;jenis;object\n1;2;3\n")
    assert header.value.fields["lines"]["1"]["columns"][0] == "missing column tax_kind"
    with pytest.raises(InvalidInput) as empty:
        call(mall, OFFICE, "import_bills", HEADER)
    assert empty.value.fields["lines"] == {"1": {"rows": [texts.NO_BILLS]}}

    call(mall, OFFICE, "import_bills", roll())
    changed = roll().replace("150000", "175000")
    with pytest.raises(InvalidInput) as differs:
        call(mall, OFFICE, "import_bills", changed)
    assert differs.value.fields["lines"] == {"2": {"object": [texts.BILL_DIFFERS]}}
    # semicolons, as a spreadsheet saves it in Indonesia, read the same
    semicolons = roll().replace(",", ";")
    assert call(mall, OFFICE, "import_bills", semicolons)["already_imported"] == 3


def test_only_the_tax_office_imports(mall):
    for actor in (COUNTER, CASHIER, DINSOS, MANAGER, mall["siti"]):
        with pytest.raises(Forbidden):
            call(mall, actor, "import_bills", roll())
    assert bills(mall) == []


def test_a_citizen_sees_her_own_bills_only(mall):
    call(mall, OFFICE, "import_bills", roll())
    mine = call(mall, mall["siti"], "my_bills")
    assert [(b["tax_kind"], b["status"]) for b in mine] == [
        ("billboard", "overdue"),
        ("pbb_p2", "due"),
    ]
    assert {b["person_id"] for b in mine} == {mall["siti"]["person_id"]}
    [budis] = call(mall, mall["budi"], "my_bills")
    assert budis["amount"] == 98_000
    with pytest.raises(NotFound):
        call(mall, mall["budi"], "get_bill", mine[0]["id"])
    assert call(mall, mall["siti"], "get_bill", mine[0]["id"])["id"] == mine[0]["id"]
    assert call(mall, OFFICE, "my_bills") == []
    with pytest.raises(Forbidden):
        call(mall, mall["siti"], "bills", {})
    with pytest.raises(NotFound):
        call(mall, DINSOS, "get_bill", mine[0]["id"])


def test_a_cashier_of_bapenda_records_a_payment_once_with_the_exact_amount(mall):
    call(mall, OFFICE, "import_bills", roll())
    [bill] = call(mall, OFFICE, "bills", {"nik": BUDI_NIK})
    paying = {"amount": 98_000, "receipt_reference": "BPD/2026/0001"}
    for actor in (OFFICE, OTHER_CASHIER, mall["budi"]):
        with pytest.raises(Forbidden):
            call(mall, actor, "record_payment", bill["id"], paying)
    with pytest.raises(InvalidInput) as short:
        call(mall, CASHIER, "record_payment", bill["id"], {**paying, "amount": 90_000})
    assert short.value.code == "tax_amount_mismatch" and "98.000" in str(short.value)

    paid = call(mall, CASHIER, "record_payment", bill["id"], paying)
    assert paid["status"] == "paid" and paid["receipt_reference"] == "BPD/2026/0001"
    with pytest.raises(Conflict) as twice:
        call(mall, CASHIER, "record_payment", bill["id"], {**paying, "receipt_reference": "X-2"})
    assert twice.value.code == "tax_bill_paid"
    siti_bill = call(mall, mall["siti"], "my_bills")[0]
    with pytest.raises(Conflict) as reused:
        call(mall, CASHIER, "record_payment", siti_bill["id"], {**paying, "amount": 1_200_000})
    assert reused.value.code == "tax_receipt_used"
    with pytest.raises(NotFound):
        call(mall, CASHIER, "record_payment", "no-such-bill", paying)

    payments = [
        e
        for e in rows(mall["config"]["DATABASE_URL"], select(OutboxEvent))
        if e.event_type == "bill_paid"
    ]
    assert [e.payload["data"]["bill_id"] for e in payments] == [bill["id"]]
    assert payments[0].payload["data"]["person_id"] == mall["budi"]["person_id"]
    assert call(mall, mall["budi"], "my_bills")[0]["status"] == "paid"


def test_the_office_sees_collected_due_and_overdue_per_district(mall):
    call(mall, OFFICE, "import_bills", roll())
    [budis] = call(mall, OFFICE, "bills", {"nik": BUDI_NIK})
    call(
        mall, CASHIER, "record_payment", budis["id"], {"amount": 98_000, "receipt_reference": "R-1"}
    )
    summary = call(mall, CASHIER, "district_summary")
    assert summary == [
        {
            "district": "Kalijambe",
            "collected": 98_000,
            "due": 150_000,
            "overdue": 0,
            "bills": 2,
            "paid_bills": 1,
            "overdue_bills": 0,
        },
        {
            "district": "Sragen",
            "collected": 0,
            "due": 0,
            "overdue": 1_200_000,
            "bills": 1,
            "paid_bills": 0,
            "overdue_bills": 1,
        },
    ]
    assert call(mall, MANAGER, "district_summary") == summary
    assert [b["district"] for b in call(mall, HEAD, "bills", {"status": "overdue"})] == ["Sragen"]
    for actor in (DINSOS, mall["siti"]):
        with pytest.raises(Forbidden):
            call(mall, actor, "district_summary")


def test_bill_events_are_published_once_by_the_relay_started_as_the_procfile_starts_it(
    mall, relay_process
):
    exchange = get_event_exchange("regional_tax", mall["config"])
    listener = Queue("test-bill-issued", exchange=exchange, routing_key="bill_issued")
    with Connection(mall["config"]["AMQP_URI"]) as conn:
        listener(conn.default_channel).declare()
        call(mall, OFFICE, "import_bills", roll())
        call(mall, OFFICE, "import_bills", roll())
        relay_process("regional_tax", mall["config"])
        bound = listener(conn.default_channel)
        received = [eventually(lambda: bound.get(no_ack=True)) for _ in range(3)]
        assert {m.payload["data"]["bill_id"] for m in received} == {b.id for b in bills(mall)}
        eventually(lambda: all(e.published_at for e in issued(mall)))
        assert bound.get(no_ack=True) is None  # each once


def test_the_registry_tells_staff_alone_who_a_nik_is_and_nothing_more(mall):
    registry = {**mall["config"], "DATABASE_URL": None}  # the broker is all a caller needs
    with rpc_to("civil_registry", registry, actor=OFFICE) as civil:
        found = civil.resolve_niks({"niks": [SITI_NIK, SRI_NIK, "3314019999990009"]})["people"]
    assert found == {
        SITI_NIK: {"person_id": mall["siti"]["person_id"], "alive": True},
        SRI_NIK: {"person_id": found[SRI_NIK]["person_id"], "alive": False},
    }
    with rpc_to("civil_registry", registry, actor=mall["siti"]) as civil:
        with pytest.raises(Forbidden):
            civil.resolve_niks({"niks": [BUDI_NIK]})
