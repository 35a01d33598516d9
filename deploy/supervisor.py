"""Runs the whole system: the embedded document store (unless BATON_MONGO_URI is given) and every
service, each in its own process, restarted whenever it exits.

``python -m deploy.supervisor`` (what ``scripts/run`` calls). Ctrl-C stops everything.

Environment: BATON_CONFIG, BATON_DATA_DIR, BATON_MONGO_URI, BATON_DOCSTORE_PORT,
BATON_HTTP_ADDRESS, BATON_SERVICES, BATON_INSTANCES (see README.md); everything else in the environment, such as
BATON_AMQP_URI or a service's own BATON_MONGO_URI_<SERVICE>, reaches the services unchanged. Each
service keeps its data in a database of its own on the store (services/runtime/databases.py).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from functools import partial
from pathlib import Path

from deploy.docstore import Docstore, copy_database_file, die_with_parent, port_in_use, table_names

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO / "var"
SERVICES = [
    "services.intake.service",
    "services.profile.service",
    "services.handoff.service",
    "services.pool.service",
    "services.notification.service",
    "services.gateway.service",
]
FIRST_BACKOFF_SECONDS = 1
MAX_BACKOFF_SECONDS = 30
STABLE_AFTER_SECONDS = 60  # a process up this long is healthy again: its backoff starts over
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10
POLL_SECONDS = 0.5
LOCK_FILE_NAME = "supervisor.lock"
# nameko 2 on this eventlet only acts on SIGTERM when its hub next wakes, which can be never;
# SIGINT (KeyboardInterrupt) makes `nameko run` stop its services gracefully at once.
STOP_SIGNAL = signal.SIGINT
HEALTH_PROBE_SECONDS = 2  # between /ready probes once the first minute has passed


def say(message: str) -> None:
    print(f"baton: {message}", flush=True)


def service_name(module: str) -> str:
    """``services.intake.service`` -> ``intake``; any other module -> its last component."""
    parts = module.split(".")
    return parts[-2] if len(parts) > 1 and parts[-1] == "service" else parts[-1]


class Backoff:
    """1 s, 2 s, 4 s ... at most 30 s between restarts; from 1 s again once a process stayed up 60 s."""

    def __init__(self) -> None:
        self.delay = FIRST_BACKOFF_SECONDS

    def next_delay(self) -> float:
        delay = self.delay
        self.delay = min(self.delay * 2, MAX_BACKOFF_SECONDS)
        return delay

    def note_uptime(self, seconds: float) -> None:
        if seconds >= STABLE_AFTER_SECONDS:
            self.delay = FIRST_BACKOFF_SECONDS


class ChildProcess:
    """One service process (``nameko run``), restarted with backoff whenever it exits. ``name``
    is the service's (``pool``), or with several instances the instance's (``pool-2``)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_file: Path, service: str = ""):
        self.name, self.command, self.env, self.log_file = name, command, env, log_file
        self.service = service or name
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.backoff = Backoff()
        self.restart_at: float | None = None

    def start(self) -> None:
        with open(self.log_file, "ab") as log:
            # Own process group: Ctrl-C in the terminal reaches only the supervisor, which then
            # stops the services before the document store, instead of everything dying at once
            # and being "restarted". die_with_parent: a supervisor killed with SIGKILL leaves no
            # service holding the HTTP port or consuming queues. (No threads here, so preexec_fn
            # is safe.)
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                process_group=0,
                preexec_fn=partial(die_with_parent, STOP_SIGNAL),
            )  # noqa: PLW1509
        self.started_at = time.monotonic()
        self.restart_at = None
        self.note(f"started {self.name} (pid {self.process.pid})")

    def poll(self, now: float) -> None:
        """Notice an exit and schedule the restart; restart once its time has come."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.note(f"restarting {self.name}")
                self.start()
            return
        assert self.process is not None, "poll() follows start()"
        code = self.process.poll()
        if code is None:
            self.backoff.note_uptime(now - self.started_at)
            return
        self.backoff.note_uptime(now - self.started_at)
        delay = self.backoff.next_delay()
        self.restart_at = now + delay
        self.note(f"{self.name} exited with code {code}; restarting in {delay} s (log: {self.log_file})")

    def stop_signal(self) -> None:
        self.restart_at = None
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(STOP_SIGNAL)

    def wait_or_kill(self, deadline: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.note(f"{self.name} did not stop within {STOP_TIMEOUT_SECONDS} s; killing it")
            self.process.kill()
            self.process.wait()

    def note(self, message: str) -> None:
        """On the console and in the service's own log, so the log explains its own gaps."""
        say(message)
        with open(self.log_file, "a") as log:
            log.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} baton supervisor: {message}\n")


