"""(being written)"""

from flask import Blueprint

bp = Blueprint("board", __name__)


@bp.get("/board")
def display():
    return "board"
