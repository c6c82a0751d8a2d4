"""The citizens' portal: find a service, take a ticket or book a slot, apply, follow, rate.

Anyone may browse, take a walk-in ticket and verify a document; the rest is for a signed-in
citizen, and the services check again that each record is hers.
"""

import functools
from datetime import timedelta

import segno
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from chassis.actor import CITIZEN
from chassis.clock import today
from chassis.errors import NotFound
from contracts import catalog as catalog_wire
from contracts import civil_registry as registry_wire
from contracts import licensing as licensing_wire
from contracts import modules as modules_wire
from contracts import queue as queue_wire
from contracts.digits import ascii_int
from gateway.api import accounts as account_api
from gateway.api import licensing as licensing_api
from gateway.api import registry as registry_api
from gateway.api.licensing import attach_upload
from gateway.api.modules import live_manifest, read_view, submit_application, view_of
from gateway.identity import audit, throttle
from gateway.identity.models import Account
from gateway.rpc import RemoteError, call
from gateway.web.pages import (
    Refused,
    attempt,
    form_of,
    if_available,
    manifest_form,
    public_url,
    refusal,
    signed_in_as,
    step_posted,
)
from gateway.web.published import choices_of, done_text, public_views

bp = Blueprint("portal", __name__)
citizen_only = signed_in_as(CITIZEN)
BOOKING_DAYS = 14  # how far ahead the booking page offers days
CANCEL_COOKIE = "ticket_cancel_code"
CANCEL_COOKIE_SECONDS = 24 * 3600  # a ticket lives one day
TRACKING_COOKIE = "tracking_code"  # a visitor's claim to her application, on its page only
TRACKING_COOKIE_SECONDS = 90 * 24 * 3600  # a complaint is answered, confirmed or closed by then
# the nine elements of the satisfaction survey (PermenPAN-RB 14/2017), in its order
SKM_ELEMENTS = [
    lazy_gettext("Requirements"),
    lazy_gettext("Procedure"),
    lazy_gettext("Time taken"),
    lazy_gettext("Cost"),
    lazy_gettext("What you received"),
    lazy_gettext("Staff competence"),
    lazy_gettext("Staff behaviour"),
    lazy_gettext("Handling of complaints"),
    lazy_gettext("Facilities"),
]
SKM_SCALE = [
    (1, lazy_gettext("Poor")),
    (2, lazy_gettext("Fair")),
    (3, lazy_gettext("Good")),
    (4, lazy_gettext("Very good")),
]


@functools.lru_cache(maxsize=4096)  # a ticket's page is drawn every few seconds
def qr_svg(text: str) -> str:
    return segno.make(text, error="m").svg_inline(scale=6, omitsize=True, title=text)


# --- finding a service ----------------------------------------------------------------


@bp.get("/")
def home():
    args = {k: v for k, v in request.args.items() if k in ("q", "life_event") and v.strip()}
    errors = catalog_wire.SearchQuery().validate(args)
    entries, found = ([], True) if errors else if_available(call, "catalog", "search", args)
    lines, _ = if_available(call, "queue", "list_service_lines", default=[])
    return render_template(
        "portal/home.html",
        entries=entries or [],
        unavailable=not found,
        lines={line["code"]: line for line in lines},
        args=args,
        errors=errors,
        life_events=modules_wire.LIFE_EVENTS,
        published=if_available(public_views, default=[])[0],
    )


# --- the queue: walk-in tickets, bookings, check-in, rating ----------------------------


@bp.post("/tickets")
def take_ticket():
    payload = form_of(queue_wire.TicketRequest(), ["service_code"])
    ticket = attempt(call, "queue", "issue_ticket", payload)
    response = redirect(url_for("portal.ticket", ticket_id=ticket["id"]), 303)
    # the code that gives the ticket up stays with this browser, for this ticket's pages
    response.set_cookie(
        CANCEL_COOKIE,
        ticket["cancel_code"],
        max_age=CANCEL_COOKIE_SECONDS,
        path=url_for("portal.ticket", ticket_id=ticket["id"]),
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
    )
    return response


