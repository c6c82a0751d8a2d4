"""The counter console and the display board as pages, through Flask's test client against
the real queue service, its outbox relay and RabbitMQ (SQLite, PostgreSQL); the officer
signs in with the sign-in form and works with the cookie and the form token."""

import json
import re
from html import unescape

import pytest

from chassis.actor import Actor
from gateway.app import create_app
from gateway.identity import passwords, store
from gateway.identity.models import Account
from gateway.rpc import RpcTimeout
from tests.accounts import bearer, web_client
from tests.integration import test_gateway_queue

PASSWORD = "loket-rahasia-2026"
# the queue's API fixtures: the real queue service, its relay, and the gateway before them
api, queue_config = test_gateway_queue.api, test_gateway_queue.queue_config


@pytest.fixture
def mall(api):
    return api


def officer_account(app, login: str, agency: str) -> None:
    """A counter officer who signs in with ``PASSWORD``."""
    with store.transaction(app.config["DATABASE_URL"]) as db:
        db.add(
            Account(
                id=f"acc-{login}",
                login=login,
                full_name=f"Petugas {login}",
                role="counter_officer",
                agency=agency,
                password_hash=passwords.hasher(app.config).hash(PASSWORD),
            )
        )


def signed_in(app, login: str, agency: str = "disdukcapil"):
    """A test client signed in through the sign-in form, and its form token."""
    officer_account(app, login, agency)
    http = app.test_client()
    signing_in = http.post("/sign-in", data={"login": login, "password": PASSWORD})
    assert signing_in.status_code == 303 and signing_in.location.endswith("/counter")
    console = http.get("/counter")
    assert console.status_code == 200
    return http, form_token(console.get_data(as_text=True))


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def text(response) -> str:
    """The page's words, without tags, in one line."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(unescape(words).split())


def walk_in(app, service: str) -> dict:
    """A ticket from the kiosk (a client without the officer's cookie)."""
    issued = app.test_client().post("/api/v1/tickets", json={"service_code": service})
    assert issued.status_code == 201
    return issued.get_json()


def act(http, token: str, counter: str, action: str, refused: int | None = None, **form):
    """An action posted from the console, and the console it leads back to (or, refused,
    the console shown again with the refusal's status)."""
    done = http.post(f"/counter/{counter}/{action}", data={"csrf_token": token, **form})
    if refused:
        assert done.status_code == refused, done.get_data(as_text=True)
        return done
    assert done.status_code == 303, done.get_data(as_text=True)
    assert done.location.endswith(f"/counter?counter={counter}")
    return http.get(done.location)


def test_an_officer_works_a_counter_from_the_console(mall):
    http, token = signed_in(mall, "loket-test")
    page = text(http.get("/counter"))
    assert "Buka loket 1" in page and "Buka loket 2" in page
    assert "Buka loket 3" not in page  # another agency's counter

    opened = act(http, token, "loket-1", "open")
    assert "Loket 1 dibuka." in text(opened)
    empty = act(http, token, "loket-1", "call-next", refused=404)
    assert "Tidak ada yang menunggu di layanan loket ini." in text(empty)

    ticket = walk_in(mall, "population")
    waiting = http.get("/counter/loket-1/queue")
    assert waiting.status_code == 200 and waiting.headers["Cache-Control"] == "no-store"
    assert re.search(r'id="waiting-total">1<', waiting.get_data(as_text=True))

    called = text(act(http, token, "loket-1", "call-next"))
    assert f"{ticket['label']} dipanggil." in called
    assert "Tiket sekarang" in called and "Administrasi Kependudukan" in called
    assert "Panggil ulang" in called and "Panggil berikutnya" not in called
    assert "Panggilan ulang" not in called
    assert "dipanggil ulang" in text(act(http, token, "loket-1", "recall"))
    busy = text(act(http, token, "loket-1", "close", refused=409))
    assert "Selesaikan, alihkan atau tandai tidak hadir tiket yang sekarang dulu." in busy
    assert "Sedang dilayani" in text(act(http, token, "loket-1", "start"))

    blank = http.post(
        "/counter/loket-1/finish", data={"csrf_token": token, "outcome": "  "}
    )  # the form again, the reason beside the field, nothing done
    assert blank.status_code == 422
    assert 'aria-invalid="true"' in blank.get_data(as_text=True)
    assert "Periksa isian yang ditandai. " in text(blank)
    assert "Hasil layanan * Misalnya: KTP dicetak, berkas kurang. Wajib diisi." in text(blank)
    long = http.post("/counter/loket-1/finish", data={"csrf_token": token, "outcome": "x" * 201})
    assert long.status_code == 422 and "Length must be between 1 and 200." in text(long)
    finished = text(act(http, token, "loket-1", "finish", outcome="KTP dicetak"))
    assert f"Layanan {ticket['label']} selesai." in finished
    assert "Panggil berikutnya" in finished
    assert "Loket 1 ditutup." in text(act(http, token, "loket-1", "close"))
    assert "Kerjakan" not in text(http.get("/counter"))


def test_a_ticket_is_transferred_and_a_no_show_marked_from_the_console(mall):
    http, token = signed_in(mall, "loket-test")
    for _ in range(2):
        walk_in(mall, "population")
    act(http, token, "loket-2", "open")
    act(http, token, "loket-2", "call-next")
    both = http.post("/counter/loket-2/transfer", data={"csrf_token": token})
    assert both.status_code == 422 and "Pilih satu tujuan" in text(both)
    moved = text(act(http, token, "loket-2", "transfer", to_counter="loket-3"))
    assert "Dialihkan: tiket barunya B-001." in moved  # the licensing counter's series
    act(http, token, "loket-2", "call-next")
    assert "A-002 ditandai tidak hadir." in text(act(http, token, "loket-2", "no-show"))
    english = http.get("/counter?lang=en")
    assert "Call next" in text(english)


def test_the_console_is_for_signed_in_counter_officers_with_the_form_token(mall):
    http = mall.test_client()
    anonymous = http.get("/counter")
    assert anonymous.status_code == 302 and "/sign-in?next=/counter" in anonymous.location
    citizen = bearer(mall, Actor(id="citizen-1", role="citizen", person_id="p-1"))
    assert http.get("/counter", headers=citizen).status_code == 403
    assert http.post("/counter/loket-1/open", headers=citizen).status_code == 403

    officer, token = signed_in(mall, "loket-test")
    forged = officer.post("/counter/loket-1/open")  # another site's form has no token
    assert forged.status_code == 403
    assert "Dibuka oleh Anda" not in text(officer.get("/counter"))
    assert officer.post("/counter/loket-1/dance", data={"csrf_token": token}).status_code == 404

    other, other_token = signed_in(mall, "loket-lain", agency="dpmptsp")
    refused = other.post("/counter/loket-1/open", data={"csrf_token": other_token})
    assert refused.status_code == 403  # the console again, the reason in its notice
    assert "Loket 1 milik instansi disdukcapil." in text(refused)
    assert other.get("/counter/loket-1/queue").status_code == 404
    opened = other.post("/counter/loket-3/open", data={"csrf_token": other_token})
    notice = other.get_cookie("counter_notice", path="/counter").value
    assert "Loket 3 dibuka." in text(other.get(opened.location))
    assert other.get_cookie("counter_notice", path="/counter") is None  # shown once
    officer.set_cookie("counter_notice", notice, path="/counter")  # it was for another
    assert "Loket 3 dibuka" not in text(officer.get("/counter"))


def test_the_board_shows_the_latest_calls_newest_first_and_filters_them(mall):
    http = mall.test_client()
    people = officer_headers(mall, "disdukcapil")
    licensing = officer_headers(mall, "dpmptsp")
    walk_in(mall, "population")
    walk_in(mall, "licensing")
    for counter, staff in (("loket-1", people), ("loket-3", licensing)):
        assert http.post(f"/api/v1/counters/{counter}/open", headers=staff).status_code == 200
        assert http.post(f"/api/v1/counters/{counter}/call-next", headers=staff).status_code == 200

    board = http.get("/board")
    assert board.status_code == 200
    page = text(board)
    assert page.index("B-001 → ke Loket 3") < page.index("A-001 → ke Loket 1")
    assert 'aria-live="polite"' in board.get_data(as_text=True)
    data = board_data(board)
    assert data["only"] is None and [c["label"] for c in data["calls"]] == ["B-001", "A-001"]
    assert data["stream"] == "/api/v1/display/stream"

    for query in ("agency=disdukcapil", "services=population,tax", "services=population&lang=en"):
        filtered = http.get(f"/board?{query}")
        assert [c["label"] for c in board_data(filtered)["calls"]] == ["A-001"]
        assert "B-001" not in text(filtered)
    assert "Counter 1" in text(http.get("/board?services=population&lang=en"))
    nothing = http.get("/board?agency=nobody&lang=id")
    assert board_data(nothing)["only"] == [] and "Tidak ada layanan yang cocok" in text(nothing)


def officer_headers(app, agency: str) -> dict:
    return bearer(app, Actor(id=f"officer-{agency}", role="counter_officer", agency=agency))


def board_data(response) -> dict:
    page = response.get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


class Unreachable:
    def call(self, *args, **kwargs):
        raise RpcTimeout("the queue is down")


def test_the_board_waits_for_a_queue_that_does_not_answer(gateway_database):
    app = create_app({"JWT_SECRET": "unit-secret", "DATABASE_URL": gateway_database})
    app.extensions["rpc_client"] = Unreachable()
    board = app.test_client().get("/board")
    assert board.status_code == 200
    page = board.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="20">' in page
    assert "Menghubungkan ke sistem antrean" in page and board_data(board)["calls"] == []


def test_an_agency_admin_releases_a_counter_left_open_from_the_pages(mall):
    http = mall.test_client()
    walk_in(mall, "population")
    gone = officer_headers(mall, "disdukcapil")  # her account is disabled after this
    assert http.post("/api/v1/counters/loket-1/open", headers=gone).status_code == 200
    assert http.post("/api/v1/counters/loket-1/call-next", headers=gone).status_code == 200

    admin, token = web_client(mall, Actor(id="admin-1", role="agency_admin", agency="disdukcapil"))
    page = admin.get("/floor/counters")
    assert page.status_code == 200 and "Loket 1 · disdukcapil" in text(page)
    assert "A-001 (Dipanggil" in text(page)
    blank = admin.post("/floor/counters/loket-1/release", data={"csrf_token": token, "reason": " "})
    assert blank.status_code == 422 and "Wajib diisi." in text(blank)
    released = admin.post(
        "/floor/counters/loket-1/release",
        data={"csrf_token": token, "reason": "akun dinonaktifkan"},
    )
    assert released.status_code == 303
    after = text(admin.get(released.location))
    assert "Loket 1 ditutup; tiketnya kembali ke antrean." in after
    assert "Tidak ada loket yang buka." in after
    counters = http.get("/api/v1/counters").get_json()["items"]
    assert next(c for c in counters if c["id"] == "loket-1")["status"] == "closed"
    assert http.get("/api/v1/service-lines").get_json()["items"][0]["waiting"] == 1

    other, other_token = web_client(
        mall, Actor(id="admin-2", role="agency_admin", agency="bapenda")
    )
    assert http.post("/api/v1/counters/loket-1/open", headers=gone).status_code == 200
    assert "Loket 1" not in text(other.get("/floor/counters"))  # not her agency's
    refused = other.post(
        "/floor/counters/loket-1/release", data={"csrf_token": other_token, "reason": "not mine"}
    )
    assert refused.status_code == 403 and "Loket 1" in text(admin.get("/floor/counters"))


def test_the_console_opens_one_counter_per_officer(mall):
    officer, token = signed_in(mall, "loket-satu")
    opened = officer.post("/counter/loket-1/open", data={"csrf_token": token})
    console = text(officer.get(opened.location))
    assert "Loket 1 dibuka." in console and "Buka loket 2" not in console
    assert "Satu loket per petugas: tutup loket Anda dulu" in console
    second = officer.post("/counter/loket-2/open", data={"csrf_token": token})
    assert second.status_code == 409
    assert "Anda sedang membuka Loket 1: tutup dulu." in text(second)
