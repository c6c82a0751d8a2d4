"""Load the demo mall: service lines, permit types, residents and demo accounts (all with the
password DEMO_PASSWORD, for trying the mall out only). Safe to re-run.

python -m scripts.demo_data
"""

import os
from datetime import date, time, timedelta

from chassis.clock import today
from chassis.config import config_path, load_config
from chassis.database import make_engine, session_factory, utcnow
from gateway.identity import passwords
from gateway.identity.models import Account
from services.civil_registry import models as registry
from services.civil_registry import population
from services.licensing import models as licensing
from services.queue import models as queue
from services.regional_tax import models as regional_tax

AGENCIES = [
    queue.Agency(
        code="disdukcapil",
        name_id="Dinas Kependudukan dan Pencatatan Sipil",
        name_en="Population and civil registration office",
    ),
    queue.Agency(
        code="dpmptsp",
        name_id="Dinas Penanaman Modal dan PTSP",
        name_en="Investment and one-door licensing office",
    ),
    queue.Agency(code="bapenda", name_id="Badan Pendapatan Daerah", name_en="Regional revenue"),
    queue.Agency(code="bpjs", name_id="BPJS Kesehatan", name_en="National health insurance"),
]

SERVICE_LINES = [
    queue.ServiceLine(
        code="population",
        prefix="A",
        name_id="Administrasi Kependudukan",
        name_en="Population administration",
        agency="disdukcapil",
    ),
    queue.ServiceLine(
        code="licensing",
        prefix="B",
        name_id="Perizinan Terpadu",
        name_en="One-door licensing",
        agency="dpmptsp",
    ),
    queue.ServiceLine(
        code="tax", prefix="C", name_id="Pajak Daerah", name_en="Regional tax", agency="bapenda"
    ),
    queue.ServiceLine(
        code="health",
        prefix="D",
        name_id="BPJS Kesehatan",
        name_en="National health insurance",
        agency="bpjs",
    ),
]

COUNTERS = [
    queue.Counter(id="loket-1", number=1, agency="disdukcapil", services=["population"]),
    queue.Counter(id="loket-2", number=2, agency="disdukcapil", services=["population"]),
    queue.Counter(id="loket-3", number=3, agency="dpmptsp", services=["licensing"]),
    queue.Counter(id="loket-4", number=4, agency="bapenda", services=["tax"]),
    queue.Counter(id="loket-5", number=5, agency="bpjs", services=["health"]),
]

OPENING_HOURS = (
    # DEMO_ALWAYS_OPEN=1: every hour of every day, for demos and tests at any time
    [queue.OpeningHours(weekday=day, opens=time(0, 0), closes=time(23, 59)) for day in range(7)]
    if os.environ.get("DEMO_ALWAYS_OPEN") == "1"
    else [
        queue.OpeningHours(
            weekday=day, opens=time(8, 0), closes=time(15, 0) if day < 4 else time(11, 30)
        )
        for day in range(5)
    ]
    + [queue.OpeningHours(weekday=5, opens=time(8, 0), closes=time(12, 0))]
)

# Everything the queue needs to open its doors, in the order the foreign keys want.
QUEUE_SETUP = AGENCIES + SERVICE_LINES + COUNTERS + OPENING_HOURS

PERMIT_TYPES = [
    licensing.PermitType(
        code="NIB",
        name_id="Nomor Induk Berusaha",
        name_en="Business identity number",
        agency="dpmptsp",
        fee=0,
        sla_working_days=1,
        validity_months=None,
        risk_level="low",
        required_documents=["ktp"],
    ),
    licensing.PermitType(
        code="PBG",
        name_id="Persetujuan Bangunan Gedung",
        name_en="Building approval",
        agency="dpupr",
        fee=500000,
        sla_working_days=28,
        validity_months=None,
        risk_level="high",
        required_documents=["ktp", "land_certificate", "building_plan"],
    ),
    licensing.PermitType(
        code="SIP",
        name_id="Surat Izin Praktik",
        name_en="Health practice licence",
        agency="dinkes",
        fee=0,
        sla_working_days=14,
        validity_months=60,
        risk_level="medium",
        required_documents=["ktp", "str", "diploma"],
    ),
    licensing.PermitType(
        code="REKLAME",
        name_id="Izin Reklame",
        name_en="Billboard permit",
        agency="bapenda",
        fee=250000,
        sla_working_days=7,
        validity_months=12,
        risk_level="medium",
        required_documents=["ktp", "billboard_design", "location_photo"],
    ),
]

