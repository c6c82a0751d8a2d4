"""What agency modules publish beyond their applications, as pages: the views of their
manifests (the public register of complaints, figures per agency), and a signed-in
citizen's operations on a listed case (adding her voice to another's complaint). Like the
API's routes, nothing here is a module's own: the manifest says what there is, the module
decides who sees and does what."""

from flask import Blueprint, g, redirect, render_template, request, url_for

from chassis.errors import NotFound
from gateway.api.modules import (
    ModuleUnavailable,
    live_manifest,
    operate,
    read_view,
    view_of,
    view_query,
)
from gateway.api.requests import query_args
from gateway.rpc import call
from gateway.web.i18n import named
from gateway.web.pages import Refused, attempt, refusal, signed_in_as

bp = Blueprint("published", __name__)


def mall_modules() -> dict[str, dict[str, str]]:
    """The mall's modules from the catalog: module -> {service code: its name}. Any of
    them may owe this officer a step (a complaint is sent to her agency)."""
    modules: dict[str, dict[str, str]] = {}
    for entry in call("catalog", "search", {}):
        if entry["kind"] == "module" and entry.get("module"):
            name = named(entry)
            modules.setdefault(entry["module"], {})[entry["code"]] = name
    return modules


def public_views() -> list[dict]:
    """The public views of the live modules, for the home page: ``{manifest, view}``."""
    found = []
    for module in sorted(mall_modules()):
        try:
            manifest = live_manifest(module)
        except (ModuleUnavailable, NotFound):
            continue
        found += [
            {"manifest": manifest, "view": view}
            for view in manifest.get("views") or ()
            if view["audience"] == "public"
        ]
    return found


def choices_of(manifest: dict) -> dict[str, dict]:
    """The choice fields of a module's forms by name, for naming a view's choice column."""
    return {
        spec["name"]: spec
        for service in manifest["services"]
        for spec in service["form"]
        if spec["type"] == "choice"
    }


def operations_of(manifest: dict) -> dict[str, dict]:
    return {operation["name"]: operation for operation in manifest.get("operations") or ()}


def done_text(manifest: dict) -> dict | None:
    """The operation a redirect says was done (``?done=``), if the manifest has it."""
    return operations_of(manifest).get(request.args.get("done") or "")


@bp.get("/modules/<module>/views/<view>")
def view(module: str, view: str):
    manifest = attempt(live_manifest, module)
    spec = attempt(view_of, manifest, module, view)
    if spec["audience"] != "public" and g.actor.id is None:
        return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
    errors, rows, status = {}, [], 200
    try:
        rows = attempt(read_view, module, spec, attempt(query_args, view_query(spec)))
    except Refused as err:
        errors, status = err.fields or {"_schema": [err.message]}, err.status
    page = render_template(
        "published/view.html",
        manifest=manifest,
        view=spec,
        rows=rows,
        errors=errors,
        args=request.args,
        choices=choices_of(manifest),
        operation=operations_of(manifest).get(spec.get("row_operation")),
        done=done_text(manifest),
    )
    return page, status


@bp.post("/modules/<module>/applications/<application_id>/operations/<operation>")
@signed_in_as()  # the module says who may (adding a voice: citizens, not to their own)
def operate_on(module: str, application_id: str, operation: str):
    manifest = attempt(live_manifest, module)
    try:
        attempt(operate, manifest, module, application_id, operation)
    except Refused as err:
        return refusal(err.status, err.message)
    back = request.form.get("back", "")
    if not back.startswith(f"/modules/{module}/") or "//" in back or "\\" in back:
        back = url_for("portal.applications")
    return redirect(f"{back}?done={operation}", 303)
