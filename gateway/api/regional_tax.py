"""The tax robot's routes (the ``regional_tax`` module of bapenda), beside the generic
module routes: a citizen's tax bills, the tax office's import of a CSV file of bills, the
cashier's payment and the totals per district. The module decides who may see and do what;
a module that has stopped announcing itself answers 503 as every module does, and one the
catalog has not heard of (not plugged in in this mall) 404."""

from flask import Blueprint, jsonify

from contracts import regional_tax as wire
from gateway.api.modules import live_manifest
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.rpc import call

MODULE = wire.SOURCE
bp = Blueprint("regional_tax", __name__, url_prefix=f"/api/v1/modules/{MODULE}")


def tax(method: str, *args):
    live_manifest(MODULE)
    return call(MODULE, method, *args)


@bp.get("/bills/mine")
@signed_in
def my_bills():
    """The signed-in citizen's tax bills, the nearest due day first.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: contracts.regional_tax.Bill}
        404: NotFound
    """
    return jsonify({"items": tax("my_bills")})


@bp.get("/bills")
@signed_in
def office_bills():
    """The tax office's bills (its staff and the mall's manager), by district, status
    (due, paid, overdue) or the taxpayer's NIK; the nearest due day first.
    ---
    get:
      parameters:
      - {in: query, schema: contracts.regional_tax.BillSearch}
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: contracts.regional_tax.Bill}
        403: Forbidden
        404: NotFound
    """
    return jsonify({"items": tax("bills", query_args(wire.BillSearch()))})


@bp.post("/bills/imports")
@signed_in
def import_bills():
    """The tax office (its verifiers and head) loads bills from a CSV file with the columns
    ``nik,tax_kind,object,district,amount,due_on``. All rows or none: a refusal (422) lists
    every problem under ``fields.lines``, by line number and column. A bill already there
    (the same tax, object and due day) is counted in ``already_imported``, not made again.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.regional_tax.ImportRequest
      responses:
        200:
          content:
            application/json:
              schema: contracts.regional_tax.ImportResult
        403: Forbidden
        404: NotFound
        409: Conflict
        422: InvalidInput
    """
    body = json_body(wire.ImportRequest())
    return jsonify(tax("import_bills", body["csv_text"]))


@bp.get("/bills/<bill_id>")
@signed_in
def get_bill(bill_id: str):
    """One bill: for its taxpayer and the tax office.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.regional_tax.Bill
        404: NotFound
    """
    return jsonify(tax("get_bill", bill_id))


@bp.post("/bills/<bill_id>/payment")
@signed_in
def record_payment(bill_id: str):
    """A cashier of the tax office records the payment of a bill: the exact amount and a
    receipt reference used for no other payment.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.regional_tax.Payment
      responses:
        200:
          content:
            application/json:
              schema: contracts.regional_tax.Bill
        403: Forbidden
        404: NotFound
        409: Conflict
        422: InvalidInput
    """
    return jsonify(tax("record_payment", bill_id, json_body(wire.Payment())))


@bp.get("/districts")
@signed_in
def district_summary():
    """Rupiah collected, due and overdue, and bills, per district (kecamatan): for the tax
    office's staff and the mall's manager.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: contracts.regional_tax.DistrictTotals}
        403: Forbidden
        404: NotFound
    """
    return jsonify({"items": tax("district_summary")})
