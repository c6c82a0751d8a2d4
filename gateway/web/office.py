"""The back office: an agency's worklist (its permit applications and those of its modules)
with each one's service-level clock, the review of an application with its documents and
history, the actions its state allows, the cashier's payment, and the registry's birth and
death forms.

Every page asks the services exactly as the JSON API does; the services decide who may see
and do what, so a page of another agency's application is the service's 404.
"""

import re
from datetime import UTC, datetime
from io import BytesIO

from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext, lazy_gettext, pgettext
from marshmallow import Schema, ValidationError

from chassis.actor import (
    AGENCY_ADMIN,
    CASHIER,
    HOSPITAL_OFFICER,
    REGISTRAR,
    VERIFIER,
)
from chassis.errors import NotFound
from chassis.storage import document_store
from contracts import civil_registry as registry_wire
from contracts import licensing as wire
from gateway.api.modules import ModuleUnavailable, live_manifest
from gateway.rpc import RemoteError, RpcTimeout, call
from gateway.web.i18n import named, status, step
from gateway.web.pages import (
    Refused,
    attempt,
    form_of,
    if_available,
    refusal,
    shows_personal_data,
    signed_in_as,
    step_posted,
)
from gateway.web.published import mall_modules

bp = Blueprint("office", __name__)
OFFICERS = (VERIFIER, CASHIER, REGISTRAR, HOSPITAL_OFFICER, AGENCY_ADMIN)
REGISTRY_STAFF = (REGISTRAR, HOSPITAL_OFFICER)
SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")  # fullmatch; 0-9 only (\d takes other scripts)
# Who may take which step, which steps need a note and whether the clock runs are the
# services' answers (allowed_actions, note_required_for, working_days_left): shown, not decided.

ACTION_LABELS = {
    "start_verification": lazy_gettext("Start verification"),
    "approve": lazy_gettext("Approve"),
    "request_revision": lazy_gettext("Request revision"),
    "reject": lazy_gettext("Reject"),
    "review": lazy_gettext("Start review"),
    "withdraw": lazy_gettext("Withdraw"),
}
DONE = {
    "start_verification": lazy_gettext("Verification started."),
    "approve": lazy_gettext("Application approved."),
    "request_revision": lazy_gettext("Revision requested."),
    "reject": lazy_gettext("Application rejected."),
    "review": lazy_gettext("Review started."),
    "payment": lazy_gettext("Payment recorded."),
}


def said(texts: dict, key: str) -> str:
    pair = texts.get(key)
    return str(pair) if pair else key


@bp.app_template_filter("action_label")
def action_label(action: str, manifest: dict | None = None) -> str:
    """An action's button: a module's own word for a step of its lifecycle, else the
    mall's (the decision table's and licensing's)."""
    return step(manifest, action) or said(ACTION_LABELS, action)


def clock(due_at: str | None, working_days_left: int | None) -> dict | None:
    """The service-level clock of an application as its service counts it (working days
    on the mall's calendar), or None while the mall owes no step."""
    if not due_at or working_days_left is None:
        return None
    due, left = datetime.fromisoformat(due_at), working_days_left
    overdue = due < datetime.now(UTC) or left < 0
    if overdue:
        late = max(1, -left)
        text, tag = gettext("%(days)s working days overdue", days=late), "bad"
    elif left == 0:
        text, tag = gettext("due today"), "warn"
    else:
        text = gettext("%(days)s working days left", days=left)
        tag = "warn" if left <= 1 else "ok"
    return {"due_at": due, "left": left, "overdue": overdue, "text": text, "tag": tag}


# --- the worklist -----------------------------------------------------------------------


