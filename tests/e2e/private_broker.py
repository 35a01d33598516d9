"""A RabbitMQ node of a test's own, to stop and start as it likes: the machine's broker on 5672
serves every other test run, so nothing here touches it.

    with private_broker(tmp_dir) as broker:      # or the ``private_rabbitmq`` fixture below
        broker.amqp_uri                         # guest on its default vhost
        broker.restart()                        # the node goes down and boots again (same data)
        broker.stop_app(); broker.start_app()   # or only the broker application, the VM staying

The node has its own name, ports, data (mnesia), logs, configuration, plugins (none: no
management API), and Erlang cookie (in a ``HOME`` of its own, for the node and its
``rabbitmqctl``), all under one folder. A restart keeps its durable queues and persistent
messages, as a real broker restart does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from kombu import Connection

from deploy.docstore import die_with_parent, free_port

# The scripts themselves, not /usr/sbin's wrappers (those run everything as the rabbitmq user,
# with its cookie and home, where this node's folder may not be readable).
SCRIPTS = Path(os.environ.get("BATON_RABBITMQ_SCRIPTS", "/usr/lib/rabbitmq/bin"))
START_SECONDS = 60
STOP_SECONDS = 30


def available() -> bool:
    return (SCRIPTS / "rabbitmq-server").exists() and (SCRIPTS / "rabbitmqctl").exists()


class PrivateBroker:
    """One RabbitMQ node, started by ``start`` and stopped for good by ``shutdown``."""

    def __init__(self, base_dir: Path, name: str = "baton-faults"):
        self.base_dir = Path(base_dir)
        self.node = f"{name}-{uuid.uuid4().hex[:8]}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.amqp_uri = f"pyamqp://guest:guest@127.0.0.1:{self.port}//"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        home = self.base_dir / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(uuid.uuid4().hex.upper())
            cookie.chmod(0o400)
        (self.base_dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            "loopback_users.guest = true\n"
            # A test machine's disk may be fuller than the default alarm allows.
            "disk_free_limit.absolute = 1MB\n"
        )
        (self.base_dir / "enabled_plugins").write_text("[].\n")
        (self.base_dir / "rabbitmq-env.conf").write_text("")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))},
            "HOME": str(home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.base_dir / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.base_dir / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base_dir / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base_dir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.base_dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base_dir / "log"),
            "RABBITMQ_PID_FILE": str(self.base_dir / "rabbitmq.pid"),
            # Erlang's distribution on the loopback only, as the machine's broker has it.
            "RABBITMQ_SERVER_START_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    # --- the node's life --------------------------------------------------------------------

    def start(self) -> None:
        """Boot the node (with what it had before, if it ran) and wait until it takes connections."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.starts += 1
        output = open(self.base_dir / f"server-{self.starts}.out", "wb")
        self.process = subprocess.Popen(
            [str(SCRIPTS / "rabbitmq-server")],
            env=self.env,
            cwd=self.base_dir,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C meant for pytest is not the node's
            # pytest killed outright takes the node along (its shell stops the VM on SIGTERM)
            preexec_fn=partial(die_with_parent, signal.SIGTERM),
        )
        output.close()
        # The listener opens last, once the node has booted: wait for it (asking rabbitmqctl
        # before the VM is up fails at once, and each ask starts a VM of its own), then confirm.
        self.wait_accepting()
        self.ctl("await_startup", timeout=START_SECONDS)

    def stop_app(self) -> None:
        """The broker stops (every connection closed, the port shut) while its Erlang VM stays."""
        self.ctl("stop_app")

    def start_app(self) -> None:
        self.ctl("start_app", timeout=START_SECONDS)
        self.wait_accepting()

    def shutdown(self) -> None:
        """Stop the node and its VM (its data stays for a later ``start``)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.ctl("shutdown", timeout=STOP_SECONDS)
        except (subprocess.SubprocessError, RuntimeError):
            self.process.terminate()  # rabbitmq-server's shell stops its VM on SIGTERM
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            # The shell and the VM it started are one session: all of it goes.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self, *, down_seconds: float = 0.0) -> None:
        """A real restart: the whole node goes down (``shutdown``) and boots again on the same
        data, ``down_seconds`` later; durable queues and persistent messages come back."""
        self.shutdown()
        time.sleep(down_seconds)
        self.start()

    # --- helpers -----------------------------------------------------------------------------

    def ctl(self, *args: str, timeout: float = STOP_SECONDS) -> str:
        """``rabbitmqctl -n <node> …``: its output; an error names the command and what it said."""
        done = subprocess.run(
            [str(SCRIPTS / "rabbitmqctl"), "-n", self.node, *args, *(["--timeout", str(int(timeout))])],
            env=self.env,
            cwd=self.base_dir,
            capture_output=True,
            text=True,
            timeout=timeout + 15,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"rabbitmqctl {' '.join(args)} on {self.node} failed ({done.returncode}): "
                f"{done.stdout}{done.stderr} (logs under {self.base_dir / 'log'})"
            )
        return done.stdout

    def wait_accepting(self, timeout: float = START_SECONDS) -> None:
        """Until an AMQP client gets in; a node that exits meanwhile is an error at once."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with Connection(self.amqp_uri, connect_timeout=2) as connection:
                    connection.connect()
                    return
            except Exception:
                exited = self.process is not None and self.process.poll() is not None
                if exited or time.monotonic() > deadline:
                    log = self.base_dir / f"server-{self.starts}.out"
                    self.shutdown()
                    raise RuntimeError(
                        f"RabbitMQ node {self.node} is not accepting connections on port {self.port} "
                        f"({'it exited' if exited else f'after {timeout} s'}; see {log} and {self.base_dir / 'log'})"
                    ) from None
                time.sleep(0.2)

    def queue_messages(self) -> dict[str, int]:
        """{queue: messages (ready and unacknowledged)} on the default vhost, as the node counts them."""
        listed = self.ctl("list_queues", "name", "messages", "--quiet", "--no-table-headers")
        counts = {}
        for line in listed.splitlines():
            name, _, messages = line.rpartition("\t")
            if name:
                counts[name] = int(messages)
        return counts


@contextmanager
def private_broker(base_dir: Path) -> Iterator[PrivateBroker]:
    """A started node, shut down (and its folder's data left for a look) however the block ends."""
    broker = PrivateBroker(base_dir)
    try:
        broker.start()
        yield broker
    finally:
        broker.shutdown()


@pytest.fixture(scope="module", name="private_rabbitmq")
def private_rabbitmq_node(tmp_path_factory):
    """A started node for a test module (import this fixture function into it), shut down after."""
    # scripts/bootstrap installs rabbitmq-server, which puts them there: a missing one is a fault
    assert available(), f"no RabbitMQ scripts under {SCRIPTS}: set BATON_RABBITMQ_SCRIPTS to where they are"
    with private_broker(tmp_path_factory.mktemp("rabbitmq")) as broker:
        yield broker
