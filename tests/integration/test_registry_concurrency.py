"""Births registered at the same moment, by three instances of the registry, never share a
NIK or a certificate number (SQLite and PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from tests.integration.helpers import REGISTRAR
from tests.polling import eventually

MOTHER = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}
BIRTHS = 60


def test_concurrent_births_in_one_region_and_day_get_distinct_niks(
    service_config, service_processes
):
    config = service_config("civil_registry")
    service_processes("civil_registry", "CivilRegistryService", config, count=3)
    client = RpcClient(config["AMQP_URI"], timeout=30)
    context = {"actor": REGISTRAR}

    def call(method, payload):
        return client.call("civil_registry", method, payload, context=context)

    def up():
        try:
            return client.call("civil_registry", "health", timeout=1)
        except (RpcTimeout, RemoteError):  # not started yet
            return None

    try:
        eventually(up, timeout=30)
        mother = call("register_resident", MOTHER)
        call(
            "create_family_card",
            {"number": "3314010101200001", "address": "Jl. Sukowati 1", "head_id": mother["id"]},
        )
        born = date.today().isoformat()
        payloads = [
            {
                "full_name": f"Child {n}",
                "sex": "M",
                "birth_date": born,
                "birth_place": "RSUD Sragen",
                "mother_id": mother["id"],
            }
            for n in range(BIRTHS)
        ]
        with ThreadPoolExecutor(max_workers=20) as pool:
            records = list(pool.map(lambda p: call("register_birth", p), payloads))
    finally:
        client.close()

    niks = [record["child"]["nik"] for record in records]
    numbers = {record["certificate"]["number"] for record in records}
    assert len(set(niks)) == BIRTHS and len(numbers) == BIRTHS
    assert sorted(int(nik[-4:]) for nik in niks) == list(range(1, BIRTHS + 1))