@bp.get("/tickets/<ticket_id>")
def ticket(ticket_id: str):
    """The ticket's page: the id in its address is the claim, as on the paper ticket."""
    place = call("queue", "get_ticket", ticket_id)
    lines = {line["code"]: line for line in call("queue", "list_service_lines")}
    counters = {c["id"]: c["number"] for c in call("queue", "list_counters")}
    return render_template(
        "portal/ticket.html",
        place=place,
        line=lines.get(place["ticket"]["service_code"], {}),
        counter_number=counters.get(place["ticket"]["counter_id"]),
        qr=qr_svg(public_url(url_for("portal.ticket", ticket_id=ticket_id))),
        cancel_code=request.cookies.get(CANCEL_COOKIE),
        holder=bool(g.actor.person_id) and g.actor.person_id == place["ticket"]["person_id"],
        rated=place.get("rated", False),  # .get: a queue of before the field answers none
        complaint_url=complaint_form_about(ticket_id) if place.get("invites_complaint") else None,
        elements=SKM_ELEMENTS,
        scale=SKM_SCALE,
    )


def complaint_form_about(ticket_id: str) -> str | None:
    """The form of the mall's complaint desk (``COMPLAINT_MODULE`` and ``COMPLAINT_SERVICE``
    of the gateway's settings) filled in with this ticket, while that module is live and
    offers the service; None otherwise."""
    module = current_app.config["COMPLAINT_MODULE"]
    service = current_app.config["COMPLAINT_SERVICE"]
    try:
        manifest, live = if_available(live_manifest, module)
    except NotFound:  # not a module's name
        return None
    except RemoteError as err:
        if err.exc_type != "NotFound":  # never plugged in
            raise
        return None
    if not live or service not in {offered["code"] for offered in manifest["services"]}:
        return None
    return url_for(
        "portal.module_application",
        module=module,
        service=service,
        object_kind="ticket",
        object_id=ticket_id,
    )


@bp.post("/tickets/<ticket_id>/cancellation")
def give_up_ticket(ticket_id: str):
    """Give up a waiting ticket: the code this browser was given with it, or its holder."""
    code = request.cookies.get(CANCEL_COOKIE) or request.form.get("cancel_code", "").strip()
    attempt(call, "queue", "cancel_ticket", ticket_id, {"cancel_code": code or None})
    return redirect(url_for("portal.ticket", ticket_id=ticket_id), 303)


@bp.post("/tickets/<ticket_id>/rating")
def rate(ticket_id: str):
    answers = [request.form.get(f"e{i}", "") for i in range(1, 10)]
    if missing := [i for i, a in enumerate(answers, 1) if a not in ("1", "2", "3", "4")]:
        raise Refused(gettext("Answer every question.") + f" ({missing[0]})")
    attempt(call, "queue", "rate", ticket_id, {"elements": [int(a) for a in answers]})
    return redirect(url_for("portal.ticket", ticket_id=ticket_id, rated=1), 303)


@bp.get("/visits")
@citizen_only
def my_visits():
    bookings = call("queue", "my_bookings")
    lines = {line["code"]: line for line in call("queue", "list_service_lines")}
    for booking in bookings:
        if booking["status"] == "booked":
            booking["qr"] = qr_svg(booking["code"])
    return render_template("portal/visits.html", bookings=bookings, lines=lines)


@bp.route("/bookings/new", methods=["GET", "POST"])
@citizen_only
def book():
    lines = {line["code"]: line for line in call("queue", "list_service_lines")}
    service = request.values.get("service_code", "")
    if service not in lines:
        return refusal(404, gettext("No such service."))
    errors, message, status = {}, None, 200
    if request.method == "POST":
        try:
            attempt(call, "queue", "book", form_of(queue_wire.BookingRequest()))
            return redirect(url_for("portal.my_visits", booked=1), 303)
        except Refused as err:
            errors, message, status = err.fields, err.message, err.status
    days = [today() + timedelta(days=n) for n in range(BOOKING_DAYS)]
    chosen = request.values.get("day", "")
    if queue_wire.SlotQuery().validate({"service_code": service, "day": chosen}):
        chosen = None  # no day (or no valid one) chosen: the first day with a free slot
    for day in [chosen] if chosen else [d.isoformat() for d in days]:
        slots = call("queue", "open_slots", {"service_code": service, "day": day})
        if slots:
            break
    page = render_template(
        "portal/book.html",
        line=lines[service],
        days=days,
        day=day,
        slots=slots,
        errors=errors,
        message=message,
    )
    return page, status


