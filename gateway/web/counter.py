"""(being written)"""

from flask import Blueprint

bp = Blueprint("counter", __name__)


@bp.get("/counter")
def console():
    return "counter"
