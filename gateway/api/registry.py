"""Civil registry: residents, family cards, life events, certificates.

Every route but public verification needs a signed-in actor; the registry decides what
that actor may see or change (registrars, hospital officers, the resident herself).
"""

from flask import Blueprint, jsonify

from contracts import civil_registry as wire
from gateway.api.requests import json_body, query_args
from gateway.app import call
from gateway.auth import signed_in

bp = Blueprint("registry", __name__, url_prefix="/api/v1")


def registry(method: str, *args):
    return call("civil_registry", method, *args)


@bp.post("/residents")
@signed_in
def register_resident():
    return jsonify(registry("register_resident", json_body(wire.ResidentRegistration()))), 201


@bp.get("/residents")
@signed_in
def search_residents():
    return jsonify(registry("search_residents", query_args(wire.ResidentSearch())))


@bp.get("/residents/<resident_id>")
@signed_in
def get_resident(resident_id: str):
    return jsonify(registry("get_resident", resident_id))


@bp.patch("/residents/<resident_id>")
@signed_in
def correct_resident(resident_id: str):
    body = json_body(wire.Correction(exclude=["resident_id"]))
    return jsonify(registry("correct_resident", {**body, "resident_id": resident_id}))


@bp.get("/residents/<resident_id>/audit-trail")
@signed_in
def audit_trail(resident_id: str):
    return jsonify({"items": registry("audit_trail", resident_id)})


@bp.get("/residents/<resident_id>/certificates")
@signed_in
def certificates(resident_id: str):
    return jsonify({"items": registry("list_certificates", resident_id)})


@bp.post("/residents/<resident_id>/moves")
@signed_in
def change_address(resident_id: str):
    body = json_body(wire.AddressChange(exclude=["resident_id"]))
    return jsonify(registry("change_address", {**body, "resident_id": resident_id}))


@bp.post("/family-cards")
@signed_in
def create_family_card():
    return jsonify(registry("create_family_card", json_body(wire.FamilyCardRegistration()))), 201


@bp.get("/family-cards/<family_card_id>")
@signed_in
def get_family_card(family_card_id: str):
    return jsonify(registry("get_family_card", family_card_id))


@bp.post("/births")
@signed_in
def register_birth():
    return jsonify(registry("register_birth", json_body(wire.BirthRegistration()))), 201


@bp.post("/deaths")
@signed_in
def register_death():
    return jsonify(registry("register_death", json_body(wire.DeathRegistration()))), 201


@bp.post("/marriages")
@signed_in
def register_marriage():
    return jsonify(registry("register_marriage", json_body(wire.MarriageRegistration()))), 201


@bp.get("/certificates/verification")
def verify_certificate():
    """Public: anyone holding the paper (or its QR code) may check it."""
    return jsonify(registry("verify_certificate", query_args(wire.CertificateCheck())))