@bp.post("/bookings/<booking_id>/check-in")
@citizen_only
def check_in(booking_id: str):
    mine = {b["id"]: b for b in call("queue", "my_bookings")}
    if booking_id not in mine:
        abort(404)
    ticket = attempt(call, "queue", "check_in", {"code": mine[booking_id]["code"]})
    return redirect(url_for("portal.ticket", ticket_id=ticket["id"]), 303)


@bp.post("/bookings/<booking_id>/cancellation")
@citizen_only
def cancel(booking_id: str):
    attempt(call, "queue", "cancel_booking", booking_id)
    return redirect(url_for("portal.my_visits"), 303)


@bp.route("/kiosk", methods=["GET", "POST"])
def kiosk():
    """Check-in at the mall's kiosk: the booking code, typed or read from its QR code."""
    errors, message, status = {}, None, 200
    if request.method == "POST":
        code = request.form.get("code", "").strip().upper()
        try:
            ticket = attempt(call, "queue", "check_in", {"code": code})
            return redirect(url_for("portal.ticket", ticket_id=ticket["id"]), 303)
        except Refused as err:
            errors, message, status = err.fields or {"code": [err.message]}, err.message, err.status
    page = render_template("portal/kiosk.html", errors=errors, message=message)
    return page, status


# --- permit applications ---------------------------------------------------------------


@bp.get("/applications")
@citizen_only
def my_applications():
    permits = {t["code"]: t for t in call("licensing", "list_permit_types")}
    applications = call("licensing", "my_applications")
    catalog, found = if_available(call, "catalog", "search", {}, default=[])
    modules = sorted({e["module"] for e in catalog if e["kind"] == "module" and e["available"]})
    module_applications, missing = [], [] if found else ["catalog"]
    for name in modules:
        mine, answered = if_available(call, name, "my_applications", default=[])
        module_applications += mine
        missing += [] if answered else [name]
    services = {(e["module"], e["code"]): e for e in catalog if e["kind"] == "module"}
    manifests = {}  # the words of each module's lifecycle, for its states
    for name in {a["module"] for a in module_applications}:
        manifests[name], _ = if_available(live_manifest, name, default=None)
    return render_template(
        "portal/applications.html",
        applications=applications,
        permits=permits,
        module_applications=module_applications,
        services=services,
        manifests=manifests,
        missing=missing,
    )


@bp.route("/applications/new", methods=["GET", "POST"])
@citizen_only
def new_application():
    permits = {t["code"]: t for t in call("licensing", "list_permit_types")}
    permit_type = request.values.get("permit_type", "")
    if permit_type not in permits:
        return refusal(404, gettext("No such permit type."))
    errors, message, status = {}, None, 200
    if request.method == "POST":
        try:
            draft = form_of(licensing_wire.ApplicationDraft())
            application = attempt(call, "licensing", "create_application", draft)
            return redirect(url_for("portal.application", application_id=application["id"]), 303)
        except Refused as err:
            errors, message, status = err.fields, err.message, err.status
    with account_api.database() as db:
        account = db.get(Account, g.actor.id)
        me = {"applicant_nik": account.login, "applicant_name": account.full_name}
    form = me | request.form.to_dict()
    page = render_template(
        "portal/new_application.html",
        permit=permits[permit_type],
        form=form,
        errors=errors,
        message=message,
    )
    return page, status


