"""The audit log: recorded after every request that needs it, read by mall managers, and
by citizens for their own record ("who read my data")."""

import logging
from datetime import UTC, datetime

from flask import Blueprint, g, jsonify, request

from chassis.actor import CITIZEN, MALL_ADMIN, MALL_MANAGER
from chassis.errors import Forbidden
from gateway.api.accounts import database
from gateway.api.requests import query_args
from gateway.auth import signed_in
from gateway.errors import error_response
from gateway.identity import audit
from gateway.identity import schemas as http

bp = Blueprint("audit", __name__, url_prefix="/api/v1")
log = logging.getLogger("mpp.gateway.audit")
# staff requests to these are not actions on anyone's behalf (the console's queue counts are
# polled every few seconds and show no one's data)
NOT_ACTIONS = {
    "health.health",
    "docs.openapi",
    "docs.swagger_ui",
    "static",
    "web.static",
    "counter.queue_fragment",
}


@bp.after_app_request
def record(response):
    """Write the audit entry of this request, if it needs one, before the response leaves."""
    actor, endpoint = g.get("actor"), request.endpoint or ""
    if actor is None or actor.id is None or endpoint.startswith("docs."):
        return response
    denied = response.status_code in audit.DENIED and bool(request.view_args)
    personal = endpoint in audit.PERSONAL_DATA or bool(g.get("audit_subjects"))
    body = response.get_json(silent=True) if personal and response.is_json else None
    subjects = audit.subjects_of(endpoint, request.view_args or {}, body)
    subjects += [s for s in g.get("audit_subjects", ()) if s and s not in subjects]  # pages
    if actor.is_staff:
        needed = denied or endpoint not in NOT_ACTIONS
    else:  # a citizen's reads of her own data are not worth a row
        needed = denied or any(s != actor.person_id for s in subjects)
    if not needed:
        return response
    rule = request.url_rule.rule if request.url_rule else request.path
    entry = {
        "at": datetime.now(UTC),
        "actor_id": actor.id,
        "actor_role": actor.role,
        "actor_agency": actor.agency,
        "action": f"{request.method} {rule}"[:200],
        "target": target_of(request.view_args or {}),
        "status": response.status_code,
        "allowed": response.status_code < 400,
        "correlation_id": g.get("correlation_id"),
        "address": request.remote_addr,
    }
    try:
        with database() as db:
            audit.record(db, entry, subjects)
    except Exception:
        log.exception("audit entry not written: %s", entry["action"])
        if personal and response.status_code < 400:
            return error_response(503, "audit_unavailable", "try again shortly")[0], 503
    return response


def target_of(path: dict) -> str | None:
    """The most specific id in the path (the application, not its module)."""
    ids = [value for name, value in path.items() if name.endswith("_id")]
    found = ids[-1] if ids else next(iter(path.values()), None)
    return str(found)[:100] if found else None


def page_args(schema) -> dict:
    return schema.load(query_args(schema))


@bp.get("/audit-entries")
@signed_in
def audit_entries():
    """The audit log, newest first, filtered (mall managers and administrators).
    ---
    get:
      parameters:
      - {in: query, schema: gateway.identity.schemas.AuditQuery}
      responses:
        200:
          content:
            application/json:
              schema: gateway.identity.schemas.AuditPage
        403: Forbidden
      x-gateway-errors: [401, 500]
    """
    if g.actor.role not in (MALL_MANAGER, MALL_ADMIN):
        raise Forbidden("role_required", roles="mall_manager or mall_admin")
    query = page_args(http.AuditQuery())
    page, per_page = query.pop("page"), query.pop("per_page")
    with database() as db:
        found = audit.search(db, query, page, per_page)
    return jsonify(http.AuditPage().dump(found))


@bp.get("/me/record-reads")
@signed_in
def my_record_reads():
    """Who has read or changed my personal data (citizens).
    ---
    get:
      parameters:
      - {in: query, schema: gateway.identity.schemas.Page}
      responses:
        200:
          content:
            application/json:
              schema: gateway.identity.schemas.AuditPage
        403: Forbidden
      x-gateway-errors: [401, 500]
    """
    if g.actor.role != CITIZEN or not g.actor.person_id:
        raise Forbidden("citizens_only")
    query = page_args(http.Page())
    with database() as db:
        found = audit.reads_of(db, g.actor.person_id, g.actor.id, **query)
    return jsonify(http.AuditPage().dump(found))