class Supervisor:
    def __init__(
        self,
        modules: list[str],
        config: Path,
        data_dir: Path,
        http_address: str,
        docstore_port: int,
        mongo_uri: str | None,
        wait_for_api: bool = True,
        instances: int = 1,
    ):
        self.modules, self.config, self.data_dir = modules, config, data_dir
        self.instances = instances
        self.http_address, self.docstore_port, self.mongo_uri = http_address, docstore_port, mongo_uri
        self.wait_for_api = wait_for_api
        self.log_dir = data_dir / "log"
        self.docstore: Docstore | None = None
        self.docstore_backoff = Backoff()
        self.docstore_started_at = 0.0
        self.docstore_restart_at: float | None = None
        self.children: list[ChildProcess] = []
        self.stopping = False
        self.reloading = False

    def run(self) -> int:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / LOCK_FILE_NAME, "a+") as lock:
            self._lock_data_dir(lock)
            taken = [a for a in self.http_addresses() if port_in_use(*_host_port(a))]
            if self.wait_for_api and taken:
                raise SystemExit(
                    f"baton: {', '.join(taken)} already in use; stop what listens there "
                    "or choose another BATON_HTTP_ADDRESS"
                )
            try:
                mongo_uri = self.mongo_uri or self._start_docstore()
                self._move_install_from_before(mongo_uri)
                env = dict(
                    os.environ, BATON_MONGO_URI=mongo_uri, BATON_HTTP_ADDRESS=self.http_address, PYTHONUNBUFFERED="1"
                )
                for module in self.modules:
                    name = service_name(module)
                    command = [sys.executable, "-m", "nameko", "run", "--config", str(self.config), module]
                    for index in range(self.instances):
                        # one instance: named as before (pool, pool.log); several: pool-1, pool-2 …
                        instance = name if self.instances == 1 else f"{name}-{index + 1}"
                        child_env = dict(env, BATON_SERVICE=name, BATON_INSTANCE=str(index + 1))
                        if name == "gateway":
                            child_env["BATON_HTTP_ADDRESS"] = self.http_addresses()[index]
                        self.children.append(
                            ChildProcess(instance, command, child_env, self.log_dir / f"{instance}.log", service=name)
                        )
                if not self.stopping:
                    for child in self.children:
                        child.start()
                self._loop()
            finally:
                self._stop()
        return 0

    def request_stop(self, *_signal_args) -> None:
        self.stopping = True

    def request_reload(self, *_signal_args) -> None:
        """SIGUSR1 (``baton config load``): the configuration file changed; services read it at start."""
        self.reloading = True

    def _reload(self) -> None:
        """Restart the services one at a time (after the gateway, until the API answers again), so
        the system keeps working: queues hold what arrives for a service meanwhile."""
        self.reloading = False
        say(f"configuration {self.config} loaded: restarting the services one at a time")
        for child in self.children:
            if self.stopping:
                return
            child.stop_signal()
            child.wait_or_kill(time.monotonic() + STOP_TIMEOUT_SECONDS)
            child.start()
            if child.service == "gateway" and self.wait_for_api:
                deadline = time.monotonic() + READY_TIMEOUT_SECONDS
                address = child.env["BATON_HTTP_ADDRESS"]
                while not self.stopping and not self._api_answers(address) and time.monotonic() < deadline:
                    time.sleep(POLL_SECONDS)
        say("every service runs with the loaded configuration")

    def _loop(self) -> None:
        started = time.monotonic()
        announced = not self.wait_for_api
        complained = False
        next_probe = started
        while not self.stopping:
            if self.reloading:
                self._reload()
            now = time.monotonic()
            self._tend(now)
            if not announced and now >= next_probe:
                if self._api_answers():
                    say(
                        f"Baton console: http://{self.http_address}/   API docs: http://{self.http_address}/docs   "
                        f"(logs: {self.log_dir}/<service>.log; Ctrl-C stops everything)"
                    )
                    if self.instances > 1:
                        say(
                            f"{self.instances} instances of each service; the gateways answer at "
                            + ", ".join(f"http://{a}/" for a in self.http_addresses())
                            + " (put a load balancer in front of them)"
                        )
                    say(
                        "to sign in, make the first admin: .venv/bin/baton users create admin --name Admin "
                        "--role admin && .venv/bin/baton users password admin"
                    )
                    announced = True
                elif now - started > READY_TIMEOUT_SECONDS:
                    if not complained:
                        self._complain_api_missing()
                        complained = True
                    next_probe = now + HEALTH_PROBE_SECONDS
            time.sleep(POLL_SECONDS)

    def _tend(self, now: float) -> None:
        self._tend_docstore(now)
        for child in self.children:
            child.poll(now)

    # --- the document store -------------------------------------------------------------------

    def _move_install_from_before(self, mongo_uri: str) -> None:
        """An install from before one database per service is moved (``baton migrate --drop-old``)
        before any service starts; the embedded store's old file is copied aside first. A fresh
        install has nothing to move. Stored data is then brought to this version by each service
        in the background (services/runtime/upgrades.py)."""
        import yaml
        from nameko.cli.main import setup_yaml_parser

        from cli.migrate import MigrationRefused, migrate_install
        from services.runtime.databases import COLLECTIONS, EVERY_SERVICE, database_of

        setup_yaml_parser()
        config = yaml.safe_load(self.config.read_text(encoding="utf-8")) or {}
        config["MONGO_URI"] = mongo_uri
        old_file = self.data_dir / "docstore" / f"{database_of(mongo_uri)}.db"
        owned = {name for names in COLLECTIONS.values() for name in names} | set(EVERY_SERVICE)
        if self.docstore is not None and old_file.exists() and owned & table_names(old_file):
            aside = self.data_dir / "backups" / f"before-upgrade-{datetime.now():%Y%m%dT%H%M%S}"
            aside.mkdir(parents=True, exist_ok=True)
            copy_database_file(old_file, aside / old_file.name)
        try:
            report = migrate_install(config, drop_old=True, say=lambda line: say(f"migrate: {line}"))
        except MigrationRefused as refused:
            raise SystemExit(f"baton: {refused}") from None
        if not report.complete:
            raise SystemExit(
                "baton: moving the install from before left documents behind; nothing was dropped. "
                "Run `baton migrate` to see which, then start again"
            )
        if report.outcomes:
            say(f"migrate: every service has its own database now ({len(report.dropped)} old collections dropped)")

    def _start_docstore(self) -> str:
        self.docstore = Docstore(
            self.data_dir / "docstore", port=self.docstore_port, log_file=self.log_dir / "docstore.log"
        )
        try:
            self.docstore.start()
        except RuntimeError as error:
            raise SystemExit(f"baton: {error}") from None
        self.docstore_started_at = time.monotonic()
        say(f"document store at {self.docstore.uri()} (data in {self.docstore.data_dir})")
        return self.docstore.uri()

    def _tend_docstore(self, now: float) -> None:
        """Same restart policy as the services; they reconnect by themselves once it is back."""
        if self.docstore is None:
            return
        if self.docstore_restart_at is None:
            if self.docstore.running:
                self.docstore_backoff.note_uptime(now - self.docstore_started_at)
                return
            self.docstore_backoff.note_uptime(now - self.docstore_started_at)
            delay = self.docstore_backoff.next_delay()
            self.docstore_restart_at = now + delay
            exited = self.docstore.process
            say(
                f"the document store exited with code {exited.returncode if exited else None}; restarting in "
                f"{delay} s (log: {self.docstore.log_file})"
            )
        elif now >= self.docstore_restart_at:
            say("restarting the document store")
            self.docstore_restart_at = None
            try:
                self.docstore.start()  # blocks until it answers, at most 30 s
                self.docstore_started_at = time.monotonic()
                say(f"document store back at {self.docstore.uri()}")
            except RuntimeError as error:
                say(str(error))  # still not running: the next _tend_docstore schedules another try

    # --- readiness ----------------------------------------------------------------------------

    def http_addresses(self) -> list[str]:
        """Where each gateway instance listens: BATON_HTTP_ADDRESS, then the ports after it."""
        host, port = _host_port(self.http_address)
        return [f"{host}:{port + index}" for index in range(self.instances)]

    def _api_answers(self, address: str | None = None) -> bool:
        # No proxy: an http_proxy in the environment must not carry a request for 127.0.0.1.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            # /ready, not /health: a subset of the services (--services) never makes /health 200
            with opener.open(f"http://{address or self.http_address}/ready", timeout=1) as response:
                return response.status == 200
        except (OSError, ValueError):
            return False

    def _complain_api_missing(self) -> None:
        say(
            f"the API did not answer at http://{self.http_address}/ready within {READY_TIMEOUT_SECONDS} s; "
            "still supervising, and will announce it once it answers."
        )
        gateway = next((c for c in self.children if c.service == "gateway"), None)
        if gateway is not None and gateway.log_file.exists():
            tail = gateway.log_file.read_text(errors="replace").splitlines()[-20:]
            say(f"last lines of {gateway.log_file}:")
            print("\n".join(tail), flush=True)

    # --- start and stop -----------------------------------------------------------------------

    def _lock_data_dir(self, lock) -> None:
        """One supervisor per data directory: a second would fight over ports and files.

        flock is released by the kernel when the holder dies, so a crash leaves nothing stale.
        """
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise SystemExit(
                f"baton: another supervisor (pid {lock.read().strip() or '?'}) already runs "
                f"with {self.data_dir}; stop it first"
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()

    def _stop(self) -> None:
        if not self.children and self.docstore is None:
            return
        say("stopping")
        # Services first (they may still be writing), then the store they write to.
        for child in self.children:
            child.stop_signal()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self.children:
            child.wait_or_kill(deadline)
        if self.docstore is not None:
            self.docstore.stop()
        say("stopped")


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or "127.0.0.1"), int(port)


