"""The mall manager's view of the whole floor: who waits now, how long waits and services
take (median and 90th percentile), tickets issued, served and missed per service and per
counter, applications past their service-level deadline, and the satisfaction index (SKM)
of every agency. Charts are bars drawn by the stylesheet; no script is needed.
"""

from datetime import date

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from marshmallow import ValidationError

from chassis.actor import AGENCY_ADMIN, MALL_ADMIN, MALL_MANAGER
from chassis.clock import today
from chassis.errors import NotFound
from contracts import catalog as catalog_wire
from contracts import queue as queue_wire
from gateway.api.modules import ModuleUnavailable, live_manifest
from gateway.api.requests import query_args
from gateway.rpc import RemoteError, RpcTimeout, call, call_together
from gateway.web.i18n import named
from gateway.web.office import checked
from gateway.web.pages import Refused, attempt, form_of, signed_in_as
from gateway.web.published import mall_modules

bp = Blueprint("manager", __name__)
GRADES = {
    "A": lazy_gettext("very good"),
    "B": lazy_gettext("good"),
    "C": lazy_gettext("fair"),
    "D": lazy_gettext("poor"),
}


@bp.get("/manager")
@signed_in_as(MALL_MANAGER, MALL_ADMIN)
def overview():
    day, errors = chosen_day()
    lines = call("queue", "list_service_lines")
    names = {line["code"]: named(line) for line in lines}
    statistics = optional("queue", "daily_statistics", day.isoformat())
    counters = {c["id"]: c for c in optional("queue", "list_counters") or []}
    levels = optional("licensing", "service_levels")
    agencies = agencies_of(lines)
    ratings = call_together([("queue", "satisfaction", "agency", code) for code in agencies])
    page = render_template(
        "manager/overview.html",
        day=day,
        is_today=day == today(),
        today=today(),
        errors=errors,
        waiting_now=bars([(line["code"], names[line["code"]], line["waiting"]) for line in lines]),
        services=figures(statistics["services"], names) if statistics else None,
        counters=figures(statistics["counters"], counter_names(counters)) if statistics else None,
        waits=wait_bars(statistics["services"], names) if statistics else None,
        levels=service_levels(levels) if levels is not None else None,
        ratings=skm(ratings),
        charts=module_charts(),
    )
    return page, 422 if errors else 200


def module_charts() -> list[dict]:
    """Every chart the mall's live modules publish (a view with ``chart``: complaints
    answered in time per agency), with its rows; a module that does not answer is left
    out, as the other figures are."""
    charts = []
    for module in sorted(mall_modules()):
        try:
            manifest = live_manifest(module)
        except (ModuleUnavailable, NotFound, RpcTimeout):
            continue
        for view in manifest.get("views") or ():
            if view.get("chart"):
                rows = optional(module, view["rpc"], {})
                if rows is not None:
                    charts.append({"manifest": manifest, "view": view, "rows": rows})
    return charts


@bp.get("/floor/counters")
@signed_in_as(MALL_MANAGER, AGENCY_ADMIN)
def open_counters():
    """The counters open now (an agency administrator's: her agency's), each with a form
    to release it: for a counter its officer can no longer close."""
    return counters_page(request.args.get("released"))


@bp.post("/floor/counters/<counter_id>/release")
@signed_in_as(MALL_MANAGER, AGENCY_ADMIN)
def release_counter(counter_id: str):
    """Close a counter open under an officer, its tickets back in line (the queue checks
    who may, and keeps the reason)."""
    reason = request.form.get("reason", "").strip()
    try:
        if not reason:
            raise Refused("invalid input", {"reason": [gettext("Required.")]})
        released = attempt(call, "queue", "release_counter", counter_id, {"reason": reason})
    except Refused as err:
        return counters_page(None, counter_id, err)
    number = released["counter"]["number"]
    return redirect(url_for("manager.open_counters", released=number), 303)


def counters_page(released: str | None, chosen: str | None = None, refused=None):
    counters = [
        c
        for c in call("queue", "list_counters")
        if c["status"] == "open" and (g.actor.role != AGENCY_ADMIN or c["agency"] == g.actor.agency)
    ]
    page = render_template(
        "manager/counters.html",
        counters=counters,
        released=released,
        chosen=chosen,
        refused=refused,
        form=request.form,
    )
    return page, refused.status if refused else 200


def chosen_day() -> tuple[date, dict]:
    """The day asked for (``?day=YYYY-MM-DD``), today when none or an invalid one."""
    try:
        asked = queue_wire.DailyStatisticsQuery().load(
            query_args(queue_wire.DailyStatisticsQuery())
        )
    except ValidationError as err:
        return today(), err.messages if isinstance(err.messages, dict) else {"day": err.messages}
    return asked["day"] or today(), {}


def optional(service: str, method: str, *args):
    """A figure this role may not see (or a service that does not answer) is left out."""
    try:
        return call(service, method, *args)
    except RpcTimeout:
        return None
    except RemoteError as err:
        if err.exc_type in ("Forbidden", "UnknownService", "MethodNotFound"):
            return None
        raise


def agencies_of(lines: list[dict]) -> list[str]:
    """Every agency with a counter line or a service in the catalog."""
    found = {line["agency"] for line in lines if line.get("agency")}
    try:
        found |= {e["agency"] for e in call("catalog", "search", {}) if e.get("agency")}
    except (RemoteError, RpcTimeout):
        pass  # the counters' agencies still are rated
    return sorted(found)


