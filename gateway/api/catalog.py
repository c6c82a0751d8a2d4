"""Public catalog: the services with a queue, the permits the mall issues, and the mall's
calendar of closed days (kept by mall administrators)."""

from flask import Blueprint, jsonify
from marshmallow import Schema, fields

from contracts import catalog as wire
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.rpc import call

bp = Blueprint("catalog", __name__, url_prefix="/api/v1")


class CalendarYear(
    Schema.from_dict(  # its parameters are named as sent, ``from`` and ``to`` included
        {
            "year": fields.Integer(metadata={"description": "e.g. 2027; none: every year"}),
            "from": fields.Date(metadata={"description": "first day (included)"}),
            "to": fields.Date(metadata={"description": "last day (included)"}),
        }
    )
):
    """The calendar's public query (the catalog checks it again: its CalendarQuery)."""

    class Meta:
        register = True  # named by the route's docstring (from_dict schemas are not)


@bp.get("/service-lines")
def service_lines():
    """The services with a ticket series, and how many are waiting for each now.
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
                  items: {type: array, items: contracts.queue.ServiceLine}
    """
    return jsonify({"items": call("queue", "list_service_lines")})


@bp.get("/permit-types")
def permit_types():
    """The permits the mall issues, with their fees, deadlines and required documents.
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
                  items: {type: array, items: contracts.licensing.PermitType}
    """
    return jsonify({"items": call("licensing", "list_permit_types")})


@bp.get("/calendar")
def calendar():
    """The days the mall is closed: national and regional holidays and collective leave.
    ---
    get:
      parameters:
      - {in: query, schema: gateway.api.catalog.CalendarYear}
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                additionalProperties: false
                properties:
                  items: {type: array, items: contracts.catalog.CalendarDay}
    """
    query = query_args(CalendarYear())
    return jsonify({"items": call("catalog", "list_calendar_days", query)})


@bp.put("/calendar/<day>")
@signed_in
def set_calendar_day(day: str):
    """Close the mall on a day, or change the day's name or kind (mall administrators).
    ---
    put:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.catalog.CalendarDayChange
      responses:
        200:
          content:
            application/json:
              schema: contracts.catalog.CalendarDay
        403: Forbidden
    """
    body = json_body(wire.CalendarDayChange())
    return jsonify(call("catalog", "set_calendar_day", day, body))


@bp.delete("/calendar/<day>")
@signed_in
def remove_calendar_day(day: str):
    """Open the mall again on a day of the calendar (mall administrators).
    ---
    delete:
      responses:
        200:
          content:
            application/json:
              schema: contracts.catalog.CalendarDay
        403: Forbidden
    """
    return jsonify(call("catalog", "remove_calendar_day", day))