@bp.get("/applications/<application_id>")
@citizen_only
def application(application_id: str):
    found = call("licensing", "get_application", application_id)
    permits = {t["code"]: t for t in call("licensing", "list_permit_types")}
    return render_template(
        "portal/application.html",
        application=found,
        permit=permits.get(found["permit_type"], {}),
        message=request.args.get("message"),
    )


@bp.post("/applications/<application_id>/documents")
@citizen_only
def upload(application_id: str):
    attempt(
        attach_upload,
        application_id,
        request.files.get("file") or None,
        request.form.get("kind", ""),
    )
    return redirect(url_for("portal.application", application_id=application_id), 303)


@bp.post("/applications/<application_id>/actions")
@citizen_only
def act(application_id: str):
    payload = form_of(licensing_wire.TransitionRequest())
    attempt(call, "licensing", "act", application_id, payload)
    return redirect(url_for("portal.application", application_id=application_id), 303)


def citizen_or_visitor(view):
    """Pages of a module's application that a visitor (not signed in) may use too, where
    its service takes visitors; staff are refused as on every citizen's page."""
    for_citizens = citizen_only(view)

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        return view(*args, **kwargs) if g.actor.id is None else for_citizens(*args, **kwargs)

    return guarded


@bp.route("/modules/<module>/services/<service>", methods=["GET", "POST"])
@citizen_or_visitor
def module_application(module: str, service: str):
    manifest = attempt(live_manifest, module)
    offered = {s["code"]: s for s in manifest["services"]}
    if service not in offered:
        return refusal(404, gettext("No such service."))
    errors, message, status, similar = {}, None, 200, None
    spec = offered[service]
    if g.actor.id is None and not spec.get("visitors"):  # back here once signed in
        return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
    # a link may fill in the form's own fields by name (a complaint about this ticket)
    shown = {f["name"]: request.args[f["name"]] for f in spec["form"] if f["name"] in request.args}
    if request.method == "POST":
        shown = request.form
        form = manifest_form(spec["form"])
        similar = similar_cases(manifest, spec, form)
        try:
            if not similar:
                found = attempt(submit_application, module, {"service": service, "form": form})
                page = url_for("portal.module_status", module=module, application_id=found["id"])
                response = redirect(page, 303)
                if found.get("tracking_code"):  # a visitor's: this browser keeps it for her
                    remember_tracking_code(response, page, found["tracking_code"])
                return response
        except Refused as err:
            errors, message, status = err.fields.get("form", err.fields), err.message, err.status
    page = render_template(
        "portal/module_form.html",
        manifest=manifest,
        service=offered[service],
        form=shown,
        errors=errors,
        message=message,
        similar=similar,
        choices=choices_of(manifest),
        done=done_text(manifest),
    )
    return page, status


def similar_cases(manifest: dict, service: dict, form: dict) -> dict | None:
    """Open cases like this draft (the service's ``similar_view``), to offer adding her
    voice to one before filing a new one; None when there are none, the draft is not
    valid yet (the submission says why) or she chose to file hers anyway."""
    if not service.get("similar_view") or request.form.get("file_anyway") == "yes":
        return None
    if modules_wire.form_schema(service["form"]).validate(form):
        return None
    view = view_of(manifest, manifest["module"], service["similar_view"])
    query = {f["name"]: str(form[f["name"]]) for f in view["filters"] if form.get(f["name"])}
    rows, _ = if_available(read_view, manifest["module"], view, query, default=[])
    if not rows:
        return None
    operations = {o["name"]: o for o in manifest.get("operations") or ()}
    return {"view": view, "rows": rows, "operation": operations.get(view.get("row_operation"))}


