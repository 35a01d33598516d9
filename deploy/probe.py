"""Probes of a service's container (compose healthchecks, Kubernetes exec probes).

    python -m deploy.probe live             # exit 0: the container's main process runs
    python -m deploy.probe ready intake     # exit 0: intake can work from here

``live`` looks at nothing outside the container (a broker or database outage must not restart
every service): PID 1, the ``nameko run`` process, is there and neither a zombie nor stopped.

``ready SERVICE`` reads the configuration as the service does (``BATON_CONFIG``) and checks, within
``BATON.health.deadline_seconds`` each, what ``GET /health`` asks of a service: its own database
answers a ping from here, and the broker answers here with the service's RPC queue
(``rpc-<service>``) declared and consumed. The gateway's own probes are HTTP: ``/ready`` and
``/health`` (README "Running on a cluster").
"""

import os
import sys
import warnings
from pathlib import Path

import yaml

LIVE_STATES = {"R", "S", "D", "I"}  # running, sleeping, in I/O, idle; not Z (zombie) nor T (stopped)


def main_process_state(proc: Path = Path("/proc/1/stat")) -> str | None:
    """The state letter of PID 1, or None when there is none to read."""
    try:
        stat = proc.read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split(" ", 1)[0]  # "1 (python) S 0 …": after the name


def live() -> list[str]:
    state = main_process_state()
    return (
        [] if state in LIVE_STATES else [f"the main process is {'missing' if state is None else 'in state ' + state}"]
    )


def read_config(path: str) -> dict:
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()  # ${VAR:default} as `nameko run` reads it
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def ready(service: str, config: dict) -> list[str]:
    from pymongo import MongoClient

    from services.runtime.databases import SERVICES, service_database_name, service_uri
    from services.runtime.health import queue_states

    if service not in SERVICES:
        return [f"no service {service!r} ({', '.join(SERVICES)})"]
    deadline_ms = int(float((config.get("BATON", {}).get("health") or {}).get("deadline_seconds", 2)) * 1000)
    problems = []
    try:
        with MongoClient(
            service_uri(config, service), serverSelectionTimeoutMS=deadline_ms, connectTimeoutMS=deadline_ms
        ) as client:
            client[service_database_name(config, service)].command("ping")
    except Exception as error:
        problems.append(f"its database does not answer ({type(error).__name__})")
    try:
        [queue] = queue_states(config["AMQP_URI"], [f"rpc-{service}"])
        if queue["messages"] is None:
            problems.append(f"rpc-{service} is not declared")
        elif not queue["consumers"]:
            problems.append(f"nobody consumes rpc-{service}")
    except Exception as error:
        problems.append(f"the broker does not answer ({type(error).__name__})")
    return problems


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # nameko's, on every probe
    args = sys.argv[1:] if argv is None else argv
    if args == ["live"]:
        problems = live()
    elif len(args) == 2 and args[0] == "ready":
        problems = ready(args[1], read_config(os.environ.get("BATON_CONFIG", "deploy/config.yaml")))
    else:
        print("usage: python -m deploy.probe live | ready SERVICE", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"not {args[0]}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