def running_supervisor(data_dir: Path) -> int | None:
    """The pid of the supervisor holding ``data_dir``'s lock (see _lock_data_dir), or None."""
    lock_path = data_dir / LOCK_FILE_NAME
    if not lock_path.exists():
        return None
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            return int(lock.read().strip())
        fcntl.flock(lock, fcntl.LOCK_UN)  # nobody held it: no supervisor
        return None


def setting_path(name: str, default: Path) -> Path:
    """A path from the environment; a relative one is taken from the current directory."""
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


# The formatters deploy/config.yaml's LOGGING defines; a service would die at start on another.
LOG_FORMATS = ("plain", "json")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.supervisor",
        description="Runs the document store (unless BATON_MONGO_URI is set) and every Baton service, "
        "restarting any that exits. Ctrl-C stops everything. Settings come from BATON_* "
        "environment variables; see README.md.",
    )
    parser.add_argument(
        "--services", metavar="NAMES", help="comma-separated subset to run, e.g. intake,profile (default: all)"
    )
    parser.add_argument(
        "--instances",
        metavar="N",
        type=int,
        default=None,
        help="processes of each service (default: BATON_INSTANCES, else 1); the gateways listen on "
        "BATON_HTTP_ADDRESS's port and the N-1 after it",
    )
    args = parser.parse_args(argv)
    instances = args.instances if args.instances is not None else int(os.environ.get("BATON_INSTANCES") or 1)
    if instances < 1:
        parser.error(f"--instances must be at least 1, not {instances}")

    # BATON_SERVICES replaces the module list (tests use it to run stand-in services).
    modules = [m.strip() for m in os.environ.get("BATON_SERVICES", "").split(",") if m.strip()] or SERVICES
    wait_for_api = True
    if args.services:
        wanted = {name.strip() for name in args.services.split(",") if name.strip()}
        unknown = wanted - {service_name(m) for m in modules}
        if unknown:
            parser.error(
                f"unknown service(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(service_name(m) for m in modules)}"
            )
        modules = [m for m in modules if service_name(m) in wanted]
        wait_for_api = "gateway" in wanted  # without the gateway there is no API to wait for

    log_format = os.environ.get("BATON_LOG_FORMAT") or "plain"
    if log_format not in LOG_FORMATS:
        parser.error(f"BATON_LOG_FORMAT is {log_format!r}; it must be one of: {', '.join(LOG_FORMATS)}")
    config = setting_path("BATON_CONFIG", REPO / "deploy" / "config.yaml")
    if not config.is_file():
        parser.error(f"no configuration file at {config} (BATON_CONFIG)")
    supervisor = Supervisor(
        modules,
        config=config,
        data_dir=setting_path("BATON_DATA_DIR", DEFAULT_DATA_DIR),
        http_address=os.environ.get("BATON_HTTP_ADDRESS") or "127.0.0.1:8000",
        docstore_port=int(os.environ.get("BATON_DOCSTORE_PORT") or 27117),
        mongo_uri=os.environ.get("BATON_MONGO_URI") or None,
        wait_for_api=wait_for_api,
        instances=instances,
    )
    # SIGHUP too: closing the terminal should stop the system in order, like Ctrl-C.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, supervisor.request_stop)
    signal.signal(signal.SIGUSR1, supervisor.request_reload)
    if supervisor.mongo_uri:
        say("using MongoDB at BATON_MONGO_URI; no embedded document store")
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