def counter_names(counters: dict) -> dict:
    return {
        cid: gettext("Counter %(number)s · %(agency)s", number=c["number"], agency=c["agency"])
        for cid, c in counters.items()
    }


def bars(items: list[tuple[str, str, float | None]], scale: float | None = None) -> list[dict]:
    """Rows of a bar chart: key, label, value and the bar's width in percent of the top."""
    top = scale or max([value or 0 for _, _, value in items] + [0])
    return [
        {
            "key": key,
            "label": label,
            "value": value,
            "width": round(100 * (value or 0) / top, 1) if top else 0,
        }
        for key, label, value in items
    ]


def figures(report: dict, names: dict) -> list[dict]:
    """Per service or counter: issued, served, no-shows, waiting, and the issued bar."""
    rows = [
        {"key": key, "label": names.get(key, key), **numbers} for key, numbers in report.items()
    ]
    top = max([row["issued"] for row in rows] + [0])
    for row in rows:
        row["served_width"] = round(100 * row["served"] / top, 1) if top else 0
        row["no_show_width"] = round(100 * row["no_show"] / top, 1) if top else 0
        row["other_width"] = (
            round(100 * (row["issued"] - row["served"] - row["no_show"]) / top, 1) if top else 0
        )
    return rows


def wait_bars(report: dict, names: dict) -> list[dict]:
    """Median and 90th percentile of the wait and of the service, in minutes, per service."""
    top = max(
        [
            numbers[k] or 0
            for numbers in report.values()
            for k in ("wait_minutes_p90", "service_minutes_p90")
        ]
        + [0]
    )

    def width(value):
        return round(100 * (value or 0) / top, 1) if top else 0

    return [
        {
            "key": key,
            "label": names.get(key, key),
            **{k: numbers[k] for k in numbers if "minutes" in k},
            **{f"{k}_width": width(numbers[k]) for k in numbers if "minutes" in k},
        }
        for key, numbers in report.items()
    ]


def service_levels(levels: list[dict]) -> dict:
    """Applications on the clock and past due, per agency and permit type, with totals."""
    per_agency: dict[str, dict] = {}
    for row in levels:
        agency = per_agency.setdefault(row["agency"], {"open": 0, "overdue": 0})
        agency["open"] += row["open"]
        agency["overdue"] += row["overdue"]
    top = max([n["open"] for n in per_agency.values()] + [0])
    chart = [
        {
            "agency": agency,
            "open": n["open"],
            "overdue": n["overdue"],
            "on_time_width": round(100 * (n["open"] - n["overdue"]) / top, 1) if top else 0,
            "overdue_width": round(100 * n["overdue"] / top, 1) if top else 0,
        }
        for agency, n in sorted(per_agency.items())
    ]
    return {
        "rows": levels,
        "open": sum(row["open"] for row in levels),
        "overdue": sum(row["overdue"] for row in levels),
        "chart": chart,
    }


def skm(ratings: list[dict]) -> list[dict]:
    chart = bars([(r["key"], r["key"], r["index"]) for r in ratings], scale=100)
    for row, rating in zip(chart, ratings, strict=True):
        row["responses"] = rating["responses"]
        row["grade"] = rating["grade"]
        row["grade_text"] = str(GRADES[rating["grade"]]) if rating["grade"] in GRADES else ""
        row["tag"] = {"A": "ok", "B": "ok", "C": "warn", "D": "bad"}.get(rating["grade"], "")
    return chart


@bp.app_template_filter("minutes")
def minutes(value) -> str:
    return "-" if value is None else f"{value:.1f}"


# --- the mall's calendar (kept by mall administrators) -------------------------------------

KIND_NAMES = {
    "national_holiday": lazy_gettext("National holiday"),
    "regional_holiday": lazy_gettext("Regional holiday"),
    "collective_leave": lazy_gettext("Collective leave"),
}


@bp.get("/manager/calendar")
@signed_in_as(MALL_MANAGER, MALL_ADMIN)
def calendar():
    return calendar_page()


@bp.post("/manager/calendar")
@signed_in_as(MALL_ADMIN)
def set_calendar_day():
    """Close the mall on a day (or rename it); the catalog checks the role again."""
    form = form_of(catalog_wire.CalendarDayChange(), ["kind", "name_id", "name_en", "region"])
    form["provisional"] = request.form.get("provisional") == "on"
    day = request.form.get("day", "").strip()
    try:
        attempt(checked, catalog_wire.CalendarDayChange(), form)
        attempt(call, "catalog", "set_calendar_day", day, form)
    except Refused as err:
        return calendar_page(err.fields, err.message, err.status, form | {"day": day})
    return redirect(url_for("manager.calendar", year=day[:4], done="set"), 303)


@bp.post("/manager/calendar/removal")
@signed_in_as(MALL_ADMIN)
def remove_calendar_day():
    day = request.form.get("day", "").strip()
    try:
        attempt(call, "catalog", "remove_calendar_day", day)
    except Refused as err:
        return calendar_page(err.fields, err.message, err.status)
    return redirect(url_for("manager.calendar", year=day[:4], done="removed"), 303)


def calendar_page(errors=None, message=None, status=200, form=None):
    year = request.args.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else today().year
    days = call("catalog", "list_calendar_days", {"year": year})
    page = render_template(
        "manager/calendar.html",
        year=year,
        days=days,
        kinds=KIND_NAMES,
        errors=errors or {},
        message=message,
        form=form or {},
        done=request.args.get("done"),
        may_change=g.actor.role == MALL_ADMIN,
    )
    return page, status
