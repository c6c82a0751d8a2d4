"""Licensing: permit types, applications with document uploads, permits and their check.

Uploaded files are sniffed and stored here, content-addressed; only their reference
(SHA-256, size, type) travels to the licensing service.
"""

from html import escape

import segno
from flask import Blueprint, current_app, jsonify, request
from marshmallow import ValidationError

from chassis.storage import UnacceptableDocument, document_store
from contracts import licensing as wire
from gateway.api.requests import json_body, query_args
from gateway.app import call
from gateway.auth import signed_in

bp = Blueprint("licensing", __name__, url_prefix="/api/v1")


def licensing(method: str, *args):
    return call("licensing", method, *args)


@bp.post("/applications")
@signed_in
def create_application():
    return jsonify(licensing("create_application", json_body(wire.ApplicationDraft()))), 201


@bp.get("/applications")
@signed_in
def my_applications():
    return jsonify({"items": licensing("my_applications")})


@bp.get("/applications/<application_id>")
@signed_in
def get_application(application_id: str):
    return jsonify(licensing("get_application", application_id))


@bp.post("/applications/<application_id>/documents")
@signed_in
def upload_document(application_id: str):
    """multipart/form-data with ``kind`` and ``file``: stored here, attached by reference."""
    upload, kind = request.files.get("file"), request.form.get("kind", "")
    errors = {}
    if upload is None:
        errors["file"] = ["attach the file as multipart/form-data field 'file'"]
    if not kind:
        errors["kind"] = ["name the document (e.g. ktp)"]
    if errors:
        raise ValidationError(errors)
    try:
        stored = document_store(current_app.config).put(upload.read())
    except UnacceptableDocument as refusal:
        raise ValidationError({"file": [str(refusal)]}) from None
    reference = {
        "kind": kind,
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
        "filename": (upload.filename or "document")[:200],
    }
    return jsonify(licensing("attach_document", application_id, reference)), 201


@bp.post("/applications/<application_id>/actions")
@signed_in
def act(application_id: str):
    return jsonify(licensing("act", application_id, json_body(wire.TransitionRequest())))


@bp.post("/applications/<application_id>/payment")
@signed_in
def record_payment(application_id: str):
    return jsonify(licensing("record_payment", application_id, json_body(wire.PaymentRecord())))


@bp.get("/worklist")
@signed_in
def worklist():
    return jsonify({"items": licensing("worklist")})


@bp.get("/permits")
@signed_in
def my_permits():
    return jsonify({"items": licensing("my_permits")})


@bp.get("/permits/verification")
def verify_permit():
    """Public: the target of the QR code printed on every permit."""
    return jsonify(licensing("verify_permit", query_args(wire.PermitCheck())))


@bp.get("/permits/<permit_id>")
@signed_in
def get_permit(permit_id: str):
    return jsonify(licensing("get_permit", permit_id))


@bp.post("/permits/<permit_id>/renewal")
@signed_in
def renew_permit(permit_id: str):
    return jsonify(licensing("renew_permit", permit_id)), 201


@bp.post("/permits/<permit_id>/revocation")
@signed_in
def revoke_permit(permit_id: str):
    return jsonify(licensing("revoke_permit", permit_id, json_body(wire.Revocation())))


@bp.get("/permits/<permit_id>/printable")
@signed_in
def printable_permit(permit_id: str):
    """The permit to print, with a QR code pointing to its public verification."""
    permit = licensing("get_permit", permit_id)
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    target = f"{base}/api/v1/permits/verification?number={permit['number']}"
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