@bp.get("/modules/<module>/applications/<application_id>")
@citizen_or_visitor
def module_status(module: str, application_id: str, errors=None, message=None, code=200):
    manifest = attempt(live_manifest, module)
    tracking = None
    if g.actor.id is None:  # a visitor: the code she typed, or the one this browser keeps
        if typed := request.args.get("code", "").strip():
            response = redirect(request.path, 303)
            remember_tracking_code(response, request.path, typed)
            return response
        tracking = request.cookies.get(TRACKING_COOKIE)
        if not tracking:
            return render_template("portal/tracking_code.html", manifest=manifest)
    try:
        found = attempt(call, module, "get_application", application_id, tracking)
    except Refused as err:
        if tracking is None:
            raise
        page = render_template("portal/tracking_code.html", manifest=manifest, wrong=True)
        return page, err.status
    offered = {s["code"]: s for s in manifest["services"]}
    page = render_template(
        "portal/module_application.html",
        manifest=manifest,
        service=offered.get(found["service"], {}),
        application=found,
        tracking_code=tracking,
        errors=errors or {},
        message=message,
        form=request.form if errors else {},
    )
    return page, code


def remember_tracking_code(response, page: str, code: str) -> None:
    """The visitor's code, kept by her browser for the page of her application only."""
    response.set_cookie(
        TRACKING_COOKIE,
        code,
        max_age=TRACKING_COOKIE_SECONDS,
        path=page,
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
    )


@bp.post("/modules/<module>/applications/<application_id>/actions")
@citizen_or_visitor
def module_act(module: str, application_id: str):
    """The applicant's own steps on a module's application: withdrawing it, confirming or
    reopening an answer (what its ``allowed_actions`` offer her; a visitor by her code)."""
    step = step_posted()
    if g.actor.id is None:
        step["tracking_code"] = request.cookies.get(TRACKING_COOKIE)
    try:
        attempt(call, module, "act", application_id, step)
    except Refused as err:
        return module_status(module, application_id, err.fields, err.message, err.status)
    return redirect(
        url_for("portal.module_status", module=module, application_id=application_id), 303
    )


# --- what I hold, and who looked -------------------------------------------------------


@bp.get("/documents")
@citizen_only
def my_documents():
    permits = {t["code"]: t for t in call("licensing", "list_permit_types")}
    held = call("licensing", "my_permits")
    certificates, found = if_available(
        call, "civil_registry", "list_certificates", g.actor.person_id, default=[]
    )
    return render_template(
        "portal/documents.html",
        permits=held,
        types=permits,
        certificates=certificates,
        registry_down=not found,
    )


@bp.get("/my-record")
@citizen_only
def record_reads():
    page = min(max(1, request.args.get("page", 1, type=ascii_int)), 10_000)
    with account_api.database() as db:
        found = audit.reads_of(db, g.actor.person_id, g.actor.id, page=page, per_page=20)
    return render_template("portal/record_reads.html", found=found, page=page)


@bp.get("/verify")
def verify():
    """Public: is this permit or certificate genuine? (the target of the printed QR code)"""
    number = request.args.get("number", "").strip()
    check_code = request.args.get("check_code", "").strip()
    result, kind, errors, status = None, None, {}, 200
    try:
        if number and check_code:  # a civil-registry certificate carries a check code
            kind, query = "certificate", {"number": number, "check_code": check_code}
            errors = registry_wire.CertificateCheck().validate(query)
            result = None if errors else check_certificate(query)
        elif number:
            kind, query = "permit", {"number": number}
            errors = licensing_wire.PermitCheck().validate(query)
            result = None if errors else check_permit(query)
    except throttle.Throttled as err:  # too many unknown documents from this address
        wait = gettext("Try again in %(seconds)s s.", seconds=err.retry_after)
        result, errors, status = None, {"number": [wait]}, 429
    page = render_template(
        "portal/verify.html",
        number=number,
        check_code=check_code,
        result=result,
        kind=kind,
        errors=errors,
    )
    return page, status if status != 200 else (422 if errors else 200)


def check_certificate(query: dict) -> dict:
    check = functools.partial(call, "civil_registry", "verify_certificate", query)
    return account_api.throttled_check(check, registry_api.not_a_certificate)


def check_permit(query: dict) -> dict:
    check = functools.partial(call, "licensing", "verify_permit", query)
    return account_api.throttled_check(check, licensing_api.not_a_permit)
