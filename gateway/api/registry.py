"""Civil registry: residents, family cards, life events, certificates.

Every route but public verification needs a signed-in actor; the registry decides what
that actor may see or change (registrars, hospital officers, the resident herself).
"""

from flask import Blueprint, jsonify

from contracts import civil_registry as wire
from gateway.api.accounts import throttled_check
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.rpc import call

bp = Blueprint("registry", __name__, url_prefix="/api/v1")


def registry(method: str, *args):
    return call("civil_registry", method, *args)


@bp.post("/residents")
@signed_in
def register_resident():
    """Register a resident under a valid, unused NIK, optionally on a family card (registrars).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.ResidentRegistration
      responses:
        201:
          content:
            application/json:
              schema: contracts.civil_registry.Resident
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(registry("register_resident", json_body(wire.ResidentRegistration()))), 201


@bp.get("/residents")
@signed_in
def search_residents():
    """Staff search by name, NIK or family card number, a page at a time.

    Others get 404, as if there were nothing to search.
    ---
    get:
      parameters:
      - in: query
        schema: contracts.civil_registry.ResidentSearch
      responses:
        200:
          content:
            application/json:
              schema: contracts.civil_registry.ResidentPage
        404: NotFound
    """
    return jsonify(registry("search_residents", query_args(wire.ResidentSearch())))


@bp.get("/residents/<resident_id>")
@signed_in
def get_resident(resident_id: str):
    """A resident's record: the NIK whole to registrars and to its owner, masked to staff.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.civil_registry.Resident
    """
    return jsonify(registry("get_resident", resident_id))


@bp.patch("/residents/<resident_id>")
@signed_in
def correct_resident(resident_id: str):
    """Correct a record, with a reason kept in the audit trail (registrars).
    ---
    patch:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.CorrectionRequest
      responses:
        200:
          content:
            application/json:
              schema: contracts.civil_registry.Resident
        403: Forbidden
        409: Conflict
    """
    body = json_body(wire.CorrectionRequest())
    return jsonify(registry("correct_resident", {**body, "resident_id": resident_id}))


@bp.get("/residents/<resident_id>/audit-trail")
@signed_in
def audit_trail(resident_id: str):
    """Every change to a resident's record, oldest first (registrars).
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
                  items: {type: array, items: contracts.civil_registry.AuditEntry}
        403: Forbidden
    """
    return jsonify({"items": registry("audit_trail", resident_id)})


@bp.get("/residents/<resident_id>/certificates")
@signed_in
def certificates(resident_id: str):
    """A person's certificates, for the person and for registrars.
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
                  items: {type: array, items: contracts.civil_registry.Certificate}
    """
    return jsonify({"items": registry("list_certificates", resident_id)})


@bp.post("/residents/<resident_id>/moves")
@signed_in
def change_address(resident_id: str):
    """Move a resident to another family card, and so to its address (registrars).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.MoveRequest
      responses:
        200:
          content:
            application/json:
              schema: contracts.civil_registry.Resident
        403: Forbidden
        409: Conflict
    """
    body = json_body(wire.MoveRequest())
    return jsonify(registry("change_address", {**body, "resident_id": resident_id}))


@bp.post("/family-cards")
@signed_in
def create_family_card():
    """Open a family card (KK) with its head (registrars).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.FamilyCardRegistration
      responses:
        201:
          content:
            application/json:
              schema: contracts.civil_registry.FamilyCard
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(registry("create_family_card", json_body(wire.FamilyCardRegistration()))), 201


@bp.get("/family-cards/<family_card_id>")
@signed_in
def get_family_card(family_card_id: str):
    """A family card and its members (staff, and the members themselves).
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.civil_registry.FamilyCard
    """
    return jsonify(registry("get_family_card", family_card_id))


@bp.post("/births")
@signed_in
def register_birth():
    """Register a birth: a NIK, the birth certificate, a place on the family card.

    Registrars and hospital officers.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.BirthRegistration
      responses:
        201:
          content:
            application/json:
              schema: contracts.civil_registry.BirthRecord
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(registry("register_birth", json_body(wire.BirthRegistration()))), 201


@bp.post("/deaths")
@signed_in
def register_death():
    """Record a death and issue its certificate (registrars and hospital officers).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.DeathRegistration
      responses:
        201:
          content:
            application/json:
              schema: contracts.civil_registry.DeathRecord
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(registry("register_death", json_body(wire.DeathRegistration()))), 201


@bp.post("/marriages")
@signed_in
def register_marriage():
    """Record a marriage: a certificate, both married, optionally a new family card.

    Registrars; each spouse must be at least 19 on the day.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.civil_registry.MarriageRegistration
      responses:
        201:
          content:
            application/json:
              schema: contracts.civil_registry.MarriageRecord
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(registry("register_marriage", json_body(wire.MarriageRegistration()))), 201


@bp.get("/certificates/verification")
def verify_certificate():
    """Public: anyone holding the paper (or its QR code) may check it.

    Answers only validity, kind, dates and a masked name; a wrong number or check code
    is simply not valid.
    ---
    get:
      parameters:
      - in: query
        schema: contracts.civil_registry.CertificateCheck
      responses:
        200:
          content:
            application/json:
              schema: contracts.civil_registry.CertificateValidity
        429: TooManyAttempts
    """
    query = query_args(wire.CertificateCheck())
    answer = throttled_check(lambda: registry("verify_certificate", query), not_a_certificate)
    return jsonify(answer)


def not_a_certificate(answer: dict) -> bool:
    """No certificate has this number and check code (the kind of a real one is named)."""
    return answer.get("kind") is None
