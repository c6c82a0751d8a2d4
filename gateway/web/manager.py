"""(being written)"""

from flask import Blueprint

bp = Blueprint("manager", __name__)


@bp.get("/manager")
def overview():
    return "manager"
