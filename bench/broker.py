"""A RabbitMQ node of its own (port, node name, data directory) for fault runs and tests,
so restarting it never touches the machine's broker.

    with PrivateBroker() as broker:
        broker.amqp_uri          # pyamqp://guest:guest@127.0.0.1:<port>//
        broker.restart_app()     # rabbitmqctl stop_app; sleep; start_app
        broker.restart_server()  # the whole node stopped and started again

It runs the Debian ``rabbitmq-server`` as the ``rabbitmq`` user (as the packaged one
does), with an empty plugin list and its own config file, log and mnesia directories.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateBroker:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.dist_port = free_port()
        self.node = f"mppfault{self.port}@localhost"
        # not under pytest's tmp_path: the rabbitmq user must be able to reach it
        self.home = Path(tempfile.mkdtemp(prefix=f"mpp-rabbit-{self.port}-"))
        (self.home / "enabled_plugins").write_text("[].\n")
        (self.home / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        if os.geteuid() == 0:
            user = pwd.getpwnam("rabbitmq")
            os.chown(self.home, user.pw_uid, user.pw_gid)
            for path in self.home.iterdir():
                os.chown(path, user.pw_uid, user.pw_gid)

    @property
    def amqp_uri(self) -> str:
        return f"pyamqp://guest:guest@127.0.0.1:{self.port}//"

    def _env(self) -> dict:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.home / "log"),
            "RABBITMQ_PID_FILE": str(self.home / "pid"),
        }

    def ctl(self, *args: str, timeout: float = 90) -> str:
        """What ``rabbitmqctl -n <this node> args...`` prints."""
        return subprocess.run(
            ["rabbitmqctl", "-n", self.node, *args],
            env=self._env(),
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        ).stdout

    def queue_names(self) -> list[str]:
        return self.ctl("list_queues", "name", "--quiet", "--no-table-headers").split()

    def start(self) -> "PrivateBroker":
        subprocess.run(["rabbitmq-server", "-detached"], env=self._env(), check=True)
        self.ctl("wait", str(self.home / "pid"), "--timeout", "90", timeout=120)
        self.wait_open()
        return self

    def wait_open(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"the private broker did not open port {self.port}")

    def restart_app(self, down_seconds: float = 2) -> None:
        """What an operator's ``rabbitmqctl stop_app; sleep 2; start_app`` does."""
        self.ctl("stop_app")
        time.sleep(down_seconds)
        self.ctl("start_app")
        self.wait_open()

    def restart_server(self, down_seconds: float = 2) -> None:
        """The whole node stopped, then started again (its durable queues recovered)."""
        self.ctl("stop", str(self.home / "pid"))
        time.sleep(down_seconds)
        self.start()

    def stop(self) -> None:
        try:
            self.ctl("stop", str(self.home / "pid"))
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "PrivateBroker":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
