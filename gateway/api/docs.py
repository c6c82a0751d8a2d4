"""The API described: the OpenAPI 3 document and Swagger UI.

Swagger UI's files come from the installed ``swagger_ui_bundle`` package and are served
here under ``/docs/``: the page loads nothing from any other host.
"""

from flask import Blueprint, current_app, jsonify, url_for
from swagger_ui_bundle import swagger_ui_path

from gateway.openapi import build_spec

bp = Blueprint("docs", __name__, static_folder=str(swagger_ui_path), static_url_path="/docs")

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MPP API</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" type="image/png" href="{icon}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{preset}"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "{spec}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout"
}});
</script>
</body>
</html>
"""


@bp.get("/api/v1/openapi.json")
def openapi():
    """This document: the OpenAPI 3.0 description of the API.
    ---
    get:
      x-gateway-errors: [401, 500]
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [openapi, info, paths]
    """
    if "openapi" not in current_app.extensions:  # built once per process, on first use
        current_app.extensions["openapi"] = build_spec(current_app)
    return jsonify(current_app.extensions["openapi"])


@bp.get("/docs")
def swagger_ui():
    """Swagger UI, reading the document above."""
    page = PAGE.format(
        css=_asset("swagger-ui.css"),
        icon=_asset("favicon-32x32.png"),
        bundle=_asset("swagger-ui-bundle.js"),
        preset=_asset("swagger-ui-standalone-preset.js"),
        spec=url_for("docs.openapi"),
    )
    return page, 200, {"Content-Type": "text/html; charset=utf-8"}


def _asset(name: str) -> str:
    return url_for("docs.static", filename=name)
