"""The whole mall as ``make run`` starts it: a permit issued through the gateway reaches
its holder's mailbox, the local SMTP sink's folder, through licensing's outbox relay, the
notifications service and SMTP; so does the receipt of a module's application, through the
module's relay and the shared exchange of every module's applications."""

import email
from email import policy

import requests
from nameko.standalone.rpc import ServiceRpcProxy

from bench.documents import fresh_pdf
from scripts.demo_data import RESIDENTS
from tests.e2e.conftest import bearer_headers, wait_until_announced, wait_until_healthy
from tests.polling import eventually


def mails(directory) -> list:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(directory.glob("*.eml"))
    ]


def test_an_issued_permit_reaches_the_holders_mailbox(mall, mall_env, mall_var):
    base, _, _ = mall
    wait_until_healthy(base, timeout=90)  # a busy machine starts slowly
    siti = bearer_headers(base, "citizen")
    me = requests.get(f"{base}/api/v1/me", headers=siti, timeout=10).json()
    actor = {"id": me["id"], "role": "citizen", "agency": None, "person_id": me["person_id"]}
    config = {"AMQP_URI": mall_env["AMQP_URI"]}

    def give_email():
        try:
            with ServiceRpcProxy(
                "notifications", config, context_data={"actor": actor}, timeout=5
            ) as notifications:
                return notifications.update_settings({"email": "siti@example.id"})
        except Exception:  # the service still starting
            return None

    assert eventually(give_email, timeout=60)["channels"] == ["email"]
    resident = RESIDENTS[0]
    draft = {
        "permit_type": "NIB",
        "applicant_nik": resident.nik,
        "applicant_name": resident.full_name,
        "applicant_birth_date": resident.birth_date.isoformat(),
    }
    created = requests.post(f"{base}/api/v1/applications", json=draft, headers=siti, timeout=30)
    assert created.status_code == 201, created.text
    path = f"{base}/api/v1/applications/{created.json()['id']}"
    upload = {"file": ("ktp.pdf", fresh_pdf(4096), "application/pdf")}
    uploaded = requests.post(
        f"{path}/documents", files=upload, data={"kind": "ktp"}, headers=siti, timeout=30
    )
    assert uploaded.status_code == 201, uploaded.text
    submitted = requests.post(
        f"{path}/actions", json={"action": "submit"}, headers=siti, timeout=30
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "issued", submitted.text

    mailbox = mall_var / "mail"
    issued = eventually(
        lambda: [m for m in mails(mailbox) if m["Subject"].startswith("Izin ")], timeout=60
    )
    (mail,) = issued
    assert mail["To"] == "siti@example.id"
    assert mail["Subject"].endswith("Anda telah terbit")
    assert "/verify?number=" in mail.get_content()

    aid = {
        "service": "bantuan_sosial",
        "form": {
            "household_income": 1_200_000,
            "need": "health",
            "description": "Suami sakit sejak Maret dan tidak bisa bekerja.",
        },
    }
    wait_until_announced(base, "social_aid")
    applied = requests.post(
        f"{base}/api/v1/modules/social_aid/applications", json=aid, headers=siti, timeout=30
    )
    assert applied.status_code == 201, applied.text
    receipt = eventually(
        lambda: [m for m in mails(mailbox) if "Bantuan Sosial" in m["Subject"]],
        timeout=60,
    )
    assert receipt[0]["Subject"] == "Permohonan diterima: Bantuan Sosial Terpadu (satu pintu)"
