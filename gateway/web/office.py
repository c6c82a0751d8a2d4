"""(being written)"""

from flask import Blueprint

bp = Blueprint("office", __name__)


@bp.get("/office")
def worklist():
    return "office"