DEMO_CARD_ID = "a4a7c6d0-0000-4000-8000-0000000000c1"
RESIDENTS = [
    registry.Resident(
        id="a4a7c6d0-0000-4000-8000-000000000001",
        nik="3314015708900001",
        full_name="Siti Rahayu",
        birth_date=date(1990, 8, 17),
        sex="F",
        marital_status="married",
    ),
    registry.Resident(
        id="a4a7c6d0-0000-4000-8000-000000000002",
        nik="3314010203850002",
        full_name="Budi Santoso",
        birth_date=date(1985, 3, 2),
        sex="M",
        marital_status="married",
    ),
]
# Budi and Siti share a family card (a household in the regency, for social aid)
HOUSEHOLD = [
    registry.FamilyCard(
        id=DEMO_CARD_ID,
        number="3314012001200001",
        region_code="331401",
        address="Jl. Sukowati 17, Kalijambe, Sragen",
        head_id=RESIDENTS[1].id,
    ),
    registry.FamilyMembership(
        resident_id=RESIDENTS[1].id, family_card_id=DEMO_CARD_ID, relationship="head"
    ),
    registry.FamilyMembership(
        resident_id=RESIDENTS[0].id, family_card_id=DEMO_CARD_ID, relationship="spouse"
    ),
]


DEMO_PASSWORD = "coba-mpp-2026"
# (username, full name, role, agency); the citizens sign in with their NIK
DEMO_STAFF = [
    ("admin", "Admin MPP", "mall_admin", "mpp"),
    ("manajer", "Manajer MPP", "mall_manager", "mpp"),
    ("loket-a", "Petugas Loket Dukcapil", "counter_officer", "disdukcapil"),
    ("registrar", "Petugas Registrasi Dukcapil", "registrar", "disdukcapil"),
    ("verifikator", "Verifikator DPMPTSP", "verifier", "dpmptsp"),
    ("kasir", "Kasir DPMPTSP", "cashier", "dpmptsp"),
    ("loket-b", "Petugas Loket DPMPTSP", "counter_officer", "dpmptsp"),
    ("dinsos", "Petugas Dinas Sosial", "verifier", "dinsos"),
    ("pajak", "Petugas Pajak Bapenda", "verifier", "bapenda"),
    ("kasir-pajak", "Kasir Bapenda", "cashier", "bapenda"),
    ("pengaduan", "Petugas Pengaduan MPP", "agency_admin", "mpp"),  # the complaint desk
]
# the demo residents' regional tax bills: (id, resident, tax, object, district, amount,
# days from the first load to the due day, receipt if paid). Due days count from the day
# the demo is first loaded, so it shows a bill due soon, one overdue and one paid.
DEMO_BILLS = [
    (
        "b111a000-0000-4000-8000-000000000001",
        RESIDENTS[0],
        "pbb_p2",
        "NOP 33.14.010.001.002-0031.0, Jl. Sukowati 17",
        "Kalijambe",
        187_000,
        20,
        None,
    ),
    (
        "b111a000-0000-4000-8000-000000000002",
        RESIDENTS[0],
        "billboard",
        "Reklame papan 2x3 m, Jl. Raya Sukowati km 2",
        "Sragen",
        1_250_000,
        -5,
        None,
    ),
    (
        "b111a000-0000-4000-8000-000000000003",
        RESIDENTS[1],
        "pbb_p2",
        "NOP 33.14.010.001.002-0032.0, Jl. Sukowati 19",
        "Kalijambe",
        243_500,
        6,
        None,
    ),
    (
        "b111a000-0000-4000-8000-000000000004",
        RESIDENTS[1],
        "pbb_p2",
        "NOP 33.14.020.004.011-0107.0, Sawah Dukuh Soko, Plupuh",
        "Plupuh",
        96_000,
        -40,
        "BPD/DEMO/0001",
    ),
]


