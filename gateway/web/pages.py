"""What every page shares: the layout's context, signing in and out with a cookie, the
guard of staff pages, form errors shown beside their fields, and error pages."""

import uuid
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from chassis.errors import Forbidden, MallError
from contracts import modules as modules_wire
from gateway import errors as api_errors
from gateway.api import accounts as account_api
from gateway.api.modules import ModuleUnavailable
from gateway.auth import COOKIE, SAFE_METHODS, csrf_token, issue_token
from gateway.identity import schemas as http
from gateway.identity import sessions, throttle
from gateway.rpc import BrokerUnavailable, RemoteError, RpcTimeout
from gateway.web import i18n

bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)
STAFF_HOME = {
    "counter_officer": "counter.console",
    "verifier": "office.worklist",
    "cashier": "office.worklist",
    "registrar": "office.worklist",
    "hospital_officer": "office.worklist",
    "agency_admin": "office.worklist",
    "mall_manager": "manager.overview",
    "mall_admin": "manager.overview",
}


# the refusals a page shows as a message (anything else is an error page)
REFUSALS = {
    name: status
    for name, (status, _) in api_errors.REMOTE_ERRORS.items()
    if name in ("InvalidInput", "NotFound", "Conflict", "Forbidden")
}
DOWN = {"UnknownService", "Unavailable"}  # another service is away: show the rest


class Refused(Exception):
    """What the page should tell the person: a message and the fields it concerns."""

    def __init__(self, message: str, fields: dict | None = None, status: int = 422):
        super().__init__(message)
        self.message, self.fields, self.status = message, fields or {}, status


@bp.app_context_processor
def layout():
    actor = g.get("actor")
    return {
        "actor": actor if actor is not None and actor.id else None,
        "lang": i18n.language(),
        "csrf_token": form_token(),
    }


def form_token() -> str:
    """The CSRF token forms of this sign-in session carry (none for visitors)."""
    return csrf_token(g.session_id) if g.get("session_id") else ""


@bp.before_app_request
def same_origin_forms():
    """A page's form is posted from the mall's own pages: another site's form (which would
    sign a visitor in as someone else, or take a ticket in her name) is refused. Browsers
    say where a request comes from (``Sec-Fetch-Site``, ``Origin``); the API is left to
    its bearer tokens."""
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    origin = request.headers.get("Origin")
    if request.headers.get("Sec-Fetch-Site") == "cross-site" or (
        origin is not None and urlsplit(origin).netloc != request.host
    ):
        raise Forbidden("foreign_form")