@bp.get("/office")
@signed_in_as(*OFFICERS)
def worklist():
    actor, rows, notes = g.actor, [], []
    if actor.role in (VERIFIER, CASHIER):
        types = permit_types()
        for item in call("licensing", "worklist"):
            rows.append(
                {
                    "kind": gettext("Licensing"),
                    "id": item["id"],
                    "name": named_type(types, item["permit_type"]),
                    "status": status(item["status"]),
                    "submitted_at": item["submitted_at"],
                    "clock": clock(item["due_at"], item["working_days_left"]),
                    "url": url_for("office.application", application_id=item["id"]),
                }
            )
    if actor.agency:  # each module answers who owes its steps (a Forbidden is no list):
        # its own agency's staff, or those of the agency a case was sent to
        modules, found = if_available(mall_modules, default={})
        notes += [] if found else ["catalog"]
        for module, services in modules.items():
            found = module_worklist(module)
            if found is None:
                notes.append(module)
                continue
            for item in found:
                rows.append(
                    {
                        "kind": module,
                        "id": item["id"],
                        "name": services.get(item["service"], item["service"]),
                        "status": status(item["status"]),
                        "submitted_at": item["created_at"],
                        "clock": clock(item["due_at"], item["working_days_left"]),
                        "url": url_for(
                            "office.module_application", module=module, application_id=item["id"]
                        ),
                    }
                )
    far = datetime.max.replace(tzinfo=UTC)
    rows.sort(key=lambda row: (row["clock"]["due_at"] if row["clock"] else far, row["id"]))
    return render_template(
        "office/worklist.html",
        rows=rows,
        unavailable=notes,
        registry=actor.role in REGISTRY_STAFF,
    )


@bp.get("/office/open")
@signed_in_as(*OFFICERS)
def open_application():
    """Jump to an application by its number (one an applicant shows at the desk): a permit
    application, or one of the agency's modules'."""
    wanted = request.args.get("id", "").strip().lower()
    unknown = refusal(404, gettext("Unknown application number."))
    if not re.fullmatch(r"[0-9a-f-]{8,36}", wanted):
        return unknown
    if found_in("licensing", wanted):
        return redirect(url_for("office.application", application_id=wanted), 303)
    if g.actor.agency:
        for module in mall_modules():
            if is_live(module) and found_in(module, wanted):
                target = url_for("office.module_application", module=module, application_id=wanted)
                return redirect(target, 303)
    return unknown


def found_in(service: str, application_id: str) -> bool:
    try:
        call(service, "get_application", application_id)
    except RemoteError as err:
        if err.exc_type in ("NotFound", "Forbidden", "UnknownService"):
            return False
        raise
    return True


def is_live(module: str) -> bool:
    try:
        live_manifest(module)
    except (ModuleUnavailable, NotFound):
        return False
    return True


def permit_types() -> dict:
    return {t["code"]: t for t in call("licensing", "list_permit_types")}


def named_type(types: dict, code: str) -> str:
    known = types.get(code)
    return f"{code} · {named(known)}" if known else code


def module_worklist(module: str) -> list[dict] | None:
    """A module's worklist; None while the module is down (the rest of the page still shows)."""
    try:
        live_manifest(module)
        return call(module, "worklist")
    except (ModuleUnavailable, RpcTimeout):
        return None
    except RemoteError as err:
        if err.exc_type == "Forbidden":
            return []  # the module's steps are not this officer's
        if err.exc_type in ("UnknownService", "NotFound"):
            return None
        raise


# --- a permit application ----------------------------------------------------------------


@bp.get("/office/applications/<application_id>")
@signed_in_as(*OFFICERS)
def application(application_id: str):
    return review(application_id)


def review(application_id: str, errors: dict | None = None, message=None, code=200):
    found = call("licensing", "get_application", application_id)
    shows_personal_data(found["applicant_id"])
    types = permit_types()
    permit_type = types.get(found["permit_type"], {})
    page = render_template(
        "office/application.html",
        application=found,
        permit_type=permit_type,
        type_name=named_type(types, found["permit_type"]),
        clock=clock(found["due_at"], found["working_days_left"]),
        actions=found["allowed_actions"],
        needs_note=found["note_required_for"],
        fee_to_record=found["fee_to_record"],
        errors=errors or {},
        message=message,
        form=request.form if errors else {},
        done=said(DONE, request.args["done"]) if request.args.get("done") in DONE else None,
    )
    return page, code


