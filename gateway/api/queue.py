"""The counter queue: tickets, counters worked by officers, ratings, the display board."""

import os
import threading

import segno
from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from chassis.errors import NotFound
from contracts import queue as wire
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.display import CallFeed, server_sent_events
from gateway.rpc import call

bp = Blueprint("queue", __name__, url_prefix="/api/v1")
COUNTER_ACTIONS = {
    "open": "open_counter",
    "close": "close_counter",
    "call-next": "call_next",
    "recall": "recall",
    "start": "start_service",
    "no-show": "no_show",
}


def queue(method: str, *args):
    return call("queue", method, *args)


@bp.post("/tickets")
def issue_ticket():
    """A walk-in ticket; staff may mark a priority category.

    403 when someone else marks a priority; 409 when today's walk-in quota is taken.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.queue.TicketRequest
      responses:
        201:
          description: The ticket, waiting, with the code that gives it up.
          content:
            application/json:
              schema: contracts.queue.IssuedTicket
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(queue("issue_ticket", json_body(wire.TicketRequest()))), 201


@bp.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str):
    """The ticket, its position in line and the estimated wait (the id is the claim).
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.queue.TicketPlace
    """
    return jsonify(queue("get_ticket", ticket_id))


@bp.post("/tickets/<ticket_id>/cancellation")
def cancel_ticket(ticket_id: str):
    """Give up a waiting ticket: its citizen signed in (no body needed), or anyone with the
    cancel code printed on it (given once, when the ticket is taken).

    403 when the code does not match; 409 once the ticket is called (or done).
    ---
    post:
      requestBody:
        content:
          application/json:
            schema: contracts.queue.TicketCancellation
      responses:
        200:
          description: The ticket, cancelled; it is never called.
          content:
            application/json:
              schema: contracts.queue.Ticket
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    body = json_body(wire.TicketCancellation()) if request.get_data() else {}
    return jsonify(queue("cancel_ticket", ticket_id, body))


@bp.post("/tickets/<ticket_id>/rating")
def rate(ticket_id: str):
    """The satisfaction survey (SKM) of a finished service: nine elements rated 1-4, once.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.queue.RatingRequest
      responses:
        201:
          content:
            application/json:
              schema: contracts.queue.Rating
        409: Conflict
    """
    return jsonify(queue("rate", ticket_id, json_body(wire.RatingRequest()))), 201


@bp.get("/slots")
def open_slots():
    """The slots of a service on a day that can still be booked, with the seats left.
    ---
    get:
      parameters:
      - {in: query, schema: contracts.queue.SlotQuery}
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: contracts.queue.Slot}
        404: NotFound
    """
    return jsonify({"items": queue("open_slots", query_args(wire.SlotQuery()))})


@bp.post("/bookings")
@signed_in
def book():
    """Book a seat in a time slot of a service (citizens; one per service and day).
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.queue.BookingRequest
      responses:
        201:
          content:
            application/json:
              schema: contracts.queue.Booking
        403: Forbidden
        404: NotFound
        409: Conflict
    """
    return jsonify(queue("book", json_body(wire.BookingRequest()))), 201


@bp.get("/bookings")
@signed_in
def my_bookings():
    """The signed-in citizen's bookings, latest slot first.
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
                  items: {type: array, items: contracts.queue.Booking}
        403: Forbidden
    """
    return jsonify({"items": queue("my_bookings")})


@bp.post("/bookings/<booking_id>/cancellation")
@signed_in
def cancel_booking(booking_id: str):
    """Cancel one's own booking; the seat is freed.
    ---
    post:
      responses:
        200:
          content:
            application/json:
              schema: contracts.queue.Booking
        409: Conflict
    """
    return jsonify(queue("cancel_booking", booking_id))


@bp.post("/bookings/<booking_id>/reschedule")
@signed_in
def reschedule(booking_id: str):
    """Move one's own booking to another slot of the same day.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.queue.Reschedule
      responses:
        200:
          content:
            application/json:
              schema: contracts.queue.Booking
        409: Conflict
    """
    return jsonify(queue("reschedule", booking_id, json_body(wire.Reschedule())))


@bp.get("/bookings/<booking_id>/qr.svg")
@signed_in
def booking_qr(booking_id: str):
    """The booking code as a QR code, to show at the check-in kiosk.
    ---
    get:
      responses:
        200:
          content:
            image/svg+xml:
              schema: {type: string}
        403: Forbidden
    """
    mine = {b["id"]: b for b in queue("my_bookings")}
    if booking_id not in mine:
        raise NotFound("no_booking", booking=booking_id)
    svg = segno.make(mine[booking_id]["code"], error="m").svg_inline(scale=8)
    return svg, 200, {"Content-Type": "image/svg+xml"}


