"""``GET /health``: every service's own health report, asked over RPC in parallel."""

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app, jsonify

from gateway.rpc import BrokerUnavailable, RemoteError, RpcTimeout, request_context, rpc

bp = Blueprint("health", __name__)
log = logging.getLogger("mpp.gateway")


def unreachable(service: str, reason: str) -> dict:
    return {"service": service, "status": "unreachable", "reason": reason}


@bp.get("/health")
def health():
    """Each service's own health report, asked in parallel; 503 when any is not ok.
    ---
    get:
      tags: [health]
      x-gateway-errors: [401, 500]
      responses:
        200:
          description: Every service is healthy.
          content:
            application/json:
              schema: gateway.openapi.Health
        503:
          description: A service is failing or could not be asked.
          content:
            application/json:
              schema: gateway.openapi.Health
    """
    services = current_app.config["SERVICES"]
    timeout = float(current_app.config["HEALTH_TIMEOUT"])
    context = request_context()

    def ask(service: str) -> dict:
        try:
            return rpc_client.call(service, "health", context=context, timeout=timeout)
        except BrokerUnavailable:
            return unreachable(service, "broker_unavailable")
        except RpcTimeout:
            return unreachable(service, "timeout")
        except RemoteError as err:
            return unreachable(service, err.exc_type)
        except Exception as err:  # the broker itself is gone: still a report, not a 500
            return unreachable(service, type(err).__name__)

    try:
        rpc_client = rpc()
        broker = "ok" if getattr(rpc_client, "connected", True) else "unreachable"
    except Exception as err:
        rpc_client, broker = None, "unreachable"
        log.warning("no RPC client: %r", err)
    if broker != "ok":  # no service can be asked: say so once, not as each one's fault
        reports = [unreachable(service, "broker_unavailable") for service in services]
    else:
        with ThreadPoolExecutor(max_workers=len(services)) as pool:
            reports = list(pool.map(ask, services))
    healthy = broker == "ok" and all(report.get("status") == "ok" for report in reports)
    body = {
        "status": "ok" if healthy else "degraded",
        "broker": broker,
        "services": {report["service"]: report for report in reports},
    }
    return jsonify(body), 200 if healthy else 503
