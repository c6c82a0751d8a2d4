"""Walk-in tickets."""

from flask import Blueprint, jsonify

from contracts import queue as wire
from gateway.api.requests import json_body
from gateway.app import call

bp = Blueprint("tickets", __name__, url_prefix="/api/v1/tickets")


@bp.post("")
def issue_ticket():
    body = json_body(wire.TicketRequest(only=["service_code"]))
    return jsonify(call("queue", "issue_ticket", {"service_code": body["service_code"]})), 201


@bp.get("/<ticket_id>")
def get_ticket(ticket_id: str):
    return jsonify(call("queue", "get_ticket", ticket_id))