def public_url(path: str) -> str:
    """The address people use (``PUBLIC_BASE_URL``), not the one behind a proxy."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def language_switch() -> str:
    """This page, with its query, in the other language."""
    other = "en" if i18n.language() == "id" else "id"
    return request.path + "?" + urlencode({**request.args.to_dict(), "lang": other})


# what every template, and every macro it imports, may call
TEMPLATE_GLOBALS = {
    "named": i18n.named,
    "when": i18n.when,
    "rupiah": i18n.rupiah,
    "clock": i18n.clock,
    "status": i18n.status,
    "state": i18n.state,
    "step_note": i18n.step_note,
    "choice": i18n.choice,
    "life_event": i18n.life_event,
    "reason": i18n.reason,
    "form_token": form_token,
    "idempotency_key": lambda: uuid.uuid4().hex,
    "language_switch": language_switch,
}


@bp.after_app_request
def remember(response):
    """Keep the chosen language; forget a cookie that stopped working."""
    if request.args.get("lang") in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax")
    if g.get("drop_cookie"):
        response.delete_cookie(COOKIE)
    return response


def signed_in_as(*roles: str):
    """Pages for someone signed in (with one of ``roles``, if given); others are sent to
    the sign-in page or shown a refusal."""

    def guard(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if g.actor.id is None:  # back here after signing in (a form is not a page)
                back = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("web.sign_in", next=back))
            if roles and g.actor.role not in roles:
                return refusal(403, gettext("Not for your role."))
            return view(*args, **kwargs)

        return guarded

    return guard


def attempt(action, *args, **kwargs):
    """Run a form's action; a refusal (invalid input, a conflict, a denial) becomes
    ``Refused`` with the fields it names, for the page to show beside them."""
    try:
        return action(*args, **kwargs)
    except ValidationError as err:
        fields = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        message = gettext("Check the marked fields.")
        raise Refused(message, fields) from None
    except RemoteError as err:
        if err.exc_type not in REFUSALS:
            raise
        status = REFUSALS[err.exc_type]
        raise Refused(i18n.refused(err), err.fields or {}, status) from None
    except MallError as err:
        status = REFUSALS.get(type(err).__name__, 403)
        raise Refused(i18n.refused(err), err.fields or {}, status) from None
    except throttle.Throttled as err:
        wait = gettext("Try again in %(seconds)s s.", seconds=err.retry_after)
        raise Refused(wait, {}, 429) from None


def if_available(action, *args, default=None):
    """A part of a page from another service: ``(answer, True)``, or ``(default, False)``
    when that service is down or slow, so the rest of the page is still shown."""
    try:
        return action(*args), True
    except (RpcTimeout, ModuleUnavailable):
        return default, False
    except RemoteError as err:
        if err.exc_type not in DOWN:
            raise
        return default, False


def shows_personal_data(*person_ids: str | None) -> None:
    """This page shows these people's data: the audit log names them (as the API's do)."""
    g.audit_subjects = [*g.get("audit_subjects", []), *(p for p in person_ids if p)]


def form_of(schema: Schema, names: list[str] | None = None) -> dict:
    """The posted fields ``schema`` knows, blanks left out (so defaults apply)."""
    wanted = names or list(schema.fields)
    given = {n: request.form[n] for n in wanted if request.form.get(n, "").strip()}
    return {n: v if n == "password" else v.strip() for n, v in given.items()}


def manifest_form(spec: list[dict], prefix: str = "") -> dict:
    """The posted values of a manifest's form: blanks left out, a checkbox as a boolean."""
    given = {f["name"]: request.form.get(prefix + f["name"], "").strip() for f in spec}
    return {
        f["name"]: given[f["name"]] == "yes" if f["type"] == "boolean" else given[f["name"]]
        for f in spec
        if given[f["name"]] != "" or f["type"] == "boolean"
    }


def step_posted() -> dict:
    """A step of a module's lifecycle as its form posts it: the action, its note, and the
    values of the action's own fields (``form.<name>``); the module checks them."""
    payload = form_of(modules_wire.Action(), ["action", "note"])
    values = {
        name[len("form.") :]: value.strip()
        for name, value in request.form.items()
        if name.startswith("form.") and value.strip()
    }
    return {**payload, "form": values} if values else payload


def refusal(status: int, message: str):
    return render_template("refusal.html", message=message, status=status), status


_WITH_ERROR_PAGES: set[str] = set()
HTTP_REASONS = {
    404: ("Halaman tidak ditemukan.", "Page not found."),
    405: ("Alamat ini tidak menerima permintaan itu.", "This address does not take that."),
    413: ("Berkas terlalu besar.", "The file is too large."),
}


def _en() -> int:
    return 1 if i18n.language() == "en" else 0


def page_not_found(err: HTTPException):
    """An unknown address: a page for people, JSON under /api/ (as the API documents)."""
    if request.path.startswith("/api/"):
        return api_errors.http_error(err)
    return refusal(404, HTTP_REASONS[404][_en()])


