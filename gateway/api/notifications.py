"""Notifications: the signed-in person's inbox (a citizen's own, an officer's agency's),
marking them read, and a citizen's contact details and choices of how she is told.

The notifications service decides whose inbox the actor reads and refuses the rest; the
gateway checks the query and the body before it is asked.
"""

from flask import Blueprint, jsonify

from contracts import notifications as wire
from gateway.api.requests import json_body, query_args
from gateway.auth import signed_in
from gateway.rpc import call

bp = Blueprint("notifications", __name__, url_prefix="/api/v1")


def notifications(method: str, *args):
    return call("notifications", method, *args)


@bp.get("/notifications")
@signed_in
def inbox():
    """My notifications, newest first: a citizen's own, an officer's agency's.
    ---
    get:
      parameters:
      - {in: query, schema: contracts.notifications.InboxQuery}
      responses:
        200:
          content:
            application/json:
              schema: contracts.notifications.Inbox
        403: Forbidden
    """
    query = wire.InboxQuery().load(query_args(wire.InboxQuery()))
    return jsonify(notifications("inbox", query))


@bp.get("/notifications/unread-count")
@signed_in
def unread_count():
    """How many of my notifications are not read yet (the count in the pages' header).
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.notifications.UnreadCount
        403: Forbidden
    """
    return jsonify(notifications("unread_count"))


@bp.post("/notifications/<notification_id>/read")
@signed_in
def mark_read(notification_id: str):
    """Mark one of my notifications read (again: no change).
    ---
    post:
      responses:
        200:
          content:
            application/json:
              schema: contracts.notifications.Notification
        403: Forbidden
        404: NotFound
    """
    return jsonify(notifications("mark_read", notification_id))


@bp.post("/notifications/read-all")
@signed_in
def mark_all_read():
    """Mark every one of my notifications read.
    ---
    post:
      responses:
        200:
          content:
            application/json:
              schema: contracts.notifications.Marked
        403: Forbidden
    """
    return jsonify(notifications("mark_all_read"))


@bp.get("/notification-settings")
@signed_in
def settings():
    """How I am told (citizens): email, phone, language, channels, quiet hours, essentials.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema: contracts.notifications.SettingsReply
        403: Forbidden
    """
    return jsonify(notifications("settings"))


@bp.patch("/notification-settings")
@signed_in
def update_settings():
    """Change how I am told (citizens): the settings sent; those left out are kept.

    422 with the fields refused, e.g. the email channel without an email address.
    ---
    patch:
      requestBody:
        required: true
        content:
          application/json:
            schema: contracts.notifications.Settings
      responses:
        200:
          content:
            application/json:
              schema: contracts.notifications.SettingsReply
        403: Forbidden
    """
    return jsonify(notifications("update_settings", json_body(wire.Settings())))
