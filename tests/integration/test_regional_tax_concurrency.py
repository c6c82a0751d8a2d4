"""Three instances of the tax robot at the same moment (SQLite and PostgreSQL): the same
file imported six times at once makes each bill once and publishes it once, and a bill
paid at six cashiers at once is paid once."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from services.civil_registry.service import CivilRegistryService
from services.regional_tax.models import Bill, OutboxEvent
from tests.integration.helpers import rows, rpc_to
from tests.integration.test_regional_tax import (
    BUDI_NIK,
    CASHIER,
    OFFICE,
    SITI_NIK,
    person,
    roll,
)
from tests.polling import eventually

TRIES = 6


def test_one_file_imported_at_once_by_three_instances_is_each_bill_once(
    container_factory, service_config, service_processes
):
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    with rpc_to("civil_registry", registry) as civil:
        civil.register_resident(person(SITI_NIK, "Siti Rahayu", "1990-08-17", "F"))
        civil.register_resident(person(BUDI_NIK, "Budi Santoso", "1985-03-02", "M"))
    config = service_config("regional_tax")
    service_processes("regional_tax", "RegionalTaxService", config, count=3)
    client = RpcClient(config["AMQP_URI"], timeout=30)

    def up():
        try:
            return client.call("regional_tax", "health", timeout=1)
        except (RpcTimeout, RemoteError):
            return None

    def attempt(method: str, actor: dict, *args):
        try:
            return client.call("regional_tax", method, *args, context={"actor": actor})
        except RemoteError as refused:
            return refused.exc_type, refused.code

    try:
        eventually(up, timeout=30)
        with ThreadPoolExecutor(max_workers=TRIES) as pool:
            imports = list(
                pool.map(lambda _: attempt("import_bills", OFFICE, roll()), range(TRIES))
            )
        [budis] = client.call("regional_tax", "bills", {"nik": BUDI_NIK}, context={"actor": OFFICE})
        payment = {"amount": budis["amount"]}
        with ThreadPoolExecutor(max_workers=TRIES) as pool:
            payments = list(
                pool.map(
                    lambda n: attempt(
                        "record_payment",
                        CASHIER,
                        budis["id"],
                        {**payment, "receipt_reference": f"R-{n}"},
                    ),
                    range(TRIES),
                )
            )
    finally:
        client.close()

    made = [i for i in imports if isinstance(i, dict)]
    assert sum(i["imported"] for i in made) == 3
    assert all(i["rows"] == 3 for i in made)
    assert all(i == ("Conflict", "tax_import_clash") for i in imports if not isinstance(i, dict))
    url = config["DATABASE_URL"]
    assert len(rows(url, select(Bill))) == 3
    events = [e.event_type for e in rows(url, select(OutboxEvent))]
    assert sorted(events) == ["bill_issued"] * 3 + ["bill_paid"]
    paid = [p for p in payments if isinstance(p, dict)]
    assert len(paid) == 1 and paid[0]["status"] == "paid"
    assert [p[0] for p in payments if not isinstance(p, dict)] == ["Conflict"] * (TRIES - 1)
