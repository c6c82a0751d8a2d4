"""gunicorn settings for the gateway, read from config/gateway.yaml.

gthread workers (gunicorn 23+ has no eventlet worker), as ``gateway.worker.MallWorker``: it
answers gunicorn's own refusals (414, 431, 400) with the mall's JSON error body. The RPC
client is created per worker process on first use, never in the master, so nothing crosses
a fork.
"""

import os

from chassis.config import config_path, load_config
from chassis.logs import configure

_config = load_config(os.environ.get("GATEWAY_CONFIG", config_path("gateway")))

bind = f"{_config['HOST']}:{_config['PORT']}"
worker_class = "gateway.worker.MallWorker"
workers = int(_config["WORKERS"])
threads = int(_config["THREADS"])
timeout = 30
graceful_timeout = 10
preload_app = False
accesslog = "-"
# gunicorn 27's control socket lives at one path per user: several gateways would share it.
control_socket_disable = True


def post_fork(server, worker):
    configure(_config.get("LOG_LEVEL", "INFO"))
