"""A whole Baton system started for a test run or a bench: its own RabbitMQ vhost, its own
embedded document store and data folder, the real supervisor — torn down afterwards.

    with local_system(data_dir) as system:
        system.api, system.amqp_uri, system.mongo_uri, system.supervisor_pid

    with local_system(data_dir, services=["pool"], config=path) as system:   # a part, configured
    with local_system(data_dir, amqp_uri=uri) as system:    # on a broker of the caller's own
"""

import importlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from base64 import b64encode
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from amqp.exceptions import AMQPError, ChannelError
from kombu import Connection
from kombu.exceptions import OperationalError
from nameko.events import EventHandler
from nameko.standalone.rpc import ClusterRpcProxy

from contracts.errors import Conflict
from contracts.topology import INTAKE_QUEUE
from deploy.docstore import free_port
from deploy.supervisor import SERVICES, service_name

REPO = Path(__file__).resolve().parents[1]
MANAGEMENT = "http://127.0.0.1:15672/api"
STARTUP_SECONDS = 120
STOP_SECONDS = 30


class System(NamedTuple):
    api: str
    amqp_uri: str
    mongo_uri: str
    supervisor_pid: int
    data_dir: Path | None = None  # its logs are in data_dir / "log" / "<service>.log"


def management(method, path, body=None):
    """A call to RabbitMQ's management API (guest/guest on this machine)."""
    request = urllib.request.Request(
        f"{MANAGEMENT}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Basic " + b64encode(b"guest:guest").decode(), "content-type": "application/json"},
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
        text = response.read()
        return json.loads(text) if text else None


def expected_queues(modules=SERVICES):
    """Every queue these services consume from: the system is ready once all have consumers."""
    names = {INTAKE_QUEUE} if "services.intake.service" in modules else set()
    for module_name in modules:
        module = importlib.import_module(module_name)
        for service in (v for v in vars(module).values() if isinstance(v, type) and getattr(v, "name", None)):
            if service.__module__ != module_name:
                continue
            if service.name != "gateway":
                names.add(f"rpc-{service.name}")
            for method_name, method in vars(service).items():
                for entrypoint in getattr(method, "nameko_entrypoints", ()):
                    if isinstance(entrypoint, EventHandler):
                        names.add(
                            f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{service.name}.{method_name}"
                        )
    return names


@contextmanager
def local_system(data_dir, services=None, config=None, env=None, amqp_uri=None):
    """``services``: the names to run (default: all); ``config``: a configuration file to use
    instead of deploy/config.yaml (it keeps the ``${BATON_…}`` settings this function gives);
    ``env``: extra environment for the supervisor and its services (e.g. BATON_SMTP_PORT);
    ``amqp_uri``: a broker (and vhost) of the caller's own, such as a RabbitMQ node a test stops
    and starts (tests/e2e/private_broker.py): then no vhost is made on the machine's broker and
    readiness is asked over AMQP, not through the management API."""
    modules = [m for m in SERVICES if services is None or service_name(m) in services]
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    vhost = None
    if amqp_uri is None:
        vhost = f"baton-{uuid.uuid4().hex[:8]}"
        management("PUT", f"/vhosts/{vhost}")
        management("PUT", f"/permissions/{vhost}/guest", {"configure": ".*", "write": ".*", "read": ".*"})
        amqp_uri = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    address, docstore_port = f"127.0.0.1:{free_port()}", free_port()
    env = {
        **os.environ,
        "BATON_AMQP_URI": amqp_uri,
        "BATON_DATA_DIR": str(data_dir),
        "BATON_DOCSTORE_PORT": str(docstore_port),
        "BATON_HTTP_ADDRESS": address,
        **(env or {}),
    }
    env.pop("BATON_MONGO_URI", None)
    docstore_port = int(env["BATON_DOCSTORE_PORT"])  # a caller may choose it (a bench's proxies sit in front)
    if config is not None:
        env["BATON_CONFIG"] = str(Path(config).resolve())
    command = [sys.executable, "-m", "deploy.supervisor"]
    if services is not None:
        command += ["--services", ",".join(service_name(m) for m in modules)]
    output = open(data_dir / "supervisor.out", "w")
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(f"http://{address}", vhost or amqp_uri, process, modules)
        yield System(f"http://{address}", amqp_uri, f"mongodb://127.0.0.1:{docstore_port}/baton", process.pid, data_dir)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()
        try:
            if vhost is not None:
                management("DELETE", f"/vhosts/{vhost}")
        except OSError:
            pass


def provision_users(system, people):
    """Create users through the gateway's RPC, as the admin CLI does, and issue each a token.
    ``people``: {user id: (role, department, team)}; returns {user id: token}."""
    tokens = {}
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as cluster:
        for user_id, (role, department, team) in people.items():
            try:
                cluster.gateway.add_user(
                    {"id": user_id, "name": user_id.title(), "role": role, "department": department, "team": team}
                )
            except Conflict:
                pass  # provisioned before (a second fixture of the same run)
            tokens[user_id] = cluster.gateway.issue_token(user_id, {"label": "provisioned"})["token"]
    return tokens


def salespeople_known(system, user_ids, timeout=60):
    """Wait until the pool allocates to these users (it learns of them from the gateway's
    ``user_saved``): salespeople are users, and a system starts with none."""
    deadline = time.monotonic() + timeout
    with ClusterRpcProxy({"AMQP_URI": system.amqp_uri}) as cluster:
        while time.monotonic() < deadline:
            known = {p["id"] for p in cluster.pool.list_salespeople()["items"] if p["active"]}
            if set(user_ids) <= known:
                return
            time.sleep(0.2)
    raise RuntimeError(f"the pool did not learn of {sorted(set(user_ids) - known)} within {timeout} s")


def _wait_until_ready(api, broker, process, modules):
    """``broker``: the vhost made on the machine's broker, or the AMQP URI of the caller's own."""
    expected = expected_queues(modules)
    with_api = "services.gateway.service" in modules
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the supervisor exited with code {process.returncode}")
        if not with_api or _healthy(api):
            if "://" in broker:
                consumed = consumed_queues(broker, expected)
            else:
                consumed = {q["name"] for q in management("GET", f"/queues/{broker}") if q.get("consumers", 0) > 0}
            if expected <= consumed:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the system was not ready within {STARTUP_SECONDS} s (logs under the data folder)")


def consumed_queues(amqp_uri, names):
    """Those of ``names`` that have a consumer, asked with a passive declare of each (AMQP's own
    way, for a broker without the management API)."""
    consumed = set()
    try:
        with Connection(amqp_uri, connect_timeout=2) as connection:
            for name in names:
                channel = connection.channel()
                try:
                    _, _, consumers = channel.queue_declare(queue=name, passive=True)
                    if consumers > 0:
                        consumed.add(name)
                except ChannelError:
                    continue  # not declared yet: the broker closed this channel
                channel.close()
    except (OSError, OperationalError, AMQPError):
        pass  # the broker is not there (yet), or went away while asked
    return consumed


def _healthy(api):
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{api}/ready", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False
