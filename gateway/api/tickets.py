"""Walk-in tickets."""

from flask import Blueprint, jsonify, request

from gateway.app import call

bp = Blueprint("tickets", __name__, url_prefix="/api/v1/tickets")


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        from werkzeug.exceptions import BadRequest

        raise BadRequest("request body must be a JSON object")
    return body


@bp.post("")
def issue_ticket():
    body = json_body()
    return jsonify(call("queue", "issue_ticket", {"service_code": body.get("service_code")})), 201


@bp.get("/<ticket_id>")
def get_ticket(ticket_id: str):
    return jsonify(call("queue", "get_ticket", ticket_id))
