"""The display board of the hall: the latest calls, large, for everyone (no sign-in).

The page is rendered with today's latest calls; ``board-display.js`` then listens to the
display feed (``/api/v1/display/stream``, server-sent events) and puts each new call on
top without a reload, announces it to screen readers and, once switched on, with a chime
and a voice. ``?services=population,tax`` or ``?agency=disdukcapil`` (both may repeat)
show only those services' calls, for a board above one agency's counters.
"""

from datetime import UTC, datetime

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext

from chassis.clock import MALL_TIME
from gateway.rpc import RemoteError, RpcTimeout, call
from gateway.web.i18n import language, named, when

bp = Blueprint("board", __name__)
SHOWN = 9  # the newest call and the eight before it
FILTERED_FETCH = 50  # the most the queue gives; a filtered board picks its own from these


@bp.get("/board")
def display():
    services, agencies = _listed("services"), _listed("agency")
    filtered = bool(services or agencies)
    try:
        lines = call("queue", "list_service_lines")
        calls = call("queue", "recent_calls", FILTERED_FETCH if filtered else SHOWN)
        unavailable = False
    except (RpcTimeout, RemoteError):  # the board comes back by itself (meta refresh)
        current_app.logger.warning("display board: the queue did not answer")
        lines, calls, unavailable = [], [], True
    only = (
        sorted(
            line["code"]
            for line in lines
            if line["code"] in services or line.get("agency") in agencies
        )
        if filtered
        else None
    )
    calls = [c for c in calls if only is None or c["service_code"] in only][:SHOWN]
    names = {line["code"]: named(line) for line in lines}
    now = datetime.now(UTC).astimezone(MALL_TIME)
    args = {k: request.args.getlist(k) for k in ("services", "agency") if k in request.args}
    return render_template(
        "board/display.html",
        calls=calls,
        names=names,
        filter_names=[names[code] for code in only] if only else [],
        filtered=filtered,
        unavailable=unavailable,
        clock=_clock,
        now_text=_clock(now),
        today_text=when(now.date()),
        switch_language=url_for("board.display", **args, lang="en" if language() == "id" else "id"),
        data={
            "calls": calls,
            "names": names,
            "only": only,
            "lang": language(),
            "shown": SHOWN,
            "stream": url_for("queue.call_stream"),
            "recent": url_for("queue.recent_calls"),
            "text": {
                "counter": gettext("Counter"),
                "to": gettext("to"),
                "recall": gettext("Called again"),
                "empty": gettext("No calls yet today."),
                "live": gettext("Live"),
                "reconnecting": gettext("Reconnecting…"),
                "soundOn": gettext("Sound on"),
                "soundOff": gettext("Turn sound on"),
                "announce": gettext("Ticket {label}, please go to counter {counter}"),
            },
        },
    )


def _listed(name: str) -> set[str]:
    """``?name=a,b&name=c`` as {a, b, c}."""
    return {
        part.strip()
        for value in request.args.getlist(name)
        for part in value.split(",")
        if part.strip()
    }


def _clock(value) -> str:
    """The time of a call as the hall's clock shows it: 14.05 (Indonesian), 14:05."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(MALL_TIME)
    return f"{local:%H.%M}" if language() == "id" else f"{local:%H:%M}"
