"""The counter queue: tickets, counters worked by officers, ratings, the display board."""

import os
import threading

import segno
from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from contracts import queue as wire
from gateway.api.requests import json_body, query_args
from gateway.app import call
from gateway.auth import signed_in
from gateway.display import CallFeed, server_sent_events

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
    """A walk-in ticket; staff may mark a priority category."""
    body = json_body(wire.TicketRequest(only=("service_code", "priority")))
    return jsonify(queue("issue_ticket", body)), 201


@bp.get("/tickets/<ticket_id>")
def get_ticket(ticket_id: str):
    """The ticket, its position in line and the estimated wait (the id is the claim)."""
    return jsonify(queue("get_ticket", ticket_id))


@bp.post("/tickets/<ticket_id>/rating")
def rate(ticket_id: str):
    return jsonify(queue("rate", ticket_id, json_body(wire.RatingRequest()))), 201


@bp.post("/bookings")
@signed_in
def book():
    return jsonify(queue("book", json_body(wire.BookingRequest()))), 201


@bp.get("/bookings")
@signed_in
def my_bookings():
    return jsonify({"items": queue("my_bookings")})


@bp.post("/bookings/<booking_id>/cancellation")
@signed_in
def cancel_booking(booking_id: str):
    return jsonify(queue("cancel_booking", booking_id))


@bp.post("/bookings/<booking_id>/reschedule")
@signed_in
def reschedule(booking_id: str):
    return jsonify(queue("reschedule", booking_id, json_body(wire.Reschedule())))


@bp.get("/bookings/<booking_id>/qr.svg")
@signed_in
def booking_qr(booking_id: str):
    """The booking code as a QR code, to show at the check-in kiosk."""
    mine = {b["id"]: b for b in queue("my_bookings")}
    if booking_id not in mine:
        return jsonify(
            {"error": {"code": "not_found", "message": "no such booking", "fields": {}}}
        ), 404
    svg = segno.make(mine[booking_id]["code"], error="m").svg_inline(scale=8)
    return svg, 200, {"Content-Type": "image/svg+xml"}


@bp.post("/check-ins")
def check_in():
    """At the kiosk: a booking code becomes a ticket."""
    return jsonify(queue("check_in", json_body(wire.CheckIn()))), 201


@bp.get("/counters")
def counters():
    return jsonify({"items": queue("list_counters")})


@bp.post("/counters/<counter_id>/<action>")
@signed_in
def counter_action(counter_id: str, action: str):
    if action == "finish":
        return jsonify(queue("finish", counter_id, json_body(wire.Finish())))
    if action == "transfer":
        return jsonify(queue("transfer", counter_id, json_body(wire.Transfer())))
    if action not in COUNTER_ACTIONS:
        return jsonify(
            {"error": {"code": "not_found", "message": f"no action {action}", "fields": {}}}
        ), 404
    return jsonify(queue(COUNTER_ACTIONS[action], counter_id))


@bp.get("/statistics/daily")
@signed_in
def daily_statistics():
    return jsonify(queue("daily_statistics", request.args.get("day")))


@bp.get("/satisfaction")
def satisfaction():
    args = query_args(wire.SatisfactionQuery())
    return jsonify(queue("satisfaction", args["scope"], args["key"]))


@bp.get("/display/calls")
def recent_calls():
    """The latest calls, for a board that has just been switched on."""
    return jsonify({"items": queue("recent_calls", 10)})


@bp.get("/display/stream")
def call_stream():
    """Server-sent events: one ``call`` event per ticket called, as it happens."""
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
