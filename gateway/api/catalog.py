"""Public catalog: the services with a queue and the permits the mall issues."""

from flask import Blueprint, jsonify

from gateway.app import call

bp = Blueprint("catalog", __name__, url_prefix="/api/v1")


@bp.get("/service-lines")
def service_lines():
    """The services with a ticket series, and how many are waiting for each now.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                additionalProperties: false
                properties:
                  items: {type: array, items: contracts.queue.ServiceLine}
    """
    return jsonify({"items": call("queue", "list_service_lines")})


@bp.get("/permit-types")
def permit_types():
    """The permits the mall issues, with their fees, deadlines and required documents.
    ---
    get:
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [items]
                additionalProperties: false
                properties:
                  items: {type: array, items: contracts.licensing.PermitType}
    """
    return jsonify({"items": call("licensing", "list_permit_types")})
