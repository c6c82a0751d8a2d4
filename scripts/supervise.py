"""Run every process of a Procfile under supervisord, which restarts one that dies.

    python -m scripts.supervise [Procfile] [--var var]

Each Procfile line becomes a supervisord program: restarted whenever it exits, with a
growing pause (1 s, 2 s, 3 s, ...) while it keeps failing to stay up for ``START_SECONDS``;
its output goes to the combined output of supervisord, where every JSON log line names its
process (``MPP_PROCESS``), and every start, exit and restart is logged by supervisord.
Ctrl-C (SIGINT) or SIGTERM stops every process, then supervisord.

    .venv/bin/supervisorctl -c var/supervisord.conf status           # what runs, since when
    .venv/bin/supervisorctl -c var/supervisord.conf restart mall:queue
"""

import argparse
import os
import shlex
import sys
from configparser import ConfigParser
from pathlib import Path

START_SECONDS = 3  # a process that dies sooner counts as a failed start (backoff grows)
START_RETRIES = 1000  # failed starts in a row before supervisord gives a program up
STOP_SECONDS = 15  # then SIGKILL
GROUP = "mall"


def read_procfile(path: Path) -> dict[str, str]:
    """``name: command`` lines, in order."""
    processes = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def supervisord_config(processes: dict[str, str], root: Path, var: Path) -> ConfigParser:
    config = ConfigParser(interpolation=None)
    config["supervisord"] = {
        "nodaemon": "true",  # in the foreground, its log (starts, exits) also on stdout
        "logfile": str(var / "supervisord.log"),
        "pidfile": str(var / "supervisord.pid"),
        "childlogdir": str(var),
    }
    config["unix_http_server"] = {"file": str(var / "supervisor.sock"), "chmod": "0700"}
    config["supervisorctl"] = {"serverurl": f"unix://{var / 'supervisor.sock'}"}
    config["rpcinterface:supervisor"] = {
        "supervisor.rpcinterface_factory": "supervisor.rpcinterface:make_main_rpcinterface"
    }
    # one group: stopped all at once (supervisord stops one group after another)
    config[f"group:{GROUP}"] = {"programs": ",".join(processes)}
    for name, command in processes.items():
        config[f"program:{name}"] = {
            # a shell line, as in a Procfile; exec so that signals reach the process itself
            "command": f"/bin/sh -c {shlex.quote('exec ' + command)}",
            "directory": str(root),
            "environment": f'MPP_PROCESS="{name}"',
            "autorestart": "true",
            "startsecs": str(START_SECONDS),
            "startretries": str(START_RETRIES),
            "stopsignal": "TERM",
            "stopwaitsecs": str(STOP_SECONDS),
            "stopasgroup": "true",
            "killasgroup": "true",
            "redirect_stderr": "true",
            "stdout_logfile": "/dev/stdout",
            "stdout_logfile_maxbytes": "0",
        }
    return config


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Run a Procfile under supervisord.")
    parser.add_argument("procfile", nargs="?", default="Procfile")
    parser.add_argument("--var", default="var", help="folder for its config, socket and pid")
    args = parser.parse_args(argv)
    procfile = Path(args.procfile).resolve()
    var = Path(args.var).resolve()
    var.mkdir(parents=True, exist_ok=True)
    path = var / "supervisord.conf"
    with open(path, "w") as out:
        supervisord_config(read_procfile(procfile), procfile.parent, var).write(out)
    supervisord = Path(sys.executable).with_name("supervisord")
    os.execv(supervisord, [str(supervisord), "--configuration", str(path)])


if __name__ == "__main__":
    main()