@bp.post("/check-ins")
def check_in():
    """At the kiosk: a booking code becomes a ticket, placed by its slot time.
    ---
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.queue.CheckIn
      responses:
        201:
          content:
            application/json:
              schema: contracts.queue.Ticket
        404: NotFound
        409: Conflict
    """
    return jsonify(queue("check_in", json_body(wire.CheckIn()))), 201


@bp.get("/counters")
def counters():
    """The counters (loket), whether open, and the ticket each is serving.
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
                  items: {type: array, items: contracts.queue.Counter}
    """
    return jsonify({"items": queue("list_counters")})


@bp.post("/counters/<counter_id>/<action>")
@signed_in
def counter_action(counter_id: str, action: str):
    """Work a counter: open or close it; call the next ticket, recall, start, no-show, finish
    or transfer it; or release it.

    Only an officer of the counter's agency, and but for opening, the officer who opened
    it; an officer opens one counter at a time (409). ``release`` is for an agency
    administrator of the counter's agency or the mall manager: it closes a counter open
    under an officer (who can't close it herself), puts the tickets it held back in line
    at their place and keeps the reason given. ``finish`` takes an outcome, ``transfer`` a
    destination and ``release`` a reason; the others no body. Opening and closing answer
    the counter, release what it did, the others the counter's ticket (for transfer, the
    new one); call-next answers 404 when nobody is waiting.
    ---
    post:
      parameters:
      - {in: path, name: counter_id, required: true, schema: {type: string}, example: loket-1}
      - in: path
        name: action
        required: true
        schema:
          type: string
          enum: [open, close, call-next, recall, start, no-show, finish, transfer, release]
      requestBody:
        content:
          application/json:
            schema:
              oneOf:
              - contracts.queue.Finish
              - contracts.queue.Transfer
              - contracts.queue.CounterReleaseRequest
      responses:
        200:
          content:
            application/json:
              schema:
                oneOf:
                - contracts.queue.Counter
                - contracts.queue.Ticket
                - contracts.queue.CounterReleased
        403: Forbidden
        409: Conflict
    """
    if action == "finish":
        return jsonify(queue("finish", counter_id, json_body(wire.Finish())))
    if action == "transfer":
        return jsonify(queue("transfer", counter_id, json_body(wire.Transfer())))
    if action == "release":
        body = json_body(wire.CounterReleaseRequest())
        return jsonify(queue("release_counter", counter_id, body))
    if action not in COUNTER_ACTIONS:
        raise NotFound("no_counter_action", action=action)
    return jsonify(queue(COUNTER_ACTIONS[action], counter_id))


@bp.get("/statistics/daily")
@signed_in
def daily_statistics():
    """A day's figures per service and counter (staff): issued, served, waits.
    ---
    get:
      parameters:
      - in: query
        schema: contracts.queue.DailyStatisticsQuery
      responses:
        200:
          content:
            application/json:
              schema: contracts.queue.DailyStatistics
        403: Forbidden
    """
    return jsonify(queue("daily_statistics", query_args(wire.DailyStatisticsQuery()).get("day")))


@bp.get("/satisfaction")
def satisfaction():
    """The satisfaction index (25-100) and grade of a service, a counter or an agency.
    ---
    get:
      parameters:
      - in: query
        schema: contracts.queue.SatisfactionQuery
      responses:
        200:
          content:
            application/json:
              schema: contracts.queue.SatisfactionIndex
    """
    args = query_args(wire.SatisfactionQuery())
    return jsonify(queue("satisfaction", args["scope"], args["key"]))


@bp.get("/display/calls")
def recent_calls():
    """The latest calls, for a board that has just been switched on.
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
                  items: {type: array, items: contracts.queue.Call}
    """
    return jsonify({"items": queue("recent_calls", 10)})


@bp.get("/display/stream")
def call_stream():
    """Server-sent events: one ``call`` event per ticket called, as it happens.

    Each event's data is a ``TicketCalled`` object as JSON; a comment line keeps the
    connection alive. The stream does not end; 504 when the broker can't be reached.
    ---
    get:
      x-gateway-errors: [401, 500, 504]
      responses:
        200:
          content:
            text/event-stream:
              schema: {type: string}
    """
    frames = server_sent_events(_feed(), float(current_app.config.get("SSE_KEEPALIVE", 15)))
    return Response(
        stream_with_context(frames),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


_feeds: dict[tuple[int, str], CallFeed] = {}
_feeds_lock = threading.Lock()


def _feed() -> CallFeed:
    """This worker process's feed, started on first use after fork."""
    if "call_feed" in current_app.extensions:
        return current_app.extensions["call_feed"]
    key = (os.getpid(), current_app.config["AMQP_URI"])
    with _feeds_lock:
        if key not in _feeds:
            _feeds[key] = CallFeed(key[1])
        return _feeds[key]
