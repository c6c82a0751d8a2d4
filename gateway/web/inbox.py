"""Notifications as pages: the inbox (a citizen's own; an officer's agency's, as the
notifications service answers it), marking read, the unread count in every page's header,
and a citizen's settings of how she is told.

The service decides whose inbox the actor reads; a notification that is not hers is its
404. The header's count is a part of the page from another service: when that service is
down or slow the page is shown without it.
"""

import logging
import time

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext

from chassis.actor import CITIZEN
from contracts.digits import ascii_int
from gateway.rpc import BrokerUnavailable, RemoteError, RpcTimeout, call, request_context, rpc
from gateway.web.pages import DOWN, REFUSALS, Refused, attempt, safe_next, signed_in_as

bp = Blueprint("inbox", __name__)
log = logging.getLogger("mpp.gateway.web")
PER_PAGE = 20
# the header waits this long for the count, not the RPC timeout: a slow service must not
# hold every page of the mall
UNREAD_TIMEOUT_SECONDS = 2.0
# after the service failed to answer, the header leaves the count out this long
PAUSE_SECONDS = 30.0
PAUSED_UNTIL = "notifications_unread_paused_until"  # in app.extensions: per app and process
CHANNELS = [("email", lazy_gettext("Email")), ("sms", lazy_gettext("SMS"))]
LANGUAGE_NAMES = [("id", "Bahasa Indonesia"), ("en", "English")]
SETTINGS_FIELDS = ("email", "phone", "language", "channels", "quiet_hours", "essential_only")


def unread_count() -> int | None:
    """The signed-in person's unread notifications, asked once per page (the layout calls
    it); None when there is no one to ask for, or the service cannot answer now."""
    if "unread_count" in g:
        return g.unread_count
    g.unread_count = None
    actor = g.get("actor")
    if actor is None or actor.id is None or not (actor.role == CITIZEN or actor.agency):
        return None
    if time.monotonic() < current_app.extensions.get(PAUSED_UNTIL, 0.0):
        return None  # it did not answer a moment ago: the page is not held waiting again
    try:
        # not through ``call``: a read for the header takes no place among the ids of the
        # calls a retried form repeats (gateway.idempotency)
        answer = rpc().call(
            "notifications",
            "unread_count",
            context=request_context(),
            timeout=UNREAD_TIMEOUT_SECONDS,
        )
        g.unread_count = int(answer["unread"])
    except (BrokerUnavailable, RpcTimeout):
        pause_asking()
    except RemoteError as err:  # down (UnknownService), or no inbox for this role
        if err.exc_type in DOWN:
            pause_asking()
        elif err.exc_type not in REFUSALS:
            log.warning("unread count not shown: %s", err)
    except Exception:  # a count in the header never takes the page down with it
        log.exception("unread count not shown")
    return g.unread_count


def pause_asking() -> None:
    """Pages leave the count out for a while, in this process, instead of each waiting."""
    current_app.extensions[PAUSED_UNTIL] = time.monotonic() + PAUSE_SECONDS


def own_path(link: str | None) -> str | None:
    """Where a notification leads, as a path of this site: its links name the mall's pages,
    by path or by the mall's public address (``PUBLIC_BASE_URL``); any other is not
    followed."""
    if not link:
        return None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if link.startswith(base + "/"):
        link = link[len(base) :]
    return safe_next(link)


def page_number() -> int:
    return min(max(1, request.args.get("page", 1, type=ascii_int)), 10_000)


@bp.get("/notifications")
@signed_in_as()
def inbox():
    unread_only = request.args.get("unread") == "1"
    page = page_number()
    query = {"page": page, "per_page": PER_PAGE, "unread_only": unread_only}
    found = call("notifications", "inbox", query)
    g.unread_count = found["unread"]  # the header says what the page says
    return render_template(
        "notifications/inbox.html",
        found=found,
        page=page,
        unread_only=unread_only,
        marked=request.args.get("marked", type=ascii_int),
        own_path=own_path,
    )


@bp.post("/notifications/<notification_id>/read")
@signed_in_as()
def mark_read(notification_id: str):
    """Mark it read; with ``open``, then go where it leads (a path of this site only)."""
    notification = attempt(call, "notifications", "mark_read", notification_id)
    if request.form.get("open") and (link := own_path(notification.get("link"))):
        return redirect(link, 303)
    return redirect(back_to_inbox(), 303)


@bp.post("/notifications/read-all")
@signed_in_as()
def mark_all_read():
    marked = attempt(call, "notifications", "mark_all_read")
    return redirect(url_for("inbox.inbox", marked=marked["marked"]), 303)


def back_to_inbox() -> str:
    """The inbox page the form was on (its page and filter), or the first."""
    args = {}
    if (page := request.form.get("page", type=ascii_int)) and 1 < page <= 10_000:
        args["page"] = page
    if request.form.get("unread") == "1":
        args["unread"] = 1
    return url_for("inbox.inbox", **args)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in_as(CITIZEN)
def settings():
    errors, message, status, saved = {}, None, 200, request.args.get("saved") == "1"
    if request.method == "POST":
        form = settings_of_form()
        try:
            attempt(call, "notifications", "update_settings", form)
            return redirect(url_for("inbox.settings", saved=1), 303)
        except Refused as err:
            errors, message, status = err.fields, err.message, err.status
        current = form
    else:
        current = call("notifications", "settings")
    page = render_template(
        "notifications/settings.html",
        settings=current,
        errors=errors,
        message=message,
        saved=saved,
        channels=CHANNELS,
        languages=LANGUAGE_NAMES,
    )
    return page, status


def settings_of_form() -> dict:
    """The settings as the form posts them: every one is sent (a box not ticked is
    false, a blank address is none), so the service checks the whole choice."""
    text = {name: request.form.get(name, "").strip() for name in ("email", "phone", "language")}
    return {
        "email": text["email"] or None,
        "phone": text["phone"] or None,
        "language": text["language"] or "id",
        "channels": [c for c in request.form.getlist("channels") if c.strip()],
        "quiet_hours": request.form.get("quiet_hours") == "yes",
        "essential_only": request.form.get("essential_only") == "yes",
    }
