"""The counter console: an officer opens a counter of her agency and works its queue.

Every action is one form POST to the queue service (which checks who may do what) and a
redirect back to the console with a short notice; a refusal (nobody waiting, a ticket
still at the counter) is the console again with the reason and the refusal's status, not
an error page. The waiting counts refresh themselves: ``counter-console.js`` reloads the
``queue`` fragment every 5 s.
"""

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.api.queue import COUNTER_ACTIONS
from gateway.rpc import call
from gateway.web.i18n import clock, instant
from gateway.web.pages import Refused, attempt, refusal, signed_in_as

bp = Blueprint("counter", __name__)
OFFICER = "counter_officer"
NOTICE_COOKIE = "counter_notice"
NOTICE_SECONDS = 120
ACTIONS = {*COUNTER_ACTIONS, "finish", "transfer"}


def queue(method: str, *args):
    return call("queue", method, *args)


@bp.get("/counter")
@signed_in_as(OFFICER)
def console():
    """The agency's counters and, for the counter the officer has open, its work."""
    response = _console(request.args.get("counter"), _read_notice())
    if request.cookies.get(NOTICE_COOKIE):
        response.delete_cookie(NOTICE_COOKIE, path="/counter")
    return response


def _console(chosen: str | None, notice: dict | None, errors: dict | None = None, status=200):
    everywhere = queue("list_counters")
    counters = [c for c in everywhere if c["agency"] == g.actor.agency]
    lines = {line["code"]: line for line in queue("list_service_lines")}
    mine = [c for c in counters if c["held_by_you"]]
    active = next((c for c in mine if c["id"] == chosen), mine[0] if mine else None)
    page = render_template(
        "counter/console.html",
        counters=counters,
        active=active,
        mine=mine,
        lines=lines,
        agency_lines=[line for line in lines.values() if line.get("agency") == g.actor.agency],
        other_counters=[c for c in everywhere if active and c["id"] != active["id"]],
        notice=notice,
        errors=errors or {},
        form=request.form,
        minutes_since=minutes_since,
        **(_queue_view(active, lines) if active else {}),
    )
    return current_app.make_response((page, status))


@bp.get("/counter/<counter_id>/queue")
@signed_in_as(OFFICER)
def queue_fragment(counter_id: str):
    """Today's waiting counts of the counter's services, as a fragment for the console."""
    counters = queue("list_counters")
    counter = next((c for c in counters if c["id"] == counter_id), None)
    if counter is None or counter["agency"] != g.actor.agency:
        return refusal(404, gettext("No such counter."))
    lines = {line["code"]: line for line in queue("list_service_lines")}
    page = render_template("counter/_queue.html", **_queue_view(counter, lines))
    return page, 200, {"Cache-Control": "no-store"}


@bp.post("/counter/<counter_id>/<action>")
@signed_in_as(OFFICER)
def act(counter_id: str, action: str):
    """One action at a counter, then back to the console (POST-redirect-GET)."""
    if action not in ACTIONS:
        return refusal(404, gettext("Unknown action."))
    try:
        if action == "finish":
            outcome = request.form.get("outcome", "").strip()
            if not outcome:
                required = {"outcome": [gettext("Required.")]}
                raise Refused(gettext("Check the marked fields."), required)
            done = attempt(queue, "finish", counter_id, {"outcome": outcome})
        elif action == "transfer":
            where = {
                k: request.form[k] for k in ("to_service", "to_counter") if request.form.get(k)
            }
            done = attempt(queue, "transfer", counter_id, where)
        else:
            done = attempt(queue, COUNTER_ACTIONS[action], counter_id)
    except Refused as err:
        # the console again, with the reason (beside its field, if any) and the refusal's
        # own status: nothing was done, and the audit log records a refusal, not a success;
        # the reason is the queue's refusal in the officer's language (``i18n.refused``)
        notice = {"kind": "bad", "text": err.message}
        return _console(counter_id, notice, err.fields, err.status)
    return _back(counter_id, "ok", _done_text(action, done))


# --- what the pages show ---------------------------------------------------------------


def minutes_since(value) -> int | None:
    moment = instant(value)
    return max(0, int((datetime.now(UTC) - moment).total_seconds() // 60)) if moment else None


def _queue_view(counter: dict, lines: dict) -> dict:
    """The counter's lines with their waiting counts and today's figures."""
    try:
        statistics = queue("daily_statistics")
    except Exception:  # the figures are a nicety; the waiting counts are what matters
        current_app.logger.warning("daily statistics unavailable for the console")
        statistics = {"services": {}, "counters": {}}
    served = [lines[code] for code in counter["services"] if code in lines]
    return {
        "counter": counter,
        "served_lines": served,
        "waiting_total": sum(line["waiting"] for line in served),
        "line_figures": statistics.get("services", {}),
        "counter_figures": statistics.get("counters", {}).get(counter["id"]),
        "updated_at": clock(datetime.now(UTC)),
    }


def _done_text(action: str, result: dict) -> str:
    label, number = result.get("label"), result.get("number")
    texts = {
        "open": lazy_gettext("Counter %(number)s is open.", number=number),
        "close": lazy_gettext("Counter %(number)s is closed.", number=number),
        "call-next": lazy_gettext("%(label)s called.", label=label),
        "recall": lazy_gettext("%(label)s called again.", label=label),
        "start": lazy_gettext("Serving %(label)s.", label=label),
        "no-show": lazy_gettext("%(label)s marked as no-show.", label=label),
        "finish": lazy_gettext("%(label)s finished.", label=label),
        "transfer": lazy_gettext("Transferred: the new ticket is %(label)s.", label=label),
    }
    return str(texts[action])


# --- the notice carried across the redirect -------------------------------------------


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["JWT_SECRET"], salt="counter-notice")


def _back(counter_id: str, kind: str, text: str):
    response = redirect(url_for("counter.console", counter=counter_id), 303)
    notice = _signer().dumps({"kind": kind, "text": text, "to": g.actor.id})
    response.set_cookie(
        NOTICE_COOKIE,
        notice,
        max_age=NOTICE_SECONDS,
        path="/counter",
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
    )
    return response


def _read_notice() -> dict | None:
    raw = request.cookies.get(NOTICE_COOKIE)
    if not raw:
        return None
    try:
        notice = _signer().loads(raw, max_age=NOTICE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(notice, dict) or notice.get("to") != g.actor.id:
        return None
    return {"kind": notice.get("kind"), "text": str(notice.get("text", ""))}
