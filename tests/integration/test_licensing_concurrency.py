"""Three licensing instances at the same moment (SQLite and PostgreSQL): permits never share
a number, and one file never serves two documents of an application."""

from concurrent.futures import ThreadPoolExecutor

from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from chassis.storage import LocalDocumentStore
from scripts.demo_data import PERMIT_TYPES, seed
from services.civil_registry.service import CivilRegistryService
from tests.documents import pdf
from tests.integration.helpers import rpc_to
from tests.polling import eventually

SITI = {
    "nik": "3314015708900001",
    "full_name": "Siti Rahayu",
    "birth_date": "1990-08-17",
    "sex": "F",
}
APPLICATIONS = 40


def test_concurrent_issuance_numbers_permits_without_gaps_or_twins(
    container_factory, service_config, service_processes, tmp_path
):
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)
    config = service_config(
        "licensing", DOCUMENT_STORE=str(tmp_path / "documents"), MAX_DOCUMENT_BYTES=100_000
    )
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    service_processes("licensing", "LicensingService", config, count=3)
    stored = LocalDocumentStore(config["DOCUMENT_STORE"], 100_000).put(pdf("ktp"))
    reference = {
        "kind": "ktp",
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
    }
    client = RpcClient(config["AMQP_URI"], timeout=30)
    context = {"actor": {"id": "c-siti", "role": "citizen", "person_id": siti["id"]}}

    def up():
        try:
            return client.call("licensing", "health", timeout=1)
        except (RpcTimeout, RemoteError):
            return None

    def apply_and_submit(_) -> dict:
        application = client.call(
            "licensing",
            "create_application",
            {
                "permit_type": "NIB",
                "applicant_nik": SITI["nik"],
                "applicant_name": SITI["full_name"],
                "applicant_birth_date": SITI["birth_date"],
            },
            context=context,
        )
        client.call("licensing", "attach_document", application["id"], reference, context=context)
        return client.call(
            "licensing", "act", application["id"], {"action": "submit"}, context=context
        )

    try:
        eventually(up, timeout=30)
        with ThreadPoolExecutor(max_workers=12) as pool:
            issued = list(pool.map(apply_and_submit, range(APPLICATIONS)))
        permits = client.call("licensing", "my_permits", context=context)
    finally:
        client.close()

    assert {application["status"] for application in issued} == {"issued"}
    serials = sorted(int(permit["number"].rsplit("/", 1)[1]) for permit in permits)
    assert serials == list(range(1, APPLICATIONS + 1))


def test_one_file_sent_at_once_as_three_documents_serves_only_one(
    container_factory, service_config, service_processes, tmp_path
):
    """Three instances take the same file as the three documents of one application at the
    same moment: the application row's lock lets exactly one of them attach it."""
    registry = service_config("civil_registry")
    container_factory(CivilRegistryService, registry).start()
    with rpc_to("civil_registry", registry) as civil:
        siti = civil.register_resident(SITI)
    config = service_config(
        "licensing", DOCUMENT_STORE=str(tmp_path / "documents"), MAX_DOCUMENT_BYTES=100_000
    )
    seed(config["DATABASE_URL"], PERMIT_TYPES)
    service_processes("licensing", "LicensingService", config, count=3)
    stored = LocalDocumentStore(config["DOCUMENT_STORE"], 100_000).put(pdf("one scan"))
    reference = {"sha256": stored.sha256, "size": stored.size, "content_type": "application/pdf"}
    client = RpcClient(config["AMQP_URI"], timeout=30)
    context = {"actor": {"id": "c-siti", "role": "citizen", "person_id": siti["id"]}}
    draft = {
        "permit_type": "PBG",
        "applicant_nik": SITI["nik"],
        "applicant_name": SITI["full_name"],
        "applicant_birth_date": SITI["birth_date"],
    }

    def up():
        try:
            return client.call("licensing", "health", timeout=1)
        except (RpcTimeout, RemoteError):
            return None

    def attach(application_id: str, kind: str) -> str:
        try:
            client.call(
                "licensing",
                "attach_document",
                application_id,
                {**reference, "kind": kind},
                context=context,
            )
            return "attached"
        except RemoteError as refused:
            return refused.exc_type

    try:
        eventually(up, timeout=30)
        outcomes = []
        with ThreadPoolExecutor(max_workers=3) as pool:
            for _ in range(8):
                application = client.call("licensing", "create_application", draft, context=context)
                kinds = ["ktp", "land_certificate", "building_plan"]
                outcomes.append(sorted(pool.map(attach, [application["id"]] * 3, kinds)))
                shown = client.call(
                    "licensing", "get_application", application["id"], context=context
                )
                assert len(shown["documents"]) == 1
    finally:
        client.close()
    assert outcomes == [["Conflict", "Conflict", "attached"]] * 8
