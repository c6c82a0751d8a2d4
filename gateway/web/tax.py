"""The tax robot's pages (the ``regional_tax`` module of bapenda): a citizen's tax bills in
the portal, and the tax office's page: collected, due and overdue per district as a chart
and a table, the import of a CSV file of bills, and the bills with the cashier's payment.

The module decides who may see and do what; the pages only choose what to offer.
"""

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from chassis.actor import AGENCY_ADMIN, CASHIER, CITIZEN, MALL_MANAGER, VERIFIER
from contracts import regional_tax as wire
from gateway.api.modules import live_manifest
from gateway.rpc import call
from gateway.web import i18n
from gateway.web.pages import Refused, attempt, form_of, shows_personal_data, signed_in_as

MODULE = wire.SOURCE
bp = Blueprint("tax", __name__)
IMPORTERS = (VERIFIER, AGENCY_ADMIN)
OFFICE = (VERIFIER, AGENCY_ADMIN, CASHIER, MALL_MANAGER)
MAX_UPLOAD_BYTES = 2_000_000  # a CSV of a few thousand bills is far smaller
TAX_KINDS = {
    wire.PBB_P2: lazy_gettext("Property tax (PBB-P2)"),
    wire.BILLBOARD: lazy_gettext("Billboard tax"),
}
STATUSES = {
    wire.DUE: (lazy_gettext("Not yet due"), "warn"),
    wire.PAID: (lazy_gettext("Paid"), "ok"),
    wire.OVERDUE: (lazy_gettext("Overdue"), "bad"),
}
# the chart's series, in the order of the bars: (key, label, colour)
SERIES = (
    ("collected", lazy_gettext("Collected"), "#176b2c"),
    ("due", lazy_gettext("Not yet due"), "#0b5394"),
    ("overdue", lazy_gettext("Overdue"), "#a4161a"),
)
DONE = {
    "payment": lazy_gettext("Payment recorded."),
}


def tax_kind(code: str) -> str:
    return str(TAX_KINDS.get(code, code))


def bill_status(code: str) -> tuple[str, str]:
    label, tag = STATUSES.get(code, (code, ""))
    return str(label), tag


def shows_tax_office(actor) -> bool:
    """Whether the header links the tax office: the roles of its door, of the agency the
    module's contract names (the module itself checks every call again)."""
    if actor is None or actor.role not in OFFICE:
        return False
    return actor.role == MALL_MANAGER or actor.agency == wire.AGENCY


@bp.app_context_processor
def tax_helpers():
    return {"tax_kind": tax_kind, "bill_status": bill_status, "shows_tax_office": shows_tax_office}


def tax(method: str, *args):
    live_manifest(MODULE)
    return call(MODULE, method, *args)


# --- the citizen --------------------------------------------------------------------------


@bp.get("/modules/regional_tax/bills")
@signed_in_as(CITIZEN)
def my_bills():
    bills = tax("my_bills")
    unpaid = [b for b in bills if b["status"] != wire.PAID]
    return render_template(
        "tax/my_bills.html",
        bills=bills,
        owed=sum(b["amount"] for b in unpaid),
        overdue=sum(1 for b in unpaid if b["status"] == wire.OVERDUE),
    )


# --- the tax office -----------------------------------------------------------------------


def chart(summary: list[dict]) -> dict:
    """Grouped horizontal bars per district, scaled to the largest amount, drawn as SVG
    by the template (no script; the table beside it says the same in numbers)."""
    largest = max([row[key] for row in summary for key, *_ in SERIES] + [1])
    bar, gap, label_width, width = 16, 12, 150, 680
    rows, y = [], gap
    for row in summary:
        bars = []
        for index, (key, label, colour) in enumerate(SERIES):
            length = round((width - label_width - 120) * row[key] / largest)
            bars.append(
                {
                    "y": y + index * bar,
                    "length": max(length, 1 if row[key] else 0),
                    "colour": colour,
                    "label": str(label),
                    "value": i18n.rupiah(row[key]),
                }
            )
        rows.append({"district": row["district"], "y": y, "bars": bars})
        y += bar * len(SERIES) + gap
    return {
        "rows": rows,
        "height": y,
        "width": width,
        "label_width": label_width,
        "bar": bar,
        "series": [(str(label), colour) for _, label, colour in SERIES],
    }


def office_page(message=None, errors=None, status=200, result=None, form=None):
    summary = tax("district_summary")
    search = {k: v for k, v in request.args.items() if k in ("district", "status") and v}
    bills = attempt(tax, "bills", search) if search else []
    shows_personal_data(*(bill["person_id"] for bill in bills))  # their NIKs and objects
    totals = {key: sum(row[key] for row in summary) for key, *_ in SERIES}
    page = render_template(
        "tax/office.html",
        summary=summary,
        totals=totals,
        chart=chart(summary),
        bills=bills,
        search=search,
        may_import=g.actor.role in IMPORTERS,
        may_collect=g.actor.role == CASHIER,
        message=message,
        errors=errors or {},
        result=result,
        done=DONE.get(request.args.get("done", "")),
        form=form or {},
    )
    return page, status


@bp.get("/office/modules/regional_tax")
@signed_in_as(*OFFICE)
def office():
    return office_page()


@bp.post("/office/modules/regional_tax/imports")
@signed_in_as(*IMPORTERS)
def import_bills():
    """The CSV file, uploaded or pasted; refused whole with every problem by line."""
    upload = request.files.get("file")
    text = request.form.get("csv_text", "")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            message = gettext("Save the file as CSV (UTF-8) and upload it again.")
            return office_page(message, status=422)
    try:
        result = attempt(tax, "import_bills", text)
    except Refused as err:
        return office_page(err.message, err.fields, err.status, form={"csv_text": text})
    return office_page(result=result)


@bp.post("/office/modules/regional_tax/bills/<bill_id>/payment")
@signed_in_as(CASHIER)
def record_payment(bill_id: str):
    try:
        payment = attempt(wire.Payment().load, form_of(wire.Payment()))
        bill = attempt(tax, "record_payment", bill_id, payment)
        shows_personal_data(bill["person_id"])
    except Refused as err:
        return office_page(err.message, err.fields, err.status)
    return redirect(
        url_for("tax.office", done="payment", district=bill["district"], status=wire.PAID), 303
    )
