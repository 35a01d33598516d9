"""The whole system as a user runs it: ``python -m deploy.supervisor`` on a vhost of its own."""
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import NamedTuple

import pytest
import requests
from nameko.events import EventHandler

from contracts.topology import INTAKE_QUEUE
from deploy.docstore import free_port
from deploy.supervisor import SERVICES
from tests.integration.helpers import wait_for

REPO = Path(__file__).resolve().parents[2]
MANAGEMENT = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")
STARTUP_SECONDS = 120


def expected_queues():
    """Every queue the services consume from, so the test starts only once all listen."""
    import importlib

    names = {INTAKE_QUEUE}
    for module_name in SERVICES:
        module = importlib.import_module(module_name)
        for service in (v for v in vars(module).values() if isinstance(v, type) and getattr(v, "name", None)):
            if service.__module__ != module_name:
                continue
            if service.name != "gateway":
                names.add(f"rpc-{service.name}")
            for method_name, method in vars(service).items():
                for entrypoint in getattr(method, "nameko_entrypoints", ()):
                    if isinstance(entrypoint, EventHandler):
                        source, event = entrypoint.source_service, entrypoint.event_type
                        names.add(f"evt-{source}-{event}--{service.name}.{method_name}")
    return names


class System(NamedTuple):
    api: str
    amqp_uri: str
    supervisor_pid: int


@pytest.fixture(scope="session")
def vhost():
    name = f"baton-e2e-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH).raise_for_status()
    requests.put(f"{MANAGEMENT}/permissions/{name}/guest", auth=AUTH,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    yield name
    requests.delete(f"{MANAGEMENT}/vhosts/{name}", auth=AUTH)


@pytest.fixture(scope="session")
def system(vhost, tmp_path_factory):
    """A running system (API base URL, AMQP URI, supervisor pid), stopped with Ctrl-C's signal."""
    data_dir = tmp_path_factory.mktemp("baton-var")
    address = f"127.0.0.1:{free_port()}"
    amqp_uri = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    env = {**os.environ, "BATON_AMQP_URI": amqp_uri, "BATON_DATA_DIR": str(data_dir),
           "BATON_DOCSTORE_PORT": str(free_port()), "BATON_HTTP_ADDRESS": address}
    env.pop("BATON_MONGO_URI", None)
    output = open(data_dir / "supervisor.out", "w")
    process = subprocess.Popen([sys.executable, "-m", "deploy.supervisor"], cwd=REPO, env=env,
                               stdout=output, stderr=subprocess.STDOUT)
    api = f"http://{address}"
    try:
        wait_for(lambda: _healthy(api), timeout=STARTUP_SECONDS, interval=0.5, what="the gateway")
        expected = expected_queues()
        wait_for(lambda: expected <= _consumed_queues(vhost), timeout=STARTUP_SECONDS, interval=0.5,
                 what=f"consumers on {sorted(expected)}")
        yield System(api, amqp_uri, process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
            output.close()
            print((data_dir / "supervisor.out").read_text()[-3000:])


def _healthy(api):
    try:
        return requests.get(f"{api}/health", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


def _consumed_queues(vhost):
    queues = requests.get(f"{MANAGEMENT}/queues/{vhost}", auth=AUTH).json()
    return {q["name"] for q in queues if q.get("consumers", 0) > 0}
