"""Public catalog: the services with a queue and the permits the mall issues."""

from flask import Blueprint, jsonify

from gateway.app import call

bp = Blueprint("catalog", __name__, url_prefix="/api/v1")


@bp.get("/service-lines")
def service_lines():
    return jsonify({"items": call("queue", "list_service_lines")})


@bp.get("/permit-types")
def permit_types():
    return jsonify({"items": call("licensing", "list_permit_types")})
