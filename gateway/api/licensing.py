"""Licensing: permit types, applications with document uploads, permits and their check.

Uploaded files are sniffed and stored here, content-addressed; only their reference
(SHA-256, size, type) travels to the licensing service.
"""

from html import escape
from urllib.parse import urlencode

import segno
from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError

from chassis.storage import UnacceptableDocument, document_store
from contracts import licensing as wire
from gateway.api.accounts import throttled_check
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.rpc import call

bp = Blueprint("licensing", __name__, url_prefix="/api/v1")


def licensing(method: str, *args):
    return call("licensing", method, *args)


@bp.post("/applications")
@signed_in
def create_application():
    """Open a permit application (a draft) for a living resident known to the registry.

    Citizens apply for themselves; front-desk officers for a walk-in applicant.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.licensing.ApplicationDraft
      responses:
        201:
          content:
            application/json:
              schema: contracts.licensing.Application
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(licensing("create_application", json_body(wire.ApplicationDraft()))), 201


@bp.get("/applications")
@signed_in
def my_applications():
    """The signed-in citizen's applications, newest first.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                additionalProperties: false
                properties:
                  items: {type: array, items: contracts.licensing.Application}
        403: Forbidden
    """
    return jsonify({"items": licensing("my_applications")})


@bp.get("/applications/<application_id>")
@signed_in
def get_application(application_id: str):
    """An application with its documents, history and the actions now possible.

    For the applicant and the staff of its agency; 404 for anyone else.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.licensing.Application
    """
    return jsonify(licensing("get_application", application_id))


@bp.post("/applications/<application_id>/documents")
@signed_in
def upload_document(application_id: str):
    """Upload a document (PDF, JPEG or PNG) and attach it to one's own application.

    The file is checked and stored here, content-addressed; the application gets its
    reference. Only while the application is a draft or sent back for revision.
    ---
    post:
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [kind, file]
              properties:
                kind:
                  type: string
                  minLength: 1
                  maxLength: 60
                  description: which required document this is, e.g. ktp
                file:
                  type: string
                  format: binary
                  description: >-
                    the file; its type is read from its first bytes, and it is kept only
                    if it opens (a PDF with a page, a PNG or JPEG that decodes)
      responses:
        201:
          content:
            application/json:
              schema: contracts.licensing.Document
        403: Forbidden
        409: Conflict
    """
    upload, kind = request.files.get("file"), request.form.get("kind", "")
    return jsonify(attach_upload(application_id, upload, kind)), 201


def attach_upload(application_id: str, upload, kind: str) -> dict:
    """Check and store an uploaded file, then attach its reference to the application."""
    errors = {}
    if upload is None:
        errors["file"] = ["attach the file as multipart/form-data field 'file'"]
    if not kind:
        errors["kind"] = ["name the document (e.g. ktp)"]
    if errors:
        raise ValidationError(errors)
    licensing("get_application", application_id)  # no file is kept for an unseen application
    try:
        stored = document_store(current_app.config).put(upload.read())
    except UnacceptableDocument as refusal:
        raise ValidationError({"file": [str(refusal)]}) from None
    reference = {
        "kind": kind,
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
        # the name's end is what is kept (licensing cleans it into a display name)
        "filename": (upload.filename or "")[-1000:],
    }
    return licensing("attach_document", application_id, reference)


@bp.post("/applications/<application_id>/actions")
@signed_in
def act(application_id: str):
    """Take an action: submit, verify, request revision, resubmit, approve, reject, withdraw.

    Applicants submit, resubmit and withdraw; verifiers of the agency do the rest. An
    action the application's state does not allow is a 409 naming the allowed ones.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.licensing.TransitionRequest
      responses:
        200:
          content:
            application/json:
              schema: contracts.licensing.Application
        403: Forbidden
        409: Conflict
    """
    return jsonify(licensing("act", application_id, json_body(wire.TransitionRequest())))


@bp.post("/applications/<application_id>/payment")
@signed_in
def record_payment(application_id: str):
    """A cashier of the agency records the fee with the receipt's reference.

    The permit is issued as soon as the application is approved and paid.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.licensing.PaymentRecord
      responses:
        200:
          content:
            application/json:
              schema: contracts.licensing.Application
        403: Forbidden
        409: Conflict
    """
    return jsonify(licensing("record_payment", application_id, json_body(wire.PaymentRecord())))


@bp.get("/worklist")
@signed_in
def worklist():
    """The verifier's agency's applications waiting for an officer, oldest first.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                additionalProperties: false
                properties:
                  items: {type: array, items: contracts.licensing.WorklistItem}
        403: Forbidden
    """
    return jsonify({"items": licensing("worklist")})


@bp.get("/permits")
@signed_in
def my_permits():
    """The signed-in citizen's permits, newest first.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                additionalProperties: false
                properties:
                  items: {type: array, items: contracts.licensing.Permit}
        403: Forbidden
    """
    return jsonify({"items": licensing("my_permits")})


@bp.get("/permits/verification")
def verify_permit():
    """Public: the target of the QR code printed on every permit.

    Answers only validity, status, type, dates and a masked holder name.
    ---
    get:
      parameters:
      - in: query
        schema: contracts.licensing.PermitCheck
      responses:
        200:
          content:
            application/json:
              schema: contracts.licensing.PermitValidity
        429: TooManyAttempts
    """
    query = query_args(wire.PermitCheck())
    return jsonify(throttled_check(lambda: licensing("verify_permit", query), not_a_permit))


def not_a_permit(answer: dict) -> bool:
    """No permit has this number (an expired or revoked one still has its status)."""
    return answer.get("status") is None


@bp.get("/permits/<permit_id>")
@signed_in
def get_permit(permit_id: str):
    """A permit, for its holder and the staff of the issuing agency.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.licensing.Permit
    """
    return jsonify(licensing("get_permit", permit_id))


@bp.post("/permits/<permit_id>/renewal")
@signed_in
def renew_permit(permit_id: str):
    """The holder opens a renewal: a new draft linked to an active permit.
    ---
    post:
      responses:
        201:
          content:
            application/json:
              schema: contracts.licensing.Application
        409: Conflict
    """
    return jsonify(licensing("renew_permit", permit_id)), 201


@bp.post("/permits/<permit_id>/revocation")
@signed_in
def revoke_permit(permit_id: str):
    """A verifier of the issuing agency revokes a permit, with a reason.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.licensing.Revocation
      responses:
        200:
          content:
            application/json:
              schema: contracts.licensing.Permit
        403: Forbidden
        409: Conflict
    """
    return jsonify(licensing("revoke_permit", permit_id, json_body(wire.Revocation())))


@bp.get("/permits/<permit_id>/printable")
@signed_in
def printable_permit(permit_id: str):
    """The permit to print, with a QR code pointing to its public verification.
    ---
    get:
      responses:
        200:
          description: An HTML page.
          content:
            text/html:
              schema: {type: string}
    """
    permit = licensing("get_permit", permit_id)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    target = f"{base}/verify?{urlencode({'number': permit['number']})}"  # the public page
    qr = segno.make(target, error="m").svg_inline(scale=4)
    rows = [
        ("Nomor / Number", permit["number"]),
        ("Jenis / Type", permit["permit_type"]),
        ("Berlaku sejak / Valid from", permit["valid_from"]),
        ("Berlaku sampai / Valid until", permit["valid_until"] or "—"),
        ("Status", permit["status"]),
    ]
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    page = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Izin {escape(permit["number"])}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}th{{text-align:left;
padding-right:1em}}figure{{margin:2em 0}}</style></head>
<body><h1>Surat Izin / Permit</h1><table>{cells}</table>
<figure>{qr}<figcaption>Pindai untuk memeriksa keabsahan / Scan to verify:
{escape(target)}</figcaption></figure></body></html>"""
    return page, 200, {"Content-Type": "text/html; charset=utf-8"}