@bp.post("/office/applications/<application_id>/actions")
@signed_in_as(VERIFIER)
def act(application_id: str):
    try:
        data = attempt(checked, wire.TransitionRequest(), posted(wire.TransitionRequest()))
        attempt(call, "licensing", "act", application_id, data)
    except Refused as err:
        return review(application_id, err.fields, err.message, err.status)
    return redirect(
        url_for("office.application", application_id=application_id, done=data["action"]), 303
    )


@bp.post("/office/applications/<application_id>/payment")
@signed_in_as(CASHIER)
def record_payment(application_id: str):
    try:
        data = attempt(checked, wire.PaymentRecord(), posted(wire.PaymentRecord()))
        attempt(call, "licensing", "record_payment", application_id, data)
    except Refused as err:
        return review(application_id, err.fields, err.message, err.status)
    return redirect(
        url_for("office.application", application_id=application_id, done="payment"), 303
    )


@bp.get("/office/applications/<application_id>/documents/<document_id>")
@signed_in_as(*OFFICERS)
def document(application_id: str, document_id: str):
    """A document of an application the service lets the actor see, shown in the browser."""
    found = call("licensing", "get_application", application_id)  # 404 unless allowed
    shows_personal_data(found["applicant_id"])
    attached = next((d for d in found["documents"] if d["id"] == document_id), None)
    gone = gettext("No such document.")
    if attached is None:
        return refusal(404, gone)
    try:
        content = document_store(current_app.config).read(attached["sha256"])
    except (OSError, ValueError):
        current_app.logger.error(
            "document %s of %s is not in the store", document_id, application_id
        )
        return refusal(404, gone)
    response = send_file(
        BytesIO(content),
        mimetype=attached["content_type"],
        as_attachment=False,
        download_name=attached["filename"] or "document",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # an uploaded file runs nothing in the mall's origin, even a PDF with scripts
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- a module's application --------------------------------------------------------------


@bp.get("/office/modules/<module>/applications/<application_id>")
@signed_in_as(*OFFICERS)
def module_application(module: str, application_id: str):
    return module_review(module, application_id)


def module_review(module, application_id, errors=None, message=None, code=200):
    manifest = manifest_of(module)
    if not isinstance(manifest, dict):
        return manifest
    found = call(module, "get_application", application_id)
    shows_personal_data(found["applicant_id"])
    service = next((s for s in manifest["services"] if s["code"] == found["service"]), {})
    page = render_template(
        "office/module_application.html",
        module=module,
        manifest=manifest,
        service=service,
        application=found,
        clock=clock(found["due_at"], found["working_days_left"]),
        actions=found["allowed_actions"],
        needs_note=found["note_required_for"],
        errors=errors or {},
        message=message,
        form=request.form if errors else {},
        done=step_done(manifest, request.args.get("done")),
    )
    return page, code


def step_done(manifest: dict, action: str | None) -> str | None:
    """What the page says after a step: the mall's words, or the module's name of one of
    its lifecycle's steps (nothing for a word from elsewhere in the address)."""
    if action in DONE:
        return said(DONE, action)
    if name := step(manifest, action or ""):
        return gettext("Done: %(step)s.", step=name)
    return None


@bp.post("/office/modules/<module>/applications/<application_id>/actions")
@signed_in_as(*OFFICERS)  # the module decides who of them may act
def module_act(module: str, application_id: str):
    manifest = manifest_of(module)
    if not isinstance(manifest, dict):
        return manifest
    try:
        data = step_posted()
        attempt(call, module, "act", application_id, data)
    except Refused as err:
        return module_review(module, application_id, err.fields, err.message, err.status)
    target = url_for(
        "office.module_application",
        module=module,
        application_id=application_id,
        done=data["action"],
    )
    return redirect(target, 303)


def manifest_of(module: str):
    """The module's live manifest, or the refusal page to show instead."""
    try:
        return live_manifest(module)
    except NotFound:
        return refusal(404, pgettext("back office", "No such service."))
    except ModuleUnavailable:
        return refusal(503, gettext("This service is down."))


# --- births and deaths -------------------------------------------------------------------


@bp.route("/office/births", methods=["GET", "POST"])
@signed_in_as(*REGISTRY_STAFF)
def births():
    if request.method == "GET":
        return render_template("office/birth.html", errors={}, message=None, form={}, record=None)
    schema = registry_wire.BirthRegistration()
    try:
        data = attempt(checked, schema, posted(schema))
        data["mother_id"] = attempt(resident_id, data["mother_id"], "mother_id")
        if data.get("father_id"):
            data["father_id"] = attempt(resident_id, data["father_id"], "father_id")
        if data.get("family_card_id"):
            data["family_card_id"] = attempt(family_card_id, data["family_card_id"])
        record = attempt(call, "civil_registry", "register_birth", data)
    except Refused as err:
        page = render_template(
            "office/birth.html",
            errors=err.fields,
            message=err.message,
            form=request.form,
            record=None,
        )
        return page, err.status
    shows_personal_data(record["child"]["id"], data["mother_id"], data.get("father_id"))
    return render_template(
        "office/birth.html", errors={}, message=None, form={}, record=record
    ), 201


@bp.route("/office/deaths", methods=["GET", "POST"])
@signed_in_as(*REGISTRY_STAFF)
def deaths():
    if request.method == "GET":
        return render_template("office/death.html", errors={}, message=None, form={}, record=None)
    schema = registry_wire.DeathRegistration()
    try:
        data = attempt(checked, schema, posted(schema))
        data["resident_id"] = attempt(resident_id, data["resident_id"], "resident_id")
        record = attempt(call, "civil_registry", "register_death", data)
    except Refused as err:
        page = render_template(
            "office/death.html",
            errors=err.fields,
            message=err.message,
            form=request.form,
            record=None,
        )
        return page, err.status
    shows_personal_data(record["person"]["id"])
    return render_template(
        "office/death.html", errors={}, message=None, form={}, record=record
    ), 201


def resident_id(given: str, field: str) -> str:
    """A resident named by NIK (16 digits) or by id: the id."""
    if len(given) == 16 and given.isdigit() and not SIXTEEN_DIGITS.fullmatch(given):
        # digits of another script (Arabic-Indic, full-width): a NIK written wrong, not an id
        raise ValidationError(
            {field: [gettext("A NIK is 16 digits 0-9 (not Arabic-Indic or full-width digits).")]}
        )
    if not SIXTEEN_DIGITS.fullmatch(given):
        return given
    found = call("civil_registry", "search_residents", {"nik": given, "per_page": 1})["items"]
    if not found:
        raise ValidationError({field: [gettext("No resident has this NIK.")]})
    return found[0]["id"]


def family_card_id(given: str) -> str:
    """A family card named by its number (16 digits) or by id: the id."""
    if not SIXTEEN_DIGITS.fullmatch(given):
        return given
    query = {"family_card_number": given, "per_page": 1}
    found = call("civil_registry", "search_residents", query)["items"]
    if not found or not found[0].get("family_card_id"):
        raise ValidationError({"family_card_id": [gettext("No family card has this number.")]})
    return found[0]["family_card_id"]


# --- forms --------------------------------------------------------------------------------


def posted(schema: Schema) -> dict:
    """The posted fields ``schema`` knows; text with a NUL character is refused."""
    data = form_of(schema)
    if poisoned := {
        name: ["must not contain a NUL character"] for name, v in data.items() if "\x00" in v
    }:
        raise Refused(gettext("Check the marked fields."), poisoned)
    return data


def checked(schema: Schema, data: dict) -> dict:
    """``data`` as given (text, as the JSON API passes it on), if ``schema`` accepts it."""
    if errors := schema.validate(data):
        raise ValidationError(errors)
    return data
