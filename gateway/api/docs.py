"""The API described: the OpenAPI 3 document and Swagger UI."""

from flask import Blueprint

bp = Blueprint("docs", __name__)