def demo_accounts(config: dict) -> list:
    password_hash = passwords.hasher(config).hash(DEMO_PASSWORD)
    staff = [
        Account(id=f"demo-{login}", login=login, full_name=name, role=role, agency=agency)
        for login, name, role, agency in DEMO_STAFF
    ]
    citizens = [
        Account(
            id=f"demo-{r.nik}", login=r.nik, full_name=r.full_name, role="citizen", person_id=r.id
        )
        for r in RESIDENTS
    ]
    for account in staff + citizens:
        account.password_hash, account.active = password_hash, True
    return staff + citizens


def seed(url: str, rows: list) -> None:
    """Insert or update ``rows`` (copies: the given objects stay detached)."""
    engine = make_engine(url)
    with session_factory(engine, "demo")() as session, session.begin():
        for row in rows:
            session.merge(row)
    engine.dispose()


def load(service: str, rows: list) -> None:
    seed(load_config(config_path(service))["DATABASE_URL"], rows)
    print(f"{service}: {len(rows)} demo rows")


DEMO_POPULATION = {"seed": 7, "families": 40}


def load_population() -> None:
    """A small synthetic regency beside the named demo residents, loaded once."""
    url = load_config(config_path("civil_registry"))["DATABASE_URL"]
    people = population.generate(**DEMO_POPULATION, taken={r.nik for r in RESIDENTS})
    try:
        population.load(url, people)
    except population.PopulationCollision:
        print("civil_registry: demo population already loaded")
        return
    print(f"civil_registry: {len(people.residents)} residents in {len(people.cards)} families")


def load_bills() -> None:
    """The demo tax bills, each published once as the module publishes it (through its
    outbox: ``bill_issued``, and ``bill_paid`` for a paid one); a bill there is left as is."""
    url = load_config(config_path("regional_tax"))["DATABASE_URL"]
    engine = make_engine(url)
    sessions = session_factory(engine, "regional_tax", regional_tax.OutboxEvent)
    added = 0
    with sessions() as session, session.begin():
        for bill_id, resident, kind, thing, district, amount, days, receipt in DEMO_BILLS:
            if session.get(regional_tax.Bill, bill_id) is not None:
                continue
            bill = regional_tax.Bill(
                id=bill_id,
                person_id=resident.id,
                nik=resident.nik,
                tax_kind=kind,
                object=thing,
                district=district,
                amount=amount,
                due_on=today() + timedelta(days=days),
                imported_by="demo",
                created_at=utcnow(),
            )
            session.add(bill)
            issued = {"bill_id": bill_id, "person_id": resident.id, "tax_kind": kind}
            issued |= {"object": thing, "district": district, "amount": amount}
            session.record_event("bill_issued", {**issued, "due_on": bill.due_on})
            if receipt:
                bill.paid_at, bill.receipt_reference, bill.paid_by = utcnow(), receipt, "demo"
                paid = {"bill_id": bill_id, "person_id": resident.id, "paid_at": bill.paid_at}
                session.record_event("bill_paid", paid)
            added += 1
    engine.dispose()
    print(f"regional_tax: {added} demo tax bills")


def main() -> None:
    load("queue", QUEUE_SETUP)
    load("licensing", PERMIT_TYPES)
    load("civil_registry", RESIDENTS + HOUSEHOLD)
    load_population()
    load_bills()
    if os.environ.get("DEMO_ACCOUNTS", "1") != "0":  # never in a deployment
        gateway = load_config(config_path("gateway"))
        seed(gateway["DATABASE_URL"], demo_accounts(gateway))
        print(f"gateway: {len(DEMO_STAFF)} staff and {len(RESIDENTS)} citizen demo accounts")


if __name__ == "__main__":
    main()
