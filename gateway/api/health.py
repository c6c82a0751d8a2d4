"""``GET /health``: every service's own health report, asked over RPC in parallel."""

from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app, jsonify

from gateway.app import request_context, rpc
from gateway.rpc import RemoteError, RpcTimeout

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    services = current_app.config["SERVICES"]
    timeout = float(current_app.config["HEALTH_TIMEOUT"])
    client, context = rpc(), request_context()

    def ask(service: str) -> dict:
        try:
            return client.call(service, "health", context=context, timeout=timeout)
        except RpcTimeout:
            return {"service": service, "status": "unreachable", "reason": "timeout"}
        except RemoteError as err:
            return {"service": service, "status": "unreachable", "reason": err.exc_type}

    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        reports = list(pool.map(ask, services))
    healthy = all(report.get("status") == "ok" for report in reports)
    body = {
        "status": "ok" if healthy else "degraded",
        "services": {report["service"]: report for report in reports},
    }
    return jsonify(body), 200 if healthy else 503
