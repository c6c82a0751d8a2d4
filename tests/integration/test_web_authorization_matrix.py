"""The authorization matrix of the web pages: the same two intruders as the API's matrix
(citizen Budi, a counter officer of bapenda), signed in the way the pages are (cookie and
form token), try every page whose path names one of Siti's objects. Each try is refused
(403 or 404), shows nothing of hers, changes nothing and is in the audit log as a denial.
"""

import io

from gateway.web.counter import ACTIONS as COUNTER_ACTIONS
from tests.accounts import bearer, web_client
from tests.integration.test_authorization_matrix import (  # noqa: F401 (the fixture)
    MALL_MANAGER,
    PDF,
    REFUSED,
    Belongings,
    as_she_left_them,
    mall,
    path_of,
    state_of,
    target,
)

APPLY = "/applications/<application_id>"
OFFICE = "/office/applications/<application_id>"
AID = "/modules/<module>/applications/<application_id>"


def web_matrix(siti: Belongings) -> dict[tuple[str, str], list[tuple[dict, dict]]]:
    """(method, rule) -> the tries on Siti's objects, each with a form that would pass."""
    application = {"application_id": siti.application}
    aid = {"module": "social_aid", "application_id": siti.aid}
    complaint = {"module": "complaints", "application_id": siti.complaint}
    counter_forms = {
        "finish": {"outcome": "served by an intruder"},
        "transfer": {"to_service": "tax"},
    }
    return {
        ("GET", APPLY): [(application, {})],
        ("POST", f"{APPLY}/actions"): [(application, {"action": "withdraw"})],
        ("POST", f"{APPLY}/documents"): [
            (application, {"kind": "ktp", "file": (io.BytesIO(PDF), "ktp.pdf")})
        ],
        ("POST", "/bookings/<booking_id>/cancellation"): [({"booking_id": siti.booking}, {})],
        ("POST", "/bookings/<booking_id>/check-in"): [({"booking_id": siti.booking}, {})],
        ("GET", "/tickets/<ticket_id>"): [({"ticket_id": siti.ticket}, {})],
        ("POST", "/tickets/<ticket_id>/cancellation"): [({"ticket_id": siti.ticket}, {})],
        ("POST", "/tickets/<ticket_id>/rating"): [
            ({"ticket_id": siti.ticket}, {f"e{i}": "4" for i in range(1, 10)})
        ],
        ("POST", "/counter/<counter_id>/<action>"): [
            ({"counter_id": siti.counter, "action": a}, counter_forms.get(a, {}))
            for a in sorted(COUNTER_ACTIONS)
        ],
        ("GET", "/counter/<counter_id>/queue"): [({"counter_id": siti.counter}, {})],
        ("POST", "/floor/counters/<counter_id>/release"): [
            ({"counter_id": siti.counter}, {"reason": "released by an intruder"})
        ],
        ("GET", AID): [(aid, {}), (complaint, {})],
        ("POST", f"{AID}/actions"): [
            (aid, {"action": "withdraw"}),
            (complaint, {"action": "verify"}),
        ],
        ("POST", f"{AID}/operations/<operation>"): [(complaint | {"operation": "voice"}, {})],
        ("GET", OFFICE): [(application, {})],
        ("POST", f"{OFFICE}/actions"): [(application, {"action": "start_verification"})],
        ("POST", f"{OFFICE}/payment"): [
            (application, {"amount": "500000", "receipt_reference": "KWT-INTRUDER-2"})
        ],
        ("GET", f"{OFFICE}/documents/<document_id>"): [
            (application | {"document_id": "00000000-0000-4000-8000-000000000000"}, {})
        ],
        ("POST", "/notifications/<notification_id>/read"): [
            ({"notification_id": siti.notification}, {}),
            ({"notification_id": siti.notification}, {"open": "1"}),
        ],
        ("GET", f"/office{AID}"): [(aid, {}), (complaint, {})],
        ("POST", f"/office{AID}/actions"): [
            (aid, {"action": "approve", "note": "by an intruder"}),
            (complaint, {"action": "verify"}),
        ],
        ("POST", "/office/modules/regional_tax/bills/<bill_id>/payment"): [
            ({"bill_id": siti.bill}, {"amount": "150000", "receipt_reference": "BPD-INTRUDER-2"})
        ],
    }


def web_id_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if any(a.endswith("_id") for a in rule.arguments) and not rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_intruders_are_refused_on_every_page_of_hers_and_are_audited(mall):  # noqa: F811
    siti = mall.siti
    tried = web_matrix(siti)
    assert set(tried) == web_id_routes(mall.app), "a page with an id is not in the matrix"
    before = state_of(mall)
    problems, tries = [], {name: [] for name in mall.intruders}
    for name, intruder in mall.intruders.items():
        http, token = web_client(mall.app, intruder)
        for (method, rule), attempts in sorted(web_matrix(siti).items()):  # fresh files
            for values, form in attempts:
                path = path_of(rule, values)
                data = {**form, "csrf_token": token} if method == "POST" else None
                response = http.open(path, method=method, data=data)
                where = f"{name}: {method} {path} -> {response.status_code}"
                tries[name].append((f"{method} {rule}", target(rule, values), response.status_code))
                body = response.get_data(as_text=True)
                if response.status_code not in REFUSED:
                    problems.append(f"{where} {body[:200]}")
                shown = [s for s in siti.secrets if s in body]
                shown += [i for i in siti.ids if i in body and i not in values.values()]
                if shown:
                    problems.append(f"{where} shows {shown}")
        jump = http.get("/office/open", query_string={"id": siti.application})
        if jump.status_code not in REFUSED and siti.application in (jump.location or ""):
            problems.append(f"{name}: /office/open -> {jump.status_code} {jump.location}")
    assert not problems, "\n".join(problems)
    after = state_of(mall)
    as_she_left_them(after)
    assert after == before

    manager = bearer(mall.app, MALL_MANAGER)
    for name, intruder in mall.intruders.items():
        logged = (
            mall.app.test_client()
            .get(
                "/api/v1/audit-entries",
                headers=manager,
                query_string={"actor_id": intruder.id, "per_page": 200},
            )
            .get_json()["items"]
        )
        denials = sorted((e["action"], e["target"], e["status"]) for e in logged if e["target"])
        assert denials == sorted(tries[name]), name
        assert {e["allowed"] for e in logged if e["target"]} == {False}