def install_error_pages(area: Blueprint) -> None:
    """Errors of a page are pages, in the visitor's language (the API answers JSON)."""
    if area.name in _WITH_ERROR_PAGES:  # blueprints outlive apps (one per test)
        return
    _WITH_ERROR_PAGES.add(area.name)

    @area.errorhandler(Refused)
    def refused(err: Refused):
        return refusal(err.status, err.message)

    @area.errorhandler(RemoteError)
    def remote(err: RemoteError):
        status = {name: code for name, (code, _) in api_errors.REMOTE_ERRORS.items()}
        if err.exc_type not in status:
            current_app.logger.error("unexpected remote error %s", err)
            return refusal(500, gettext("Something went wrong."))
        if err.exc_type in DOWN:
            return refusal(503, gettext("This service is down."))
        return refusal(status[err.exc_type], i18n.refused(err))

    @area.errorhandler(BrokerUnavailable)
    def reconnecting(err: BrokerUnavailable):
        text = gettext("Reconnecting. Try again.")
        page, status = refusal(503, text)
        return page, status, {"Retry-After": "5"}

    @area.errorhandler(RpcTimeout)
    def timeout(err: RpcTimeout):
        return refusal(504, gettext("A service is busy. Retry."))

    @area.errorhandler(ValidationError)
    def bad_text(err: ValidationError):  # a query string or a form the mall does not take
        return refusal(422, gettext("Check the marked fields."))

    @area.errorhandler(MallError)
    def denied(err: MallError):
        return refusal(REFUSALS.get(type(err).__name__, 403), i18n.refused(err))

    @area.errorhandler(ModuleUnavailable)
    def unavailable(err: ModuleUnavailable):
        page, status = refusal(503, str(err))  # says it in both languages
        return page, status, {"Retry-After": "30"}

    @area.errorhandler(HTTPException)
    def http(err: HTTPException):
        return refusal(err.code or 500, HTTP_REASONS.get(err.code, (err.name, err.name))[_en()])


install_error_pages(bp)


def start_session(account, session) -> object:
    """The response after signing in: the cookie holds an access token good for a working
    day; signing out or a disabled account ends it at once (checked on every request)."""
    hours = float(current_app.config["WEB_SESSION_HOURS"])
    actor = account_api.actor_of(account)
    token = issue_token(current_app.config, actor, session.id, minutes=int(hours * 60))
    g.actor = actor  # a staff sign-in is in the audit log
    destination = safe_next(request.form.get("next")) or url_for(
        STAFF_HOME.get(actor.role, "portal.home")
    )
    response = redirect(destination, 303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(timedelta(hours=hours).total_seconds()),
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
    )
    return response


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (no open redirect to another): browsers read a backslash
    as a slash, so ``/\\evil.example`` would leave the site."""
    if not target or not target.isprintable() or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    errors, message = {}, None
    if request.method == "POST":
        try:
            data = attempt(http.SignIn().load, form_of(http.SignIn()))
            account, session, _ = attempt(account_api.check_sign_in, data)
            return start_session(account, session)
        except account_api.WrongCredentials:
            message, status = i18n.refusal(account_api.WRONG_CREDENTIALS), 401
        except sessions.AccountClosed as closed:
            message, status = i18n.refusal(closed.code), 403
        except Refused as err:
            message, errors, status = err.message, err.fields, err.status
        page = render_template("sign_in.html", errors=errors, message=message, form=request.form)
        return page, status
    return render_template("sign_in.html", errors={}, message=None, form=request.args)


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    if request.method == "POST":
        try:
            data = attempt(http.SignUp().load, form_of(http.SignUp()))
            account, session, _ = attempt(account_api.sign_up_citizen, data)
            return start_session(account, session)
        except Refused as err:
            page = render_template(
                "sign_up.html", errors=err.fields, message=err.message, form=request.form
            )
            return page, err.status
    return render_template("sign_up.html", errors={}, message=None, form={})


@bp.post("/sign-out")
def sign_out():
    if g.session_id:
        with account_api.database() as db:
            sessions.revoke(db, g.session_id, account_api.now())
    response = redirect(url_for("portal.home"), 303)
    response.delete_cookie(COOKIE)
    return response
